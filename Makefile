# Two commands do everything: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000

.PHONY: run test install install-dev translations wheel clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .
	$(MAKE) --no-print-directory translations

install-dev: $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	$(MAKE) --no-print-directory translations

# The editable install compiles the catalogue too (hatch_build.py); run this after editing a .po.
translations:
	$(BIN)/pybabel compile --use-fuzzy -d lms_risk/translations

# dist/lms_risk-<version>-py3-none-any.whl: templates, static files, compiled catalogues and
# migrations included (hatch_build.py).
wheel: $(BIN)/python
	$(BIN)/pip wheel . --no-deps -w dist

run: install
	$(BIN)/lms-risk db upgrade
	PORT=$(PORT) $(BIN)/lms-risk demo-data --if-empty
	$(BIN)/lms-risk run --host 127.0.0.1 --port $(PORT)

test: install-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache build dist
