# Two commands for people: `make run` and `make test`. Everything else is a step they use.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint install node-deps settings cosmos-emulator clean infra-check clean-infra bench bench-abuse

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

## An in-memory Cosmos DB emulator on https://127.0.0.1:8081, for `STORAGE_BACKEND=cosmos make run`.
cosmos-emulator: node-deps
	node scripts/cosmos_emulator.js --port 8081

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

INFRA_VENV := .venv-infra
INFRA_STAMP := $(INFRA_VENV)/.installed

$(INFRA_STAMP): requirements-infra.txt
	test -x $(INFRA_VENV)/bin/python || $(PYTHON) -m venv $(INFRA_VENV)
	$(INFRA_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(INFRA_VENV)/bin/python -m pip install --quiet -r requirements-infra.txt
	touch $(INFRA_STAMP)

## Scan infra/ with checkov, offline (skips and their reasons: infra/.checkov.yaml).
infra-check: $(INFRA_STAMP)
	$(INFRA_VENV)/bin/checkov --config-file infra/.checkov.yaml

clean: clean-infra
clean-infra:
	rm -rf $(INFRA_VENV)

## Install what the tests need, then run every test.
test: $(STAMP) node-deps lint infra-check
	$(PY) -m pytest

BENCH_STAMP := $(VENV)/.bench-installed
$(BENCH_STAMP): $(STAMP) bench/requirements.txt
	$(PY) -m pip install --quiet -r bench/requirements.txt
	touch $(BENCH_STAMP)

## Measure throughput, latency and growth against the floor (a few minutes; see README "Benchmarks").
bench: $(BENCH_STAMP) node-deps
	$(PY) -m bench

## One abusive player and address against another player's latency (about a minute; README "Abuse run").
bench-abuse: $(STAMP)
	$(PY) -m bench.abuse --out bench/results/abuse.json

clean:
	rm -rf $(VENV) node_modules .data .pytest_cache .ruff_cache
