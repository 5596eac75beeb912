"""The dashboard's server as a child of ``parley app``: a free port first, and no orphan after.

``parley app`` runs Solara in a child process. The child must not outlive its parent: on
SIGTERM or SIGHUP the parent stops it before it exits, and on Linux the kernel sends it
SIGTERM if the parent dies any other way (``kill -9``), so the port is free for the next start.
"""

from __future__ import annotations

import errno
import signal
import socket
import subprocess
import sys

from sim.errors import Problem
from sim.ui.console import fail

STOP_SECONDS = 10
"""How long the server has to stop on its own before it is killed."""


def check_port(host: str, port: int) -> None:
    """Refuse a port another program listens on, in one line, before anything starts."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # As the server will: a port left in TIME_WAIT by a stopped server is free to use.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            busy = exc.errno == errno.EADDRINUSE
            fail([Problem("--port", str(port),
                          "is in use by another program (another parley app?)" if busy
                          else f"cannot be used ({exc.strerror or exc})",
                          "a free port, e.g. --port 8766")])


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    import ctypes

    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def serve(cmd: list[str], env: dict[str, str]) -> int:
    """Run ``cmd`` until it ends or this process is told to stop; return its exit code.

    Ctrl-C reaches the child from the terminal too (same process group); SIGTERM and SIGHUP
    reach only this process, which passes them on.
    """
    preexec = _die_with_parent if sys.platform.startswith("linux") else None
    server = subprocess.Popen(cmd, env=env, preexec_fn=preexec)

    def stop(signum, frame):
        raise KeyboardInterrupt

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGHUP)}
    previous[signal.SIGINT] = signal.getsignal(signal.SIGINT)
    try:
        return server.wait()
    except KeyboardInterrupt:
        # Stopping: a second Ctrl-C (or the server's own signals) must not cut the wait short.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        server.send_signal(signal.SIGTERM)
        try:
            return server.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            server.kill()
            return server.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
