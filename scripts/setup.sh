#!/usr/bin/env bash
# Installs every tool the build, the demo and the tests need, offline from GitHub: only
# crates.io, npm, apt and rustup are used. Skips whatever is already there at the right
# version, so a second run takes seconds. Source it (it exports PATH) or run it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

TRUNK_VERSION=0.22.1
# The release wasm is built with this pinned nightly (build-std, immediate-abort panics, no
# location or Debug strings): 14% less brotli than stable, measured. Everything else is stable.
WASM_NIGHTLY=nightly-2026-05-20
# Trunk 0.22 declares rust-version 1.96.1; the project itself builds with the stable toolchain.
TRUNK_RUST=1.96.1
WASM_BINDGEN_VERSION=$(grep -A1 '^name = "wasm-bindgen"$' Cargo.lock | sed -n 's/^version = "\(.*\)"/\1/p')

# cargo install puts tools in $CARGO_HOME/bin (an empty CARGO_HOME included).
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PWD/node_modules/.bin:$PATH"
log() { echo "[setup] $*"; }

# A rustup with no toolchain at all (an empty RUSTUP_HOME) gets the stable one. Never a
# rustup self-update: it is not ours to change (and fails where rustup is not in CARGO_HOME).
if ! rustc --version >/dev/null 2>&1; then
  log "installing the stable Rust toolchain"
  rustup toolchain install stable --profile minimal --no-self-update
  rustup default stable
fi
for component in clippy rustfmt; do
  if ! rustup component list --installed | grep -q "^$component"; then
    log "adding $component"
    rustup component add "$component"
  fi
done
# Tools are built without LTO: minutes faster, and their speed does not matter here.
fast_install() { CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 cargo "$@"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding the wasm32 target"
  rustup target add wasm32-unknown-unknown
fi

if ! rustup run "$WASM_NIGHTLY" rustc --version >/dev/null 2>&1 \
  || ! rustup component list --toolchain "$WASM_NIGHTLY" --installed | grep -q '^rust-src'; then
  log "installing $WASM_NIGHTLY with rust-src (release wasm build)"
  rustup toolchain install "$WASM_NIGHTLY" --profile minimal --component rust-src --no-self-update
fi

# The widget's release build runs cargo offline (TRUNK_OFFLINE) with -Zbuild-std, which
# resolves std's own lockfile: its crates must be fetched first, or a fresh machine fails
# with "no matching package named `wasip1`". Both fetches take a second once done.
log "fetching the crates of the workspace and of std (build-std)"
cargo fetch --quiet
cargo "+$WASM_NIGHTLY" fetch --quiet -Zbuild-std=std,panic_abort --target wasm32-unknown-unknown

missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v chromedriver >/dev/null || missing+=(chromium-driver)
command -v brotli >/dev/null || missing+=(brotli)
if ((${#missing[@]})); then
  log "apt: ${missing[*]}"
  SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# npm: binaryen's wasm-opt (Debian's is too old), terser, Bootstrap for the Power Pages test
# pages, and the official Direct Line client.
if ! [ -x node_modules/.bin/wasm-opt ] || ! npm ls --silent >/dev/null 2>&1; then
  log "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi

if [ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]; then
  log "building trunk $TRUNK_VERSION (about 15 minutes on 2 cores)"
  rustup toolchain install "$TRUNK_RUST" --profile minimal --no-self-update
  fast_install "+$TRUNK_RUST" install trunk --locked --version "$TRUNK_VERSION" --force
fi

if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
  log "building wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 6 minutes)"
  # Not --locked: its lockfile pins a webpki-roots version the registry no longer has.
  fast_install install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi
CARGO_DENY_VERSION=0.20.2
if [ "$(cargo-deny --version 2>/dev/null)" != "cargo-deny $CARGO_DENY_VERSION" ]; then
  log "building cargo-deny $CARGO_DENY_VERSION (about 4 minutes)"
  fast_install install cargo-deny --locked --version "$CARGO_DENY_VERSION" --force
fi

log "tools ready: $(trunk --version), $(wasm-bindgen --version), wasm-opt $(wasm-opt --version | cut -d' ' -f3), $(chromedriver --version | cut -d' ' -f1-2)"
