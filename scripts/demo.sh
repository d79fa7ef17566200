#!/usr/bin/env bash
# make demo: serve the sample portal, crawl it, build the database, open Datasette.
# Ctrl-C stops everything this script started.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
OUT=${DEMO_DIR:-data/demo}
PORTAL_PORT=${PORTAL_PORT:-8100}
PORT=${PORT:-8001}
SYNTHETIC=${SYNTHETIC:-300}

rm -rf "$OUT" && mkdir -p "$OUT"
"$BIN/nianbao" portal --port "$PORTAL_PORT" --synthetic "$SYNTHETIC" --seed 1 \
    --sources-out "$OUT/sources.yaml" > "$OUT/portal.log" 2>&1 &
portal_pid=$!
trap 'kill $portal_pid 2>/dev/null; wait $portal_pid 2>/dev/null || true' EXIT INT TERM

for _ in $(seq 1 100); do
    [ -s "$OUT/sources.yaml" ] && break
    kill -0 $portal_pid 2>/dev/null || { cat "$OUT/portal.log"; echo "the sample portal did not start" >&2; exit 1; }
    sleep 0.1
done
echo "Sample portal:"; grep -E '^[a-z]+ +http' "$OUT/portal.log" || true

"$BIN/nianbao" crawl --sources "$OUT/sources.yaml" --db "$OUT/nianbao.db" --archive "$OUT/archive" --log-level WARNING \
    --export "$OUT/release"
echo
echo "Open http://127.0.0.1:$PORT/ (Ctrl-C stops the portal and Datasette)"
"$BIN/nianbao" serve --db "$OUT/nianbao.db" --port "$PORT" --archive "$OUT/archive" --downloads "$OUT/release"
