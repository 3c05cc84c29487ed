#!/usr/bin/env bash
# The full soak run: 1000 visitor<->bot and visitor<->agent exchanges through the real widget
# while faults are injected at random; prints lost / duplicated / reordered counts.
# SOAK_EXCHANGES=N and SOAK_SEED=N change the run (the test command runs 200, seed 1).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/build.sh
cargo build -p devserver
SOAK_EXCHANGES="${SOAK_EXCHANGES:-1000}" DEVSERVER_BIN="$PWD/target/debug/devserver" DIST_DIR="$PWD/dist" \
  cargo test -p e2e --test soak -- --nocapture
