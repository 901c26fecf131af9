# lm-families: every target first makes .venv if it is missing or stale (idempotent).
#   make lab        JupyterLab on notebooks/, to follow along
#   make execute    run the notebooks headless with papermill (PROFILE=cpu|gpu|hub, NOTEBOOKS=..., PARAMS="seed=1 ...")
#   make test       unit tests, the zoo's quality targets, nbval (strict, seed 0) and papermill runs
#                   (seed 1 under other arithmetic), on TEST_WORKERS=2 processes
#   make zoo        rebuild the tiny offline checkpoints in zoo/ (about 15 minutes, bit-identical)
#   make refresh    re-execute the committed notebooks in place (NOTEBOOKS=... for some)
#   make bench      time every notebook, serially and in parallel processes (BENCH_WORKERS=N), as a table
# GPU runners: make test TORCH_SPEC="torch==2.14.1" (any pip requirement for torch).

SHELL       := /bin/bash
PYTHON      ?= python3
VENV        := .venv
PY          := $(VENV)/bin/python
TORCH_SPEC  ?= torch==2.13.0
PROFILE     ?= cpu
NOTEBOOKS   ?=
PARAMS      ?=
STAMP       := $(VENV)/.installed

# a different TORCH_SPEC than the one installed makes the environment stale
ifneq ($(wildcard $(STAMP)),)
ifneq ($(shell cat $(STAMP)),$(TORCH_SPEC))
$(shell rm -f $(STAMP))
endif
endif

# one CPU thread: tiny models run as fast, and training results (and so the committed outputs that
# nbval compares) do not depend on how many cores a machine has
export OMP_NUM_THREADS ?= 1
export LMF_PROGRESS ?= 0
export PYTHONHASHSEED := 0
export HF_HUB_DISABLE_TELEMETRY := 1

.PHONY: install lab execute test zoo refresh bench lint clean browser

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check --no-compile "$(TORCH_SPEC)" -e ".[dev]"
	@# pip compiles the installed files one at a time; compileall does it on every core (10-15 s less on a fresh clone)
	$(PY) -m compileall -q -j 0 $(VENV)/lib > /dev/null || true   # a few test files of torch are Python 3.12+: skipped, as pip does
	@echo "$(TORCH_SPEC)" > $(STAMP)
	@echo "environment ready in $(VENV) ($(TORCH_SPEC))"

# Jupyter refuses to run as root unless told (containers, CI): tell it only then
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)

lab: $(STAMP)
	LMF_PROGRESS=1 $(VENV)/bin/jupyter lab --notebook-dir=notebooks $(ALLOW_ROOT) $(LAB_ARGS)

execute: $(STAMP)
	$(PY) scripts/execute.py --profile $(PROFILE) $(foreach p,$(PARAMS),-p $(p)) $(NOTEBOOKS)

# the browser test drives Debian's chromium (never a downloaded one); as root, make test installs it when absent
CHROMIUM := /usr/bin/chromium
browser:
	@test -x $(CHROMIUM) || { if [ "$$(id -u)" = 0 ]; then echo "installing Debian's chromium for the browser test"; \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium > /dev/null; } \
		|| echo "could not install chromium: the browser test will be skipped (apt-get install chromium)"; \
		else echo "the browser test needs Debian's chromium and will be skipped: sudo apt-get install chromium"; fi; }

# two pytest workers (one thread each); --dist loadfile keeps the cells of one notebook on one worker and kernel
TEST_WORKERS ?= 2
test: $(STAMP) browser
	$(PY) -m pytest tests notebooks --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg \
		--nbval-current-env --nbval-cell-timeout 300 -p no:randomly -q \
		-n $(TEST_WORKERS) --dist loadfile --durations 15 $(PYTEST_ARGS)

BENCH_WORKERS ?= $(shell nproc 2>/dev/null || echo 2)
bench: $(STAMP)
	$(PY) scripts/bench.py --profile $(PROFILE) --workers $(BENCH_WORKERS)

zoo: $(STAMP)
	$(PY) scripts/build_zoo.py

# re-execute the committed notebooks in place through the runner of make execute (after editing one, or upgrading a pin)
refresh: $(STAMP)
	$(PY) scripts/execute.py --inplace $(NOTEBOOKS)

lint: $(STAMP)
	$(VENV)/bin/ruff check helpers workbook scripts tests notebooks

clean:
	rm -rf $(VENV) runs .pytest_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
	find . -name .ipynb_checkpoints -type d -prune -exec rm -rf {} +
