#!/usr/bin/env bash
# Performance benchmark: widget download sizes (raw, gzip, brotli) against the budget, and
# timings/memory in headless Chromium against the dev server on loopback. Prints two tables
# and writes JSON (default target/bench/results.json). Arguments go to the bench binary:
#   bash scripts/bench.sh [--runs 5] [--out FILE] [--burst 1000] [--cards 50] [--markdown 200]
#                         [--scroll 5000]
# Exit 1: the widget's brotli total is over budget. Exit 2: a run could not be measured.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# Tools + a fresh dist/ (build.sh changes to the repository root and exports PATH).
source scripts/build.sh
cargo build --release -p devserver
cargo build --release -p e2e --bin bench
DEVSERVER_BIN="$PWD/target/release/devserver" DIST_DIR="$PWD/dist" \
  CHROMEDRIVER="${CHROMEDRIVER:-$(command -v chromedriver)}" \
  target/release/bench "$@"
