# The two commands: `make demo` and `make test`. Both create .venv when missing.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PYTEST_ARGS ?=

.PHONY: demo test install lint-imports clean

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

test: install lint-imports
	$(PY) -m pytest $(PYTEST_ARGS)

# DJANGO_DEMO=1: a fixed development secret key (demo only); data in var/monolith.sqlite3.
demo: export DJANGO_DEMO = 1
demo: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed --size small
	@echo "Reelbox monolith: http://127.0.0.1:8000/browse/  (API: /api/catalog/titles/, admin: /admin/)"
	$(VENV)/bin/uvicorn monolith.asgi:application --host 127.0.0.1 --port 8000

clean:
	rm -rf $(VENV) .pytest_cache
