# The two commands a newcomer needs: `make run` and `make test`. Each sets itself up.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint unit setup system-deps bench clean

# The service on embedded defaults (SQLite and a SQLite broker file in ./data): API, worker and beat.
run: $(STAMP) system-deps
	$(BIN)/kaohe serve $(RUN_ARGS)

test: $(STAMP) system-deps lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check domain services workers tests bench scripts
	$(BIN)/ruff format --check domain services workers tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/python -m tests.check_domain_imports

unit: $(STAMP)
	$(BIN)/python -m pytest tests/unit $(PYTEST_ARGS)

bench: $(STAMP) system-deps
	$(BIN)/python bench/eventstore.py
	$(BIN)/python bench/api.py
	$(BIN)/python bench/projections.py
	$(BIN)/python bench/reports.py

setup: $(STAMP)

# Debian packages and free CJK fonts for the report renderer (idempotent; quiet when all is there).
system-deps:
	bash scripts/system-deps.sh

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,bench]"
	touch $(STAMP)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
