# Every task runs in the project's own virtual environment, created on first use from the project's files.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install demo lint format typecheck test check docs layout record bench bench-quick bench-quick-summary

help:
	@echo "make install    create .venv, install both distributions and the dev tools, run the offline demo"
	@echo "make demo       the offline demo: a recorded Groq answer replayed through GroqModel by pai (no key)"
	@echo "make check      lint, type check, the quick benchmark (one line), the docs build and the whole test suite (what .ci/run runs)"
	@echo "make test       the test suite only;  make lint / make typecheck / make format"
	@echo "make docs       build the documentation site into site/ (mkdocs build --strict; offline)"
	@echo "make layout     rewrite docs/layout.md from the source tree (a test fails when it is out of date)"
	@echo "make record     re-record the project's cassettes against the real Groq API (needs GROQ_API_KEY)"
	@echo "make bench      the full benchmark (a few minutes): writes bench/RESULTS.md, AGENT_RESULTS.md, PROFILE.md, RATELIMIT_RESULTS.md, DURABLE_RESULTS.md"
	@echo "make bench-quick  the benchmark at tiny sizes, report on stdout (part of make check; no thresholds)"

$(STAMP): pyproject.toml plugins/groq/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,cli]' -e plugins/groq
	@# A .venv made when pydantic-ai-groq shipped `pai`: upgrading that plugin deletes the script the core just wrote.
	@test -x $(BIN)/pai || $(BIN)/python -m pip install --quiet --no-deps --force-reinstall -e .
	touch $(STAMP)

install: $(STAMP) demo

# The offline demo: a recorded Groq answer replayed through the real GroqModel code path by the `pai` command
# (the core's command line, installed by the `cli` extra).
DEMO_CASSETTE := cassettes/test_groq_cassettes/test_streamed_text_is_assembled_from_chunks_with_usage_from_x_groq.yaml

demo: $(STAMP)
	$(BIN)/pai --replay $(DEMO_CASSETTE)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: $(STAMP)
	$(BIN)/mypy

test: $(STAMP)
	$(BIN)/pytest

# The site builds from the checkout alone: nothing is downloaded (mkdocs.yml enables no plugin that would). Not
# `--quiet`: it hides warnings from --strict too. The log is shown only when the build fails.
docs: $(STAMP)
	@NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict >.venv/mkdocs.log 2>&1 \
		&& echo "docs: site/ built (mkdocs build --strict, no warnings)" \
		|| (grep -v '^INFO' .venv/mkdocs.log; echo "docs build FAILED"; exit 1)

layout: $(STAMP)
	$(BIN)/python tests/docs/docs_layout.py --write

# The quick benchmark and the docs build run before the tests and print one line each, so the test summary is the
# last thing shown.
check: lint typecheck bench-quick-summary docs test

record: $(STAMP)
	@test -n "$$GROQ_API_KEY" || (echo "make record needs GROQ_API_KEY set to a real Groq API key" && exit 2)
	PYDANTIC_AI_RECORDING=1 $(BIN)/pytest tests/plugin_groq/test_groq_cassettes.py tests/plugin_groq/test_groq_today_cassettes.py \
		--record-mode=rewrite

bench: $(STAMP)
	$(BIN)/python -m bench.run
	$(BIN)/python -m bench.agent
	$(BIN)/python -m bench.profiling
	$(BIN)/python -m bench.ratelimit
	$(BIN)/python -m bench.durable

bench-quick: $(STAMP)
	$(BIN)/python -m bench.run --quick
	$(BIN)/python -m bench.ratelimit --quick
	$(BIN)/python -m bench.durable --quick

bench-quick-summary: $(STAMP)
	@$(BIN)/python -m bench.run --quick --output .venv/bench-quick.md 2>.venv/bench-quick.log \
		&& $(BIN)/python -m bench.ratelimit --quick --output .venv/bench-quick-w8.md 2>>.venv/bench-quick.log \
		&& $(BIN)/python -m bench.durable --quick --output .venv/bench-quick-w9.md >/dev/null 2>>.venv/bench-quick.log \
		&& echo "bench-quick: every workload ran and its results were checked (report: .venv/bench-quick.md, .venv/bench-quick-w8.md, .venv/bench-quick-w9.md)" \
		|| (cat .venv/bench-quick.log .venv/bench-quick.md .venv/bench-quick-w8.md .venv/bench-quick-w9.md 2>/dev/null; echo "bench-quick FAILED"; exit 1)
