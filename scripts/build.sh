#!/usr/bin/env bash
# Builds the widget into dist/ (release, size-tuned wasm, stable file names).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/setup.sh
# Offline: Trunk must use the tools on PATH and never look up or download its own.
TRUNK_OFFLINE=true trunk build --release
