# pantau: `make demo` and `make test` are all a fresh machine needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test lint reliability bench clean docs chromium

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/pantau demo

lint: $(STAMP)
	$(BIN)/ruff check .

test: $(STAMP) lint chromium
	$(BIN)/pytest -q -m "not slow"

# The report test renders the HTML in Debian's headless chromium, and the web tests drive it with
# Selenium through Debian's chromium-driver; install both once when apt is there (root, or
# passwordless sudo). Without them those tests skip and say why.
chromium:
	@{ command -v chromium && command -v chromedriver; } >/dev/null 2>&1 || { \
	  if command -v apt-get >/dev/null 2>&1; then \
	    SUDO=$$( [ "$$(id -u)" = 0 ] || echo "sudo -n" ); \
	    $$SUDO apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends \
	      chromium chromium-driver fonts-dejavu-core >/dev/null || \
	      echo "chromium: install failed, the report and browser tests will skip"; \
	  else echo "chromium: no apt-get here, the report rendering test will skip"; fi; }

# docs/data-dictionary.md is generated from the sql/views/*.sql headers (a test checks it).
docs: $(STAMP)
	$(BIN)/pantau sql --describe --format markdown --out docs/data-dictionary.md

# The full reliability suite: 20% faults, ten SIGKILLs, the malformed corpus; prints the tally.
reliability: $(STAMP)
	RELIABILITY_FULL=1 $(BIN)/pytest -q tests/test_reliability.py

# Benchmarks (issue 8): 10k and 100k processes, crawl, orchestration; writes bench/RESULTS.md.
# The national scale: BENCH_ARGS="--scales 1M --skip crawl,orchestration"
# (~5 GB of rendered answers in bench/out, ~30 min on 2 cores; RESULTS.md keeps every scale).
bench: $(STAMP)
	PYTHONPATH=. $(BIN)/python -m bench.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .prefect var .pytest_cache .ruff_cache
