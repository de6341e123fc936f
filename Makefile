# The two commands of README.md. Both create .venv and install what they need on first use.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint bench clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "需要 Python 3.11（找不到 $(PYTHON)）"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

## make run: migrate the SQLite file, load demo data on first start, run webhook + scheduler
run: $(STAMP)
	$(BIN)/lianxin db upgrade
	$(BIN)/lianxin demo-data --if-empty --bind-chat
	$(BIN)/lianxin up

## make test: the whole test suite (LIANXIN_TEST_DATABASE_URL=postgresql://… for PostgreSQL)
test: $(STAMP)
	$(BIN)/python -m pytest

## make lint: ruff, the import-direction contracts (lint-imports) and mypy
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy

clean:
	rm -rf $(VENV) var
