# The README's commands.  `make run` serves the catalogue with the embedded SQLite database;
# `make test` runs the whole suite (set DATABASE_URL to run it against PostgreSQL).

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PORT   ?= 8000
N      ?= 100000

.PHONY: run test install checkers lint fixtures bench bench-install bench-inprocess clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

# The checkers the browser suite runs (axe-core, the Nu HTML Checker), pinned in
# package-lock.json.  Without npm the accessibility and HTML checks are skipped with a message
# (CI installs npm and Java, and fails instead of skipping).
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --no-audit --no-fund --ignore-scripts --loglevel=error && touch $@; \
	else \
		echo "npm not found: the accessibility and HTML checks will be skipped"; \
	fi

checkers: node_modules/.installed

run: install
	$(PY) manage.py migrate --no-input
	$(PY) manage.py loaddata fixtures/seed.json fixtures/demo.json
	$(PY) manage.py create_local_admin --port $(PORT)
	@echo "Serving on http://127.0.0.1:$(PORT)/ (Ctrl-C stops it)"
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

test: install checkers
	$(PY) manage.py check
	$(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

# Rebuild fixtures/demo.json from ../shared/corpus (needs the shared folder).
fixtures: install
	$(PY) scripts/seed_fixture.py
	$(PY) scripts/demo_fixture.py

# Load benchmark (docs/benchmark-load.md): gunicorn + wrk per page type, beside Datasette and
# the raw-SQL floor, on PostgreSQL ($$DATABASE_URL or archive_bench) and SQLite.
# `make bench N=1000000`; SQLITE=file for another SQLite file; BENCH_ARGS for more options
# (`.venv/bin/python scripts/bench_load.py --help`).
SQLITE     ?=
BENCH_ARGS ?=
bench: bench-install
	$(PY) scripts/bench_load.py --documents $(N) $(if $(SQLITE),--sqlite $(SQLITE)) $(BENCH_ARGS)

# wrk from Debian's packages when missing (as .ci/run installs Chromium), Datasette (the
# `bench` extra).
bench-install: $(VENV)/.bench-installed
	@command -v wrk >/dev/null 2>&1 || { echo "== installing wrk from Debian's packages"; \
		DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }

$(VENV)/.bench-installed: $(VENV)/.installed
	$(PY) -m pip install --quiet -e ".[dev,bench]"
	touch $@

# The in-process page-time benchmark (Django's test client, no server): docs/performance.md.
bench-inprocess: install
	$(PY) scripts/bench.py --documents $(N)

# Backups (docs/reliability.md#backup-and-restore) of the database in $$DATABASE_URL, into
# backups/ with a timestamped name: pg_dump on PostgreSQL, gzipped JSON on SQLite.
# `make restore FILE=backups/<file>` restores one into an empty database (FORCE=1 replaces
# what a non-empty one holds).
.PHONY: backup restore
FILE  ?=
FORCE ?=
backup: install
	$(PY) manage.py backup_catalogue

restore: install
	@test -n "$(FILE)" || { echo "usage: make restore FILE=backups/<file> [FORCE=1]"; exit 2; }
	$(PY) manage.py restore_catalogue "$(FILE)" $(if $(FORCE),--force)

# Load and concurrency under import (docs/reliability-load.md): 64 clients for 60 s against
# gunicorn on a copy of archive_bench (archive_soak, dropped afterwards), then the same while
# 10,000 documents are imported and drafts published in the admin. SOAK_ARGS="--duration 20".
.PHONY: soak
SOAK_ARGS ?=
soak: install
	$(PY) scripts/load_under_import.py $(SOAK_ARGS)

clean:
	rm -rf $(VENV) node_modules db.sqlite3 staticfiles .pytest_cache build
