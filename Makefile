# coopsite: the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/pip --disable-pip-version-check --quiet
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help install install-test install-browser run test test-browser lint format check-deploy bench-mentions bench-import clean

help:
	@echo "make run    set up .venv, migrate SQLite, load demo content, serve on $(HOST):$(PORT)"
	@echo "make test   install test dependencies and run the whole suite"
	@echo "make test-browser   the browser suite: journeys, axe-core, the Nu HTML checker"
	@echo "make lint   ruff check and format check;  make format  reformat"
	@echo "make bench-mentions   mention detection against 1k/10k/100k names, beside a regex"
	@echo "make bench-import     import 30,000 SIPRI deals on SQLite and PostgreSQL, beside plain CSV parsing"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(PIP) install -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(PIP) install -e '.[test]'
	@touch $@ $(VENV)/.installed-run

$(VENV)/.installed-browser: pyproject.toml | $(BIN)/python
	$(PIP) install -e '.[test,browser]'
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
	$(MANAGE) ensure_local_admin
	@echo "Serving coopsite on http://$(HOST):$(PORT)/ (admin at http://$(HOST):$(PORT)/admin/)"
	$(MANAGE) runserver $(HOST):$(PORT)

test: install-test
	$(BIN)/python -m pytest

# Needs Chromium (apt-get install -y chromium) and Java; .ci/run installs them.
test-browser: install-browser
	$(BIN)/python -m pytest -m browser tests/browser

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench-mentions: install
	$(BIN)/python bench/mentions.py

# Starts a throwaway PostgreSQL server on loopback (installs it if missing, as root).
bench-import: install
	scripts/with-postgres $(BIN)/python bench/imports.py

check-deploy: install
	DJANGO_SETTINGS_MODULE=coopsite.settings.production \
	DJANGO_SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
	DJANGO_ALLOWED_HOSTS=coopsite.example.org \
	$(MANAGE) check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) *.egg-info staticfiles .pytest_cache node_modules
