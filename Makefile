# Commons: `make run` serves the demo, `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# `make run` is a local demo: DEBUG on and an explicit development key.
DEV_ENV := DEBUG=1 SECRET_KEY=$${SECRET_KEY:-dev-only-insecure-key-for-make-run} SITE_URL=$${SITE_URL:-http://$(HOST):$(PORT)}

.PHONY: install install-production run test lint format bench lock messages clean

# Development and CI: the runtime lock and the tools (tests, lint, browser).
$(VENV)/.installed: requirements.txt requirements-dev.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes \
		-r requirements.txt -r requirements-dev.txt
	@touch $@

install: $(VENV)/.installed

# Production nodes: the runtime lock only, every file checked against its hash.
install-production:
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes \
		-r requirements.txt

run: install
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEV_ENV) $(BIN)/python manage.py seed_demo --if-empty
	@echo ""
	@echo "  Commons demo: http://$(HOST):$(PORT)/"
	@echo "  Demo logins (password: commons-demo):"
	@echo "    alice (founder)  bob (treasurer)  carol (steward)  ada (auditor)"
	@echo "    dave, erin, frank (members)"
	@echo ""
	$(DEV_ENV) exec $(BIN)/python -m config.serve -b $(HOST) -p $(PORT) config.asgi:application

test: install
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	DJANGO_SETTINGS_MODULE=config.test_settings $(BIN)/python manage.py makemigrations --check --dry-run

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install
	$(BIN)/python benchmarks/run_all.py

# Regenerate both locks (pinned, with hashes) from requirements.in and
# requirements-dev.in; add --upgrade to PIP_COMPILE_ARGS to take newer releases.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet pip-tools
	.lock-venv/bin/pip-compile --quiet --generate-hashes --strip-extras $(PIP_COMPILE_ARGS) \
		--output-file requirements.txt requirements.in
	.lock-venv/bin/pip-compile --quiet --generate-hashes --strip-extras $(PIP_COMPILE_ARGS) \
		--output-file requirements-dev.txt requirements-dev.in
	rm -rf .lock-venv

messages: install
	DJANGO_SETTINGS_MODULE=config.test_settings $(BIN)/python manage.py makemessages -l fr --ignore=.venv --ignore=tests --ignore=benchmarks
	DJANGO_SETTINGS_MODULE=config.test_settings $(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
