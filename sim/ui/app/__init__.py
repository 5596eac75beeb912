"""The classroom dashboard, served by ``parley app``.

:mod:`sim.ui.app.state` holds what one browser session sees and does (no Solara in it, so
tests drive it directly); :mod:`sim.ui.figures` draws the panels with matplotlib (the same
module ``parley plot`` draws with), at a size and in type a projector shows well
(:mod:`sim.ui.app.projector`); :mod:`sim.ui.app.page` lays them out with Solara and is
what the Solara server runs. ``parley app --classroom`` runs :mod:`sim.ui.app.classroom`
instead: a teacher's screen and students' seats over one :class:`sim.classroom.Session`. None
of them adds model logic: they call :mod:`sim`, and role play goes through :mod:`sim.roleplay`
(its decision form: :mod:`sim.ui.app.moves`), never the terminal's :mod:`sim.ui.terminal`.
"""
