"""Draw one small PNG per kind of ``parley plot`` into a folder (``make gallery``).

Each picture is drawn by ``parley plot`` itself (its command run in this process), on few seeds
and two tiny sweeps run in a temporary folder, so the whole gallery takes about a minute.
``parley plot`` saves at 120 dpi; the gallery scales each picture to 100 dpi to stay small.
The PNGs in docs/gallery/ are the project's golden pictures: regenerate them on purpose, when
a picture changes, and look at them before committing.

Usage: ``python scripts/gallery.py docs/gallery [--grey]`` (``--grey`` also writes each
picture in greyscale, ``KIND-grey.png``, to check that it reads in black and white).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from PIL import Image
from typer.testing import CliRunner

from sim import catalog
from sim.ui.cli import app

SCALE = 100 / 120
"""From parley plot's 120 dpi to the gallery's 100."""

SEEDS = "40"

GRID = """\
name: gallery_grid
base: {base}
parameters:
  - {{path: insurgent.patience, values: [1.0, 1.5, 3.0, 6.0]}}
  - {{path: mediator.walkout_pressure, kind: lever, values: [0.0, 0.7]}}
design: {{method: full_factorial}}
replicates: 10
master_seed: 11
days: 120
keep: summary
"""

SOBOL = """\
name: gallery_sobol
base: {base}
parameters:
  - {{path: insurgent.patience, bounds: [1.0, 3.0]}}
  - {{path: mediator.walkout_pressure, kind: lever, bounds: [0.0, 1.0]}}
  - {{path: insurgent.goodwill_trust, bounds: [0.3, 0.6]}}
design: {{method: sobol, samples: 16}}
replicates: 1
master_seed: 7
days: 60
keep: summary
"""

# kind -> (target, options of parley plot)
KINDS = {
    "timeline": ("afghanistan_2020", ["--days", "90"]),
    "history": ("afghanistan_2020", ["--days", "60", "--seeds", SEEDS]),
    "compare": ("afghanistan_2020", ["--days", "90", "--seeds", SEEDS,
                                     "--against", "afghanistan_2020_no_pressure"]),
    "survival": ("grid", ["--output", "first_unilateral_day"]),
    "sweep": ("grid", ["--output", "pattern"]),
    "phase": ("grid", ["--output", "pattern"]),
    "sensitivity": ("sobol", ["--output", "gov_released"]),
}


def _sweep(text: str, folder: Path) -> Path:
    from sim import sweep

    spec = folder / f"{text.split()[1]}.yaml"
    spec.write_text(text.format(base=catalog.find("afghanistan_2020")), encoding="utf-8")
    out = folder / spec.stem
    sweep.run(spec, out, workers=1)
    return out


def main(argv: list[str]) -> int:
    """Write the gallery into ``argv[0]``."""
    if not argv or argv[0].startswith("-"):
        print("usage: gallery.py FOLDER [--grey]", file=sys.stderr)
        return 2
    folder = Path(argv[0])
    folder.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        sweeps = {"grid": _sweep(GRID, Path(tmp)), "sobol": _sweep(SOBOL, Path(tmp))}
        for kind, (target, options) in KINDS.items():
            drawn = Path(tmp) / f"{kind}.png"
            done = CliRunner().invoke(app, ["plot", str(sweeps.get(target, target)), "--kind",
                                            kind, *options, "--out", str(drawn)])
            if done.exit_code != 0:
                print(f"{kind}: {done.output}", file=sys.stderr)
                return 1
            path = folder / f"{kind}.png"
            with Image.open(drawn) as image:
                small = image.resize((round(image.width * SCALE), round(image.height * SCALE)),
                                     Image.Resampling.LANCZOS)
                # A palette of 128 colours keeps hatched pictures small, and looks the same.
                small.convert("RGB").quantize(128).save(path, optimize=True)
                if "--grey" in argv:
                    small.convert("L").save(folder / f"{kind}-grey.png")
            print(f"{path}: {path.stat().st_size / 1024:.0f} KB")
    print(f"gallery written in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
