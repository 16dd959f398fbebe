# Change report and release gate (tools/api_diff.py, docs/VERSIONING.md) and recordings.
# BASE: the git ref to compare the working tree with; empty means the latest `v*` tag reachable
# from HEAD, else HEAD (a fresh clone without tags: no change, exit 0, under a second).
.PHONY: api-diff api-diff-ci verify-recordings
BASE ?=
API_DIFF_ARGS ?=

api-diff: $(STAMP)/python $(STAMP)/npm  ## change report + gate vs BASE (default: latest v* tag, else HEAD)
	@mkdir -p reports
	@$(PY) tools/api_diff.py $(if $(BASE),--base $(BASE)) --output reports/api-diff.md $(API_DIFF_ARGS)

# `make test` runs the gate: a breaking change without a version bump fails CI. It compares with
# the previous release (v* tag), else the merge base with main (a branch's own changes), else HEAD
# (a clone without tags, on main: no change, exit 0).
API_DIFF_MAIN ?= origin/main main
api-diff-ci: $(STAMP)/python $(STAMP)/npm
	@mkdir -p reports
	@$(PY) tools/api_diff.py $(foreach ref,$(API_DIFF_MAIN),--main $(ref)) \
		--output reports/api-diff.md > /dev/null
	@echo "api-diff: gate passed (report in reports/api-diff.md)"

test: api-diff-ci

# Recordings: SELLERPIC_RECORD=DIR (or record_dir=) makes the client write each exchange, redacted.
DIR ?=
verify-recordings: $(STAMP)/python  ## check recorded exchanges (DIR=...) against the spec, per operation
	@test -n "$(DIR)" || { echo "verify-recordings: set DIR to a SELLERPIC_RECORD folder" >&2; exit 2; }
	@$(PY) -m tools.verify_recordings "$(DIR)"
