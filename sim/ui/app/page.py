"""The Solara page of the classroom dashboard (``parley app`` serves it).

Three tabs: **Run** (step, play and reset the live run; panels and the narrative), **Against the
odds** (many seeds of the current settings in the background, the current run drawn over them)
and **Role play** (a student takes one seat; the agents play the others). The sidebar holds
the scenario picker and the classroom controls, whose labels, defaults and bounds come from the
scenario schema (:mod:`sim.ui.app.state`). State lives in one :class:`~sim.ui.app.state.Dashboard`
per browser session; nothing here computes model quantities.
"""

from __future__ import annotations

import threading
import time
from html import escape

import solara
import solara.lab

from sim.agents.base import Seat
from sim.events import narrative
from sim.roleplay import DecisionError, Game, format_situation, phase_label
from sim.ui.app.counts import CountField, FieldError
from sim.ui.app.fields import move_from, or_back
from sim.ui.app.moves import form_from
from sim.ui.app.projector import projected
from sim.ui.app.state import (
    SEED_PATH,
    SLIDER_STEPS,
    Control,
    Dashboard,
    control,
    odds_facts,
    odds_match,
    odds_rows,
    run_odds,
    shocks_setting,
)
from sim.ui.app.whatif import WhatIfPanel
from sim.ui.figures import comparison_figure, live_panels, odds_figure

SPEEDS = (1, 2, 5, 10, 20, 50)
"""Play speeds offered, in days a second."""
MAX_REDRAWS = 4.0
"""Redraws a second at most while playing: drawing the panels costs 0.2-1 s, stepping a day
about a millisecond, so a fast play steps several days between two redraws."""
PLAY_GAP = 0.1  # seconds the page stays idle between two frames, for a click on Pause
UI_DEFAULTS = {"per_step": 1, "odds_seeds": 100, "seat": Seat.GOVERNMENT.value, "game_seeds": 50,
               "repeat": 1, "error": "", "speed": 5}

CSS = """
.parley-log.parley-log-short { max-height: 132px; margin-bottom: 8px; }
.parley-figure img { max-width: 100%; height: auto; }
.parley-log { max-height: 340px; overflow-y: auto; display: flex; flex-direction: column-reverse;
  border: 1px solid #ccc; border-radius: 4px; padding: 6px 10px; background: #fbfbfb;
  font-size: 0.9em; line-height: 1.45; margin-bottom: 24px; }
.parley-log .walkout { color: #A33A00; font-weight: 600; }
.parley-log .unilateral_release { color: #00507D; font-weight: 600; }
.parley-log .statement { color: #6B4B00; }
.parley-log .agreement, .parley-log .completion { color: #006B4E; font-weight: 600; }
.parley-log .collapse { color: #000; font-weight: 700; }
.parley-table { border-collapse: collapse; margin: 8px 0; font-size: 0.9em; }
.parley-table th, .parley-table td { border-bottom: 1px solid #ddd; padding: 3px 10px;
  text-align: right; }
.parley-table th:first-child, .parley-table td:first-child { text-align: left; }
.parley-help { font-size: 0.8em; color: #555; line-height: 1.3; }
.parley-problems { white-space: pre-wrap; font-family: monospace; font-size: 0.85em; }
.parley-situation { white-space: pre-wrap; font-family: monospace; font-size: 0.85em;
  background: #f5f5f5; padding: 8px; border-radius: 4px; }
"""


@solara.lab.task
def odds_task(scenario, n_seeds: int):
    """Against the odds: run the current settings over many seeds (in a background thread)."""
    return run_odds(scenario, n_seeds)


@solara.lab.task
def compare_task(game: Game, n_seeds: int):
    """A finished role-play game against the agents' own runs (in a background thread)."""
    return game.compare(n_seeds)


@solara.component
def Paragraph(text: str):
    """A paragraph of plain text (Solara's Markdown would fetch a maths renderer online)."""
    solara.HTML(tag="p", unsafe_innerHTML=escape(text), style="margin: 4px 0")


@solara.component
def Table(head: tuple[str, ...], rows: list[tuple[str, ...]], testid: str):
    """A plain HTML table."""
    cells = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>"
                   for row in rows)
    solara.HTML(tag="table", unsafe_innerHTML=f"<thead><tr>{cells}</tr></thead>{body}",
                classes=["parley-table"], attributes={"data-testid": testid})


@solara.component
def Problems(lines: list[str]):
    """Validation messages, one per line, exactly as the CLI prints them."""
    if lines:
        solara.Error("\n".join(lines), classes=["parley-problems"], icon=True)


@solara.component
def NarrativeLog(events, start, testid: str, short: bool = False):
    """The narrative as a scrolling log pinned to its latest line (``short``: a few lines)."""
    lines = narrative(list(events), start)
    body = "".join(f'<div class="{e.kind}">{escape(line)}</div>'
                   for e, line in zip(events, lines, strict=True))
    solara.HTML(tag="div", unsafe_innerHTML=f"<div>{body or 'Nothing has happened yet.'}</div>",
                classes=["parley-log"] + (["parley-log-short"] if short else []),
                attributes={"data-testid": testid})


@solara.component
def ControlInput(ctl: Control, value, on_value, sides, notes: list[str], error: str | None = None):
    """One classroom control: a slider (log-scaled for wide ranges) and an exact field.

    ``on_value`` returns False when it refuses a value; the field then shows the value in use
    again, and ``error`` says why.
    """
    shown = solara.use_reactive(value)
    css = "control-" + ctl.path.replace(".", "-").replace("_", "-")
    with solara.Column(gap="0px", classes=[css], style={"margin-bottom": "12px"}):
        solara.HTML(tag="div", unsafe_innerHTML=f"<b>{escape(ctl.title(sides))}</b>")
        if ctl.kind is bool:
            solara.Switch(label="on" if value else "off", value=bool(value), on_value=on_value)
        else:
            number = float(value)

            def slid(position):
                chosen = ctl.from_slider(number, position)
                if chosen is not None:
                    on_value(chosen)

            with solara.Row(gap="8px", style={"align-items": "center"}):
                with solara.Column(style={"flex": "1 1 auto", "min-width": "120px"}):
                    if ctl.log:
                        solara.SliderFloat("", value=ctl.position(number), min=0,
                                           max=SLIDER_STEPS, step=1, thumb_label=False,
                                           on_value=slid)
                    else:
                        assert ctl.low is not None and ctl.high is not None
                        shown = min(max(number, ctl.low), ctl.high)
                        solara.SliderFloat("", value=shown, min=ctl.low, max=ctl.high,
                                           step=ctl.step(), thumb_label=False,
                                           on_value=slid)
                field = solara.InputInt if ctl.kind is int else solara.InputFloat
                field(ctl.unit if ctl.unit not in ("1", "") else "value", value=shown,
                      on_value=or_back(on_value, shown, value), continuous_update=False,
                      dense=True, style={"max-width": "120px"})
        FieldError(error)
        solara.HTML(tag="div", unsafe_innerHTML=escape(ctl.help_text()), classes=["parley-help"])
        if notes:
            solara.HTML(tag="div", classes=["parley-help"], unsafe_innerHTML=escape(
                "The timeline " + "; ".join(notes) + "; a value you set here replaces it."))


@solara.component
def Sidebar(dash: Dashboard, version: int, bump, stop):
    """Scenario picker, problems and the classroom controls (``version`` forces a redraw)."""
    names = [f.name for f in dash.files]
    by_name = dict(zip(names, dash.files, strict=True))
    current = dash.path.name if dash.path is not None else None
    seed_shown = solara.use_reactive(int(dash.values.get(SEED_PATH, 0)))

    def pick(name):
        stop()
        dash.choose(by_name[name])
        bump()

    def setter(path):
        def set_value(value):
            if value is None:
                return
            dash.set_value(path, value)
            bump()
            return path not in dash.field_problems
        return set_value

    def reload():
        stop()
        dash.choose(dash.path)
        bump()

    solara.Select("Scenario (scenarios/)", values=names, value=current, on_value=pick)
    solara.Button("Reload the scenario file", on_click=reload, text=True, small=True,
                  disabled=dash.path is None, classes=["parley-reload"])
    Problems(dash.file_problems)
    if dash.base is None:
        solara.Info("Pick a scenario that passes validation to start a run.")
        return
    solara.HTML(tag="div", classes=["parley-help"], unsafe_innerHTML=escape(
        "Changing a setting restarts the run from day 0; Reset keeps the settings."))

    sides = dash.base.meta.sides
    for ctl in dash.controls:
        ControlInput(ctl, dash.values[ctl.path], setter(ctl.path), sides,
                     shocks_setting(dash.base, ctl.path), dash.field_problems.get(ctl.path))
    seed = control(SEED_PATH)
    with solara.Column(gap="0px", classes=["control-run-seed"]):
        solara.InputInt(seed.title(), value=seed_shown,
                        on_value=or_back(setter(SEED_PATH), seed_shown, dash.values[SEED_PATH]),
                        continuous_update=False, dense=True)
        FieldError(dash.field_problems.get(SEED_PATH))
        solara.HTML(tag="div", unsafe_innerHTML=escape(seed.help_text()),
                    classes=["parley-help"])


@solara.component
def RunTab(dash: Dashboard, version: int, bump, playing: bool, set_playing, ui: dict, update):
    """Step, play and reset; live panels; the narrative."""
    per_step = ui["per_step"]
    snap = dash.snapshot()
    figure = solara.use_memo(lambda: projected(live_panels, snap) if snap is not None else None,
                             [version, id(snap.scenario) if snap else None])
    if snap is None:
        solara.Info("No run: the scenario has problems (see the sidebar).")
        return

    def step():
        dash.step(per_step)
        bump()

    def reset():
        set_playing(False)
        dash.reset()
        bump()

    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.Button("Step", on_click=step, disabled=snap.finished or playing, color="primary",
                      classes=["parley-step"])
        CountField("days per step", per_step, 1, 3650, lambda v: update(per_step=v), "130px",
                   ["parley-days-per-step"])
        solara.Button("Pause" if playing else "Play", on_click=lambda: set_playing(not playing),
                      disabled=snap.finished and not playing, classes=["parley-play"])
        solara.Select("days a second", values=list(SPEEDS), value=ui["speed"],
                      on_value=lambda v: update(speed=int(v)), dense=True,
                      style={"max-width": "120px"}, classes=["parley-speed"])
        solara.Button("Reset", on_click=reset, classes=["parley-reset"])
    solara.HTML(tag="div", attributes={"data-testid": "status"}, unsafe_innerHTML=escape(
        f"Day {snap.day} of {snap.days} ({snap.date.isoformat()}): talks "
        f"{phase_label(snap.phase)}; freed {int(snap.series['gov_released'][-1])} and "
        f"{int(snap.series['ins_released'][-1])}"))
    # The narrative above the panels: on a projector (1024×768) it shows without scrolling.
    NarrativeLog(snap.events, snap.scenario.meta.start_date, "narrative", short=True)
    with solara.Column(classes=["parley-live-figure", "parley-figure"]):
        solara.FigureMatplotlib(figure, format="png", dependencies=[version, id(figure)])


@solara.component
def OddsTab(dash: Dashboard, version: int, ui: dict, update):
    """Against the odds: many seeds of the current settings, with the current run over them."""
    n_seeds = ui["odds_seeds"]
    snap = dash.snapshot()
    ensemble = odds_task.value if odds_task.finished else None
    matches = odds_match(ensemble, snap)
    figure = solara.use_memo(
        lambda: projected(odds_figure, ensemble, snap) if matches and snap is not None else None,
        [id(ensemble), version, matches])
    Paragraph("Run the current settings over many seeds in the background and see whether "
              "this run is typical or against the odds. Their seeds are spawned from the "
              "run's seed, so the same settings and seed always give the same runs.")
    with solara.Row(style={"align-items": "center"}):
        CountField("runs (seeds)", n_seeds, 2, 2000, lambda v: update(odds_seeds=v), "140px",
                   ["parley-odds-seeds"])
        solara.Button(f"Run {n_seeds} seeds", color="primary", classes=["parley-odds"],
                      disabled=snap is None or odds_task.pending,
                      on_click=lambda: odds_task(dash.scenario, n_seeds))
    if odds_task.pending:
        solara.ProgressLinear(True)
        solara.Text(f"Running {n_seeds} seeds in the background; the rest of the dashboard "
                    "stays usable.")
    if odds_task.error:
        solara.Error(f"The runs failed: {odds_task.exception}")
    if ensemble is None or snap is None:
        return
    if not matches:
        solara.Warning("These runs were made with other settings or another seed: run again.")
        return
    head = ("outcome", "this run", "median", "10-90% of runs", "runs lower", "runs higher")
    body = [(row.label, f"{row.you:,.1f}", f"{row.median:,.1f}",
             f"{row.p10:,.1f} to {row.p90:,.1f}", f"{row.lower:.0%}", f"{row.higher:.0%}")
            for row in odds_rows(ensemble, snap)]
    Table(head, body, "odds-table")
    for fact in odds_facts(ensemble, snap):
        Paragraph(fact)
    with solara.Column(classes=["parley-figure"]):
        solara.FigureMatplotlib(figure, format="png", dependencies=[id(figure)])


@solara.component
def DecisionForm(game: Game, day: int, form: dict, set_form):
    """The seat's decision for ``day`` (the day number makes a new day redraw the form)."""
    def field(key):
        return lambda value: set_form({**form, key: value})

    if game.seat is Seat.GOVERNMENT:
        with solara.Row(classes=["parley-decision"]):
            solara.InputInt("offer (prisoners)", value=form["offer_size"],
                            on_value=field("offer_size"), continuous_update=True)
            solara.InputInt("of them named", value=form["offer_named"],
                            on_value=field("offer_named"), continuous_update=True)
            solara.InputInt("release on your own today", value=form["unilateral"],
                            on_value=field("unilateral"), continuous_update=True)
    elif game.seat is Seat.INSURGENT:
        choices = list(game.choices())
        value = form["response"] if form["response"] in choices else choices[0]
        with solara.ToggleButtonsSingle(value=value, on_value=field("response"),
                                        classes=["parley-decision"]):
            for choice in choices:
                solara.Button(str(choice), value=choice)
    else:
        with solara.Row(classes=["parley-decision"], style={"align-items": "center"}):
            solara.InputFloat("pressure on the government", value=form["on_government"],
                              on_value=field("on_government"), continuous_update=True)
            solara.InputFloat("pressure on the insurgents", value=form["on_insurgent"],
                              on_value=field("on_insurgent"), continuous_update=True)
            solara.Checkbox(label="strike the insurgents", value=form["strike"],
                            on_value=field("strike"))


@solara.component
def RolePlayTab(dash: Dashboard, version: int, bump, game: Game | None, set_game, form: dict,
                set_form, ui: dict, update):
    """A student takes one seat, day by day; at the end, their outcome against the agents'."""
    seat, n_seeds, repeat, error = ui["seat"], ui["game_seeds"], ui["repeat"], ui["error"]

    def set_error(text: str) -> None:
        update(error=text)

    def start():
        if dash.scenario is None:
            return
        new = Game(dash.scenario, seat)
        set_game(new)
        set_form(form_from(new))
        set_error("")
        bump()

    def play_day():
        assert game is not None
        try:
            game.play_days(move_from(game, form), repeat)
            set_error("")
        except DecisionError as exc:
            set_error(str(exc))
        if game.over:
            compare_task(game, n_seeds)
        bump()

    def end():
        assert game is not None
        game.stop()
        compare_task(game, n_seeds)
        bump()

    if game is not None:
        form = {**form_from(game), **form}
    if game is None:
        if dash.scenario is None:
            solara.Info("Pick a scenario that passes validation first.")
            return
        sides = dash.scenario.meta.sides
        Paragraph("Take one side's seat. Each day you decide for that side; the model's agents "
                  "play the other two. The game uses the current settings and seed from the "
                  "sidebar.")
        with solara.ToggleButtonsSingle(value=seat, on_value=lambda s: update(seat=s),
                                        classes=["parley-seat"]):
            for s in Seat:
                solara.Button(f"{getattr(sides, s.value)} ({s.value})", value=s.value)
        with solara.Row(style={"align-items": "center"}):
            CountField("agent runs to compare with", n_seeds, 2, 1000,
                       lambda v: update(game_seeds=v), "200px")
            solara.Button("Start the game", color="primary", on_click=start,
                          classes=["parley-start-game"])
        return

    solara.HTML(tag="div", attributes={"data-testid": "game-status"}, unsafe_innerHTML=escape(
        f"You are the {game.seat_name} ({game.seat.value}). Day {game.model.day} of "
        f"{game.model.days}; talks {phase_label(game.model.phase)}."))
    solara.HTML(tag="div", classes=["parley-situation"],
                unsafe_innerHTML=escape("\n".join(format_situation(game))))
    if not game.over:
        DecisionForm(game, game.model.day, form, set_form)
        with solara.Row(style={"align-items": "center"}):
            CountField("days with this decision", repeat, 1, 3650, lambda v: update(repeat=v),
                       "190px", ["parley-repeat"])
            label = (f"Play day {game.model.day + 1}" if repeat <= 1 else
                     f"Play days {game.model.day + 1}-{game.model.day + repeat}")
            solara.Button(label, color="primary", on_click=play_day,
                          classes=["parley-play-day"])
            solara.Button("End the game", on_click=end, classes=["parley-end-game"])
        solara.HTML(tag="div", classes=["parley-help"], unsafe_innerHTML=escape(
            "Several days with one decision stop early when the talks change phase."))
        if error:
            solara.Error(error)
    else:
        solara.Success(f"The game is over on day {game.model.day}: talks "
                       f"{phase_label(game.model.phase)}.")
        if compare_task.pending:
            solara.ProgressLinear(True)
            solara.Text(f"Running the agents {n_seeds} times over the same days...")
        elif compare_task.error:
            solara.Error(f"The comparison failed: {compare_task.exception}")
        elif compare_task.finished and compare_task.value is not None:
            comparison = compare_task.value
            with solara.Column(classes=["parley-comparison"]):
                items = "".join(f"<li>{escape(line.strip())}</li>"
                                for line in comparison.lines())
                solara.HTML(tag="ul", unsafe_innerHTML=items,
                            attributes={"data-testid": "comparison"})
                if comparison.runs:
                    with solara.Column(classes=["parley-figure"]):
                        solara.FigureMatplotlib(projected(comparison_figure, comparison),
                                                format="png", dependencies=[id(comparison)])
        solara.Button("New game", on_click=lambda: (set_game(None), bump()),
                      classes=["parley-new-game"])
    solara.HTML(tag="h4", unsafe_innerHTML="What happened")
    NarrativeLog(tuple(game.model.events), game.scenario.meta.start_date, "game-narrative")


@solara.component
def Page():
    """The dashboard."""
    dash = solara.use_memo(Dashboard.from_environment, [])
    version, set_version = solara.use_state(0)
    playing, set_playing = solara.use_state(False)
    game, set_game = solara.use_state(None)
    form, set_form = solara.use_state({})
    tab, set_tab = solara.use_state(0)
    # What the tabs show lives here: a hidden tab is not drawn, and would forget its own state.
    ui, set_ui = solara.use_state(UI_DEFAULTS)

    def update(**changes):
        set_ui(lambda old: {**old, **changes})

    drawn = solara.use_memo(threading.Event, [])
    solara.use_effect(drawn.set, [version])

    def bump():
        set_version(lambda v: v + 1)

    speed = ui["speed"]

    def play_loop(cancel: threading.Event):
        if not playing:
            return
        start, done = time.monotonic(), 0
        while not cancel.is_set():
            frame = time.monotonic()
            drawn.clear()
            # Every day due by now at this speed, at least one: a slow redraw does not slow
            # the play, it only shows fewer frames.
            ran = dash.step(max(1, int((frame - start) * speed) + 1 - done))
            if ran == 0:
                break
            done += ran
            bump()
            drawn.wait(timeout=10)  # the page has drawn this frame
            now = time.monotonic()
            pause = max(start + done / speed - now, frame + 1 / MAX_REDRAWS - now, PLAY_GAP)
            if cancel.wait(pause):
                return
        set_playing(False)

    solara.use_thread(play_loop, dependencies=[playing, speed], intrusive_cancel=False)

    solara.Style(CSS)
    title = dash.base.meta.name if dash.base is not None else "no valid scenario"
    solara.Title(f"Parley: {title}")
    with solara.Sidebar():
        Sidebar(dash, version, bump, lambda: set_playing(False))
    with solara.lab.Tabs(value=tab, on_value=set_tab, lazy=True):
        with solara.lab.Tab("Run"):
            RunTab(dash, version, bump, playing, set_playing, ui, update)
        with solara.lab.Tab("Against the odds"):
            OddsTab(dash, version, ui, update)
        with solara.lab.Tab("Role play"):
            RolePlayTab(dash, version, bump, game, set_game, form, set_form, ui, update)
        with solara.lab.Tab("What if"):
            WhatIfPanel(dash)

