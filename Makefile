# pantau: `make demo` and `make test` are all a fresh machine needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test lint reliability bench clean docs chromium ocds-merge-cases

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

test: $(STAMP) lint chromium ocds-merge-cases
	$(BIN)/pytest -q -m "not slow"

# OCP's merge conformance cases ship in the ocdsmerge sdist (the version pyproject pins), not in
# the wheel and not in this repository: fetched once into var/ (git-ignored) and unpacked for
# tests/test_ocds_merge_conformance.py.
OCDSMERGE_VERSION := $(shell sed -n 's/.*"ocdsmerge==\([0-9.]*\)".*/\1/p' pyproject.toml)
OCDS_MERGE := var/ocds-merge
OCDS_MERGE_CASES := $(OCDS_MERGE)/ocdsmerge-$(OCDSMERGE_VERSION)/tests/fixtures/1.1

ocds-merge-cases: $(OCDS_MERGE_CASES)

$(OCDS_MERGE_CASES): | $(STAMP)
	$(BIN)/pip download --quiet --no-deps --no-binary :all: --dest $(OCDS_MERGE) \
	  ocdsmerge==$(OCDSMERGE_VERSION)
	tar -xzf $(OCDS_MERGE)/ocdsmerge-$(OCDSMERGE_VERSION).tar.gz -C $(OCDS_MERGE) \
	  ocdsmerge-$(OCDSMERGE_VERSION)/tests/fixtures/1.1

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

# docs/data-dictionary.md and docs/indicators.md are generated from the sql/ headers,
# docs/configuration.md from the config's models (flows/config.py); a test checks each.
docs: $(STAMP)
	$(BIN)/pantau sql --describe --format markdown --out docs/data-dictionary.md
	$(BIN)/pantau explain --format markdown --out docs/indicators.md
	$(BIN)/python -c 'import pathlib, pantau.flows.config as c; \
	  pathlib.Path("docs/configuration.md").write_text(c.configuration_markdown(), encoding="utf-8")'

# The full reliability suite: 20% faults, ten SIGKILLs, the malformed corpus; prints the tally.
reliability: $(STAMP)
	RELIABILITY_FULL=1 $(BIN)/pytest -q tests/test_reliability.py

# Benchmarks (issue 8): 10k and 100k processes, crawl, orchestration; writes bench/RESULTS.md.
# The national scale: BENCH_ARGS="--scales 1M --skip crawl,orchestration"
# (~5 GB of rendered answers in bench/out, ~15 min on 2 cores; RESULTS.md keeps every scale).
bench: $(STAMP)
	PYTHONPATH=. $(BIN)/python -m bench.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .prefect var .pytest_cache .ruff_cache
