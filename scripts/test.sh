#!/usr/bin/env bash
# Sets up everything and runs every test: core and dev server natively, the components in
# headless Chromium (wasm-bindgen-test), the official Direct Line client against the dev
# server (Node), and end-to-end tests driving Chromium through the real loader script.
# Ends with the bundle sizes and one summary line.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/build.sh

log=$(mktemp)
trap 'rm -f "$log"' EXIT
step() { echo; echo "=== $1"; shift; "$@" 2>&1 | tee -a "$log"; }

step "core + dev server (native)" cargo test -p handoff-core -p devserver
step "components in headless Chromium" \
  env CHROMEDRIVER="$(command -v chromedriver)" cargo test -p handoff-chat-widget --target wasm32-unknown-unknown
cargo build -p devserver
step "official Direct Line client (botframework-directlinejs)" \
  env DEVSERVER_BIN="$PWD/target/debug/devserver" node --test tests/node/
step "end-to-end through the loader script" \
  env DEVSERVER_BIN="$PWD/target/debug/devserver" DIST_DIR="$PWD/dist" cargo test -p e2e -- --test-threads=1 --nocapture

echo; echo "=== bundle sizes (hard budget: 150 KiB brotli for everything the widget loads)"
bash scripts/sizes.sh --budget 153600

# cargo: "test result: ok. N passed; M failed"; node --test: "# pass N" / "# fail M".
passed=$(( $(grep -oE '[0-9]+ passed;' "$log" | awk '{s+=$1} END {print s+0}') \
         + $(grep -oE '^# pass [0-9]+' "$log" | awk '{s+=$3} END {print s+0}') ))
failed=$(( $(grep -oE '[0-9]+ failed;' "$log" | awk '{s+=$1} END {print s+0}') \
         + $(grep -oE '^# fail [0-9]+' "$log" | awk '{s+=$3} END {print s+0}') ))
echo
echo "all: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
