#!/usr/bin/env bash
# Builds the widget into dist/ (release, size-tuned wasm, stable file names).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/setup.sh
# Offline: Trunk must use the tools on PATH and never look up or download its own.
# The wasm is built with the pinned nightly: std rebuilt for size, panics abort without
# formatting, no file/line strings, `{:?}` compiled to nothing (the widget never shows it).
export RUSTUP_TOOLCHAIN="$WASM_NIGHTLY" \
  CARGO_UNSTABLE_BUILD_STD=std,panic_abort \
  CARGO_UNSTABLE_BUILD_STD_FEATURES=optimize_for_size \
  RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Zfmt-debug=none"
TRUNK_OFFLINE=true trunk build --release
# The rich content module (rich/): its own wasm and glue, fetched by the loader when the
# widget first needs it (src/client/rich.rs). Same toolchain and flags as the widget.
cargo build --quiet -p handoff-rich --lib --target wasm32-unknown-unknown --profile wasm-release
wasm-bindgen --target web --no-typescript --out-dir dist --out-name handoff-chat-rich \
  target/wasm32-unknown-unknown/wasm-release/handoff_rich.wasm
unset RUSTUP_TOOLCHAIN CARGO_UNSTABLE_BUILD_STD CARGO_UNSTABLE_BUILD_STD_FEATURES RUSTFLAGS
# The loader's launcher labels come from locales/, the one list of languages and strings.
node scripts/loader-labels.mjs dist/handoff-chat.js
# Leptos always links server_fn's browser client, whose streaming adapters (wasm-streams'
# IntoUnderlying* classes) are wasm exports, so no dead-code pass can drop them. This widget
# never calls a server function: remove the exports and let wasm-opt drop their code. The glue's classes for them are never constructed. Then the names that
# join the wasm and the glue are shortened in both (about 3 KB brotli).
wasm=dist/handoff-chat-widget_bg.wasm
features=(--enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext
  --enable-mutable-globals --enable-reference-types --enable-multivalue)
# Passes run in the order given: the exports go first, so that -Oz then removes their code
# (optimising before removing left it in: 0.5 KB brotli). Flattening and re-looping the
# control flow before -Oz, and gufa's whole-program constant propagation, save 1.5 KB more
# (measured on the same wasm: `brotli -q 11 -c <wasm> | wc -c` before and after).
node_modules/.bin/wasm-opt "$wasm" -o "$wasm" "${features[@]}" \
  --remove-exports --pass-arg='remove-exports@*intounderlying*' --strip-producers \
  --flatten --rereloop -Oz --gufa -Oz --converge
node scripts/minify-wasm-names.mjs "$wasm" dist/handoff-chat-widget.js -- "${features[@]}"
rich=dist/handoff-chat-rich_bg.wasm
node_modules/.bin/wasm-opt "$rich" -o "$rich" "${features[@]}" --strip-producers \
  --flatten --rereloop -Oz --gufa -Oz --converge
node scripts/minify-wasm-names.mjs "$rich" dist/handoff-chat-rich.js -- "${features[@]}"
node_modules/.bin/terser dist/handoff-chat-rich.js --module --compress passes=2 --mangle \
  -o dist/handoff-chat-rich.js
# Terser drops the glue's classes for the removed exports (no longer exported, so unused)
# and compresses the rest better than Trunk's minifier (0.6 KB brotli).
glue=dist/handoff-chat-widget.js
sed -i 's/export class IntoUnderlying/class IntoUnderlying/g' "$glue"
node_modules/.bin/terser "$glue" --module --compress passes=2 --mangle -o "$glue"
bash scripts/snippet.sh
