# Two commands for a fresh machine: `make plan` (offline plan of the dev stack) and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cksum < requirements.txt | cut -d' ' -f1)
STACK  ?= dev

.PHONY: plan test lint format schema clean

$(STAMP): requirements.txt
	@echo "Setting up $(VENV): installing requirements.txt (first run only, about a minute)"
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --disable-pip-version-check --progress-bar on -r requirements.txt
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

plan: $(STAMP)   ## offline plan of a stack (STACK=dev|staging|prod)
	$(PY) -m offline plan --stack $(STACK)

test: $(STAMP)   ## the whole test suite
	$(PY) -m pytest

lint: $(STAMP)   ## ruff, pyright, JSON Schema and generated docs up to date, workflow schema and security (zizmor, offline)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/pyright
	$(PY) -m offline schema --check
	$(VENV)/bin/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml
	$(VENV)/bin/zizmor --offline --persona pedantic .github/workflows/

format: $(STAMP)
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

schema: $(STAMP)  ## regenerate schema/stack-config.schema.json
	$(PY) -m offline schema

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
