# The two commands of the quick start: `make run` and `make test`.
# Both create .venv with the interpreter named by PYTHON (3.11 or newer) and install into it.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test install lint audit bench bench-quick mutate check-python clean

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "disputeflow needs Python 3.11 or newer; set PYTHON=python3.11")'

$(STAMP): pyproject.toml | check-python
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools
	$(BIN)/python -m pip install --quiet -e '.[postgres,dev]'
	touch $(STAMP)

install: $(STAMP)

## Start the service on the embedded SQLite store (http://127.0.0.1:8000), for local
## development: platforms and notice receivers on this machine are allowed
## (DISPUTEFLOW_ALLOW_PRIVATE_URLS, docs/security.md; leave it unset in production).
## PORT=8080 and HOST=0.0.0.0 serve elsewhere (as DISPUTEFLOW_PORT / DISPUTEFLOW_HOST do).
run: install
	DISPUTEFLOW_ALLOW_PRIVATE_URLS=$${DISPUTEFLOW_ALLOW_PRIVATE_URLS:-1} $(BIN)/disputeflow serve \
		$(if $(HOST),--host '$(HOST)') $(if $(PORT),--port '$(PORT)')

## Lint, type-check, check the layering, then run the whole test suite, one process per
## core (TEST_WORKERS=0 runs it in this process; a module's tests stay in one process).
TEST_WORKERS ?= auto
test: install lint
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

lint: install
	$(BIN)/ruff check disputeflow tests bench
	$(BIN)/ruff format --check disputeflow tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/python scripts/check_sizes.py

## Known vulnerabilities in the runtime dependencies (not dev): fails when one has a fix.
## AUDIT_FLAGS=--if-reachable says so and passes where the vulnerability data cannot be
## reached (CI); AUDIT_SERVICE=osv asks OSV instead of PyPI (docs/security.md).
AUDIT_FLAGS ?=
audit: install
	$(BIN)/python scripts/audit.py $(AUDIT_FLAGS)

## Benchmarks (figures go to docs/benchmarks.md). Each runs on SQLite and, when
## BENCH_POSTGRES_URL (or DISPUTEFLOW_TEST_POSTGRES_URL) is set, on PostgreSQL in a
## schema of its own. BENCH_CASES and BENCH_OBJECTS scale the case-list store and the
## backfill down (docs/benchmarks.md: the full run takes about 40 minutes here).
BENCH_CASES ?= 1000000
BENCH_OBJECTS ?= 10000,100000
bench: install
	$(BIN)/python -m bench.intake
	$(BIN)/python -m bench.processing
	$(BIN)/python -m bench.drain --database both
	$(BIN)/python -m bench.latency
	$(BIN)/python -m bench.case_list --cases $(BENCH_CASES)
	$(BIN)/python -m bench.backfill --objects $(BENCH_OBJECTS)
	$(BIN)/python -m bench.merge

## Every figure of `make bench` at reduced sizes, within 5 minutes (docs/benchmarks.md):
## for a look before and after a change, on a machine others share (each block prints
## the load average; compare the ratios measured within one run).
bench-quick: install
	$(BIN)/python -m bench.intake --seconds 3 --requests 800
	$(BIN)/python -m bench.processing --disputes 200
	$(BIN)/python -m bench.drain --disputes 600 --database both
	$(BIN)/python -m bench.latency --rate 20 --seconds 5
	$(BIN)/python -m bench.case_list --cases 20000 --repeat 10
	$(BIN)/python -m bench.backfill --objects 500,2000
	$(BIN)/python -m bench.merge --cases 100
	$(BIN)/python -m bench.profile --disputes 100 --top 15

## Mutation testing (docs/testing.md), never part of `make test` or CI: mutmut mutates
## money, merge, flow and every plugin's webhook verification ([tool.mutmut] in
## pyproject.toml), one module at a time, each run bounded by MUTATE_TIMEOUT seconds (a run
## cut short keeps its results and the next `make mutate` goes on from there); then the
## scores per module. MUTATE_MODULES picks modules; `mutmut show NAME` shows a mutant.
MUTATE_MODULES ?= disputeflow.core.money disputeflow.core.merge disputeflow.core.flow \
	disputeflow.plugins.shopify.webhooks disputeflow.plugins.woocommerce.webhooks \
	disputeflow.plugins.ebay.webhooks disputeflow.plugins.ebay.signatures \
	disputeflow.plugins.paypal.signatures disputeflow.plugins.paypal.verification \
	disputeflow.plugins.paypal.webhooks disputeflow.plugins.stripe.webhooks
MUTATE_TIMEOUT ?= 600
mutate: install
	@for module in $(MUTATE_MODULES); do \
		echo "== $$module (at most $(MUTATE_TIMEOUT) s)"; \
		timeout $(MUTATE_TIMEOUT) $(BIN)/mutmut run --max-children 1 "$$module.*" >/dev/null \
			|| echo "   stopped (time limit or error): the scores below say how far it got"; \
	done
	$(BIN)/python scripts/mutation_scores.py --survivors

clean:
	rm -rf $(VENV) mutants .pytest_cache .mypy_cache .ruff_cache .hypothesis
