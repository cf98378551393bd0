# Partnerbot: `make run` starts the server, `make test` runs ruff and the whole test suite.
# Both set up what they need on a fresh machine and skip what is already there.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
RUN_STAMP  := $(VENV)/.run-installed
DEV_STAMP  := $(VENV)/.dev-installed
PIP := $(PY) -m pip install -q --disable-pip-version-check

.PHONY: run test lint bench chromium setup clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(RUN_STAMP): requirements.txt | $(PY)
	$(PIP) -r requirements.txt
	touch $@

$(DEV_STAMP): requirements.txt requirements-dev.txt | $(PY)
	$(PIP) -r requirements-dev.txt
	touch $(RUN_STAMP) $@

setup: $(DEV_STAMP) chromium

run: $(RUN_STAMP)
	$(PY) app.py serve

# Debian's Chromium drives the real-browser test (Playwright's own download does not work here).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get install -y -q chromium >/dev/null 2>&1 || \
	  { $$SUDO apt-get update -q >/dev/null && $$SUDO apt-get install -y -q chromium >/dev/null; }; }

lint: $(DEV_STAMP)
	$(VENV)/bin/ruff check .

test: $(DEV_STAMP) chromium
	$(VENV)/bin/ruff check .
	$(PY) -m pytest -q

bench: $(DEV_STAMP)
	$(PY) -m bench

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
