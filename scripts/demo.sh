#!/usr/bin/env bash
# Sets up, builds the widget and runs the dev server with the demo page.
# PORT=9000 bash scripts/demo.sh to use another port.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/build.sh
# --state: conversations survive a restart of the demo server (kill it, start it again: the chat goes on).
exec cargo run --release -p devserver -- --port "${PORT:-8080}" --dist dist --state target/demo-state.json
