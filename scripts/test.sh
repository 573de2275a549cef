#!/usr/bin/env bash
# `npm test`: installs what the tests need (npm packages, Debian's chromium), typechecks, runs the
# whole suite, and ends with a plain "N passed, N failed" line taken from vitest's JSON results.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-install.sh || exit 1

# The API page test drives Debian's chromium headless; install it where it is missing.
if [ ! -x /usr/bin/chromium ]; then
  echo "installing chromium (Debian package)…" >&2
  as_root=""
  [ "$(id -u)" -eq 0 ] || as_root="sudo"
  if ! { $as_root apt-get update -qq && $as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >/dev/null; then
    echo "could not install chromium (apt-get install -y chromium)"
    echo "0 passed, 1 failed"
    exit 1
  fi
fi

echo "typecheck…"
if ! npx tsc --noEmit -p .; then
  echo "typecheck failed"
  echo "0 passed, 1 failed"
  exit 1
fi

results=$(mktemp -t vitest-results.XXXXXX.json)
npx vitest run --reporter=default --reporter=json --outputFile.json="$results" "$@"
status=$?
node -e '
  const fs = require("node:fs");
  let r = {};
  try { r = JSON.parse(fs.readFileSync(process.argv[1], "utf8")); } catch {}
  // A test file that fails to load has no failed test of its own: count it as one failure.
  const brokenFiles = (r.testResults ?? []).filter((f) => f.status === "failed" && !(f.assertionResults ?? []).some((a) => a.status === "failed")).length;
  const passed = r.numPassedTests ?? 0, failed = (r.numFailedTests ?? 0) + brokenFiles;
  console.log(`${passed} passed, ${failed} failed` + (r.numPendingTests ? `, ${r.numPendingTests} skipped` : ""));
' "$results"
rm -f "$results"
exit $status
