"""The classroom in real browsers: ``parley app --classroom``, a teacher and three students,
each in a browser context of their own (their own cookies, so their own Solara session), in
Debian's headless Chromium through Playwright.

Skipped without chromium, except when ``CI=true`` (see :mod:`test_browser`).
"""

from __future__ import annotations

import re
import subprocess

from conftest import PARLEY, ROOT
from test_browser import _chromium, chromium, served, watched

DAYS = 3


def test_a_classroom_game_in_chromium(tmp_path):
    _chromium()
    page_errors: list[str] = []
    with served(tmp_path, "--classroom", "--rooms", "2", "--days", str(DAYS)) as app, \
            chromium() as (browser, expect):
        printed = app.stdout.read_text(encoding="utf-8")
        key = re.search(r"/teacher\?key=(\S+)", printed)
        assert key, printed
        assert re.search(r"students open http://[\d.]+:\d+/", printed), printed
        # Four people, four browser contexts: each has its own cookies, so its own session.
        pages = [watched(browser.new_context(viewport={"width": 1024, "height": 768}).new_page(),
                         page_errors) for _ in range(4)]
        _drive(expect, app.url, key.group(1), *pages, tmp_path=tmp_path)
    assert not page_errors, "\n".join(page_errors)


def _seat(page, expect, url: str, code: str, name: str, seat: str, by_typing: bool) -> None:
    if by_typing:  # the way a student without the link joins: the code from the projector
        page.goto(url)
        page.locator(".parley-code-input input").fill(code.lower())
        page.locator(".parley-join-button").click()
    else:
        page.goto(f"{url}room/{code}")
    page.locator(".parley-name input").fill(name)
    page.locator(f".parley-seat-{seat}").click()
    expect(page.get_by_test_id("seat-status")).to_contain_text(f"Room {code}: you are the")


def _send(page) -> None:
    page.locator(".parley-send").click()


def _drive(expect, url, key, teacher, ana, ben, cy, tmp_path) -> None:
    # A student who finds the teacher's page without its key gets no buttons.
    cy.goto(f"{url}teacher")
    expect(cy.get_by_text("This is the teacher's page")).to_be_visible()
    expect(cy.locator(".parley-start")).to_have_count(0)

    teacher.goto(f"{url}teacher?key={key}")
    expect(teacher.get_by_test_id("join-address")).to_contain_text("Join at http://")
    codes = teacher.get_by_test_id("room-code")
    expect(codes).to_have_count(2)
    first, second = codes.all_inner_texts()
    # The code is shown big enough to read from the back of a room.
    size = codes.first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert size >= 40, size

    _seat(ana, expect, url, first, "Ana", "government", by_typing=True)
    _seat(ben, expect, url, first, "Ben", "insurgent", by_typing=False)
    _seat(cy, expect, url, second, "Cy", "mediator", by_typing=False)
    # A taken seat names who holds it, in every browser, and cannot be taken again.
    cy_other = cy.context.new_page()
    cy_other.goto(f"{url}room/{first}")
    taken = cy_other.locator(".parley-seat-government")
    expect(taken).to_contain_text("Ana")
    expect(taken).to_be_disabled()
    cy_other.close()

    # A student whose page reloads takes their seat back under the same name.
    ben.reload()
    _seat(ben, expect, url, first, "Ben", "insurgent", by_typing=False)

    room1, room2 = teacher.get_by_test_id(f"room-{first}"), teacher.get_by_test_id(f"room-{second}")
    expect(teacher.locator(".parley-room").first).to_contain_text("Ana")
    expect(teacher.locator(".parley-room").first).to_contain_text("Ben")
    teacher.locator(".parley-start").click()
    expect(teacher.get_by_test_id("session-phase")).to_contain_text("playing")

    # Each seat sees what its role would know, and nothing of the other side's mind.
    ana_view, ben_view, cy_view = (p.get_by_test_id("seat-view") for p in (ana, ben, cy))
    expect(ana_view).to_contain_text("Pressure you feel")
    expect(ben_view).to_contain_text("frustration")
    for text in ("frustration", "patience"):
        expect(ana_view).not_to_contain_text(text)
        expect(cy_view).not_to_contain_text(text)
    expect(ben_view).not_to_contain_text("Pressure you feel")
    expect(cy_view).not_to_contain_text("Pressure you feel")

    # Ana's government frees 25 prisoners on its own on day 1, which the agents did not.
    ana.locator(".parley-decision input").nth(2).fill("25")
    for day in range(1, DAYS):
        if day == 2:
            ana.locator(".parley-decision input").nth(2).fill("0")
        _send(ana)
        expect(ana.get_by_test_id("seat-status")).to_contain_text("waiting for insurgent")
        expect(room1).to_contain_text("waiting for insurgent")
        expect(room1).to_contain_text(f"Day {day - 1} of {DAYS}")
        _send(ben)  # the last seated person in room 1: the day is played, every screen moves
        expect(ana.get_by_test_id("seat-status")).to_contain_text(f"Day {day} of {DAYS}")
        expect(room1).to_contain_text(f"Day {day} of {DAYS}")
        # Room 2 waits for its own student only; room 1's moves did not move it.
        expect(room2).to_contain_text(f"Day {day - 1} of {DAYS}")
        _send(cy)
        expect(room2).to_contain_text(f"Day {day} of {DAYS}")
    # The last day nobody moves: the teacher's timer plays it in both rooms.
    expect(ana.get_by_test_id("seat-status")).not_to_contain_text("s left on the timer")
    timer = teacher.locator(".parley-timer input")
    timer.fill("2")
    timer.press("Enter")
    expect(ana.get_by_test_id("seat-status")).to_contain_text("s left on the timer")
    expect(room1).to_contain_text(f"Day {DAYS} of {DAYS}", timeout=30_000)
    expect(room2).to_contain_text(f"Day {DAYS} of {DAYS}", timeout=30_000)
    teacher.screenshot(path=str(tmp_path / "classroom_teacher.png"), full_page=True)
    ana.screenshot(path=str(tmp_path / "classroom_student.png"), full_page=True)

    # The last day ends the game; the teacher's debrief sets each room beside the agents.
    expect(teacher.get_by_test_id("session-phase")).to_contain_text("over")
    expect(ben.get_by_test_id("seat-status")).to_contain_text("the game is over")
    teacher.locator(".parley-debrief").click()
    report1 = teacher.get_by_test_id(f"debrief-{first}")
    expect(report1).to_contain_text(f"Room {first} (Ana (government), Ben (insurgent)), "
                                    f"{DAYS} days", timeout=90_000)
    expect(report1).to_contain_text("100 runs of other seeds")
    expect(report1).to_contain_text("agents on this seed")
    expect(report1).to_contain_text("the room's course left the agents' on day 1")
    expect(report1).to_contain_text("prisoners freed by the Afghan government: the room 25")
    expect(teacher.get_by_test_id(f"debrief-{second}")).to_contain_text(
        "the room followed the agents' course day by day")
    expect(teacher.get_by_test_id(f"debrief-{second}")).to_contain_text("Cy (mediator)")
    expect(teacher.locator(".parley-room img")).to_have_count(2)
    teacher.screenshot(path=str(tmp_path / "classroom_debrief.png"), full_page=True)


def test_classroom_refuses_an_invalid_scenario(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("insurgent:\n  patience: 0\n", encoding="utf-8")
    done = subprocess.run([str(PARLEY), "app", "--classroom", "--scenario", str(bad)],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 2
    assert done.stderr.startswith("error: ") and "Traceback" not in done.stderr
    assert "patience" in done.stderr
