"""``parley app --classroom``: serve the classroom pages to the local network.

The teacher's page (``/teacher``) carries a key printed only in the terminal, so that a student
who types the address does not get the teacher's buttons; students join at ``/`` or
``/room/<code>``. The scenario must pass validation here: a classroom starts from a valid game.
"""

from __future__ import annotations

import secrets
import socket
from pathlib import Path

from sim.ui.console import fail

CLASSROOM_HOST = "0.0.0.0"  # every interface: students' browsers are on other machines


def lan_address() -> str:
    """This machine's address on the local network (no packet is sent), else 127.0.0.1."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("192.0.2.1", 9))  # TEST-NET-1: connecting a UDP socket picks the route
        return probe.getsockname()[0]
    except OSError:
        return "127.0.0.1"
    finally:
        probe.close()


def classroom_env(env: dict[str, str], scenario: Path | None, port: int, rooms: int, days: int,
                  seconds: int) -> list[str]:
    """Fill ``env`` for the classroom server; return the lines to print for the teacher.

    Exits with code 2 and the validator's lines when the scenario fails validation.
    """
    from sim.catalog import default_scenarios_dir
    from sim.errors import ScenarioError
    from sim.scenario import load_scenario
    from sim.ui.app.classroom import DAYS_ENV, KEY_ENV, ROOMS_ENV, SECONDS_ENV, URL_ENV
    from sim.ui.app.state import SCENARIO_ENV

    path = scenario or default_scenarios_dir() / "afghanistan_2020.yaml"
    try:
        load_scenario(path)
    except ScenarioError as exc:
        fail(exc.problems)
    url = f"http://{lan_address()}:{port}/"
    key = secrets.token_urlsafe(8)
    env.update({SCENARIO_ENV: str(Path(path).resolve()), ROOMS_ENV: str(rooms),
                DAYS_ENV: str(days), SECONDS_ENV: str(seconds), KEY_ENV: key, URL_ENV: url})
    return [f"Parley classroom: students open {url} and type their room's code",
            f"Teacher's screen (keep this address to yourself): {url}teacher?key={key}",
            "Ctrl+C stops it"]
