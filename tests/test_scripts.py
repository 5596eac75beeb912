"""The scripts behind the documents' figures run and print what the documents paste.

Each runs on a few seeds and days here (the documents use 60 or 200); the checks are on the
shape of what they print and on figures that must agree with the package's own.
"""

from __future__ import annotations

import re
import subprocess
import sys

import numpy as np
from conftest import HOME, ROOT, SCENARIOS

from sim.ensemble import run_ensemble
from sim.scenario import load_scenario


def script(name: str, *args: str) -> str:
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / name), *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=600, check=True)
    return done.stdout


def test_robustness_tables_every_nonzero_parameter_and_counts_the_robust():
    out = script("robustness.py", str(HOME), "--seeds", "3", "--days", "45")
    rows = [line for line in out.splitlines() if line.startswith("| `")]
    scenario = load_scenario(HOME)
    numbers = [name for section in ("government", "insurgent", "mediator", "conflict")
               for name, value in getattr(scenario, section).model_dump().items()
               if isinstance(value, (int, float)) and not isinstance(value, bool) and value]
    assert len(rows) == len(numbers)
    # The unilateral batch cannot exceed the daily cap: its x1.2 variant is refused.
    batch = next(r for r in rows if r.startswith("| `government.unilateral_batch`"))
    assert "invalid" in batch.split("|")[5] and "batch_cap" in batch
    robust, total = map(int, re.search(r"^robust=(\d+)/(\d+)$", out, re.M).groups())
    assert total == len(rows) and robust == sum(
        "invalid" not in r and "fragile" not in r for r in rows)


def test_a_change_that_breaks_the_pattern_is_marked_fragile(tmp_path):
    # With talks opening far too late for the window, every variant loses the pattern.
    text = HOME.read_text(encoding="utf-8").replace("  - day: 31\n    id: talks_open",
                                                    "  - day: 300\n    id: talks_open")
    (tmp_path / "late.yaml").write_text(text.replace("../data/", str(ROOT / "data") + "/"),
                                        encoding="utf-8")
    out = script("robustness.py", str(tmp_path / "late.yaml"), "--seeds", "2", "--days", "45")
    assert "**fragile**" in out and re.search(r"^robust=0/\d+$", out, re.M)


def test_later_months_gives_the_ensembles_bands():
    out = script("later_months.py", str(SCENARIOS / "teaching_truce.yaml"), "--seeds", "20",
                 "--days", "10", "30")
    ensemble = run_ensemble(load_scenario(SCENARIOS / "teaching_truce.yaml"), 20, workers=1,
                            kept=("gov_released",))
    median = float(np.median(ensemble.series["gov_released"][:, 30]))
    row = next(line for line in out.splitlines() if line.startswith("| 30 |"))
    assert float(row.split("|")[2]) == median
    assert re.search(r"completed by day 120 in \d+ of 20 runs", out)


def test_variants_prints_a_row_per_scenario():
    files = [str(SCENARIOS / "teaching_symmetric.yaml"), str(SCENARIOS / "teaching_truce.yaml")]
    out = script("variants.py", *files, "--seeds", "5", "--attack-days", "6", "20")
    rows = [line.split("|") for line in out.splitlines() if line.startswith("| `")]
    assert [r[1].strip() for r in rows] == ["`teaching_symmetric`", "`teaching_truce`"]
    truce_days = [r[7].strip() for r in rows]
    assert truce_days[0] == "0" and int(truce_days[1]) > 5
