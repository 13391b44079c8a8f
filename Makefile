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

.PHONY: run test install clean messages

$(STAMP): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	@$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $(STAMP)

install: $(STAMP) messages

# The compiled translations are committed (a fresh machine may lack GNU gettext); where
# msgfmt is installed, a .po edited or checked out after its .mo is compiled again.
MO := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/django.po))
messages: $(MO)

locale/%/LC_MESSAGES/django.mo: locale/%/LC_MESSAGES/django.po $(STAMP)
	@if command -v msgfmt >/dev/null 2>&1; then $(PY) manage.py compilemessages -l $* --ignore=$(VENV) >/dev/null; \
	else echo "msgfmt not found: using the committed $@"; fi
	@touch $@

run: $(STAMP) messages
	@bin/run

test: $(STAMP) messages
	@bin/test $(ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache
