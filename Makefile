# The two commands of the README: `make demo` and `make test`. Both set everything up.
.PHONY: demo test setup lint bench lab gallery clean

VENV := .venv/bin

setup:
	@bash scripts/bootstrap.sh

demo: setup
	$(VENV)/parley run scenarios/afghanistan_2020.yaml --plot out/timeline.png

lint: setup
	$(VENV)/ruff check sim tests benchmarks scripts setup.py

test: lint
	MPLBACKEND=Agg $(VENV)/python -m pytest -q -n auto --nbmake tests notebooks

bench: setup
	$(VENV)/python benchmarks/bench_run.py
	$(VENV)/python benchmarks/bench_sweep.py
	$(VENV)/python benchmarks/bench_ensemble.py

# JupyterLab on the notebooks, in the project's .venv, through the [lab] extra (make setup's
# dev set includes it; the extra is installed here only if JupyterLab is missing).
lab: setup
	@$(VENV)/jupyter-lab --version >/dev/null 2>&1 || $(VENV)/python -m pip install --quiet -e ".[lab]"
	$(VENV)/jupyter lab notebooks

# The gallery of docs/gallery/: one small PNG per kind of picture (scripts/gallery.py).
gallery: setup
	MPLBACKEND=Agg $(VENV)/python scripts/gallery.py docs/gallery

clean:
	rm -rf out .pytest_cache .ruff_cache
