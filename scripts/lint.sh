#!/usr/bin/env bash
# Lints: clippy with every warning an error (the lint set is [workspace.lints] in Cargo.toml)
# for the native crates, core with its `preserve-unknown` feature, and the widget for wasm32;
# then rustfmt. Runs every check even after a failure, names the ones that failed and exits
# non-zero if any did. Expects scripts/setup.sh to have run (wasm32 target); installs clippy
# and rustfmt through rustup when the toolchain lacks them (a minimal-profile rustup).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="$HOME/.cargo/bin:$PATH"
log() { echo "[lint] $*"; }

missing=()
cargo clippy --version >/dev/null 2>&1 || missing+=(clippy)
cargo fmt --version >/dev/null 2>&1 || missing+=(rustfmt)
if ((${#missing[@]})); then
  log "rustup component add ${missing[*]}"
  rustup component add "${missing[@]}" || { log "FAILED: could not install ${missing[*]}"; exit 1; }
fi

failed=()
check() {
  local name=$1
  shift
  echo
  log "=== $name: $*"
  if "$@"; then
    log "ok: $name"
  else
    log "FAILED: $name"
    failed+=("$name")
  fi
}

check "clippy (native crates)" \
  cargo clippy -p handoff-core -p handoff-rich -p devserver -p e2e --all-targets -- -D warnings
check "clippy (core, preserve-unknown)" \
  cargo clippy -p handoff-core --features preserve-unknown --all-targets -- -D warnings
check "clippy (widget and rich module, wasm32)" \
  cargo clippy -p handoff-chat-widget -p handoff-rich --target wasm32-unknown-unknown --all-targets -- -D warnings
check "rustfmt" cargo fmt --all --check

echo
if ((${#failed[@]})); then
  log "${#failed[@]} of 4 checks failed:"
  printf '[lint]   - %s\n' "${failed[@]}"
  exit 1
fi
log "all 4 checks passed"
