# Two commands for people: `make run` and `make test`. Everything else is a step they use.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint install node-deps settings clean bench

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

node-deps: node_modules/.package-lock.json

local.settings.json:
	$(PY) scripts/init_local_settings.py

settings: $(STAMP) local.settings.json

## Serve the backend on http://127.0.0.1:7071 with the embedded SQLite store.
run: settings
	$(PY) -m local_host

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

## Install what the tests need, then run every test.
test: $(STAMP) node-deps lint
	$(PY) -m pytest

BENCH_STAMP := $(VENV)/.bench-installed
$(BENCH_STAMP): $(STAMP) bench/requirements.txt
	$(PY) -m pip install --quiet -r bench/requirements.txt
	touch $(BENCH_STAMP)

## Measure throughput, latency and growth against the floor (a few minutes; see README "Benchmarks").
bench: $(BENCH_STAMP) node-deps
	$(PY) -m bench

clean:
	rm -rf $(VENV) node_modules .data .pytest_cache .ruff_cache
