#!/usr/bin/env bash
# `npm start`: the daemon on its embedded defaults (bridge.example.yaml: SQLite store under var/,
# the drop folders under var/inbox/, the bundled example mappings).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-install.sh
# The example flows watch these folders (the daemon makes them too; here they exist before it starts).
mkdir -p var/inbox/customers var/inbox/orders var/inbox/prices
exec node bin/bridge.js run --config bridge.example.yaml "$@"
