# Two set-up commands: `make run` and `make test`. Needs only Python 3.11+.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum requirements.txt | cut -d' ' -f1)
PORT ?= 5000
FLASK := $(BIN)/flask --app app

.PHONY: run test test-realdata test-soak translations bench clean

$(STAMP): requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is needed (found %s)" % sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.txt
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

# Vietnamese catalogue built from app/translations/vi/*.py (see tools/build_translations.py).
translations: $(STAMP)
	@$(BIN)/python tools/build_translations.py || echo "warning: some strings lack Vietnamese (the test suite fails on them)"

instance/secret_key:
	@mkdir -p instance
	@$(PYTHON) -c 'import secrets; print(secrets.token_hex(32))' > $@
	@chmod 600 $@

run: $(STAMP) translations instance/secret_key
	@LIBRARY_SECRET_KEY=$$(cat instance/secret_key) $(FLASK) init-db
	@LIBRARY_SECRET_KEY=$$(cat instance/secret_key) $(FLASK) demo-data --demo
	@echo "Serving on http://127.0.0.1:$(PORT) with one background worker (Ctrl+C stops both)"
	@export LIBRARY_SECRET_KEY=$$(cat instance/secret_key); $(FLASK) worker & worker=$$!; \
		trap 'kill $$worker 2>/dev/null' EXIT INT TERM; $(FLASK) run --host 127.0.0.1 --port $(PORT)

# The production server (gunicorn, deploy/gunicorn.conf.py): WORKERS processes (default 2 x cores)
# on HOST:PORT; LIBRARY_SECRET_KEY from the environment, else instance/secret_key.
HOST ?= 127.0.0.1
WORKERS ?=
.PHONY: serve
serve: $(STAMP) translations instance/secret_key
	@export LIBRARY_SECRET_KEY=$${LIBRARY_SECRET_KEY:-$$(cat instance/secret_key)} && $(FLASK) init-db && \
	  echo "Serving on http://$(HOST):$(PORT) with $(or $(WORKERS),2 x cores) worker processes (Ctrl+C stops)" && \
	  HOST=$(HOST) PORT=$(PORT) WORKERS=$(WORKERS) exec $(BIN)/gunicorn -c deploy/gunicorn.conf.py

test: $(STAMP) translations
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The real-data pass over ../shared/data (CI runs it after the core suite).
test-realdata: $(STAMP) translations
	$(BIN)/python -m pytest -m realdata $(PYTEST_ARGS)

# A served instance under mixed load (SOAK_SECONDS of it, default 75; CI runs it on each database).
test-soak: $(STAMP) translations
	$(BIN)/python -m pytest -m soak tests/soak -s $(PYTEST_ARGS)

bench: $(STAMP)
	@echo "Benchmarks: see bench/README.md"

clean:
	rm -rf $(VENV) .pytest_cache
