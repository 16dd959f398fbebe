# Reliability: the full soak (200 tasks, faults on ~10 % of requests, a SIGKILL restart of the
# simulator) and the long SIGKILL/resume runs of the CLI. Exits non-zero on any broken guarantee;
# the soak's last line is its one-line summary. The CI versions run in `make test`.
SOAK_TASKS ?= 200
SOAK_ARGS ?=

soak: $(STAMP)/python  ## full reliability soak + long CLI kill/resume runs (RELIABILITY.md)
	mkdir -p reports
	SELLERPIC_RELIABILITY_LONG=1 $(BIN)/pytest tests/reliability -q -p no:cacheprovider \
		-s -k "sigkill or slow_clients" --junitxml=reports/reliability-junit.xml
	$(PY) -m tests.reliability.soak --tasks $(SOAK_TASKS) --report reports/soak.json $(SOAK_ARGS)
