"""Hostile input: bounded work, plain text, no coercion, and errors that name what to change.

Each case runs in this process through Typer's runner (see :func:`parley`) and must end with
exit code 2 and one ``error:`` line per problem, or with exit code 0 where the input is
fine; never with a traceback, and quickly. A few run ``parley`` as a user would, in a
subprocess.
"""

from __future__ import annotations

import math
import os
import time
from pathlib import Path

import pytest
import yaml
from conftest import HOME, TEACHING, cli, invoke, teaching_dict, write_yaml

from sim.errors import ScenarioError
from sim.files import ALIAS_BUDGET, MAX_DEPTH, MAX_YAML_BYTES
from sim.scenario import Scenario, load_scenario

parley = invoke


def refused(*args: str | Path, says: tuple[str, ...] = ()) -> list[str]:
    """Run ``parley ARGS``; it must exit 2 with ``error:`` lines holding each of ``says``."""
    code, _, stderr = parley(*args)
    assert code == 2, stderr
    lines = stderr.strip().splitlines()
    assert lines and all(line.startswith("error: ") for line in lines), stderr
    for bit in says:
        assert any(bit in line for line in lines), (bit, lines)
    return lines


def one_line(*args: str | Path, says: tuple[str, ...] = ()) -> str:
    (line,) = refused(*args, says=says)
    return line


def variant(tmp: Path, **sections) -> Path:
    data = teaching_dict()
    for name, values in sections.items():
        data[name] = {**data.get(name, {}), **values} if isinstance(values, dict) else values
    return write_yaml(tmp / "variant.yaml", data)


def teaching_text() -> str:
    return TEACHING.read_text(encoding="utf-8")


def with_text(tmp: Path, old: str, new: str, name: str = "edited.yaml") -> Path:
    text = teaching_text()
    assert old in text
    return write_yaml(tmp / name, text.replace(old, new, 1))


# 1. Work is bounded: nesting, aliases, file kinds and sizes


BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(8))


@pytest.mark.parametrize(("text", "says"), [
    ("meta: " + "[" * 600 + "]" * 600 + "\n", f"nested deeper than {MAX_DEPTH} levels"),
    ("meta:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 300)) + "  " * 300 + "v\n",
     f"nested deeper than {MAX_DEPTH} levels"),
    ("a: &a [*a]\n", "alias *a is inside the value it names"),
    ("a: &a {b: *a}\n", "alias *a is inside the value it names"),
    (BOMB, f"aliases repeat more than {ALIAS_BUDGET:,} values"),
    ("a: &a [[[[[[[[[[x]]]]]]]]]]\nb: [[[[[[[[[[[[*a]]]]]]]]]]]]\n",
     "nested deeper than 20 levels once aliases are expanded"),
], ids=["deep_flow", "deep_block", "self_alias", "self_alias_in_mapping", "alias_bomb",
        "deep_through_aliases"])
def test_yaml_that_would_explode_is_refused_at_once(tmp_path, text, says):
    path = write_yaml(tmp_path / "hostile.yaml", text)
    start = time.monotonic()
    for command in (("validate", path), ("run", path), ("run", path, "--days", "20")):
        line = one_line(*command, says=(says,))
        assert "hostile.yaml:" in line and "allowed: " in line
    assert time.monotonic() - start < 5


def test_anchors_aliases_and_merge_keys_within_the_budget_load(tmp_path):
    write_yaml(tmp_path / "teaching_symmetric.yaml", teaching_text())
    path = write_yaml(tmp_path / "shared.yaml", (
        "extends: teaching_symmetric.yaml\n"
        "government: &side\n  aspiration_max: 0.8\n  aspiration_min: 0.4\n"
        "insurgent:\n  <<: *side\n  patience: 1.0e+1\n"
        "pools:\n  government_holds: &pool {size: 100, listed: 100, named: 0}\n"
        "  insurgent_holds: *pool\n"))
    scenario = load_scenario(path)
    assert scenario.insurgent.aspiration_max == 0.8 and scenario.insurgent.aspiration_min == 0.4
    assert scenario.insurgent.patience == 10.0


def test_a_file_yaml_safe_dump_wrote_with_shared_values_loads(tmp_path):
    shock = {"day": 3, "kind": "other", "set": {}}
    data = {**teaching_dict(), "timeline": [shock, shock]}
    path = write_yaml(tmp_path / "dumped.yaml", data)
    assert "&id001" in path.read_text(encoding="utf-8")  # PyYAML writes an anchor for it
    assert len(load_scenario(path).timeline) == 2


@pytest.mark.parametrize(("old", "new", "says"), [
    ("name: teaching_symmetric", "name: teach\ving", "control character U+000B at line"),
    ("name: teaching_symmetric", "name: teaching\x07", "control character U+0007 at line"),
    ("name: teaching_symmetric", "name: teaching\x00", "control character U+0000 at line"),
    ("name: teaching_symmetric", 'name: "te\\e[31mst"', "meta.name: holds control char"),
    ("name: teaching_symmetric", 'name: "te\\x9bst"', "meta.name: holds control char"),
    ("name: teaching_symmetric", 'name: "te\\ud800st"', "meta.name: holds unpaired surrogate"),
    ("# A first lesson", "# A first\x1b[2J lesson", "control character U+001B at line 1"),
], ids=["VT", "BEL", "NUL", "ESC_escaped", "CSI_escaped", "surrogate_escaped", "in_a_comment"])
def test_control_characters_are_refused_with_their_line(tmp_path, old, new, says):
    path = with_text(tmp_path, old, new)
    line = one_line("validate", path, says=(says,))
    assert "\x1b" not in line and "\x07" not in line and "\x00" not in line
    one_line("run", path, says=(says,))


def test_invalid_utf8_is_refused_with_its_line(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes(teaching_text().encode().replace(b"Two equal", b"Two \xe9qual"))
    line = one_line("validate", path, says=("is not UTF-8 text (byte 0xe9 at line 7",))
    assert line.startswith(f"error: {path}:7: ")


def _fifo(tmp: Path) -> Path:
    fifo = tmp / "fifo"
    os.mkfifo(fifo)
    return fifo


TARGETS = {  # name -> (how to make it, what the error says)
    "long_name": (lambda t: t / ("a" * 300 + ".yaml"), "File name too long"),
    "folder": (lambda t: t, "is a folder"),
    "dev_zero": (lambda t: Path("/dev/zero"), "is not a regular file"),
    "dev_urandom": (lambda t: Path("/dev/urandom"), "is not a regular file"),
    "fifo": (_fifo, "is not a regular file"),
    "missing": (lambda t: t / "absent.csv", "file not found"),
}


@pytest.fixture(params=list(TARGETS))
def target(request, tmp_path) -> tuple[Path, str]:
    make, says = TARGETS[request.param]
    return make(tmp_path), says


def test_a_bad_extends_target_is_refused_on_the_extends_line(tmp_path, target):
    path, says = target
    child = write_yaml(tmp_path / "child.yaml", f"run:\n  days: 5\nextends: {path}\n")
    start = time.monotonic()
    line = one_line("validate", child, says=(says,))
    assert line.startswith(f"error: {child}:3: extends: ")
    one_line("run", child, says=(says,))
    assert time.monotonic() - start < 5


def test_a_bad_pool_csv_is_refused_by_validate(tmp_path, target):
    path, says = target
    scenario = variant(tmp_path, pools={"government_holds": {"size": 100, "listed": 100,
                                                            "csv": str(path)}})
    one_line("validate", scenario, says=(says, "pools.government_holds.csv"))
    one_line("run", scenario, says=(says,))


def test_bad_reference_data_is_refused_by_report(tmp_path, target):
    path, says = target
    scenario = variant(tmp_path, meta={"reference_data": str(path)})
    one_line("report", scenario, "--seeds", "1", "--days", "5", says=(says,))
    one_line("report", TEACHING, "--seeds", "1", "--days", "5", "--data", path, says=(says,))


def test_a_bad_file_to_validate_is_refused(target):
    path, says = target
    one_line("validate", path, says=(says,))


def test_a_fifo_does_not_block_the_real_command(tmp_path):
    fifo = _fifo(tmp_path)
    proc = cli("validate", fifo, timeout=30)
    assert proc.returncode == 2 and "is not a regular file" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_yaml_file_over_the_size_limit_is_refused_with_a_short_line(tmp_path):
    path = with_text(tmp_path, "description: >-", "description: " + "x" * 2_000_000
                     + "\n  old: >-")
    line = one_line("validate", path, says=(f"is larger than {MAX_YAML_BYTES:,} bytes",))
    assert len(line) < 300


def test_a_long_value_is_echoed_cut_short(tmp_path):
    path = with_text(tmp_path, "description: >-", "description: " + "x" * 200_000
                     + "\n  old: >-")
    (line,) = (line for line in refused("validate", path) if "meta.description" in line)
    assert "…" in line and len(line) < 400
    with pytest.raises(ScenarioError) as info:
        load_scenario(TEACHING, {"meta.description": "y" * 2_000_000})
    assert len(str(info.value)) < 400


def test_a_date_that_would_overflow_is_refused_naming_the_last_date(tmp_path):
    path = with_text(tmp_path, "start_date: 2024-01-01", "start_date: 9999-12-25")
    one_line("validate", path, says=("meta.start_date", "(9999-12-25)", "9999-09-02"))
    one_line("run", TEACHING, "--set", "meta.start_date=9999-12-25",
             says=("--set meta.start_date=9999-12-25: meta.start_date:", "9999-09-02"))
    last = with_text(tmp_path, "start_date: 2024-01-01", "start_date: 9999-09-02", "last.yaml")
    one_line("run", last, "--days", "200",
             says=("--days 200: run.days: clashes with meta.start_date", "9999-06-14"))
    code, stdout, stderr = parley("run", last)
    assert code == 0, stderr
    assert "9999-" in stdout


NAME = "[/]x $\\frac{$ [bold]y :smile:"


def test_names_with_markup_and_mathtext_are_shown_as_text(tmp_path):
    path = variant(tmp_path, meta={"name": NAME, "sides": {"government": "[red]G$",
                                                           "insurgent": "$\\alpha$ [/]",
                                                           "mediator": "M"}})
    picture = tmp_path / "timeline.png"
    code, stdout, stderr = parley("run", path, "--days", "20", "--plot", picture)
    assert code == 0, stderr
    assert NAME in stdout and "[red]G$" in stdout and "$\\alpha$ [/]" in stdout
    assert picture.stat().st_size > 0
    for command in (("describe", path), ("validate", path),
                    ("report", path, "--seeds", "2", "--days", "10")):
        code, stdout, stderr = parley(*command)
        assert code == 0, stderr
        assert NAME in stdout


def test_picture_titles_and_labels_show_names_as_written(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    from sim.runner import run
    from sim.ui.figures import timeline

    scenario = Scenario.model_validate({**teaching_dict(), "meta": {
        "name": NAME, "sides": {"government": "$G$", "insurgent": "I$", "mediator": "M"}}})
    figure = timeline(run(scenario, days=10))
    figure.canvas.draw()  # mathtext would fail here
    assert figure.get_suptitle() == NAME.replace("$", r"\$") + ", seed 0"
    labels = [t.get_text() for ax in figure.axes if ax.get_legend()
              for t in ax.get_legend().get_texts()]
    assert r"freed by \$G\$" in labels and r"I\$ trust" in labels
    matplotlib.pyplot.close(figure)


@pytest.mark.parametrize(("content", "says"), [
    (bytes(range(256)) * 4, "is not UTF-8 text"),
    (b"day,gov_released_cum\n1,\x00\n", "control character U+0000"),
    (b"day,gov_released_cum\n1,5\n2\n,7\n", "not a day and a count"),
    (b"day,gov_released_cum\n-3,5\n", "out of range"),
    (b"day,gov_released_cum\n3,nan\n", "out of range"),
    (b"day,gov_released_cum\n3,x" + b"y" * 200_000 + b"\n", "cannot be read"),
    (b"date,count\n2020-01-01,5\n", "needs a 'day' column"),
], ids=["binary", "nul", "short_row", "negative_day", "nan_count", "huge_field", "no_day"])
def test_bad_reference_data_is_refused_in_one_line(tmp_path, content, says):
    data = tmp_path / "reported.csv"
    data.write_bytes(content)
    line = one_line("report", TEACHING, "--seeds", "1", "--days", "5", "--data", data,
                    says=(says,))
    assert len(line) < 400


# 2. Nothing wrong is accepted


@pytest.mark.parametrize(("section", "values", "field", "says"), [
    ("run", {"days": True}, "run.days", "not true or false"),
    ("insurgent", {"patience": "yes"}, "insurgent.patience", "not text"),
    ("insurgent", {"patience": "0.9"}, "insurgent.patience", "not text"),
    ("government", {"oath": 1}, "government.oath", "true or false"),
    ("government", {"oath": "true"}, "government.oath", "true or false"),
    ("meta", {"start_date": 0}, "meta.start_date", "not a number"),
    ("agreement", {"ratio": False}, "agreement.ratio", "not true or false"),
    ("pools", {"government_holds": {"rank_shares": [True, 0, 0]}},
     "pools.government_holds.rank_shares", "item 1"),
], ids=["days_true", "patience_yes_quoted", "patience_text", "oath_one", "oath_text",
        "date_number", "ratio_false", "share_true"])
def test_values_of_the_wrong_kind_are_refused(tmp_path, section, values, field, says):
    path = variant(tmp_path, **{section: values})
    one_line("validate", path, says=(field, says))


def test_yaml_yes_is_a_boolean_and_not_a_number(tmp_path):
    path = with_text(tmp_path, "patience: 3.0", "patience: yes")
    one_line("validate", path, says=("insurgent.patience", "not true or false", "(got True)"))


def test_plain_values_of_the_right_kind_still_load(tmp_path):
    path = variant(tmp_path, insurgent={"patience": 3}, timeline=[
        {"day": 1, "kind": "decree", "set": {"insurgent.patience": 4}}],
        meta={"start_date": "2024-02-01"}, mediator={"strike_threshold": 1.0e2})
    scenario = load_scenario(path)
    assert scenario.insurgent.patience == 3.0 and scenario.mediator.strike_threshold == 100.0
    assert str(scenario.meta.start_date) == "2024-02-01"
    assert scenario.timeline[0].kind == "decree"
    assert load_scenario(TEACHING, {"insurgent.patience": 4}).insurgent.patience == 4.0


def test_an_exponent_without_a_dot_is_text_in_yaml_and_the_error_says_so(tmp_path):
    path = with_text(tmp_path, "strike_threshold: 15.0", "strike_threshold: 1e2")
    one_line("validate", path, says=("mediator.strike_threshold", "(got '1e2')",
                                     "write 1.0e+6"))


@pytest.mark.parametrize(("old", "new", "field"), [
    ("government_holds: {size: 100, listed: 100, named: 0}",
     "government_holds: {size: 100, listed: 100, named: 0, rank_shares: [.nan, 0.5, 0.5]}",
     "pools.government_holds.rank_shares.0"),
    ("patience: 3.0", "patience: .inf", "insurgent.patience"),
    ("patience: 3.0", "patience: -.inf", "insurgent.patience"),
    ("strike_threshold: 15.0", "strike_threshold: .NaN", "mediator.strike_threshold"),
], ids=["rank_share_nan", "patience_inf", "patience_minus_inf", "threshold_nan"])
def test_non_finite_numbers_are_refused(tmp_path, old, new, field):
    one_line("validate", with_text(tmp_path, old, new), says=(field, "finite number"))


def test_non_finite_numbers_are_refused_in_shocks_and_on_the_command_line(tmp_path):
    path = variant(tmp_path, timeline=[{"day": 2, "set": {"insurgent.patience": math.nan}},
                                       {"day": 3, "pressure": {"mediator": math.inf}}])
    refused("validate", path, says=("timeline.1.pressure.mediator", "finite number"))
    path = variant(tmp_path, timeline=[{"day": 2, "set": {"insurgent.patience": math.nan}}])
    one_line("validate", path, says=("timeline.0.set (insurgent.patience)", "finite number"))
    one_line("run", TEACHING, "--set", "insurgent.patience=.nan",
             says=("--set insurgent.patience=.nan: insurgent.patience:", "finite number"))


@pytest.mark.parametrize(("old", "new", "field", "lines"), [
    ("patience: 3.0", "patience: 3.0\n  patience: 4.0", "insurgent.patience", (31, 32)),
    ("run:\n", "meta: {}\nrun:\n", "meta", (4, 55)),
    ("{size: 100, listed: 100, named: 0}", "{size: 100, listed: 100, size: 5}",
     "pools.government_holds.size", (44, 44)),
], ids=["in_a_section", "a_section", "in_a_flow_mapping"])
def test_a_key_given_twice_names_both_lines(tmp_path, old, new, field, lines):
    path = with_text(tmp_path, old, new)
    first, second = lines
    line = one_line("validate", path, says=(f"{field}: is given twice, at lines {first} and "
                                            f"{second}",))
    assert line.startswith(f"error: {path}:{second}: ")


def test_reversed_or_negative_ranges_are_refused(tmp_path):
    path = variant(tmp_path, meta={"pattern": {"walkout_days": [43, 33],
                                               "release_size": [-5, 10]}})
    lines = refused("validate", path, says=("meta.pattern.walkout_days", "[43, 33]",
                                            "meta.pattern.release_size", "[-5, 10]"))
    assert len(lines) == 2


def _pool(path: Path, rows: int, listed: int = 1, rank: str = "1") -> Path:
    path.write_text("rank,age,health,sentence_days,listed,named\n"
                    + f"{rank},30,0.8,100,{listed},0\n" * rows, encoding="utf-8")
    return path


@pytest.mark.parametrize(("rows", "listed", "rank", "says"), [
    (100, 1, "x", ("pools.government_holds.csv:rank", "first on line 2")),
    (100, 1, "1.5", ("pools.government_holds.csv:rank", "whole numbers")),
    (90, 1, "1", ("pools.government_holds.size", "(100) differs from the 90 rows")),
    (100, 0, "1", ("agreement.government_commitment", "exceeds the 0 listed")),
], ids=["not_numeric", "fractional_rank", "rows_differ_from_size", "too_few_listed"])
def test_pool_csv_checks_run_in_validate(tmp_path, rows, listed, rank, says):
    csv = _pool(tmp_path / "pool.csv", rows, listed, rank)
    path = variant(tmp_path, pools={"government_holds": {"size": 100, "listed": 100,
                                                         "csv": "pool.csv"}})
    assert str(csv.name) in path.read_text(encoding="utf-8")
    refused("validate", path, says=says)
    refused("run", path, says=says)


def test_a_good_pool_csv_validates_and_runs(tmp_path):
    _pool(tmp_path / "pool.csv", 100)
    path = variant(tmp_path, pools={"government_holds": {"size": 100, "listed": 100,
                                                         "csv": "pool.csv"}})
    assert parley("validate", path)[0] == 0
    assert parley("run", path, "--no-narrative")[0] == 0


@pytest.mark.parametrize(("args", "says"), [
    (("--days", "0"), ("error: --days 0: run.days: ",)),
    (("--seed", "-1"), ("error: --seed -1: run.seed: ",)),
    (("--set", "agreement.batch_cap=50"), (
        "error: --set agreement.batch_cap=50: agreement.batch_cap: clashes with "
        "government.unilateral_batch: (100) exceeds agreement.batch_cap (50)",)),
    (("--set", "insurgent.aspiration_max=0.1"), (
        "error: --set insurgent.aspiration_max=0.1: insurgent.aspiration_max: clashes with "
        "insurgent.aspiration_min",)),
    (("--set", "run.days=0"), ("error: --set run.days=0: run.days: ",)),
], ids=["days", "seed", "set_clash", "set_clash_within_a_section", "set_days"])
def test_a_command_line_value_the_file_does_not_fit_names_the_option(args, says):
    line = one_line("run", HOME, *args, says=says)
    assert "afghanistan_2020.yaml" not in line


def test_a_fault_of_the_file_still_names_the_file_when_options_are_given(tmp_path):
    path = with_text(tmp_path, "patience: 3.0", "patience: -3")
    one_line("run", path, "--days", "30", "--seed", "2",
             says=(f"{path}:31: insurgent.patience",))


def test_a_long_timeline_is_refused_and_a_full_one_loads_quickly(tmp_path):
    shocks = [{"day": i % 100, "set": {"insurgent.patience": 1 + i % 5}} for i in range(1000)]
    path = variant(tmp_path, timeline=shocks, run={"days": 100})
    start = time.monotonic()
    assert len(load_scenario(path).regimes) == 1000
    assert time.monotonic() - start < 10
    path = variant(tmp_path, timeline=[*shocks, {"day": 1}], run={"days": 100})
    one_line("validate", path, says=("timeline", "at most 1000"))


def test_the_shipped_scenarios_still_validate():
    for path in sorted((Path(__file__).parent.parent / "scenarios").glob("*.yaml")):
        assert parley("validate", path)[0] == 0
    data = yaml.safe_load(HOME.read_text(encoding="utf-8"))
    assert data["meta"]["name"] == load_scenario(HOME).meta.name


def test_the_dashboards_pictures_show_names_as_written(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    from sim.roleplay import Game
    from sim.ui.app.state import Dashboard, run_odds
    from sim.ui.figures import comparison_figure, live_panels, odds_figure

    path = variant(tmp_path, meta={"name": NAME, "sides": {
        "government": "$G$", "insurgent": "I$", "mediator": "$M"}})
    dash = Dashboard([path])
    dash.step(10)
    snap = dash.snapshot()
    game = Game(load_scenario(path), "mediator")
    game.play_days(game.default_move(), 3)
    for figure in (live_panels(snap), odds_figure(run_odds(dash.scenario, 3), snap),
                   comparison_figure(game.compare(3))):
        figure.canvas.draw()  # mathtext would fail here
        texts = [t.get_text() for t in figure.findobj(matplotlib.text.Text)]
        assert any("I\\$" in t for t in texts) or any("\\$M" in t for t in texts), texts


def test_a_file_name_no_terminal_can_print_is_echoed_escaped(tmp_path):
    import subprocess

    from conftest import PARLEY

    name = os.fsdecode(b"bad\xff.yaml")
    write_yaml(tmp_path / name, teaching_text())
    env = {**os.environ, "PYTHONIOENCODING": "ascii"}
    done = subprocess.run([str(PARLEY), "validate", name], cwd=tmp_path, env=env,
                          capture_output=True, text=True, errors="replace", timeout=60,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ok: bad\\udcff.yaml (teaching_symmetric")
