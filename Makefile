# The two commands a new user needs: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
STAMP := $(VENV)/.installed-stamp
# `make run PORT=8600` serves the app on another port (else LIAISON_PORT, else 8501).
PORT ?=

.PHONY: run test lint bench setup test-tools browser lock clean-venv

$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || \
		{ echo "Liaison needs Python 3.11 (set PYTHON=python3.11)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet "uv==$(UV_VERSION)"
	$(BIN)/uv pip install --quiet --python $(BIN)/python --require-hashes -r requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $(STAMP)

setup: $(STAMP)

# Debian's Chromium and ChromeDriver for the end-to-end browser tests, and libfaketime,
# with which CI runs the suite again at other instants.
TEST_PACKAGES := chromium chromium-driver faketime
test-tools:
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ] || [ ! -x /usr/bin/faketime ]; then \
		echo "installing Debian's $(TEST_PACKAGES) for the tests"; \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(TEST_PACKAGES) >/dev/null; \
	fi
browser: test-tools

run: setup
	$(BIN)/crm db upgrade
	$(BIN)/crm users ensure-admin
	$(BIN)/crm demo seed --if-empty
	$(BIN)/crm start $(if $(PORT),--port $(PORT))

# Two workers, one test file each at a time: most of a test's time is waiting on a
# database, a server or a browser, so two share the 2-core machine well.
# `make test PYTEST_WORKERS=0` runs the suite in one process.
PYTEST_WORKERS ?= 2
test: setup test-tools lint
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile

# The style holds by itself: `$(BIN)/ruff format .` fixes what the second check finds.
lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Benchmarks on SQLite and, when the local PostgreSQL answers, on PostgreSQL too.
BENCH_POSTGRES ?= postgresql://postgres@127.0.0.1:5432/test
bench: setup
	@set -e; \
	if [ -z "$$LIAISON_BENCH_POSTGRES_URL" ] && pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then \
		export LIAISON_BENCH_POSTGRES_URL="$(BENCH_POSTGRES)"; fi; \
	for script in bench/bench_*.py; do $(BIN)/python $$script; done

# Re-resolve the locked versions after changing pyproject.toml.
lock:
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes --quiet -o requirements.lock

clean-venv:
	rm -rf $(VENV)
