# The simulator's control API (/_sellerpic/) has its own OpenAPI document, linted like the main
# spec; `make lint-spec` runs this too.
CONTROL_SPEC := mock/sellerpic_mock/control/openapi.yaml

.PHONY: lint-control-spec

lint-control-spec: $(STAMP)/python $(STAMP)/npm  ## Spectral, Redocly and openapi-spec-validator on the control API document
	npx --no-install spectral lint --fail-severity=error $(CONTROL_SPEC)
	npx --no-install redocly lint --format=stylish control
	$(BIN)/openapi-spec-validator $(CONTROL_SPEC)
