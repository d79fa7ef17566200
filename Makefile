# nianbao — `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help

help: ## list the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk -F':.*?## ' '{printf "  %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c requirements.lock -e ".[test]"
	touch $(STAMP)

install: $(STAMP) ## create .venv and install the pinned dependencies

demo: install ## serve the sample portal, crawl it, build the DB, open Datasette on :8001
	bash scripts/demo.sh

test: install ## run the whole test suite (installs what it needs)
	$(BIN)/pytest -q

lint: install ## ruff and mypy
	$(BIN)/ruff check .
	$(BIN)/mypy pipeline archive

clean: ## remove generated data (keeps .venv)
	rm -rf data .pytest_cache

.PHONY: help install demo test lint clean
