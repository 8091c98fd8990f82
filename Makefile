# 智能工厂申报助手 — `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help install run index test lint format eval clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# torch first and pinned: the CPU build is served locally; unpinned it pulls GPU wheels.
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e ".[test]"
	@rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP) ## create .venv and install the project with its test tools

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

test: lint ## lint, then the whole test suite (fails when no test is collected)
	$(BIN)/pytest

eval: index ## retrieval, checker and answer evals; reports under data/eval/
	$(BIN)/assistant eval all

clean: ## remove the index and eval reports (keeps .venv)
	rm -rf data/chroma data/index_manifest.json data/eval
