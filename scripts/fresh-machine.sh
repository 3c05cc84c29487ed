#!/usr/bin/env bash
# Runs the README's two commands as on a fresh machine and times them: a fresh clone of this
# repository's HEAD, empty CARGO_HOME and RUSTUP_HOME (only the rustup binary is kept, as
# the machine's own), no node_modules, no trunk or wasm-bindgen on PATH. First
# `scripts/demo.sh` until it prints its URL (then the page and the wasm are fetched from it
# and the server is stopped), then `scripts/test.sh`. Takes about 40 minutes on 2 cores.
#
# Usage: bash scripts/fresh-machine.sh [WORK_DIR]   (default /tmp/handoff-chat-fresh; emptied)
set -u
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=${1:-/tmp/handoff-chat-fresh}
rustup_bin=$(command -v rustup) || { echo "rustup not found" >&2; exit 1; }
port=18080

rm -rf "$work"
mkdir -p "$work/rustup-bin"
# rustup's proxies are one binary that dispatches on its name.
for tool in rustup cargo rustc rustdoc cargo-clippy clippy-driver cargo-fmt rustfmt; do
  ln -s "$rustup_bin" "$work/rustup-bin/$tool"
done
git clone -q "$repo" "$work/repo"
cd "$work/repo"
export CARGO_HOME=$work/cargo RUSTUP_HOME=$work/rustup
export PATH=$work/rustup-bin:/usr/local/bin:/usr/bin:/bin
echo "commit $(git rev-parse --short HEAD), empty CARGO_HOME=$CARGO_HOME and RUSTUP_HOME=$RUSTUP_HOME"

start=$(date +%s)
PORT=$port bash scripts/demo.sh >"$work/demo.log" 2>&1 &
demo=$!
until grep -q "handoff-chat dev server: http://127.0.0.1:$port/" "$work/demo.log"; do
  kill -0 "$demo" 2>/dev/null || { echo "demo.sh stopped early:"; tail -20 "$work/demo.log"; exit 1; }
  sleep 5
done
echo "scripts/demo.sh, from nothing to its printed URL: $(($(date +%s) - start)) s"
curl -sf "http://127.0.0.1:$port/" | grep -q 'src="/handoff-chat.js"' && echo "demo page: served, with the tag"
curl -sf -o /dev/null -w 'widget wasm: HTTP %{http_code}, %{size_download} bytes\n' \
  "http://127.0.0.1:$port/handoff-chat-widget_bg.wasm"
pkill -f "devserver.*--port $port"
wait "$demo" 2>/dev/null

start=$(date +%s)
bash scripts/test.sh >"$work/test.log" 2>&1
status=$?
echo "scripts/test.sh, right after: $(($(date +%s) - start)) s, exit $status"
sed -n '/^=== summary/,$p' "$work/test.log"
exit "$status"
