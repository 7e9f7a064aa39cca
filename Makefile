# CityLoop: `make run` and `make test` are all a fresh machine needs.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
ONLY ?=

.PHONY: run test lint bench venv messages clean

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[dev]"
	@touch $(STAMP)

venv: $(STAMP)

run: venv
	$(BIN)/cityloop migrate --noinput
	$(BIN)/cityloop demo
	$(BIN)/cityloop serve --bind 127.0.0.1:8000

test: venv
	$(BIN)/cityloop makemigrations --check --dry-run
	$(BIN)/pytest

lint: venv
	$(BIN)/ruff check src bench
	$(BIN)/ruff format --check src bench
	$(BIN)/mypy

# The benchmarks drive wrk (intake) and their own Mosquitto (ingest): Debian packages that a
# fresh machine may lack; a benchmark that still cannot run fails, it is never skipped.
bench: venv
	@command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
	@command -v mosquitto_pub >/dev/null || { apt-get update -qq && apt-get install -y -qq mosquitto mosquitto-clients; }
	$(BIN)/python bench/run.py $(if $(ONLY),--only $(ONLY))

# Each app keeps its own locale/ folder; refresh the catalogues, fill new msgstrs, then compile.
messages: venv
	for app in src/cityloop/*/locale; do (cd $$(dirname $$app) && ../../../$(BIN)/cityloop makemessages -l zh_Hans --no-obsolete -v0 && ../../../$(BIN)/cityloop compilemessages -v0); done

clean:
	rm -rf $(VENV) var
