#!/usr/bin/env bash
# Sets up everything and runs every test: core and dev server natively, the components in
# headless Chromium (wasm-bindgen-test), the official Direct Line client against the dev
# server (Node), the end-to-end tests driving Chromium through the real loader script (our
# dev server and a third-party Direct Line emulator), lints and the size budget.
#
# Every suite runs even when an earlier one failed. The run ends with one line per suite and
# `all: N passed, M failed`; it exits non-zero when M > 0. A suite that fails without a test
# count (it could not build or start) counts as one failed test, never as zero tests.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
summary=() total_passed=0 total_failed=0

# suite NAME COMMAND...: runs COMMAND, shows its output, and counts its tests from cargo's
# "test result: ... N passed; M failed" and node's "# pass N" / "# fail M" lines. A command
# that prints no count (a build, a lint) is one test: passed when it exits 0. cargo test runs
# with --no-fail-fast: one failing test binary must not hide the binaries after it.
suite() {
  local name=$1 log="$logs/$(( ${#summary[@]} + 1 )).log"
  shift
  echo; echo "=== $name"
  "$@" 2>&1 | tee "$log"
  local status=${PIPESTATUS[0]} passed failed counted
  passed=$(( $(grep -oE '[0-9]+ passed;' "$log" | awk '{s+=$1} END {print s+0}') \
           + $(grep -oE '^# pass [0-9]+' "$log" | awk '{s+=$3} END {print s+0}') ))
  failed=$(( $(grep -oE '[0-9]+ failed;' "$log" | awk '{s+=$1} END {print s+0}') \
           + $(grep -oE '^# fail [0-9]+' "$log" | awk '{s+=$3} END {print s+0}') ))
  counted=$(grep -cE '[0-9]+ passed;|^# pass [0-9]+' "$log")
  if [ "$counted" -eq 0 ]; then
    if [ "$status" -eq 0 ]; then passed=1; else failed=1; fi
  elif [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
    failed=1 # tests passed, then the suite still failed (a later binary did not build)
  fi
  local line
  line=$(printf '%-52s %4d passed, %d failed' "$name:" "$passed" "$failed")
  [ "$status" -ne 0 ] && line+=" (exit $status)"
  summary+=("$line")
  total_passed=$((total_passed + passed)) total_failed=$((total_failed + failed))
}

suite "setup (tools, crates of the workspace and of std)" bash scripts/setup.sh
# PATH for what setup installed, without its output a second time.
source scripts/setup.sh >/dev/null 2>&1 || true
set +e # setup.sh sets -e; here every suite must run
# What broke a fresh machine once: the offline release build could not resolve std's own
# lockfile. This resolves the wasm build's crates, std's included, offline, in a second.
suite "guard: every crate of the wasm build is here offline" \
  cargo "+$WASM_NIGHTLY" fetch --offline -Zbuild-std=std,panic_abort --target wasm32-unknown-unknown
suite "widget release build" bash scripts/build.sh
# Supply chain: licenses, bans and sources of every crate (deny.toml; RustSec's advisories
# live on GitHub, out of reach here), and npm's advisories for what a page could load.
suite "cargo deny (licenses, bans, sources)" cargo deny check licenses bans sources
suite "npm audit (runtime dependencies)" npm audit --omit=dev
suite "lints (clippy -D warnings, rustfmt)" bash scripts/lint.sh
suite "core, rich content, dev server (native)" cargo test --no-fail-fast -p handoff-core -p handoff-rich -p devserver
suite "components in headless Chromium" \
  env CHROMEDRIVER="$(command -v chromedriver)" cargo test --no-fail-fast -p handoff-chat-widget --target wasm32-unknown-unknown
suite "dev server build (debug)" cargo build -p devserver
suite "official Direct Line client (botframework-directlinejs)" \
  env DEVSERVER_BIN="$PWD/target/debug/devserver" node --test tests/node/
suite "end-to-end through the loader script" \
  env DEVSERVER_BIN="$PWD/target/debug/devserver" DIST_DIR="$PWD/dist" cargo test --no-fail-fast -p e2e -- --test-threads=1 --nocapture
suite "size budgets (brotli: first download, rich module)" bash scripts/sizes.sh --budget

echo
echo "=== summary"
printf '%s\n' "${summary[@]}"
echo "all: $total_passed passed, $total_failed failed"
[ "$total_failed" -eq 0 ]
