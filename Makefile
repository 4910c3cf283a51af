# Every task runs in the project's own virtual environment, created on first use from the project's files.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install demo lint format typecheck test check record

help:
	@echo "make install    create .venv, install both distributions and the dev tools, run the offline demo"
	@echo "make check      lint, type check and the whole test suite (what .ci/run runs)"
	@echo "make test       the test suite only;  make lint / make typecheck / make format"
	@echo "make record     re-record the project's cassettes against the real Groq API (needs GROQ_API_KEY)"

$(STAMP): pyproject.toml plugins/groq/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]' -e plugins/groq
	touch $(STAMP)

install: $(STAMP) demo

demo: $(STAMP)
	$(BIN)/python examples/replay_demo.py

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

check: lint typecheck test

record: $(STAMP)
	@test -n "$$GROQ_API_KEY" || (echo "make record needs GROQ_API_KEY set to a real Groq API key" && exit 2)
	PYDANTIC_AI_RECORDING=1 $(BIN)/pytest tests/test_groq_cassettes.py --record-mode=rewrite
