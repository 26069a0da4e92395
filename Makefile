# Two commands for a fresh clone (see README.md):
#   make book   - install, execute every notebook, write _build/html
#   make test   - rnnlib's unit tests and the book's checks, then every notebook with nbval
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# Offline price snapshots beside the checkout (CI, this workplace); elsewhere rnnlib's
# default cache folder is used and FinanceDataReader downloads what is missing.
SNAPSHOTS := $(abspath ../shared/data)
export RNNLIB_DATA_DIR ?= $(if $(wildcard $(SNAPSHOTS)/*.csv),$(SNAPSHOTS))
# Built pages and test logs get a short loss summary instead of progress bars.
export RNNLIB_PROGRESS ?= summary
export PYTHONHASHSEED ?= 0

.PHONY: install book test test-unit test-notebooks clean

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

book: install
	$(BIN)/jupyter-book build . -W -n --keep-going

test: test-unit test-notebooks

test-unit: install
	$(BIN)/python -m pytest tests -q

test-notebooks: install
	$(BIN)/python -m pytest --nbval-lax --nbval-current-env notebooks -q -p no:cacheprovider --durations=0

clean:
	rm -rf _build
