# coopsite: the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/pip --disable-pip-version-check --quiet
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

# Every install is pinned by requirements.lock (all extras, every platform) and
# takes wheels only: a package without a wheel fails at once rather than
# compiling. `make lock` updates the lock after pyproject.toml changed.
# Modules are compiled to bytecode when first imported, and kept (below), not
# all at install: a test run imports a fraction of what is installed, and
# pip compiling every module took about half of a fresh install's time.
LOCK := requirements.lock
INSTALL := $(PIP) install --no-compile --only-binary=:all: -c $(LOCK)
UV_COMPILE := $(BIN)/uv pip compile pyproject.toml --all-extras --universal \
	--python-version 3.13 --only-binary :all: --no-annotate --quiet \
	--custom-compile-command "make lock"

# Python keeps its compiled modules (pytest's rewritten test modules among
# them) even where the environment asks it not to: without them every test
# process and every server the tests start compiles them again, seconds each.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: help install install-test install-browser run test test-browser lint format lock lock-upgrade lock-check check-deploy bench-mentions bench-import bench-faults bench-pictures bench-pages bench-http clean

help:
	@echo "make run    set up .venv, migrate SQLite, load demo content, serve on $(HOST):$(PORT) (make run PORT=8001)"
	@echo "make test   install test dependencies and run the whole suite"
	@echo "make test-browser   the browser suite: journeys, axe-core, the Nu HTML checker"
	@echo "make lint   the pre-commit hooks on every file, type checks, import contracts"
	@echo "make format ruff's fixes and formatting"
	@echo "make lock   pin a dependency added to pyproject.toml;  make lock-upgrade  newest versions"
	@echo "make lock-check    fail if requirements.lock is not what pyproject.toml resolves to"
	@echo "make check-deploy  Django's deploy check under the production settings (your environment's, else examples)"
	@echo "make bench-mentions   mention detection against 1k/10k/100k names, beside a regex"
	@echo "make bench-import     import 30,000 SIPRI deals on SQLite and PostgreSQL, beside plain CSV parsing"
	@echo "make bench-faults     wrk against gunicorn while PostgreSQL restarts: errors by second, recovery time"
	@echo "make bench-pictures   a 24 MP upload beside a bare decode; an article page with pictures beside one without"
	@echo "make bench-pages      every page type with the full datasets at 1,000 and 100,000 articles (PostgreSQL)"
	@echo "make bench-http       wrk against gunicorn (2 workers): req/s per page, uncached and cached, beside a bare view"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 13))' || { \
	  echo "coopsite needs Python 3.13 (.python-version); $(PYTHON) is $$($(PYTHON) --version 2>&1)." >&2; \
	  echo "Name one that is: make run PYTHON=python3.13" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed-run: pyproject.toml $(LOCK) | $(BIN)/python
	$(INSTALL) -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml $(LOCK) | $(BIN)/python
	$(INSTALL) -e '.[test]'
	@touch $@ $(VENV)/.installed-run

$(VENV)/.installed-browser: pyproject.toml $(LOCK) | $(BIN)/python
	$(INSTALL) -e '.[test,browser]'
	@touch $@ $(VENV)/.installed-test $(VENV)/.installed-run

$(VENV)/.installed-dev: pyproject.toml $(LOCK) | $(BIN)/python
	$(INSTALL) -e '.[test,dev]'
	@touch $@ $(VENV)/.installed-test $(VENV)/.installed-run

node_modules/.installed: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	@touch $@

install: $(VENV)/.installed-run

install-test: $(VENV)/.installed-test

install-browser: $(VENV)/.installed-browser node_modules/.installed

run: install
	$(MANAGE) migrate --noinput
	$(MANAGE) setup_roles
	$(MANAGE) load_demo
	$(MANAGE) build_snapshot
	$(MANAGE) ensure_local_admin
	@echo "Serving coopsite on http://$(HOST):$(PORT)/ (admin at http://$(HOST):$(PORT)/admin/)"
	$(MANAGE) runserver $(HOST):$(PORT)

# One worker per core, a module's tests on one worker (so content shared by a
# module is made once); the SQLite test database is kept between runs until a
# migration changes (tests/conftest.py).
test: install-test
	$(BIN)/python -m pytest --reuse-db -n auto --dist loadfile

# Needs Chromium (apt-get install -y chromium) and Java; .ci/run installs them.
# One worker per core, each with its own database, live server and Chromium.
test-browser: install-browser
	$(BIN)/python -m pytest -m browser -n auto --dist loadfile tests/browser

# The pre-commit hooks on every file: ruff, ruff format, djLint, migrations,
# mypy, the import contracts (.pre-commit-config.yaml). Fails on any change.
lint: install-test
	$(BIN)/pre-commit run --all-files --show-diff-on-failure

# Re-resolve after pyproject.toml changed, keeping every other pin.
lock: $(VENV)/.installed-dev
	$(UV_COMPILE) -o $(LOCK)

# Move every pin to the newest version pyproject.toml allows.
lock-upgrade: $(VENV)/.installed-dev
	$(UV_COMPILE) --upgrade -o $(LOCK)

# Fails when pyproject.toml asks for something the lock does not pin.
lock-check: $(VENV)/.installed-dev
	@tmp=$$(mktemp) && cp $(LOCK) $$tmp && $(UV_COMPILE) -o $$tmp && \
	  if diff -u $(LOCK) $$tmp; then rm $$tmp; else rm $$tmp; \
	    echo "$(LOCK) is out of date with pyproject.toml: run make lock" >&2; exit 1; fi

format: install-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench-pictures: install-test
	$(BIN)/python bench/pictures.py

bench-mentions: install
	$(BIN)/python bench/mentions.py

# Starts a throwaway PostgreSQL server on loopback (installs it if missing, as root).
bench-import: install
	scripts/with-postgres $(BIN)/python bench/imports.py

# gunicorn on loopback (production settings) under wrk while PostgreSQL
# restarts; installs wrk if missing (as root).
bench-faults: install
	@command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
	scripts/with-postgres $(BIN)/python bench/faults.py

# The full datasets and 100,000 articles, generated in bulk on a throwaway
# PostgreSQL server; every page type measured through the test client.
bench-pages: install
	scripts/with-postgres $(BIN)/python bench/pages.py

# gunicorn (production settings) on loopback against throwaway PostgreSQL
# and Redis servers, wrk 5 s per page and mode in 3 interleaved rounds;
# installs wrk if missing (as root).
bench-http: install
	@command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
	scripts/with-postgres scripts/with-redis $(BIN)/python bench/throughput.py

# Django's deploy check under the production settings: the operator's own
# environment where it sets them (run it on a server before starting), an
# example of each where it does not (as CI runs it).
check-deploy: install
	DJANGO_SETTINGS_MODULE=coopsite.settings.production \
	DATABASE_URL="$${DATABASE_URL:-postgres://coopsite@127.0.0.1:5432/coopsite}" \
	DJANGO_SECRET_KEY="$${DJANGO_SECRET_KEY:-$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')}" \
	DJANGO_ALLOWED_HOSTS="$${DJANGO_ALLOWED_HOSTS:-coopsite.example.org}" \
	CACHE_URL="$${CACHE_URL:-redis://127.0.0.1:6379/0}" \
	$(MANAGE) check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) *.egg-info staticfiles .pytest_cache node_modules
