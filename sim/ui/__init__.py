"""The front ends: thin shells over :mod:`sim` that add no model logic.

- :mod:`sim.ui.cli`: the ``parley`` command line;
- :mod:`sim.ui.figures`: pictures of runs, ensembles and sweeps;
- :mod:`sim.ui.app`: the classroom dashboard (Solara), served by ``parley app``.

Imports flow one way: the core (:mod:`sim`) never imports from here.
"""
