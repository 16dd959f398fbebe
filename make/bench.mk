# Benchmarks (bench/, BENCHMARKS.md). `make bench`: the full run, a few minutes, results in
# bench/results/latest.json. `make bench-smoke`: every benchmark with tiny sizes, seconds.
BENCH_OUT ?= bench/results/latest.json

.PHONY: bench-smoke

$(STAMP)/bench: pyproject.toml | $(STAMP)/python
	$(PY) -m pip install --quiet -e '.[dev,bench]'
	touch $@

bench: $(STAMP)/python $(STAMP)/prism $(STAMP)/bench  ## full benchmark run -> bench/results/latest.json
	$(PY) -m bench --out $(BENCH_OUT)

bench-smoke: $(STAMP)/python $(STAMP)/prism  ## every benchmark with tiny sizes (CI runs it via pytest)
	$(PY) -m bench --smoke --out $(STAMP)/bench-smoke.json
