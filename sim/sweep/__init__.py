"""Scenario sweeps at scale: designs, seeds, executors, resumable Parquet storage, analysis.

A sweep varies parameters of a base scenario by dotted path over a design (full factorial,
Latin hypercube, Sobol/Saltelli or Morris), runs each point ``replicates`` times and writes
results as Parquet part files as chunks of runs finish. A run's seed depends only on the
master seed, its point and its replicate (:func:`sim.ensemble.seed_of`), so results are
identical whatever the executor, worker count or finishing order. Running the same command on
an interrupted sweep runs only the chunks that are missing.

The package has one module a job: :mod:`.spec` (the schema of sweep files, flags),
:mod:`.design` (points and runs), :mod:`.execute` (running chunks, resuming), :mod:`.store`
(the folder: manifest, part files, load, status, export) and :mod:`.analyze` (SALib).
"""

from sim.sweep.analyze import analyze
from sim.sweep.design import Plan, check_file, plan, salib_problem, sample_design
from sim.sweep.execute import Outcome, run
from sim.sweep.spec import (
    Design,
    Keep,
    Kind,
    Method,
    Parameter,
    Range,
    SweepError,
    SweepSpec,
    load_spec,
    spec_from_flags,
    sweep_or_scenario,
    with_flags,
)
from sim.sweep.store import (
    MANIFEST,
    PARTS,
    TABLES,
    SweepData,
    done_chunks,
    export,
    load,
    read_manifest,
    status,
)

__all__ = [
    "MANIFEST",
    "PARTS",
    "TABLES",
    "Design",
    "Keep",
    "Kind",
    "Method",
    "Outcome",
    "Parameter",
    "Plan",
    "Range",
    "SweepData",
    "SweepError",
    "SweepSpec",
    "analyze",
    "check_file",
    "done_chunks",
    "export",
    "load",
    "load_spec",
    "plan",
    "read_manifest",
    "run",
    "salib_problem",
    "sample_design",
    "spec_from_flags",
    "status",
    "sweep_or_scenario",
    "with_flags",
]
