#!/usr/bin/env bash
# Create .venv and install CSP Dash with its test tools. Safe to repeat.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.installed
# constraints.txt pins the versions the suite and the benchmarks were last run with: a new
# release of a library (Streamlit, pandas, DuckDB) moves speed and memory, and can break a page.
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ constraints.txt -nt "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -c constraints.txt -e '.[dev]'
  touch "$stamp"
fi
