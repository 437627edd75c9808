# Two commands for a newcomer: `make run` and `make test`. Everything else is a building block.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
DEV_ENV := RMT_ENV=development
VENDOR := rmt/static/vendor/utrecht

.PHONY: run test test-sqlite test-postgres lint install assets chromium serve-prod bench bench-import bench-pages load clean

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(VENDOR)/component-library.css $(VENDOR)/design-tokens.css: node_modules/.installed
	mkdir -p $(VENDOR)
	cp node_modules/@utrecht/design-tokens/dist/index.css $(VENDOR)/design-tokens.css
	cp node_modules/@utrecht/component-library-css/dist/index.css $(VENDOR)/component-library.css

install: $(BIN)/.installed
assets: $(VENDOR)/component-library.css $(VENDOR)/design-tokens.css

## make run: development server with demo data on SQLite, http://127.0.0.1:5000
run: install assets
	$(DEV_ENV) $(BIN)/flask --app rmt db upgrade
	$(DEV_ENV) $(BIN)/flask --app rmt demo seed
	$(DEV_ENV) $(BIN)/flask --app rmt run --host 127.0.0.1 --port 5000

## make test: ruff, the whole suite on SQLite (with the browser tests), then every database-bound
## test again on PostgreSQL (the browser tests run once: they test pages, not the engine)
test: lint test-sqlite test-postgres

lint: install
	$(BIN)/ruff check .

test-sqlite: install assets chromium
	$(BIN)/pytest

test-postgres: install assets chromium
	@$(BIN)/python -c "import psycopg; psycopg.connect('host=127.0.0.1 port=5432 user=postgres dbname=test', connect_timeout=5).close()" \
	  || { echo "PostgreSQL is not reachable at 127.0.0.1:5432 (user postgres, database test). Start it, e.g.: pg_ctlcluster --skip-systemctl-redirect \$$(ls /etc/postgresql) main start"; exit 1; }
	RMT_TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest -m "not e2e"

# Debian packages: Chromium (browser tests), Pango/HarfBuzz (WeasyPrint PDFs), poppler-utils
# (pdftoppm/pdftotext in the PDF tests).
SYSTEM_PACKAGES = chromium chromium-driver libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 poppler-utils
chromium:
	@{ test -x /usr/bin/chromium && test -x /usr/bin/pdftoppm && ldconfig -p | grep -q libpangoft2-1.0.so.0; } || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq $(SYSTEM_PACKAGES); \
	  else echo "Needs Debian packages: sudo apt-get install $(SYSTEM_PACKAGES)"; exit 1; fi; }

# Several worker processes must share the rate-limit counters: Redis, unless told otherwise.
serve-prod: export RMT_RATELIMIT_STORAGE_URI ?= redis://127.0.0.1:6379/0
serve-prod: install assets
	$(BIN)/flask --app rmt db upgrade
	$(BIN)/gunicorn --workers 2 --bind 127.0.0.1:8000 'rmt:create_app()'

bench: install
	$(BIN)/python -m benchmarks.run

## make bench-import: 10,000 candidate rows, dry run plus import, on SQLite and PostgreSQL.
bench-import: install
	$(BIN)/python -m benchmarks.imports --rows 10000

## make bench-pages: a coach's pages at 100,000 cases through gunicorn next to a bare route, with
## wrk (apt-get install wrk), both engines; BENCH_SECONDS per page; BENCH_PAGES_ARGS=--reuse keeps
## the seeded databases. Needs PostgreSQL and Redis. Not in make test.
bench-pages: export RMT_RATELIMIT_STORAGE_URI ?= redis://127.0.0.1:6379/0
bench-pages: install assets
	$(BIN)/python -m benchmarks.pages $(BENCH_PAGES_ARGS)

## make load: many clients against gunicorn on SQLite and PostgreSQL (needs PostgreSQL and Redis);
## LOAD_CLIENTS, LOAD_SECONDS, LOAD_INSTANCES, LOAD_ENGINE=sqlite|postgresql|both. Not in make test.
LOAD_ENGINE ?= both
load: install assets
	$(BIN)/python -m benchmarks.load --engine $(LOAD_ENGINE)

clean:
	rm -rf $(VENV) node_modules $(VENDOR) instance .pytest_cache
