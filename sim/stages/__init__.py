"""The stages of a day, each in its own module, in both of its forms side by side.

Each module holds a stage (or two that belong together) as :class:`OneRun`, a part of the Mesa
model (:class:`sim.model.ParleyModel`), and as :class:`OverRuns`, a part of the ensemble
engine's block (:class:`sim.engine.block.Block`), which does the same over arrays with a value
per run. Both call the rules of the roles (:mod:`sim.agents`) and of the shared mechanisms
(:mod:`sim.mechanisms`), where each rule's array form sits beside it; so a new rule of a role
is written in its role's module and called here, in two files.

The order of a day is :meth:`sim.model.ParleyModel.step`: 1 :mod:`~sim.stages.shocks`,
2 :mod:`~sim.stages.violence`, 3 :mod:`~sim.stages.negotiation` (with
:mod:`~sim.stages.rounds`), 4 :mod:`~sim.stages.negotiation`, 5 :mod:`~sim.stages.unilateral`,
6 :mod:`~sim.stages.insurgent_releases`, 7 :mod:`~sim.stages.violence`, 8 :mod:`~sim.stages.end`,
9 the record (in the model and the block). What a release moves is in
:mod:`~sim.stages.freeing`.
"""

from sim.stages import (
    end,
    freeing,
    insurgent_releases,
    negotiation,
    rounds,
    shocks,
    unilateral,
    violence,
)

STAGES = (shocks, violence, negotiation, rounds, unilateral, insurgent_releases, end, freeing)
"""The modules of the stages, in the order of a day (what frees prisoners last)."""
ONE_RUN = tuple(stage.OneRun for stage in STAGES)
"""The stages as parts of the Mesa model."""
OVER_RUNS = tuple(stage.OverRuns for stage in STAGES)
"""The stages as parts of the ensemble engine's block."""
