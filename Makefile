# The two commands: `make demo` and `make test`. Both create .venv when missing.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PYTEST_ARGS ?= -n 2 --dist loadfile
DEMO_ARGS ?=

.PHONY: demo test install lint-imports typecheck clean

$(PY):
	$(PYTHON) -m venv $(VENV)

# Reinstall only when the project metadata changes.
$(STAMP): $(PY) pyproject.toml
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

lint-imports: install
	$(VENV)/bin/lint-imports

# The packages' type hints, checked with the [tool.mypy] settings in pyproject.toml.
typecheck: install
	$(VENV)/bin/mypy

# Two workers, one test file each at a time: files sharing a module-scoped server stay together.
test: install lint-imports typecheck
	$(PY) -m pytest $(PYTEST_ARGS)

# The whole stack on 127.0.0.1: monolith :8000, catalog service :8001, sync follower, proxy
# :8080 (admin :8081); data in var/. Ctrl-C stops it all. Options: DEMO_ARGS="--proxy-port 9080"
# (python -m strangler.demo --help).
demo: install
	$(PY) -m strangler.demo $(DEMO_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache
