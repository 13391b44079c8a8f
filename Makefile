# The two commands of the README:
#   make run   — set up everything and run the portal with demo data (web, Celery worker, beat)
#   make test  — set up everything and run the whole test suite
# Both create .venv with the Python found on the PATH (3.11 or newer) and install the pinned
# requirements. DATABASE_URL and REDIS_URL switch from the embedded defaults (SQLite and a
# filesystem broker) to PostgreSQL and Redis.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test install clean

$(STAMP): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	@$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	@bin/run

test: $(STAMP)
	@bin/test $(ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache
