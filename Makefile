# CSP Dash: `make run` opens the dashboard on the demo; `make test` runs every test.
.PHONY: setup run demo test test-fast lint bench

setup:
	bash scripts/setup.sh

run: setup
	.venv/bin/csp-dash serve

demo: setup
	.venv/bin/csp-dash demo

test:
	bash scripts/test.sh

test-fast:
	bash scripts/test.sh -m "not slow and not browser"

lint: setup
	.venv/bin/ruff check .

bench: setup
	.venv/bin/python -m benchmarks.bench_ingest
