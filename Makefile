# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install run test lint bench fuzz soak clean lock

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.lock
	$(BIN)/python -m pip install -q --no-deps -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/python -m services.runner

test: install
	$(BIN)/python -m pytest

# mypy reads its configuration, and what to check (schemas, workers, services), from
# pyproject.toml's [tool.mypy].
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m mypy

bench: install
	$(BIN)/python -m bench

# The parser fuzzer, coverage-guided (atheris), FUZZ_SECONDS in all shared by the targets two
# at a time; prints runs, crashes, corpus size and coverage per target. The corpus grows from
# run to run and crashing inputs are kept, in .wiredesk/fuzz/. `make test` runs a bounded
# round of the same targets (tests/fuzz).
FUZZ_SECONDS ?= 600
fuzz: install
	FUZZ_SECONDS=$(FUZZ_SECONDS) $(BIN)/python -m bench.fuzz

# The fault suite (bench/soak): 10,000 stories through the real stack while 20 faults hit it
# (worker, API and Valkey SIGKILLs, a full Valkey); prints what became of every story.
soak: install
	$(BIN)/python -m bench.soak

# The pins in requirements.lock, made anew from pyproject.toml's ranges in a throwaway venv.
lock:
	rm -rf .lockvenv && $(PYTHON) -m venv .lockvenv
	.lockvenv/bin/python -m pip install -q --upgrade pip
	.lockvenv/bin/python -m pip install -q '.[dev]'
	{ sed -n '1,4p' requirements.lock; .lockvenv/bin/pip freeze --exclude-editable | grep -v '^wiredesk'; } > requirements.lock.new
	mv requirements.lock.new requirements.lock && rm -rf .lockvenv

clean:
	rm -rf $(VENV) .wiredesk .pytest_cache .mypy_cache
