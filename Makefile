# Two entry points for a fresh machine (see README "Quickstart").
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PLUGINS := credential_engine etranscript military_jst red_cross apprenticeship open_badges
PLUGIN_PATHS := $(foreach p,$(PLUGINS),$(if $(wildcard plugins/$(p)/pyproject.toml),-e plugins/$(p)))

.PHONY: install install-test demo test lint bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# editable installs: code changes need no reinstall, only a changed pyproject.toml (dependencies,
# entry points) does, so each install is remembered in a stamp file next to the venv's python
PYPROJECTS := pyproject.toml $(wildcard plugins/*/pyproject.toml)
# setuptools warns about every editable install of a flat layout, a screenful per plugin
PIP := PYTHONWARNINGS="ignore:Editable installation" $(BIN)/pip

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

$(VENV)/.installed: $(BIN)/python $(PYPROJECTS)
	$(PIP) install -q -e ".[service,postgres]" $(PLUGIN_PATHS)
	touch $@

$(VENV)/.installed-test: $(BIN)/python $(PYPROJECTS)
	$(PIP) install -q -e ".[service,postgres,test]" $(PLUGIN_PATHS)
	touch $@ $(VENV)/.installed

## the main job: import every plugin's bundled samples into ~/.passport-hub/hub.db and show them
demo: install
	$(BIN)/passport-hub demo

## the whole test suite on SQLite, then the database tests again on PostgreSQL when
## PASSPORT_HUB_TEST_DATABASE_URL is set (.ci/run sets it)
test: install-test
	$(BIN)/ruff check .
	env -u PASSPORT_HUB_TEST_DATABASE_URL $(BIN)/pytest -q
	@if [ -n "$$PASSPORT_HUB_TEST_DATABASE_URL" ]; then \
		echo "== again on $$PASSPORT_HUB_TEST_DATABASE_URL"; \
		$(BIN)/pytest -q -m database; \
	fi

bench: install-test
	$(BIN)/python bench/startup.py
	$(BIN)/python bench/ingest.py
