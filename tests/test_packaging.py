"""Parley as a package: shipped scenarios found by name, parley init, extras, the wheel."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT, SCENARIOS, cli

import sim
from sim import catalog
from sim.errors import ParleyError
from sim.ui.console import EXTRA_OF

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SHIPPED = sorted(p.relative_to(ROOT).as_posix() for folder in catalog.FOLDERS
                 for p in (ROOT / folder).rglob("*") if p.is_file())


def requirement_names(requirements: list[str]) -> set[str]:
    return {re.split(r"[\[<>=! ;]", r, maxsplit=1)[0].lower() for r in requirements}


# Finding shipped files by name


def test_a_source_checkout_ships_its_top_level_folders():
    assert catalog.shipped_root() == ROOT
    assert catalog.shipped_scenarios() == SCENARIOS


def test_entries_list_every_scenario_then_every_sweep():
    names = [(e.kind, e.name) for e in catalog.entries()]
    assert names == ([("scenario", p.stem) for p in sorted(SCENARIOS.glob("*.yaml"))]
                     + [("sweep", p.stem) for p in sorted((SCENARIOS / "sweeps").glob("*.yaml"))])
    home = next(e for e in catalog.entries() if e.name == "afghanistan_2020")
    assert home.description.startswith("Afghan government and Taliban exchange prisoners")


def test_find_takes_a_path_as_given_and_a_bare_name_from_the_catalog(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert catalog.find("afghanistan_2020") == SCENARIOS / "afghanistan_2020.yaml"
    assert catalog.find("afghanistan_2020.yaml") == SCENARIOS / "afghanistan_2020.yaml"
    assert catalog.find("sobol_window") == SCENARIOS / "sweeps" / "sobol_window.yaml"
    # A path with a folder is never looked up: the loader reports it as missing.
    assert catalog.find("elsewhere/afghanistan_2020.yaml") == Path(
        "elsewhere/afghanistan_2020.yaml")
    own = tmp_path / "afghanistan_2020"
    own.write_text("x", encoding="utf-8")
    assert catalog.find("afghanistan_2020") == Path("afghanistan_2020")


def test_a_users_own_scenarios_folder_comes_before_the_shipped_one(tmp_path, monkeypatch):
    mine = tmp_path / "scenarios" / "teaching_symmetric.yaml"
    mine.parent.mkdir()
    mine.write_text("meta: {name: mine}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert catalog.find("teaching_symmetric") == Path.cwd() / "scenarios" / mine.name
    assert catalog.find("teaching_truce") == SCENARIOS / "teaching_truce.yaml"


def test_an_unknown_name_says_the_closest_one(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ParleyError) as info:
        catalog.find("afghanistan2020")
    assert "did you mean 'afghanistan_2020'?" in str(info.value)


def test_copy_to_copies_every_shipped_file_and_never_overwrites(tmp_path):
    written = catalog.copy_to(tmp_path / "start")
    assert sorted(p.relative_to(tmp_path / "start").as_posix() for p in written) == SHIPPED
    edited = tmp_path / "start" / "scenarios" / "afghanistan_2020.yaml"
    edited.write_text("mine", encoding="utf-8")
    with pytest.raises(ParleyError) as info:
        catalog.copy_to(tmp_path / "start")
    assert f"{len(SHIPPED)} of the {len(SHIPPED)} files" in str(info.value)
    assert edited.read_text(encoding="utf-8") == "mine"


# The commands


def test_version_flag_prints_the_package_version():
    proc = cli("--version")
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"parley {sim.__version__}"


def test_run_by_name_from_an_empty_folder(tmp_path):
    proc = cli("run", "teaching_symmetric", "--days", "5", "--no-narrative", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "teaching_symmetric (seed" in proc.stdout


def test_a_misspelt_name_is_one_line_and_exit_2(tmp_path):
    proc = cli("run", "teaching_symetric", "--days", "5", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "did you mean 'teaching_symmetric'?" in proc.stderr


def test_scenarios_lists_every_shipped_file_by_name():
    proc = cli("scenarios")
    assert proc.returncode == 0, proc.stderr
    for entry in catalog.entries():
        assert entry.name in proc.stdout


def test_init_copies_a_starting_folder_whose_files_run(tmp_path):
    proc = cli("init", "course", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    copied = tmp_path / "course"
    assert sorted(p.relative_to(copied).as_posix()
                  for p in copied.rglob("*") if p.is_file()) == SHIPPED
    done = cli("validate", *sorted((copied / "scenarios").rglob("*.yaml")), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    again = cli("init", "course", cwd=tmp_path)
    assert again.returncode == 2 and again.stderr.count("\n") == 1
    assert "already exists" in again.stderr


# Extras


def test_the_core_leaves_the_heavy_stacks_to_extras():
    core = requirement_names(PYPROJECT["project"]["dependencies"])
    extras = {k: requirement_names(v)
              for k, v in PYPROJECT["project"]["optional-dependencies"].items()}
    assert {"numpy", "pandas", "pydantic", "mesa", "matplotlib", "typer", "rich",
            "scipy"} <= core
    assert {"pyarrow", "salib", "dask"} <= extras["sweep"]
    assert {"solara", "ipyvuetify"} <= extras["app"]
    assert "jupyterlab" in extras["lab"]
    assert "ema_workbench" in extras["ema"]
    assert not core & (extras["sweep"] | extras["app"] | extras["lab"] | extras["ema"])
    dev = PYPROJECT["project"]["optional-dependencies"]["dev"]
    assert "parley[sweep,app,lab,ema]" in dev


def test_each_extras_module_is_installed_by_the_extra_it_names():
    distributions = {"pyarrow": "pyarrow", "SALib": "salib", "dask": "dask",
                     "distributed": "dask", "solara": "solara", "solara_assets": "solara-assets",
                     "ipyvue": "ipyvue", "ipyvuetify": "ipyvuetify", "jupyterlab": "jupyterlab"}
    extras = PYPROJECT["project"]["optional-dependencies"]
    for module, extra in EXTRA_OF.items():
        assert distributions[module] in requirement_names(extras[extra]), module


def without(tmp_path: Path, *modules: str) -> dict[str, str]:
    """An environment in which importing ``modules`` fails, as if their extra were missing."""
    blocker = tmp_path / "blocked"
    blocker.mkdir(exist_ok=True)
    (blocker / "sitecustomize.py").write_text(
        "import sys\n" + "".join(f"sys.modules[{m!r}] = None\n" for m in modules),
        encoding="utf-8")
    return {**os.environ, "PYTHONPATH": str(blocker)}


@pytest.mark.parametrize(("args", "blocked", "extra"), [
    (("run", "teaching_symmetric", "--days", "3", "--no-narrative", "--out", "x"), "pyarrow",
     "sweep"),
    (("sweep", "status", "x"), "pyarrow", "sweep"),
    (("analyze", "x"), "SALib", "sweep"),
    (("validate", "sobol_window"), "SALib", "sweep"),
    (("app",), "solara", "app"),
])
def test_a_missing_extra_is_one_line_naming_it(tmp_path, args, blocked, extra):
    proc = subprocess.run([str(Path(sys.executable).parent / "parley"), *args],
                          capture_output=True, text=True, cwd=tmp_path, timeout=120,
                          env=without(tmp_path, blocked), stdin=subprocess.DEVNULL, check=False)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert f"pip install 'parley[{extra}]'" in proc.stderr


def test_make_lab_starts_jupyterlab_from_the_lab_extra_on_the_notebooks():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    target = makefile.split("\nlab:", 1)[1].split("\n\n", 1)[0]
    assert '".[lab]"' in target and "jupyter lab notebooks" in target
    lab = Path(sys.executable).parent / "jupyter"
    proc = subprocess.run([str(lab), "lab", "--version"], capture_output=True, text=True,
                          timeout=120, check=False)
    assert proc.returncode == 0 and re.fullmatch(r"4\.\d+\.\d+\s*", proc.stdout)


# The wheel


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel of this checkout, built once for the module's tests."""
    folder = tmp_path_factory.mktemp("wheel")
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps",
                           "--quiet", "-w", str(folder)], capture_output=True, text=True,
                          timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    (built,) = folder.glob("parley-*.whl")
    return built


def test_the_wheel_carries_the_shipped_folders(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert sorted(n.removeprefix("sim/shipped/") for n in names
                  if n.startswith("sim/shipped/")) == SHIPPED
    assert "sim/ui/cli.py" in names and "sim/catalog.py" in names


# Run from the unpacked wheel, in a folder outside the checkout: the package must find its
# shipped files in itself (the dependencies come from this environment).
FROM_THE_WHEEL = """
import sys
from pathlib import Path
import sim
from sim import catalog
from sim.runner import run
from sim.scenario import load_scenario
here = Path(sys.argv[1]).resolve()
assert Path(sim.__file__).resolve().is_relative_to(here), sim.__file__
assert catalog.shipped_root() == here / "sim" / "shipped", catalog.shipped_root()
names = {e.name for e in catalog.entries()}
for entry in catalog.entries():
    if entry.kind == "scenario":
        load_scenario(catalog.find(entry.name))  # extends: and data paths resolve inside
home = load_scenario(catalog.find("afghanistan_2020"))
assert Path(home.meta.reference_data).resolve().is_file()
print(len(names), run(home, days=5).summary["days"])
"""


def test_the_wheels_scenarios_load_and_run_from_the_installed_package(wheel, tmp_path):
    target = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:  # what pip install puts in site-packages
        archive.extractall(target)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    proc = subprocess.run([sys.executable, "-c", FROM_THE_WHEEL, str(target)],
                          capture_output=True, text=True, cwd=outside, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(target)}, check=False)
    assert proc.returncode == 0, proc.stderr
    count, days = proc.stdout.split()
    assert int(count) == len(list(catalog.entries())) and int(days) == 5
