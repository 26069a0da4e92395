# Two commands for a fresh clone (see README.md):
#   make book   - install, execute every notebook, write _build/html (English) and
#                 _build/html/ko (Korean, from the catalogs in book/locale/ko)
#   make test   - ruff, actionlint, rnnlib's unit tests and the book's checks, then every
#                 notebook with nbval, on the CPU and on a fake GPU (test-devices)
# and, after changing a diagram's code in book/diagrams/:
#   make diagrams - draw every diagram again into book/figures/*.svg (commit both)
# and, after changing the English text (CONTRIBUTING.md, "The Korean edition"):
#   make translations - bring book/locale/ko/ up to the English text, then translate
# and, for CI (.ci/run) and before a release:
#   make test-site    - the built site in headless Chromium (after `make book`)
#   make test-colab   - every chapter alone in a Colab-like environment, installed by its own
#                       install cell from a wheel of this checkout
#   make test-oldest  - rnnlib with the oldest versions pyproject.toml allows
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# pytest-xdist workers: one per core by default; `make test JOBS=1` runs one after another.
# Each notebook runs whole on one worker (--dist loadfile).
JOBS ?= auto
PYTEST := $(BIN)/python -m pytest -q -p no:cacheprovider -n $(JOBS)
# One thread per process: with one worker per core, more threads only wait for each other
# (the chapters call seed_everything, which sets torch to one thread, too).
export OMP_NUM_THREADS ?= 1
# Built pages and test logs get a short loss summary instead of progress bars.
export RNNLIB_PROGRESS ?= summary
export PYTHONHASHSEED ?= 0

.PHONY: install diagrams translations book lint test test-unit test-notebooks test-devices test-site test-colab \
  test-oldest clean

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt constraints.txt pyproject.toml
	@echo "Installing the pinned packages of requirements.txt into $(VENV)/ (minutes the first time)"
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --progress-bar off -r requirements.txt
	@echo "Installing rnnlib from this checkout (editable)"
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

# --all: every page is executed again on every build, so no page keeps the output of an
# older rnnlib or notebook (tests/test_book_build.py checks this).
BOOK_FLAGS := --all -W -n --keep-going
# The Korean edition: the same sources and notebooks, executed again, with the Korean
# catalogs (book/translations.py writes its _config.yml), moved into _build/html/ko/.
KO := _build/ko
book: install
	$(BIN)/jupyter-book build . $(BOOK_FLAGS)
	mkdir -p $(KO)
	$(BIN)/python book/translations.py config ko > $(KO)/_config.yml
	$(BIN)/jupyter-book build . --config $(KO)/_config.yml --path-output $(KO) $(BOOK_FLAGS)
	rm -rf _build/html/ko
	mv $(KO)/_build/html _build/html/ko

# Extract the English messages (paragraphs, headings, captions, diagram labels, and the
# glued words of the last `make book`) and merge them into book/locale/ko/: new messages
# arrive empty, changed ones fuzzy, and tests/test_translations.py fails on both.
translations: install
	$(BIN)/python book/translations.py update

# The diagrams are SVG files drawn by code (book/diagrams/ch*_*.py, one module per picture,
# its texts in one LABELS dict); this writes those that changed. tests/test_diagrams.py
# fails when a committed SVG is not what its code draws.
diagrams: install
	$(BIN)/python book/diagrams/book_diagrams.py

test: lint test-unit test-notebooks test-devices

# ruff with pyproject.toml's rules (line length included) on rnnlib, tests and notebooks,
# and actionlint on .github/workflows.
lint: install
	$(BIN)/ruff check .
	$(BIN)/actionlint

# tests/test_site.py skips its browser tests here when there is no build or no chromium.
test-unit: install
	$(PYTEST) tests -rs

test-notebooks: install
	$(PYTEST) --dist loadfile --nbval-lax --nbval-current-env notebooks

# The book on a GPU, faked on the CPU (no GPU here): tests/fake_cuda.py tags tensors as
# cuda:0, and a CPU tensor meeting one, or NumPy reading one, fails as on a real GPU.
# Every notebook runs in kernels whose IPython profile (tests/ipython_fake_cuda, an absolute
# path: nbval starts each kernel in the notebook's folder) turns the mode on before the
# first cell. The mode's own tests (tests/test_fake_cuda.py) and rnnlib's main paths under
# it (tests/test_device_mixing.py) run with the other unit tests in test-unit.
test-devices: install
	IPYTHONDIR=$(CURDIR)/tests/ipython_fake_cuda $(PYTEST) --dist loadfile --nbval-lax \
	  --nbval-current-env notebooks

# tests/colab_check.py: a fresh venv (torch 2.13.0 and what pip resolves for rnnlib's other
# dependencies), each notebook copied alone into an empty folder and run with a fake
# google.colab, so its install cell installs rnnlib's wheel; `pip freeze` before and after.
test-colab: install
	$(BIN)/python tests/colab_check.py

# Every page the TOC lists, served on 127.0.0.1 and opened in Debian's headless chromium
# (apt-get install chromium chromium-driver; .ci/run installs them). Needs `make book`
# first; RNNLIB_REQUIRE_SITE=1 turns a skip (no build, no chromium) into a failure.
# Screenshots and a report land in test-artifacts/.
test-site: install
	RNNLIB_REQUIRE_SITE=1 $(BIN)/python -m pytest tests/test_site.py -q -p no:cacheprovider

# rnnlib with the oldest versions pyproject.toml allows (requirements-oldest.txt; torch
# stays at 2.13.0): its unit tests, without the book, site and translation checks (nor the
# diagrams', whose SVG bytes depend on the pinned matplotlib), and chapter 1.
OLDEST ?= .venv-oldest
OLDEST_NOTEBOOKS ?= notebooks/01_why_rnns.ipynb
test-oldest: $(OLDEST)/.installed
	@$(OLDEST)/bin/python -m pip list --format=freeze 2>/dev/null | grep -iE \
	  '^(torch|numpy|pandas|matplotlib|scikit-learn|scipy|statsmodels|tqdm)==' | tr '\n' ' '; echo
	$(OLDEST)/bin/python -m pytest tests -q -p no:cacheprovider \
	  --ignore=tests/test_site.py --ignore=tests/test_book.py --ignore=tests/test_workflow.py \
	  --ignore=tests/test_book_build.py --ignore=tests/test_diagrams.py \
	  --ignore=tests/test_diagram_data.py --ignore=tests/test_translations.py
	$(OLDEST)/bin/python -m pytest --nbval-lax --nbval-current-env $(OLDEST_NOTEBOOKS) -q \
	  -p no:cacheprovider

$(OLDEST)/.installed: requirements-oldest.txt pyproject.toml
	rm -rf $(OLDEST)
	$(PYTHON) -m venv $(OLDEST)
	$(OLDEST)/bin/python -m pip install --quiet --only-binary=:all: -r requirements-oldest.txt
	$(OLDEST)/bin/python -m pip install --quiet --no-deps -e .
	$(OLDEST)/bin/python -m pip check
	touch $@

clean:
	rm -rf _build test-artifacts
