# Gemba: `make run` serves the demo portal, `make test` runs every check. Both set themselves up.
PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
PYTEST_ARGS ?= -n 2

.DEFAULT_GOAL := help
.PHONY: help run test pytest lint migrate seed clean load screenshots bench bench-postgres messages

help:
	@echo "make run    set up .venv, migrate, load demo data, serve on http://127.0.0.1:$(PORT) with a task worker"
	@echo "make test   set up .venv, then ruff, migrations check and the whole pytest suite"
	@echo "make bench  seed (once) the enterprise data set into bench.sqlite3 and time SPEC §5 against its budgets"
	@echo "make bench SCALE=huge   the same with 4,000 teams on PostgreSQL ($(BENCH_HUGE_URL))"
	@echo "make bench-postgres   the same on PostgreSQL ($(BENCH_POSTGRES_URL))"
	@echo "make load   locust against gunicorn x4 on PostgreSQL and Redis, 60 s (LOAD_SECONDS=60 LOAD_USERS=20)"
	@echo "make messages   refresh locale/*/django.po from the code and compile them (needs GNU gettext)"
	@echo "make clean  remove .venv, the SQLite database and caches"

# The first Python >= 3.12 that actually runs: $PYTHON, then python3.14 … python3 on PATH.
$(PY):
	@found=""; tried=""; \
	for candidate in $${PYTHON:-} python3.14 python3.13 python3.12 python3; do \
	  version=$$($$candidate -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null) || continue; \
	  tried="$$tried $$candidate($$version)"; \
	  if $$candidate -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then found=$$candidate; break; fi; \
	done; \
	if [ -z "$$found" ]; then \
	  echo "Gemba needs Python 3.12 or newer. Found:$${tried:- no python3 on PATH}." >&2; \
	  echo "Install Python 3.12+ or point PYTHON at one: make run PYTHON=/path/to/python3.12" >&2; \
	  exit 1; \
	fi; \
	echo "Creating $(VENV) with $$found ($$($$found --version))"; \
	$$found -m venv $(VENV)

# Reinstall only when pyproject.toml changed since the last install.
$(INSTALLED): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

migrate: $(INSTALLED)
	$(PY) manage.py migrate --no-input

seed: migrate
	$(PY) manage.py seed_demo

# The web server and a task worker side by side; when one stops (Ctrl+C, or a crash), so does the
# other. pkill -P stops the server's autoreloaded child too.
run: seed
	@echo "Serving http://127.0.0.1:$(PORT)/ with a background worker beside it; Ctrl+C stops both."
	@bash -c '$(PY) manage.py worker & worker=$$!; \
	  $(PY) manage.py runserver 127.0.0.1:$(PORT) & server=$$!; \
	  trap "pkill -P $$server 2>/dev/null; kill $$worker $$server 2>/dev/null; wait" EXIT INT TERM; \
	  wait -n'

lint: $(INSTALLED)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

pytest: $(INSTALLED)
	$(VENV)/bin/pytest $(PYTEST_ARGS)

test: lint pytest

# The enterprise data set lives in a database of its own, reused by later runs (not part of make test).
BENCH_DATABASE_URL ?= sqlite:///bench.sqlite3
BENCH_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/gemba_bench
BENCH_ARGS ?=

# SCALE=huge measures the 4,000-team set, on PostgreSQL (BENCH_HUGE_URL) and Redis (BENCH_HUGE_CACHE_URL),
# as an organisation that size runs, unless DATABASE_URL or CACHE_URL say otherwise.
SCALE ?= enterprise
BENCH_HUGE_URL ?= postgres://postgres@127.0.0.1:5432/gemba_huge
BENCH_HUGE_CACHE_URL ?= rediscache://127.0.0.1:6379/3
BENCH_URL = $(if $(filter huge,$(SCALE)),$(BENCH_HUGE_URL),$(BENCH_DATABASE_URL))
BENCH_CACHE = $(if $(filter huge,$(SCALE)),CACHE_URL=$${CACHE_URL:-$(BENCH_HUGE_CACHE_URL)},)
bench: $(INSTALLED)
	$(PY) -m devtools.ensure_database $${DATABASE_URL:-$(BENCH_URL)}
	DATABASE_URL=$${DATABASE_URL:-$(BENCH_URL)} $(PY) manage.py migrate --no-input
	DATABASE_URL=$${DATABASE_URL:-$(BENCH_URL)} $(BENCH_CACHE) $(PY) manage.py bench --scale $(SCALE) $(BENCH_ARGS)

bench-postgres:
	$(MAKE) bench DATABASE_URL=$(BENCH_POSTGRES_URL)

# Regenerate docs/screenshots/ (the README's pictures) from the browser journeys.
screenshots: $(INSTALLED)
	GEMBA_SCREENSHOTS=1 $(VENV)/bin/pytest -m browser -n 2

LOAD_SECONDS ?= 60
LOAD_USERS ?= 20
LOAD_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/gemba_load
LOAD_CACHE_URL ?= rediscache://127.0.0.1:6379/2
load: $(INSTALLED)
	DJANGO_DEBUG=true DATABASE_URL=$(LOAD_DATABASE_URL) CACHE_URL=$(LOAD_CACHE_URL) \
	  $(PY) manage.py load --seconds $(LOAD_SECONDS) --users $(LOAD_USERS)


# The catalogs of every language but English (the source): new strings of the code go in, gone
# ones out; the compiled .mo files are committed, so running Gemba needs no gettext.
LANGS := $(shell ls locale 2>/dev/null)
messages: $(INSTALLED)
	$(PY) manage.py makemessages $(addprefix -l ,$(LANGS)) --add-location=file --no-obsolete \
	  --ignore=.venv --ignore=tests --ignore=docs --ignore=build --ignore=staticfiles
	$(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) .cache db.sqlite3 db.sqlite3-shm db.sqlite3-wal load.sqlite3* load-results.json bench.sqlite3* staticfiles .pytest_cache .ruff_cache .hypothesis *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
