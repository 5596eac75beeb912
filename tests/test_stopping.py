"""Stopping: Ctrl-C and ``kill`` end a command at once, cleanly, and leave nothing running.

Each test starts ``parley`` as a user would, in its own process group (as a shell starts a
job), waits until it is at work, and signals it as a terminal or ``kill`` would.
"""

from __future__ import annotations

import importlib.util
import os
import pty
import re
import select
import signal
import socket
import subprocess
import time

import pytest
from conftest import PARLEY, ROOT, free_port

STOPPED_WITHIN = 2.0  # seconds from the signal to the exit (issue 12)


def _read_until(fd: int, pattern: bytes, seconds: float) -> bytes:
    """Read a pseudo-terminal until ``pattern`` matches what it printed; return the text."""
    text, start = b"", time.monotonic()
    while time.monotonic() - start < seconds:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            try:
                text += os.read(fd, 65536)
            except OSError:  # the other end closed
                break
            if re.search(pattern, text):
                return text
    raise AssertionError(f"{pattern!r} never showed; got {text[-500:]!r}")


def _drain(fd: int) -> bytes:
    text = b""
    while select.select([fd], [], [], 0.3)[0]:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        text += chunk
    return text


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="utf-8") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry))
    return found


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _gone(pids: list[int], seconds: float) -> bool:
    return _wait_for(lambda: not any(_alive(p) for p in pids), seconds)


@pytest.mark.parametrize(("how", "code"), [("ctrl_c", 130), ("sigterm", 143)])
@pytest.mark.parametrize("workers", ["1", "2"])
def test_report_of_ten_million_seeds_stops_at_once(how, code, workers):
    master, slave = pty.openpty()  # a terminal, so that the progress bar shows
    with subprocess.Popen([PARLEY, "report", "afghanistan_2020", "--seeds", "10000000",
                           "--workers", workers], stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=slave, cwd=ROOT,
                          start_new_session=True) as proc:
        os.close(slave)
        try:
            _read_until(master, rb"[1-9]\d*/10000000", 180)  # runs are done: at work
            workers_pids = _children(proc.pid)
            start = time.monotonic()
            if how == "ctrl_c":  # a terminal's Ctrl-C goes to the whole process group
                os.killpg(proc.pid, signal.SIGINT)
            else:
                proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)
            took = time.monotonic() - start
            text = _read_until_end(master)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
            os.close(master)
    assert proc.returncode == code, text
    assert took < STOPPED_WITHIN, took
    assert "Traceback" not in text
    assert re.search(r"interrupted: \d+ of 10000000 runs done", text), text[-300:]
    assert _gone(workers_pids, 5), "a worker outlived the report"


def _read_until_end(fd: int) -> str:
    return _drain(fd).decode("utf-8", errors="replace")


def _listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
    except OSError:
        return False
    return True


def _wait_for(condition, seconds: float) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.2)
    return False


needs_solara = pytest.mark.skipif(importlib.util.find_spec("solara") is None,
                                  reason="the [app] extra (solara) is not installed")


@needs_solara
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGKILL], ids=["term", "kill"])
def test_parley_app_takes_its_server_with_it(signum):
    port = free_port()
    with subprocess.Popen([PARLEY, "app", "--port", str(port)], stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          cwd=ROOT, start_new_session=True) as proc:
        try:
            assert _wait_for(lambda: _listening(port), 180), "the dashboard never started"
            server = _children(proc.pid)
            assert server
            busy = subprocess.run([PARLEY, "app", "--port", str(port)], capture_output=True,
                                  text=True, timeout=120, check=False)
            assert busy.returncode == 2, busy.stderr
            assert busy.stderr.splitlines() == [
                f"error: --port: {port}: is in use by another program (another parley app?); "
                "allowed: a free port, e.g. --port 8766"]
            proc.send_signal(signum)
            proc.wait(timeout=30)
            _, stderr = proc.communicate()
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
    assert _wait_for(lambda: not _listening(port), 15), "the server kept the port"
    assert _gone(server, 15), "the server outlived parley app"
    if signum == signal.SIGTERM:
        assert proc.returncode == 0 and "Traceback" not in stderr, stderr


@pytest.mark.parametrize("after", [0.5, 1.5, 3.0])
def test_ctrl_c_while_the_command_line_loads_ends_quietly(after):
    with subprocess.Popen([PARLEY, "report", "afghanistan_2020", "--seeds", "10000000"],
                          stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, cwd=ROOT,
                          start_new_session=True) as proc:
        time.sleep(after)
        os.killpg(proc.pid, signal.SIGINT)
        try:
            _, stderr = proc.communicate(timeout=30)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, stderr
    # Quiet, or one line that says so (once the command has started its runs).
    assert "Traceback" not in stderr and len(stderr.strip().splitlines()) <= 1, stderr
    assert stderr.strip() in ("", "interrupted") or "runs done" in stderr, stderr
