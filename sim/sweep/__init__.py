"""Scenario sweeps at scale: designs, seeds, executors, resumable Parquet storage, analysis.

A sweep varies parameters of a base scenario by dotted path over a design (full factorial,
Latin hypercube, Sobol/Saltelli or Morris), runs each point ``replicates`` times and writes
results as Parquet part files as chunks of runs finish. A run's seed depends only on the
master seed, its point and its replicate (:func:`sim.ensemble.seed_of`), so results are
identical whatever the executor, worker count or finishing order. Running the same command on
an interrupted sweep runs only the chunks that are missing.

The package has one module a job: :mod:`.spec` (the schema of sweep files, flags),
:mod:`.design` (points and runs), :mod:`.execute` (running chunks, resuming), :mod:`.store`
(the folder: manifest, part files, load, status, export), :mod:`.analyze` (SALib),
:mod:`.drill` (the runs behind rows and cells, run again) and :mod:`.resume` (knowing, without
loading anything heavy, that a finished sweep has nothing left to do).

The names below are loaded when first used (PEP 562): ``parley sweep run`` on a finished sweep
imports none of numpy, pydantic, pandas or pyarrow.
"""

from importlib import import_module
from typing import Any

# Bound now, not lazily: the function shares its module's name, and a later import of the
# module would otherwise shadow it. The module imports nothing heavy until it is called.
from sim.sweep.analyze import analyze as analyze

_MODULE_OF = {
    "Plan": "design",
    "check_file": "design",
    "plan": "design",
    "salib_problem": "design",
    "sample_design": "design",
    "Outcome": "execute",
    "run": "execute",
    "Design": "spec",
    "Keep": "spec",
    "Kind": "spec",
    "Method": "spec",
    "Parameter": "spec",
    "Range": "spec",
    "SweepError": "spec",
    "SweepSpec": "spec",
    "load_spec": "spec",
    "spec_from_flags": "spec",
    "sweep_or_scenario": "spec",
    "with_flags": "spec",
    "MANIFEST": "store",
    "PARTS": "store",
    "TABLES": "store",
    "SweepData": "store",
    "done_chunks": "store",
    "export": "store",
    "load": "store",
    "outcome_columns": "store",
    "read_manifest": "store",
    "status": "store",
}
"""The module that defines each public name."""

__all__ = sorted([*_MODULE_OF, "analyze"])


def __getattr__(name: str) -> Any:
    if name not in _MODULE_OF:
        raise AttributeError(f"module 'sim.sweep' has no attribute {name!r}")
    value = getattr(import_module(f"sim.sweep.{_MODULE_OF[name]}"), name)
    globals()[name] = value
    return value
