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

system-deps: ## Debian packages the tests use: chromium, CJK fonts, redis-server, LibreOffice (idempotent)
	bash scripts/install-system-deps.sh

# Three pytest workers on two cores: most of the suite waits on crawls, servers and sockets rather
# than computing. Whole files go to one worker, so a module's shared crawl is made once; files are
# handed out heaviest first (tests/conftest.py), and the slowest tests are listed at the end.
TEST_WORKERS ?= 3
test: install system-deps ## run the whole test suite (installs what it needs; under 5 minutes)
	$(BIN)/pytest -q -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder --durations=15

test-fast: install ## the inner loop (under 90 s): in-process tests, no crawls, servers or browsers
	$(BIN)/pytest -q -m "not slow"

SOURCES ?= sources/real.yaml
DATA ?= data

nightly: install ## one incremental crawl of SOURCES into DATA (exit 1 when a source newly fails)
	$(BIN)/nianbao crawl --sources $(SOURCES) --db $(DATA)/nianbao.db --archive $(DATA)/archive --log-level WARNING

RELEASE ?= $(DATA)/release
release: install ## the downloads of DATA's database and archive into RELEASE: slim DB, CSV, Parquet, dictionary, WACZ
	$(BIN)/nianbao export --db $(DATA)/nianbao.db --archive $(DATA)/archive --out $(RELEASE) --wacz

bench: install ## benchmarks on the sample portal (10k-report crawl, 100k-report DB; long): bench/results.json
	$(BIN)/python bench/run.py --scale full $(if $(ONLY),--only $(ONLY))

REPORTS ?= 1000
faults: install ## crawl REPORTS synthetic reports under heavy faults, kill -9 and resume, fuzz extraction: bench/faults.json
	$(BIN)/python bench/fuzz_extract.py --examples 20000
	$(BIN)/python bench/faults.py --reports $(REPORTS) --out bench/faults.json

lint: install ## ruff and mypy
	$(BIN)/ruff check .
	$(BIN)/mypy pipeline archive crawler nianbao

clean: ## remove generated data (keeps .venv)
	rm -rf data .pytest_cache

.PHONY: help install system-deps demo test test-fast nightly release bench faults lint clean
