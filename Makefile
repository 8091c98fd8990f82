# 智能工厂申报助手 — `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PYPROJECT_SHA := $(shell cat pyproject.toml | sha1sum | cut -c1-12)
STAMP := $(VENV)/.installed-$(PYPROJECT_SHA)
STAMP_ST := $(VENV)/.installed-st-$(PYPROJECT_SHA)
HOST ?= 127.0.0.1
PORT ?= 8000
# Let Python cache compiled modules (some machines turn it off): every test run otherwise
# recompiles Gradio, langchain and the rest, ~10 s of each `make test-fast`.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: help install install-st run index test test-fast lint format eval clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-11s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	@rm -f $(VENV)/.installed-* && touch $@

# The `st` extra: sentence-transformers and torch, for ASSISTANT_EMBEDDING_MODEL=<local model folder>.
$(STAMP_ST): $(STAMP)
	# torch first and pinned: the CPU build is served locally; unpinned it pulls GPU wheels.
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e ".[test,st]"
	@rm -f $(VENV)/.installed-st-* && touch $@

install: $(STAMP) ## create .venv and install the project with its test tools (no torch)

install-st: $(STAMP_ST) ## install, plus sentence-transformers and torch for a local model folder

index: install ## build or refresh the retrieval index under data/
	$(BIN)/assistant index

run: index ## fresh machine → index → API and web page on http://127.0.0.1:8000 (HOST=, PORT= to change)
	$(BIN)/assistant serve --host $(HOST) --port $(PORT)

lint: install ## ruff lint + format check, mypy on assistant/, import contracts (import-linter)
	$(BIN)/ruff check assistant tests evals benchmarks
	$(BIN)/ruff format --check assistant tests evals benchmarks
	$(BIN)/mypy assistant
	$(BIN)/lint-imports

format: install ## apply ruff fixes and formatting
	$(BIN)/ruff check --fix assistant tests evals benchmarks
	$(BIN)/ruff format assistant tests evals benchmarks

# CI runs this: with the `st` extra, so the sentence-transformers path is tested too.
test: lint install-st ## lint, then the whole test suite (fails when no test is collected)
	$(BIN)/pytest

# No browser (tests/e2e), no server processes (tests/system, tests marked `servers`). Tests of
# the `st` extra skip, saying so, when it is not installed.
test-fast: install ## every test that needs no browser and no server (under 2 min on 2 cores)
	$(BIN)/pytest --ignore=tests/e2e --ignore=tests/system -m "not servers"

eval: index ## retrieval, checker and answer evals; reports under data/eval/
	$(BIN)/assistant eval all

clean: ## remove the index and eval reports (keeps .venv)
	rm -rf data/chroma data/index_manifest.json data/eval
