"""The dashboard in a real browser: ``parley app`` on a free localhost port, driven by Debian's
headless Chromium through Playwright (no browser download).

Without chromium the test is skipped, naming the Debian package to install, except when
``CI=true``: there a missing browser fails it (``.ci/run`` installs the package first).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import struct
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import PARLEY, ROOT, cli, free_port, write_yaml

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
TIMEOUT_MS = 30_000


def _missing(what: str) -> None:
    message = f"{what}; on Debian: apt-get install chromium (the package `chromium`)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but {message}")
    pytest.skip(message)


def _chromium() -> str:
    found = shutil.which("chromium") or (
        "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    if found is None:
        _missing("the browser test needs Debian's chromium, which is not installed")
    return found


def _wait_until_serving(url: str, server: subprocess.Popen, stderr: Path, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"parley app exited with {server.returncode}: "
                        f"{stderr.read_text(encoding='utf-8')}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    pytest.fail(f"parley app did not serve {url} within {seconds:.0f} s")


def watched(page, errors: list[str]):
    """A page whose console errors, page errors and server errors are added to ``errors``."""
    page.set_default_timeout(TIMEOUT_MS)
    page.on("console", lambda m: errors.append(f"console: {m.text}")
            if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    page.on("response", lambda r: errors.append(f"HTTP {r.status}: {r.url}")
            if r.status >= 500 else None)
    return page


def _stop(server: subprocess.Popen) -> None:
    """Stop the server and its Solara child: they share the process group we started."""
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=15)


@dataclass
class Served:
    """A running ``parley app``: its address, what it printed, when it was started."""

    url: str
    stdout: Path
    started: float


@contextmanager
def served(tmp_path: Path, *args: str, seconds: float = 90) -> Iterator[Served]:
    """``parley app --port PORT ARGS`` on a free port until the block ends; the server must
    say nothing on stderr while serving."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    stderr_path, stdout_path = tmp_path / "server.stderr", tmp_path / "server.stdout"
    started = time.monotonic()
    with stderr_path.open("w") as err, stdout_path.open("w") as out:
        server = subprocess.Popen([str(PARLEY), "app", "--port", str(port), *args], cwd=ROOT,
                                  stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                  start_new_session=True)
    try:
        _wait_until_serving(url, server, stderr_path, seconds)
        yield Served(url, stdout_path, started)
        # What the server said while serving (not what it says while being stopped).
        server_errors = stderr_path.read_text(encoding="utf-8").strip()
    finally:
        _stop(server)
    assert server_errors == "", server_errors


@contextmanager
def chromium() -> Iterator[tuple[Any, Any]]:
    """Debian's headless Chromium through Playwright: ``(browser, expect)``."""
    executable = _chromium()
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        _missing("Playwright for Python is not installed (pip install playwright)")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser, expect
        finally:
            browser.close()


def test_dashboard_in_chromium(tmp_path):
    _chromium()
    bad = write_yaml(tmp_path / "bad.yaml", "insurgent:\n  patience: 0\n  mood: grim\n")
    expected_problems = cli("validate", bad).stderr.strip().splitlines()
    assert len(expected_problems) == 2

    page_errors: list[str] = []
    with served(tmp_path, "--scenario", str(bad), seconds=60) as app, chromium() as (
            browser, expect):
        page = watched(browser.new_page(viewport={"width": 1440, "height": 1000}), page_errors)
        _drive(page, expect, app.url, expected_problems, tmp_path)
    assert not page_errors, "\n".join(page_errors)


def _drive(page, expect, url: str, expected_problems: list[str], tmp_path: Path) -> None:
    # Bad input: the file given to `parley app` fails validation; the page says so with the
    # CLI's own lines, and the app goes on running.
    page.goto(url)
    problems = page.locator(".parley-problems")
    expect(problems).to_be_visible()
    for line in expected_problems:
        expect(problems).to_contain_text(line)
    page.locator(".v-select").first.click()
    page.get_by_role("option", name="afghanistan_2020.yaml").click()
    status = page.get_by_test_id("status")
    expect(status).to_contain_text("Day 0 of 200")
    expect(problems).to_have_count(0)

    # A setting the scenario refuses is told at its field, which goes back to the value in
    # use; a valid one clears it and restarts the run.
    cap = page.locator(".control-agreement-batch-cap input[type=text]")
    cap.fill("50")
    cap.press("Enter")
    refused = page.locator(".control-agreement-batch-cap .parley-field-error")
    expect(refused).to_contain_text("Agreement: batch cap: 50 was not used: the Afghan "
                                    "government's unilateral batch (100) exceeds")
    expect(cap).to_have_value("100")
    cap.fill("150")
    cap.press("Enter")
    expect(page.locator(".parley-field-error")).to_have_count(0)
    expect(cap).to_have_value("150")
    cap.fill("100")  # the file's own value again, for the run below
    cap.press("Enter")
    expect(cap).to_have_value("100")
    patience = page.locator(".control-insurgent-patience input[type=text]")
    patience.fill("1.2")
    patience.press("Enter")
    expect(patience).to_have_value("1.2")

    # Step 45 days; the narrative tells of the walkout and the unilateral release.
    figure = page.locator(".parley-live-figure img")
    before = figure.get_attribute("src")
    days = page.locator(".parley-days-per-step input")
    days.fill("45")
    days.press("Tab")
    page.locator(".parley-step").click()
    expect(status).to_contain_text("Day 45 of 200", timeout=TIMEOUT_MS)
    narrative = page.get_by_test_id("narrative")
    expect(narrative).to_contain_text("walk out of the talks")
    expect(narrative).to_contain_text("unilaterally")
    expect(narrative).to_contain_text("not according to the agreed mechanism")
    expect(figure).not_to_have_attribute("src", before or "")
    freed = re.search(r"freed (\d+) and (\d+)", status.inner_text())
    assert freed and int(freed.group(1)) > 0, status.inner_text()
    page.screenshot(path=str(tmp_path / "dashboard_day45.png"), full_page=True)

    # Role play: two days in the insurgent's seat.
    page.get_by_role("tab", name="Role play").click()
    page.get_by_role("button", name="Taliban (insurgent)").click()
    page.locator(".parley-start-game").click()
    game = page.get_by_test_id("game-status")
    expect(game).to_contain_text("You are the Taliban (insurgent). Day 0 of 200")
    page.locator(".parley-play-day").click()
    expect(game).to_contain_text("Day 1 of 200")
    page.locator(".parley-play-day").click()
    expect(game).to_contain_text("Day 2 of 200")
    page.screenshot(path=str(tmp_path / "dashboard_role_play.png"), full_page=True)


def test_a_missing_browser_skips_except_on_ci(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install chromium"):
        _missing("no browser here")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true but no browser here"):
        _missing("no browser here")


# On a projector: 1024×768

PROJECTOR = {"width": 1024, "height": 768}
SIDEBAR_TEXTS = """() => {
  const sel = ['b', 'label', '.parley-help', '.v-select__selection', '.v-btn__content', 'input']
    .map(s => '.v-navigation-drawer ' + s).join(', ');
  const fields = Array.from(document.querySelectorAll('.v-navigation-drawer .v-input'));
  const out = [];
  for (const e of document.querySelectorAll(sel)) {
    if (e.offsetParent === null) continue;
    // A text on two lines is two boxes: the box around both would cover what sits beside it.
    const rects = e.tagName === 'INPUT' ? [e.getBoundingClientRect()] : e.getClientRects();
    for (const r of rects) {
      if (r.width > 0 && r.height > 0) out.push({
        what: e.tagName + ' ' + (e.innerText || e.value || '').slice(0, 40),
        field: fields.indexOf(e.closest('.v-input')),
        left: r.left, top: r.top, right: r.right, bottom: r.bottom});
    }
  }
  return out;
}"""


def overlaps(boxes: list[dict]) -> list[tuple[str, str]]:
    """Pairs of boxes that overlap by more than half a pixel, except a field's own label and
    input (a text field draws its label inside its own box)."""
    found = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            if a["field"] >= 0 and a["field"] == b["field"]:
                continue
            if (a["left"] < b["right"] - 0.5 and b["left"] < a["right"] - 0.5
                    and a["top"] < b["bottom"] - 0.5 and b["top"] < a["bottom"] - 0.5):
                found.append((a["what"], b["what"]))
    return found


def test_sidebar_overlap_check_finds_overlaps():
    box = {"field": -1, "left": 0, "top": 0, "right": 100, "bottom": 20}
    assert overlaps([{**box, "what": "a"}, {**box, "what": "b", "top": 10, "bottom": 30}]) == [
        ("a", "b")]
    assert overlaps([{**box, "what": "a"}, {**box, "what": "b", "top": 20, "bottom": 40}]) == []
    assert overlaps([{**box, "what": "a", "field": 3}, {**box, "what": "b", "field": 3}]) == []


def test_dashboard_on_a_projector(tmp_path):
    from sim.ui.app.page import SPEEDS
    from sim.ui.app.projector import smallest_px

    _chromium()
    page_errors: list[str] = []
    with served(tmp_path) as app, chromium() as (browser, expect):
        page = watched(browser.new_page(viewport=PROJECTOR), page_errors)
        opened = time.monotonic()
        page.goto(app.url)
        chart = page.locator(".parley-live-figure img")
        expect(chart).to_be_visible(timeout=90_000)
        now = time.monotonic()
        print(f"\ntime to first render: {now - app.started:.1f} s from server start, "
              f"{now - opened:.1f} s from opening the page")
        _projector_checks(page, expect, chart, smallest_px, tmp_path)
        speed = _play_speed(page, expect, max(SPEEDS))
        print(f"play at {max(SPEEDS)} days a second: {speed:.1f} days a second")
        assert speed >= 20, speed
    assert not page_errors, "\n".join(page_errors)


def _projector_checks(page, expect, chart, smallest_px, tmp_path: Path) -> None:
    shot = tmp_path / "projector.png"
    page.screenshot(path=str(shot))
    width, height = struct.unpack(">II", shot.read_bytes()[16:24])  # the PNG's IHDR
    assert (width, height) == (PROJECTOR["width"], PROJECTOR["height"])

    found = page.evaluate(SIDEBAR_TEXTS)
    assert len(found) >= 10, found  # the headings, labels and fields were found
    assert overlaps(found) == []

    # The narrative shows without scrolling, and so does the top of the chart.
    narrative = page.get_by_test_id("narrative").bounding_box()
    assert narrative is not None
    assert narrative["y"] >= 0 and narrative["y"] + narrative["height"] <= PROJECTOR["height"]
    box = chart.bounding_box()
    assert box is not None and box["y"] < PROJECTOR["height"]
    assert box["x"] + box["width"] <= PROJECTOR["width"]

    # Chart text on screen: its size in the image, times how much the page shrinks the image.
    natural, shown = chart.evaluate("e => [e.naturalWidth, e.getBoundingClientRect().width]")
    assert smallest_px(shown / natural) >= 12, (natural, shown)


def _day(status) -> int:
    return int(re.search(r"Day (\d+) of", status.inner_text()).group(1))


def _play_speed(page, expect, speed: int) -> float:
    """Days a second while playing at ``speed``, from the first day shown to the last day."""
    page.locator(".parley-speed").click()
    page.get_by_role("option", name=str(speed), exact=True).click()
    status = page.get_by_test_id("status")
    expect(status).to_contain_text("Day 0 of 200")
    page.locator(".parley-play").click()
    expect(status).not_to_contain_text("Day 0 of")
    first, since = _day(status), time.monotonic()
    expect(status).to_contain_text("Day 200 of 200", timeout=60_000)
    return (200 - first) / (time.monotonic() - since)
