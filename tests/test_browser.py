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
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

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


def _stop(server: subprocess.Popen) -> None:
    """Stop the server and its Solara child: they share the process group we started."""
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=15)


def test_dashboard_in_chromium(tmp_path):
    executable = _chromium()
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        _missing("Playwright for Python is not installed (pip install playwright)")

    bad = write_yaml(tmp_path / "bad.yaml", "insurgent:\n  patience: 0\n  mood: grim\n")
    expected_problems = cli("validate", bad).stderr.strip().splitlines()
    assert len(expected_problems) == 2

    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    stderr_path = tmp_path / "server.stderr"
    stdout_path = tmp_path / "server.stdout"
    with stderr_path.open("w") as err, stdout_path.open("w") as out:
        server = subprocess.Popen([str(PARLEY), "app", "--port", str(port), "--scenario",
                                   str(bad)], cwd=ROOT, stdout=out, stderr=err,
                                  stdin=subprocess.DEVNULL, start_new_session=True)
    page_errors: list[str] = []
    try:
        _wait_until_serving(url, server, stderr_path, 60)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(viewport={"width": 1440, "height": 1000})
                page.set_default_timeout(TIMEOUT_MS)
                page.on("console", lambda m: page_errors.append(f"console: {m.text}")
                        if m.type == "error" else None)
                page.on("pageerror", lambda e: page_errors.append(f"page error: {e}"))
                page.on("response", lambda r: page_errors.append(f"HTTP {r.status}: {r.url}")
                        if r.status >= 500 else None)
                _drive(page, expect, url, expected_problems, tmp_path)
            finally:
                browser.close()
        # What the server said while serving (not what it says while being stopped).
        server_errors = stderr_path.read_text(encoding="utf-8").strip()
    finally:
        _stop(server)
    assert not page_errors, "\n".join(page_errors)
    assert server_errors == "", server_errors


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
