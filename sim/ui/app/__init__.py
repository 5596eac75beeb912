"""The classroom dashboard, served by ``parley app``.

:mod:`sim.ui.app.state` holds what one browser session sees and does (no Solara in it, so
tests drive it directly); :mod:`sim.ui.app.figures` draws the panels with matplotlib;
:mod:`sim.ui.app.page` lays them out with Solara and is what the Solara server runs. None of
them adds model logic: they call :mod:`sim`.
"""
