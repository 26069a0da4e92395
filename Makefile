# Two commands for a fresh clone (see README.md):
#   make book   - install, execute every notebook, write _build/html
#   make test   - ruff, rnnlib's unit tests and the book's checks, then every notebook with nbval
# and, for CI (.ci/run) and before a release:
#   make test-site    - the built site in headless Chromium (after `make book`)
#   make test-oldest  - rnnlib with the oldest versions pyproject.toml allows
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

.PHONY: install book lint test test-unit test-notebooks test-site test-oldest clean

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt constraints.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

book: install
	$(BIN)/jupyter-book build . -W -n --keep-going

test: lint test-unit test-notebooks

# ruff with pyproject.toml's rules (line length included) on rnnlib, tests and notebooks.
lint: install
	$(BIN)/ruff check .

# tests/test_site.py skips its browser tests here when there is no build or no chromium.
test-unit: install
	$(BIN)/python -m pytest tests -q -rs -p no:cacheprovider

test-notebooks: install
	$(BIN)/python -m pytest --nbval-lax --nbval-current-env notebooks -q -p no:cacheprovider --durations=0

# Every page the TOC lists, served on 127.0.0.1 and opened in Debian's headless chromium
# (apt-get install chromium chromium-driver; .ci/run installs them). Needs `make book`
# first; RNNLIB_REQUIRE_SITE=1 turns a skip (no build, no chromium) into a failure.
# Screenshots and a report land in test-artifacts/.
test-site: install
	RNNLIB_REQUIRE_SITE=1 $(BIN)/python -m pytest tests/test_site.py -q -p no:cacheprovider

# rnnlib with the oldest versions pyproject.toml allows (requirements-oldest.txt; torch
# stays at 2.13.0): its unit tests, without the book and site checks, and chapter 1.
OLDEST ?= .venv-oldest
OLDEST_NOTEBOOKS ?= notebooks/01_why_rnns.ipynb
test-oldest: $(OLDEST)/.installed
	@$(OLDEST)/bin/python -m pip list --format=freeze 2>/dev/null | grep -iE \
	  '^(torch|numpy|pandas|matplotlib|scikit-learn|scipy|statsmodels|tqdm)==' | tr '\n' ' '; echo
	$(OLDEST)/bin/python -m pytest tests -q -p no:cacheprovider \
	  --ignore=tests/test_site.py --ignore=tests/test_book.py
	$(OLDEST)/bin/python -m pytest --nbval-lax --nbval-current-env $(OLDEST_NOTEBOOKS) -q \
	  -p no:cacheprovider --durations=0

$(OLDEST)/.installed: requirements-oldest.txt pyproject.toml
	rm -rf $(OLDEST)
	$(PYTHON) -m venv $(OLDEST)
	$(OLDEST)/bin/python -m pip install --quiet --only-binary=:all: -r requirements-oldest.txt
	$(OLDEST)/bin/python -m pip install --quiet --no-deps -e .
	$(OLDEST)/bin/python -m pip check
	touch $@

clean:
	rm -rf _build test-artifacts
