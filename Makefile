# The two commands of the README: `make demo` and `make test`. Both set everything up.
.PHONY: demo test setup lint bench clean

VENV := .venv/bin

setup:
	@bash scripts/bootstrap.sh

demo: setup
	$(VENV)/parley run scenarios/afghanistan_2020.yaml --plot out/timeline.png

lint: setup
	$(VENV)/ruff check sim tests benchmarks

test: lint
	MPLBACKEND=Agg $(VENV)/python -m pytest -q --nbmake tests notebooks

bench: setup
	$(VENV)/python benchmarks/bench_run.py
	$(VENV)/python benchmarks/bench_sweep.py
	$(VENV)/python benchmarks/bench_ensemble.py

clean:
	rm -rf out .pytest_cache .ruff_cache
