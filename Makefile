# The README's commands.  `make run` serves the catalogue with the embedded SQLite database;
# `make test` runs the whole suite (set DATABASE_URL to run it against PostgreSQL).

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PORT   ?= 8000
N      ?= 100000

.PHONY: run test install checkers lint fixtures bench clean

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

# Page-time benchmark: see docs/performance.md.
bench: install
	$(PY) scripts/bench.py --documents $(N)

clean:
	rm -rf $(VENV) node_modules db.sqlite3 staticfiles .pytest_cache build
