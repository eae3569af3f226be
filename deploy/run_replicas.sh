#!/usr/bin/env bash
# Run N CSP Dash replicas on 127.0.0.1, ports FIRST_PORT.., for nginx in front
# (deploy/nginx-csp-dash.conf). Stops them all on Ctrl-C or TERM. See deploy/README.md.
#   deploy/run_replicas.sh [N=2] [FIRST_PORT=8501]
# Needs: STREAMLIT_SERVER_COOKIE_SECRET (the same on every replica and every machine), a
# PostgreSQL db_url (CSP_DASH_DB_URL or .streamlit/secrets.toml), and sign-in ([auth]).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-2}
FIRST=${2:-8501}
PYTHON=${PYTHON:-.venv/bin/python}
LOGS=${CSP_DASH_REPLICA_LOGS:-data/replica-logs}

: "${STREAMLIT_SERVER_COOKIE_SECRET:?set it to one long random string shared by every replica}"
url=$("$PYTHON" -c "from csp_dash import config; print(config.db_url())")
case "$url" in
  postgresql*) ;;
  *) echo "run_replicas: the replicas must share a PostgreSQL database; db_url is $url" >&2; exit 2 ;;
esac
if ! grep -qs '^\[auth\]' .streamlit/secrets.toml && [ "${CSP_DASH_ALLOW_NO_AUTH:-}" != 1 ]; then
  echo "run_replicas: no [auth] in .streamlit/secrets.toml. Behind a proxy, a replica bound to" \
       "127.0.0.1 without sign-in treats every visitor as the analyst. Configure sign-in" \
       "(CSP_DASH_ALLOW_NO_AUTH=1 only for a test on this machine)." >&2
  exit 2
fi

mkdir -p "$LOGS"
pids=()
stop() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait; }
trap stop EXIT INT TERM
for i in $(seq 0 $((N - 1))); do
  port=$((FIRST + i))
  "$PYTHON" -m streamlit run app.py --server.port "$port" --server.address 127.0.0.1 \
    --server.headless true >"$LOGS/replica-$port.log" 2>&1 &
  pids+=("$!")
  echo "replica $((i + 1)): http://127.0.0.1:$port (log $LOGS/replica-$port.log)"
done
wait
