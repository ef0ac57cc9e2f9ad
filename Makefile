# Two commands for people: `make run` and `make test`. Everything else is a step they use.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test test-ready lint console install node-deps settings cosmos-emulator clean infra-check clean-infra bench bench-abuse lock

# Installs come from the locks (every transitive package, pinned with hashes); requirements*.txt hold the
# direct pins a person edits, then `make lock` regenerates the locks from them.
$(STAMP): requirements-dev.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements-dev.lock
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

## Check the console's scripts (console/js/*.js, plain ES modules served as written: nothing to build).
CONSOLE_JS := $(wildcard console/js/*.js)
console:
	@for file in $(CONSOLE_JS); do node --input-type=module --check < $$file || { echo "in $$file" >&2; exit 1; }; done
	@echo "console: $(words $(CONSOLE_JS)) modules parse"

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

INFRA_VENV := .venv-infra
INFRA_STAMP := $(INFRA_VENV)/.installed

$(INFRA_STAMP): requirements-infra.lock
	test -x $(INFRA_VENV)/bin/python || $(PYTHON) -m venv $(INFRA_VENV)
	$(INFRA_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(INFRA_VENV)/bin/python -m pip install --quiet --require-hashes -r requirements-infra.lock
	touch $(INFRA_STAMP)

## Scan infra/ with checkov, offline (skips and their reasons: infra/.checkov.yaml).
infra-check: $(INFRA_STAMP)
	$(INFRA_VENV)/bin/checkov --config-file infra/.checkov.yaml

clean-infra:
	rm -rf $(INFRA_VENV)

# Test files are spread over one worker per core (pytest-xdist); each worker starts its own hosts and
# emulator, and a file's tests stay on one worker, in order. TEST_WORKERS=0 runs them in this process.
# The 30 slowest steps are listed at the end: CI has a time limit, and this is where its minutes go.
TEST_WORKERS ?= auto

# The installs, the linters, the console check and the infra scan need nothing of each other: they run side by side.
test-ready: $(STAMP) node-deps lint console infra-check

## Install what the tests need, then run every test.
test:
	$(MAKE) -j4 --output-sync=target test-ready
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile --durations=30

BENCH_STAMP := $(VENV)/.bench-installed
$(BENCH_STAMP): $(STAMP) bench/requirements.lock
	$(PY) -m pip install --quiet --require-hashes -r bench/requirements.lock
	touch $(BENCH_STAMP)

## Measure throughput, latency and growth against the floor (a few minutes; see README "Benchmarks").
bench: $(BENCH_STAMP) node-deps
	$(PY) -m bench

## One abusive player and address against another player's latency (about a minute; README "Abuse run").
bench-abuse: $(STAMP)
	$(PY) -m bench.abuse --out bench/results/abuse.json

clean: clean-infra
	rm -rf $(VENV) $(LOCK_VENV) node_modules .data .pytest_cache .ruff_cache .mypy_cache

LOCK_VENV := .venv-lock
PIP_COMPILE := $(LOCK_VENV)/bin/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe \
	--no-header --no-emit-index-url --no-emit-find-links

## Regenerate the hashed locks after editing a requirements*.txt file.
lock:
	test -x $(LOCK_VENV)/bin/pip-compile || { $(PYTHON) -m venv $(LOCK_VENV) && $(LOCK_VENV)/bin/pip install --quiet pip-tools==7.6.2; }
	$(PIP_COMPILE) -o requirements-dev.lock requirements-dev.txt
	$(PIP_COMPILE) -o requirements-infra.lock requirements-infra.txt
	$(PIP_COMPILE) -o bench/requirements.lock bench/requirements.txt
