# Penataan: `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .venv
UV := $(VENV)/bin/uv
PY := $(VENV)/bin/python
PENATAAN := $(VENV)/bin/penataan
DATA ?= data/mataram
SEED ?= 7
PRESET ?= mataram
export MLFLOW_TRACKING_URI ?= sqlite:///$(CURDIR)/mlflow.db
export PENATAAN_API_KEYS_FILE ?= $(CURDIR)/api-keys.json
export PENATAAN_AUDIT_DB ?= $(CURDIR)/audit.db
export PENATAAN_DECISIONS_DB ?= $(CURDIR)/decisions.db

.PHONY: help install demo test test-fast lint typecheck unit bench clean browser

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(UV):
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check "uv==0.13.8"

install: $(UV) ## create .venv with the locked dependencies (uv.lock)
	$(UV) sync --locked --quiet --compile-bytecode

demo: install ## install; generate, validate, train, score, plan the default world; serve the API
	$(PENATAAN) generate --preset $(PRESET) --seed $(SEED) --out $(DATA)
	$(PENATAAN) validate $(DATA)
	$(PENATAAN) train --data $(DATA)
	$(PENATAAN) score --data $(DATA) --out $(DATA)-scores.csv
	@echo "The first suggested moves (every employee's ranked units: $(DATA)-scores.csv):"
	@awk -F, 'NR == 1 || $$11 == "True"' $(DATA)-scores.csv | head -6
	$(PENATAAN) plan --data $(DATA) --out $(DATA)-round
	@echo "The proposed round: $(DATA)-round/report.html"
	scripts/serve-demo.sh $(DATA)

lint: install ## ruff
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: install ## mypy (strict on serving/)
	$(VENV)/bin/mypy

unit: install ## the test suite only
	$(VENV)/bin/pytest -q -n auto

test: lint typecheck unit ## install, then ruff, mypy and the whole test suite

browser: ## install Debian's Chromium for the browser tests (they skip, saying so, without it)
	@command -v chromium >/dev/null || { command -v apt-get >/dev/null && \
		$$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get install -y -qq chromium >/dev/null; } || \
		echo "Chromium could not be installed: the browser tests will skip"

test-fast: lint typecheck ## the same without the slow process-level tests (a real server, the notebook)
	$(VENV)/bin/pytest -q -n auto -m "not slow"

bench: install ## every benchmark under bench/ but score_against.py, which needs a commit (slow: hours)
	$(PY) bench/feature_build.py
	$(PY) bench/train.py
	$(PY) bench/trees.py
	$(PY) bench/serve.py
	$(PY) bench/pages.py
	$(PY) bench/plan.py
	$(PY) bench/load.py
	$(PY) bench/decisions.py
	$(PY) bench/loop.py
	$(PY) bench/worlds.py --seeds 101-112
	$(PY) bench/worlds.py --seeds 201-212
	$(PY) bench/predikat.py --seeds 201-206
	$(PY) bench/siasn.py
	$(PY) bench/damaged.py
	$(PY) bench/garbled.py
	$(PY) bench/scale.py

clean: ## remove generated data, runs and the venv
	rm -rf $(VENV) data mlruns mlflow.db audit.db decisions.db api-keys.json api-keys.json.lock .mypy_cache .pytest_cache .ruff_cache
