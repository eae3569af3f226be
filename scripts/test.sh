#!/usr/bin/env bash
# Set everything up and run the whole test suite: DuckDB and PostgreSQL, real data, browser.
# Extra arguments go to pytest (e.g. scripts/test.sh -m "not slow and not browser").
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

# Debian packages the tests need: Chromium for the browser tests (Playwright cannot download
# its own browser here), poppler-utils (pdftotext, pdftoppm) to read reports back, and the Pango
# libraries and a font WeasyPrint renders PDFs with; nginx for the two-replica test (it runs
# its own nginx in the foreground: RUNLEVEL=1 keeps apt from starting the system service).
DEBS="chromium nginx poppler-utils libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core"
missing=""
for deb in $DEBS; do
  dpkg -s "$deb" >/dev/null 2>&1 || missing="$missing $deb"
done
if [ -n "$missing" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && RUNLEVEL=1 DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
  else
    echo "note: missing Debian packages:$missing (not root): the tests that need them skip" >&2
  fi
fi

# axe-core for the accessibility browser tests (tests/ui/test_accessibility.py), into the
# git-ignored test-artifacts/ folder; without npm those tests skip.
if command -v npm >/dev/null && [ ! -f test-artifacts/node_modules/axe-core/axe.min.js ]; then
  mkdir -p test-artifacts && npm install --silent --prefix test-artifacts axe-core >/dev/null || true
fi

# PostgreSQL: start the local cluster if it is installed but stopped, then point the tests at it.
PG_URL=${CSP_DASH_TEST_PG_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}
if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
  if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
    for _ in $(seq 1 20); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.5; done
  fi
fi
if .venv/bin/python - "$PG_URL" <<'PY' 2>/dev/null
import sys
from sqlalchemy import create_engine, text
with create_engine(sys.argv[1]).connect() as c:
    c.execute(text("select 1"))
PY
then
  export CSP_DASH_TEST_PG_URL="$PG_URL"
  echo "PostgreSQL tests: on ($PG_URL)"
else
  unset CSP_DASH_TEST_PG_URL
  echo "PostgreSQL tests: skipped (no server answers at $PG_URL)"
fi

.venv/bin/ruff check --quiet . && echo "ruff: clean"
# Two workers (the machine's two cores): much of a browser test is waiting on a page, so the
# other worker's tests run meanwhile. Work stealing evens out the long browser modules at the
# end; --durations prints the slowest tests so a slow one is seen in CI's log.
exec .venv/bin/python -m pytest -p no:cacheprovider -n 2 --dist worksteal --durations=25 "$@"
