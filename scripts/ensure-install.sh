#!/usr/bin/env bash
# Installs the npm dependencies when node_modules is missing or older than package-lock.json,
# so that `npm start` and `npm test` work on a fresh clone with nothing else run first.
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ] || [ ! -e node_modules/better-sqlite3/build/Release/better_sqlite3.node ]; then
  echo "installing dependencies (npm ci)…" >&2
  npm ci --no-audit --no-fund --loglevel=error >&2
fi
