# The two commands a newcomer runs: `make demo` and `make test`. Each does its own set-up.
PYTHON ?= python3
VENV   ?= .venv
PY      = $(VENV)/bin/python
STAMP   = $(VENV)/.installed

.PHONY: demo test deps venv lint unit clean docs

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	scripts/retry.sh 4 $(PY) -m pip install -q --disable-pip-version-check -e '.[test,serve]'
	touch $(STAMP)

venv: $(STAMP)

deps:
	scripts/install-debs.sh

demo: venv
	$(VENV)/bin/cos-installer --dry-run --machine demo

LINT_PATHS = $(wildcard cos_installer screens tests benchmarks iso)

lint: venv
	$(VENV)/bin/ruff check $(LINT_PATHS)
	$(VENV)/bin/ruff format --check $(LINT_PATHS)

unit: venv
	$(PY) -m pytest -q

test: deps venv lint unit

# the operator guides' pictures (docs/screens), drawn from the wizard's real canvases;
# tests/docs fails with "run make docs" when a screen no longer matches its picture
docs: venv
	nice -n 5 $(PY) -m tests.docs.render

clean:
	rm -rf $(VENV) build dist *.egg-info

include iso/iso.mk
