# Set-up and checks. Two commands do everything on a fresh machine with
# Python 3.11+ and make: `make demo` and `make test`.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: demo test test-spark lint format types pytest docs docs-build bench fuzz clean

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,docs]'
	touch $(INSTALLED)

## demo: invoice October 2026 from the example contract and interaction log
demo: $(INSTALLED)
	$(BIN)/resolutionpricing invoice examples/contract.toml examples/interactions.csv --period 2026-10

## test: lint, types, tests and the docs build, as CI runs them
test: lint types pytest docs-build

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(INSTALLED)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

types: $(INSTALLED)
	$(BIN)/mypy

pytest: $(INSTALLED)
	$(BIN)/pytest

## test-spark: the compiled SQL on Spark in local mode (installs pyspark; needs Java 17+)
test-spark: $(INSTALLED)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check 'pyspark==4.3.0'
	$(BIN)/pytest tests/spark -p no:cacheprovider

## docs: serve the documentation at http://127.0.0.1:8000
docs: $(INSTALLED)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs serve

docs-build: $(INSTALLED)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --site-dir site

bench: $(INSTALLED)
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/engines.py --sizes 10000,100000,1000000

## fuzz: a long fuzzing campaign of the readers (FUZZ_EXAMPLES per test, default 20000)
fuzz: $(INSTALLED)
	HYPOTHESIS_PROFILE=fuzz $(BIN)/pytest tests/test_fuzz.py tests/test_contract_fuzz.py \
		-p no:cacheprovider -q --hypothesis-show-statistics

clean:
	rm -rf $(VENV) site .pytest_cache .mypy_cache .ruff_cache .hypothesis
