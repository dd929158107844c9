# Two commands matter: `make reports` and `make test`. Each bootstraps .venv on first use.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev
LAB_STAMP := $(VENV)/.installed-lab
# Extra options for `jupyter lab`, e.g. make lab LAB_ARGS="--no-browser --ip 127.0.0.1".
# As root (a container), --allow-root is added: Jupyter refuses to start as root without it.
LAB_ARGS ?=
ifeq ($(shell id -u),0)
LAB_ROOT := --allow-root
endif

.PHONY: test lint format lab data reports bench bench-reports bench-disclosure bench-loaders bench-national clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (finsam)" >/dev/null
	touch $@

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check finsamlib tests benchmarks
	$(BIN)/ruff format --check finsamlib tests benchmarks

format: $(STAMP)
	$(BIN)/ruff format finsamlib tests benchmarks
	$(BIN)/ruff check --fix finsamlib tests benchmarks

$(LAB_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,lab]'
	touch $@

lab: $(LAB_STAMP)
	$(BIN)/jupyter lab $(LAB_ROOT) $(LAB_ARGS) notebooks/

data: $(STAMP)
	$(BIN)/python -m finsamlib.synth

# Render every report of the embedded data; prints the path of reports/index.html.
reports: $(STAMP)
	$(BIN)/finsam reports --out reports

# On demand, not in CI: every benchmark of issues #10 and #13 in one run (about ten minutes),
# ending with a summary of every ratio and its target, met or missed.
bench: $(STAMP)
	$(BIN)/python benchmarks/bench_all.py

# The runner against a naive papermill + nbconvert CLI loop, and a report against the
# imports-only floor (issue #13: >= 5x and <= 1.5x).
bench-reports: $(STAMP)
	$(BIN)/python benchmarks/bench_reports.py

# What the disclosure step adds to finsam reports on the embedded data (issue #10: <= 10 %).
bench-disclosure: $(STAMP)
	$(BIN)/python benchmarks/bench_disclosure.py

# The loader and indicators against a bare pyarrow read at 100 000 and 1 000 000 rows (<= 3x).
bench-loaders: $(STAMP)
	$(BIN)/python benchmarks/bench_loaders.py

# Every report of 10, 40 and 80 synthetic associations with --workers 2 (takes a while).
bench-national: $(STAMP)
	$(BIN)/python benchmarks/bench_national.py

clean:
	rm -rf reports/* data/processed/* .pytest_cache .ruff_cache
	touch reports/.gitkeep data/processed/.gitkeep
