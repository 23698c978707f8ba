# Dudao — the two commands of the quick start are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export DUDAO_PORT ?= 8000

.PHONY: run test lint bench bundle venv venv-dev demo worker serve clean-venv

# Runtime environment (what a server needs), installed with uv when it can be had.
$(VENV)/.runtime: pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --disable-pip-version-check uv==0.13.9 >/dev/null 2>&1 || true
	@if [ -x $(BIN)/uv ]; then \
		$(BIN)/uv pip install -q --python $(BIN)/python -r requirements.lock -e . ; \
	else \
		$(BIN)/pip install -q -r requirements.lock -e . ; \
	fi
	@touch $@

# Development environment: runtime + test, lint and browser-test tools.
$(VENV)/.dev: $(VENV)/.runtime requirements-dev.lock
	@if [ -x $(BIN)/uv ]; then \
		$(BIN)/uv pip install -q --python $(BIN)/python -r requirements-dev.lock -e . ; \
	else \
		$(BIN)/pip install -q -r requirements-dev.lock -e . ; \
	fi
	@touch $@

venv: $(VENV)/.runtime
venv-dev: $(VENV)/.dev

# Serve the demo city on 127.0.0.1:$(DUDAO_PORT) with the job worker beside it.
# Plain HTTP on loopback, so cookies are not marked Secure here (production: behind TLS).
run: venv
	@$(BIN)/dudao migrate --noinput -v0
	@$(BIN)/dudao demo --if-empty
	@$(BIN)/dudao collectstatic --noinput -v0
	@echo "督导 Dudao 运行于 http://127.0.0.1:$(DUDAO_PORT)/  （Ctrl-C 停止）"
	@DUDAO_SECURE_COOKIES=$${DUDAO_SECURE_COOKIES:-0} bash -c '\
		$(BIN)/dudao worker --workers 1 & WORKER=$$!; \
		trap "kill $$WORKER 2>/dev/null" EXIT INT TERM; \
		$(BIN)/dudao serve'

# The whole suite, browser tests included (they skip loudly only when no Chromium exists), in
# two pytest runs, each ending with its summary line: the unit, view and access-matrix tests
# (dudao/) on TEST_WORKERS parallel workers (pytest-xdist; each worker has its own test database,
# and a test file stays on one worker so that its module-scoped world is built once), then the
# browser tests (live server) and the system tests (real server processes) on E2E_WORKERS
# workers, a file per worker (each worker has its own live server, database and ports; most of
# their time is spent waiting on a browser or a server, so two workers overlap that waiting).
# Both runs always happen; the exit status is the first failure's. `.ci/run` runs this on SQLite and
# on PostgreSQL; only the offline bundle test (SQLite run) and the production stack smoke test
# (PostgreSQL run) run in one of the two (README, Development).
TEST_WORKERS ?= auto
E2E_WORKERS ?= 2
test: venv-dev
	@status=0; \
	$(BIN)/pytest -q -n $(TEST_WORKERS) --dist loadfile dudao || status=$$?; \
	$(BIN)/pytest -q -n $(E2E_WORKERS) --dist loadfile tests_e2e tests_system || { [ $$status -ne 0 ] || status=$$?; }; \
	exit $$status

lint: venv-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/lint-imports
	DUDAO_DATA_DIR=$$(mktemp -d) $(BIN)/python manage.py check --fail-level WARNING
	DUDAO_DATA_DIR=$$(mktemp -d) $(BIN)/python manage.py makemigrations --check --dry-run

# The platform benchmarks (bench/run.py), then each module's suite (bench/suite_*.py, each
# writing bench/results/<suite>.md). `make bench SUITES=projects` runs one suite only;
# `make bench CRASH_RUNS=20` adds the SIGKILL-mid-write runs (bench/crash.py; off by default).
bench: venv-dev
	@status=0; \
	if [ -z "$(SUITES)" ]; then $(BIN)/python -m bench.run --crash-runs $(or $(CRASH_RUNS),0) || status=1; fi; \
	for f in bench/suite_*.py; do \
		name=$$(basename $$f .py); \
		if [ -n "$(SUITES)" ] && ! echo " $(SUITES) " | grep -q " $${name#suite_} "; then continue; fi; \
		echo "== $$name"; $(BIN)/python -m bench.$$name || status=1; \
	done; exit $$status

clean-venv:
	rm -rf $(VENV)

# The offline install bundle (docs/operations.md 离线安装): dist/dudao-offline-<version>.tar.gz
# with every wheel for CPython 3.11/3.12 on manylinux x86_64 and aarch64, checked complete.
# `make bundle BUNDLE_TARGETS=cp311-x86_64` builds one slice. Downloads cached in ~/.cache/dudao-bundle.
BUNDLE_TARGETS ?= cp311-x86_64,cp312-x86_64,cp311-aarch64,cp312-aarch64
bundle: venv
	$(BIN)/python tools/bundle.py --targets $(BUNDLE_TARGETS)
