"""Every shipped scenario gives the same outputs for the same seed, byte for byte.

The fingerprint of a run hashes what a user reads: the series and events as CSV text and the
summary as JSON (without the package version). Seeds 0-19 of every file in ``scenarios/``
are checked against ``tests/golden/outputs_seeds_0_19.json``. A change that is meant to alter
outcomes regenerates the file on purpose with ``PARLEY_REGEN_GOLDEN=1`` and says so in its
commit; a restructure must leave it untouched.
"""

from __future__ import annotations

import hashlib
import json
import os

import pytest
from conftest import ROOT, SCENARIOS

from sim.runner import RunResult, run
from sim.scenario import load_scenario

GOLDEN = ROOT / "tests" / "golden" / "outputs_seeds_0_19.json"
SEEDS = range(20)


def fingerprint(result: RunResult) -> str:
    """A short hash of a run's series, events and summary as a user reads them."""
    digest = hashlib.sha256()
    digest.update(result.series_frame().to_csv(index=False).encode())
    digest.update(result.events_frame().to_csv(index=False).encode())
    summary = {k: v for k, v in result.summary.items() if k != "version"}
    digest.update(json.dumps(summary, sort_keys=True, default=str).encode())
    return digest.hexdigest()[:16]


def fingerprints() -> dict[str, str]:
    out = {}
    for path in sorted(SCENARIOS.glob("*.yaml")):
        scenario = load_scenario(path)
        for seed in SEEDS:
            out[f"{path.stem}:{seed}"] = fingerprint(run(scenario, seed=seed))
    return out


def test_every_shipped_scenario_gives_the_same_outputs_for_seeds_0_to_19():
    found = fingerprints()
    if os.environ.get("PARLEY_REGEN_GOLDEN") == "1":
        GOLDEN.write_text(json.dumps(found, indent=1) + "\n", encoding="utf-8")
        pytest.skip("golden fingerprints regenerated")
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert found.keys() == expected.keys(), "the shipped scenarios changed: regenerate on purpose"
    changed = [key for key in found if found[key] != expected[key]]
    assert not changed, f"{len(changed)} runs changed, e.g. {changed[:5]}"
