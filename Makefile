# The two set-up commands of the README: `make reproduce` and `make test`. Both create the
# virtual environment when it is missing and (re)install when pyproject.toml changed.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PROFILE ?= standard
# Two pytest workers (pytest-xdist; tests/conftest.py schedules them): on 2 cores the suite took
# 38 min against 59 in one process at 4db075c; `PYTEST_WORKERS=0` runs one process.
PYTEST_WORKERS ?= 2
PYTEST_ARGS ?=
BENCH_ARGS ?=

.PHONY: venv reproduce test bench lab data results strip sync lint clean site student teacher

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	@touch $(STAMP)

# Every notebook headless in the standard profile, then the results table.
reproduce: venv
	$(BIN)/python -m helpers.notebooks run --profile $(PROFILE)
	$(BIN)/python -m helpers.results --profile $(PROFILE)

# The whole test suite: unit tests, every notebook in the smoke profile, and the real-data
# regression tests when LOOKALIKE_DATA / LOOKALIKE_WEIGHTS are set.
test: venv
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadscope $(PYTEST_ARGS)

# The course as a static website in reports/site/ (open reports/site/index.html), from the
# executed notebooks of the last `make reproduce`, or from a smoke run when there are none.
site: venv
	$(BIN)/python -m helpers.site build

# Every speed ratio the README quotes, in one run (a few minutes; BENCH_ARGS sizes it, e.g.
# BENCH_ARGS="--gallery 1000000" for the retrieval tables of benchmarks/README.md).
bench: venv
	$(BIN)/python -m helpers.bench all $(BENCH_ARGS)

# Copies of the course to hand out (helpers.exercises.copies): DIR must be new or empty.
# student: no solutions anywhere, no teacher's guide, no tests; teacher: every exercise filled in.
student: venv
	@test -n "$(DIR)" || { echo "usage: make student DIR=folder" >&2; exit 2; }
	$(BIN)/python -m helpers.exercises.copies student "$(DIR)"

teacher: venv
	@test -n "$(DIR)" || { echo "usage: make teacher DIR=folder" >&2; exit 2; }
	$(BIN)/python -m helpers.exercises.copies teacher "$(DIR)"

lab: venv
	$(BIN)/jupyter lab notebooks/

data: venv
	$(BIN)/python -m helpers.datasets fetch all

strip: venv
	$(BIN)/python -m helpers.notebooks strip

# Each report notebook's `#@save` cells -> src/helpers/studies/<study>/saved.py (generated).
sync: venv
	$(BIN)/python -m helpers.sync

# The code and the notebooks (ruff reads .ipynb cells); .ci/run runs it before the tests.
lint: venv
	$(BIN)/ruff check src tests notebooks

clean:
	rm -rf reports/executed reports/figures reports/site data/cache .pytest_cache
