"""The front ends: thin shells over :mod:`sim` that add no model logic.

- :mod:`sim.ui.cli`: the ``parley`` command line (with :mod:`sim.ui.cli_plot` and
  :mod:`sim.ui.cli_sweep`; :mod:`sim.ui.console` holds what every command shares);
- :mod:`sim.ui.figures`: every picture, for ``parley plot``, the notebooks and the dashboard;
- :mod:`sim.ui.terminal`: ``parley play``, role play in a terminal, over :mod:`sim.roleplay`;
- :mod:`sim.ui.app`: the classroom dashboard (Solara), served by ``parley app``.

Imports flow one way: the core (:mod:`sim`) never imports from here.
"""
