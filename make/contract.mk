# Prism mock and contract tests (contract_tests/README.md).
PRISM_HOST ?= 127.0.0.1
PRISM_PORT ?= 4010
# node directly (not npx) so the process that listens is the one make started and stops.
PRISM := node --max-http-header-size=262144 mock/node_modules/@stoplight/prism-cli/dist/index.js

mock: $(STAMP)/prism  ## serve the spec's static examples on 127.0.0.1:4010 (Prism, --errors)
	$(PRISM) mock $(SPEC) -h $(PRISM_HOST) -p $(PRISM_PORT) --errors

mock-dynamic: $(STAMP)/prism  ## like mock, with generated data instead of examples (-d)
	$(PRISM) mock $(SPEC) -h $(PRISM_HOST) -p $(PRISM_PORT) --errors -d

# The suite starts its own Prism on a free port and stops it; CONTRACT_BASE_URL points it elsewhere.
contract: $(STAMP)/python $(STAMP)/prism  ## contract tests against Prism (or CONTRACT_BASE_URL)
	mkdir -p reports
	$(BIN)/pytest contract_tests -q -p no:cacheprovider --junitxml=reports/contract-junit.xml

# The same suite against the stateful simulator, started by the suite: zero 5xx and zero schema
# violations over at least 2,000 generated cases (issue: simulator proof).
CONTRACT_SIMULATOR_EXAMPLES ?= 62
CONTRACT_SIMULATOR_MIN_CASES ?= 2000
contract-simulator: $(STAMP)/python  ## contract tests against the offline simulator (>= 2,000 cases)
	mkdir -p reports
	$(BIN)/pytest contract_tests -q -p no:cacheprovider --contract-target=simulator \
		--contract-max-examples=$(CONTRACT_SIMULATOR_EXAMPLES) \
		--contract-min-cases=$(CONTRACT_SIMULATOR_MIN_CASES) \
		--junitxml=reports/contract-simulator-junit.xml

# The suite against a real deployment, spending nothing: against a host that is not a loopback
# literal, the spend guard (contract_tests/spend_guard.py) keeps the account's key from every
# create and upload unless CONTRACT_ALLOW_SPEND=N, then at most N credits (checked on /usage).
.PHONY: contract-live
contract-live: $(STAMP)/python  ## contract tests against CONTRACT_BASE_URL, no credits spent (CONTRACT_ALLOW_SPEND=N)
	@test -n "$${CONTRACT_BASE_URL:-}" && test -n "$${CONTRACT_API_KEY:-}" || { \
		echo "contract-live: set CONTRACT_BASE_URL and CONTRACT_API_KEY" >&2; exit 2; }
	mkdir -p reports
	$(BIN)/pytest contract_tests -q -p no:cacheprovider --contract-target=server \
		--junitxml=reports/contract-live-junit.xml
