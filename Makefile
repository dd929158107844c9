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

.PHONY: test lint format lab data reports bench clean

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

# On demand, not in CI: the runner against a naive papermill + nbconvert CLI loop.
bench: $(STAMP)
	$(BIN)/python benchmarks/bench_reports.py

clean:
	rm -rf reports/* data/processed/* .pytest_cache .ruff_cache
	touch reports/.gitkeep data/processed/.gitkeep
