# Two commands for a fresh machine (see README): `make serve` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# `make serve` listens on this machine only; HOST=0.0.0.0 serves every interface.
HOST ?= 127.0.0.1
PORT ?= 8000

$(BIN)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

.PHONY: install serve test lint
install: $(BIN)/.installed

serve: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python -m config.server -b $(HOST) -p $(PORT) config.asgi:application

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/python manage.py makemigrations --check --dry-run

test: lint
	$(BIN)/pytest $(PYTEST_ARGS)
