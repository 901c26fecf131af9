# lm-families: every target first makes .venv if it is missing or stale (idempotent).
#   make lab        JupyterLab on notebooks/, to follow along
#   make execute    run the notebooks headless with papermill (PROFILE=cpu|gpu|hub, NOTEBOOKS=..., PARAMS="seed=1 ...")
#   make test       unit tests, the zoo's quality targets, nbval (strict, seed 0) and papermill runs
#                   (seed 1 under other arithmetic), on TEST_WORKERS=2 processes
#   make zoo        rebuild the tiny offline checkpoints in zoo/ (about 19 minutes; repeats bit for bit on one machine)
#   make refresh    re-execute the committed notebooks in place (NOTEBOOKS=... for some)
#   make bench      time every notebook against its budget, serially and in parallel processes (BENCH_WORKERS=N)
#   make site       the notebooks as a static website in runs/site/ (from their committed outputs), then its test
#   make lint       ruff on the helpers, workbook, scripts, tests and the notebooks' code cells (.ci/run runs it)
#   make torch-plan where torch comes from on this machine (PRETEND=no-local-wheel|gpu|macos: on another one)
#   make compat     LEG=oldest|newest: the ends of pyproject.toml's version ranges in .venv-compat-LEG, then the unit
#                   tests and the papermill passes (every assert and band; not nbval, which belongs to constraints.txt)
# GPU runners: make test TORCH_SPEC="torch==2.14.1" (any pip requirement for torch, without spaces); TORCH_INDEX=URL
# takes it from that index (a CUDA index, a mirror). Without TORCH_INDEX, Linux x86-64 with no NVIDIA GPU gets the CPU
# build (a local wheel pip finds, else PyTorch's CPU index): from PyPI it would get the CUDA build (scripts/torch_source.py).

SHELL       := /bin/bash
PYTHON      ?= python3
VENV        := .venv
PY          := $(VENV)/bin/python
TORCH_SPEC  ?= torch==2.13.0
TORCH_INDEX ?=
PROFILE     ?= cpu
NOTEBOOKS   ?=
PARAMS      ?=
STAMP       := $(VENV)/.installed

# a different TORCH_SPEC (or TORCH_INDEX) than the one installed makes the environment stale
TORCH_CHOICE := $(strip $(TORCH_SPEC) $(TORCH_INDEX))
ifneq ($(wildcard $(STAMP)),)
ifneq ($(shell cat $(STAMP)),$(TORCH_CHOICE))
$(shell rm -f $(STAMP))
endif
endif

# one CPU thread: tiny models run as fast, and training results (and so the committed outputs that
# nbval compares) do not depend on how many cores a machine has
export OMP_NUM_THREADS ?= 1
export LMF_PROGRESS ?= 0
export PYTHONHASHSEED := 0
export HF_HUB_DISABLE_TELEMETRY := 1

.PHONY: install lab execute test zoo refresh bench lint clean browser torch-plan site compat

install: $(STAMP)

# pyproject.toml says which versions are supported (ranges); constraints.txt which ones are installed (the pinned set)
$(STAMP): pyproject.toml constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	@# torch first, from where scripts/torch_source.py says (the CPU build on the CPU path); then the rest from PyPI
	$(PY) -m pip install --quiet --disable-pip-version-check --no-compile \
		$$($(PY) scripts/torch_source.py "$(TORCH_SPEC)" --index "$(TORCH_INDEX)")
	$(PY) -m pip install --quiet --disable-pip-version-check --no-compile "$(TORCH_SPEC)" -e ".[dev]" -c constraints.txt
	@# pip compiles the installed files one at a time; compileall does it on every core (10-15 s less on a fresh clone)
	$(PY) -m compileall -q -j 0 $(VENV)/lib > /dev/null || true   # a few test files of torch are Python 3.12+: skipped, as pip does
	@echo "$(TORCH_CHOICE)" > $(STAMP)
	@echo "environment ready in $(VENV) ($(TORCH_CHOICE))"

torch-plan:
	@$(PYTHON) scripts/torch_source.py "$(TORCH_SPEC)" --index "$(TORCH_INDEX)" --command $(if $(PRETEND),--pretend $(PRETEND))

# Jupyter refuses to run as root unless told (containers, CI): tell it only then
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)

lab: $(STAMP)
	LMF_PROGRESS=1 $(VENV)/bin/jupyter lab --notebook-dir=notebooks $(ALLOW_ROOT) $(LAB_ARGS)

execute: $(STAMP)
	$(PY) scripts/execute.py --profile $(PROFILE) $(foreach p,$(PARAMS),-p $(p)) $(NOTEBOOKS)

# the browser test drives an installed Chromium or Chrome (never one Playwright downloads), looked for as
# tests/test_browser.py does: $LMF_BROWSER alone when set, else CHROMIUM_NAMES on PATH, else CHROMIUM_PATHS. When there
# is none, Debian's chromium is installed as root or with a sudo that asks no password; otherwise this says how to
# install one. It never fails make test: without a browser the browser test is skipped, with this message above it.
CHROMIUM_NAMES ?= chromium chromium-browser google-chrome google-chrome-stable
CHROMIUM_PATHS ?= /usr/bin/chromium /usr/lib/chromium/chromium /snap/bin/chromium \
	"/Applications/Google Chrome.app/Contents/MacOS/Google Chrome" /Applications/Chromium.app/Contents/MacOS/Chromium
CHROMIUM_HOWTO := install Chromium or Chrome (Debian, Ubuntu: sudo apt-get install chromium; Fedora: sudo dnf install \
	chromium; macOS: brew install --cask chromium) or set LMF_BROWSER to one
browser:
	@if [ -n "$$LMF_BROWSER" ]; then command -v "$$LMF_BROWSER" > /dev/null || echo "LMF_BROWSER=$$LMF_BROWSER" \
		"is not an executable: the browser test will be skipped"; exit 0; fi; \
	for b in $(CHROMIUM_NAMES); do command -v "$$b" > /dev/null && exit 0; done; \
	for b in $(CHROMIUM_PATHS); do [ -x "$$b" ] && exit 0; done; \
	if [ "$$(id -u)" = 0 ]; then as=; elif sudo -n true 2> /dev/null; then as="sudo -n"; \
	else echo "no Chromium or Chrome: the browser test will be skipped; $(CHROMIUM_HOWTO)"; exit 0; fi; \
	if ! command -v apt-get > /dev/null; then echo "no Chromium or Chrome: the browser test will be skipped;" \
		"$(CHROMIUM_HOWTO)"; exit 0; fi; \
	echo "no Chromium or Chrome: installing Debian's chromium for the browser test$${as:+ (with $$as)}"; \
	{ $$as apt-get update -qq && $$as env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium > /dev/null; } \
		|| echo "could not install chromium: the browser test will be skipped; $(CHROMIUM_HOWTO)"

# two pytest workers (one thread each); --dist loadfile keeps the cells of one notebook on one worker and kernel;
# nbval gets the notebooks git tracks (helpers/notebooks.py): a learner's Untitled.ipynb is not the project's
TEST_WORKERS ?= 2
test: $(STAMP) browser
	$(PY) -m pytest tests $$($(PY) -m helpers.notebooks) --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg \
		--nbval-current-env --nbval-cell-timeout 300 -p no:randomly -q \
		-n $(TEST_WORKERS) --dist loadfile --durations 15 $(PYTEST_ARGS)

BENCH_WORKERS ?= $(shell nproc 2>/dev/null || echo 2)
bench: $(STAMP)
	$(PY) scripts/bench.py --profile $(PROFILE) --workers $(BENCH_WORKERS) $(NOTEBOOKS)

# the website of the executed notebooks (scripts/build_site.py) into runs/site/, then its test (tests/test_site.py):
# Sphinx and myst-nb (the `site` extra) and MathJax from npm (docs/site/package-lock.json), served from the site itself
SITE_STAMP := $(VENV)/.site-installed
$(SITE_STAMP): $(STAMP) docs/site/package-lock.json
	$(PY) -m pip install --quiet --disable-pip-version-check --no-compile -e ".[dev,site]" -c constraints.txt
	@command -v npm > /dev/null || { echo "make site needs npm (Node.js) for its local copy of MathJax"; exit 1; }
	npm ci --prefix docs/site --no-audit --no-fund --silent
	@touch $(SITE_STAMP)
site: $(SITE_STAMP) browser
	$(PY) scripts/build_site.py
	$(PY) -m pytest tests/test_site.py -q -p no:randomly

# the claims on other versions (compat/LEG.txt: constraints for that leg; newest has none, and --upgrade eager takes the
# newest release inside each range on every run). Its own environment; .venv and constraints.txt are not touched.
# The pass: every test but nbval (byte-equal outputs are the pinned set's), the browser and the site; the papermill
# passes in it run every notebook to the end with its asserts and bands (seed 1 under other arithmetic, the hub
# stand-ins, the smallest budgets). Versions and results go to runs/compat/.
LEG        ?= newest
COMPAT_PY  := .venv-compat-$(LEG)/bin/python
compat:
	@test -f compat/$(LEG).txt || { echo "LEG=$(LEG): make compat takes LEG=oldest or LEG=newest (compat/*.txt)"; exit 2; }
	@test -x $(COMPAT_PY) || $(PYTHON) -m venv .venv-compat-$(LEG)
	$(COMPAT_PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(COMPAT_PY) -m pip install --quiet --disable-pip-version-check --no-compile \
		$$($(COMPAT_PY) scripts/torch_source.py "$(TORCH_SPEC)" --index "$(TORCH_INDEX)")
	$(COMPAT_PY) -m pip install --quiet --disable-pip-version-check --no-compile --upgrade --upgrade-strategy eager \
		"$(TORCH_SPEC)" -e ".[dev]" -c compat/$(LEG).txt
	@mkdir -p runs/compat
	$(COMPAT_PY) scripts/compat_report.py versions $(LEG)
	$(COMPAT_PY) -m pytest tests -p no:randomly -q -n $(TEST_WORKERS) --dist loadfile --durations 10 \
		--ignore tests/test_browser.py --ignore tests/test_site.py --junitxml runs/compat/$(LEG).xml $(PYTEST_ARGS); \
		rc=$$?; $(COMPAT_PY) scripts/compat_report.py results $(LEG); exit $$rc

zoo: $(STAMP)
	$(PY) scripts/build_zoo.py

# re-execute the committed notebooks in place through the runner of make execute (after editing one, or upgrading a pin)
refresh: $(STAMP)
	$(PY) scripts/execute.py --inplace $(NOTEBOOKS)

lint: $(STAMP)
	$(VENV)/bin/ruff check helpers workbook scripts tests notebooks

clean:
	rm -rf $(VENV) .venv-compat-* runs .pytest_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
	find . -name .ipynb_checkpoints -type d -prune -exec rm -rf {} +
