# sellerpic-kit: every target CI and developers use. `make test` works on a fresh clone.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := .make
SPEC := openapi/sellerpic.yaml
export REDOCLY_TELEMETRY := off
export REDOCLY_SUPPRESS_UPDATE_NOTICE := true

.PHONY: help setup generate check-generated lint-spec lint spec-report docs test unit \
        mock mock-dynamic contract simulator demo bench soak

help:  ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 20

# --- setup (idempotent: each step reruns only when its inputs change) --------------------------
$(STAMP):
	mkdir -p $(STAMP)

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP)/python: pyproject.toml | $(PY) $(STAMP)
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

$(STAMP)/npm: package.json package-lock.json | $(STAMP)
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(STAMP)/prism: mock/package.json mock/package-lock.json | $(STAMP)
	cd mock && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The inspector's browser test drives Debian's Chromium; playwright's own browser download
# cannot run here.
$(STAMP)/browser: | $(STAMP)
	command -v chromium >/dev/null || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	touch $@

setup: $(STAMP)/python $(STAMP)/npm $(STAMP)/prism $(STAMP)/browser  ## create .venv, install the project and the pinned npm tools

# --- spec and generated client ---------------------------------------------------------------
generate: $(STAMP)/python  ## regenerate generated/sellerpic_client from the spec
	$(PY) tools/generate.py

check-generated: $(STAMP)/python  ## fail with a diff when generated/ is out of date
	$(PY) tools/generate.py --check

lint-spec: $(STAMP)/python $(STAMP)/npm lint-control-spec  ## Spectral, Redocly and openapi-spec-validator, zero errors (both documents)
	npx --no-install spectral lint --fail-severity=error $(SPEC)
	npx --no-install redocly lint --format=stylish $(SPEC)
	$(BIN)/openapi-spec-validator $(SPEC)

spec-report: $(STAMP)/python  ## operations and fields with their evidence
	$(PY) tools/spec_report.py

docs: $(STAMP)/npm  ## render the spec to docs/index.html
	npx --no-install redocly build-docs $(SPEC) --output docs/index.html

lint: $(STAMP)/python  ## ruff and mypy --strict on the hand-written code
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy src spec/sellerpic_spec mock/sellerpic_mock plugin/pytest_sellerpic tools

# --- run ------------------------------------------------------------------------------------
demo: $(STAMP)/python  ## try-on job against the offline simulator; results in demo-output/
	$(PY) tools/demo.py

SIMULATOR_ARGS ?= --port 8080
simulator: $(STAMP)/python  ## run the offline simulator (SIMULATOR_ARGS="--port 0 --ephemeral ...")
	$(BIN)/sellerpic-mock serve $(SIMULATOR_ARGS)

# --- tests -----------------------------------------------------------------------------------
test: setup check-generated lint-spec lint  ## everything CI checks
	$(BIN)/pytest -q --junitxml=reports/junit.xml
	$(MAKE) --no-print-directory contract-simulator

# Targets of each part live beside it in make/*.mk (contract tests, simulator, client, benchmarks).
-include make/*.mk
