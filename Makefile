# Two commands for a fresh machine: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
OUT ?= out
PYTEST_ARGS ?= -q
# Our modules' bytecode, written ahead (incremental: only what changed): every process of a
# run imports them (the runner and each worker), and an editable install leaves none behind
# where PYTHONDONTWRITEBYTECODE is set (CI images, containers): compiling our 43 modules
# costs each process ~0.2 s of CPU.
BYTECODE = $(PY) -m compileall -q beam_jobs transforms schemas bench/*.py

.PHONY: run test bench install install-test clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(PY) setup.py
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

run: install
	@$(BYTECODE)
	$(PY) -m beam_jobs.skill_demand --output $(OUT)
	$(PY) -m beam_jobs.show_summary $(OUT)

# The suite starts its own GCS emulator on 127.0.0.1 (tests/conftest.py).
# pytest exits 5 when no test ran: that is a failure here, not a green run.
test: install-test
	@$(BYTECODE)
	@$(PY) -m pytest $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: no tests were collected"; exit 1; fi; exit $$rc

bench: install
	@$(BYTECODE)
	$(PY) -m bench.run_bench

clean:
	rm -rf $(OUT) build dist *.egg-info
