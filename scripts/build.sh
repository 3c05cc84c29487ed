#!/usr/bin/env bash
# Builds the widget into dist/ (release, size-tuned wasm, stable file names).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/setup.sh
# Offline: Trunk must use the tools on PATH and never look up or download its own.
# The wasm is built with the pinned nightly: std rebuilt for size, panics abort without
# formatting, no file/line strings, `{:?}` compiled to nothing (the widget never shows it).
TRUNK_OFFLINE=true \
  RUSTUP_TOOLCHAIN="$WASM_NIGHTLY" \
  CARGO_UNSTABLE_BUILD_STD=std,panic_abort \
  CARGO_UNSTABLE_BUILD_STD_FEATURES=optimize_for_size \
  RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Zfmt-debug=none" \
  trunk build --release
