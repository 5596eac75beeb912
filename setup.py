"""Build hook: ship the top-level ``scenarios/`` and ``data/`` inside the package.

Everything else about the package is declared in ``pyproject.toml``. The two folders stay at
the top of the repository, where they are edited and where ``make demo`` and the tests read
them; a wheel (or a non-editable install) gets a copy of both under ``sim/shipped/``, where
:mod:`sim.catalog` finds them, so that ``pip install parley`` alone runs
``parley run afghanistan_2020``.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
SHIPPED = ("scenarios", "data")


class BuildWithShipped(build_py):
    """``build_py`` that also copies the shipped folders into ``sim/shipped/``."""

    def run(self):
        """Build the packages, then add the shipped folders beside them."""
        super().run()
        if self.editable_mode:  # an editable install reads them in place (sim.catalog)
            return
        for folder in SHIPPED:
            target = Path(self.build_lib) / "sim" / "shipped" / folder
            shutil.rmtree(target, ignore_errors=True)  # no file left from an earlier build
            shutil.copytree(HERE / folder, target,
                            ignore=shutil.ignore_patterns("__pycache__", "*.py[cod]"))


setup(cmdclass={"build_py": BuildWithShipped})
