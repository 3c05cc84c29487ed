#!/usr/bin/env bash
# Prints what a visitor downloads for the widget: each dist file raw, gzip -9 and brotli -q 11.
# With --budget BYTES, exits 1 when the brotli total is over it (CI uses the 150 KiB budget).
set -euo pipefail
budget=""
if [ "${1:-}" = "--budget" ]; then budget=$2; fi
cd "$(dirname "${BASH_SOURCE[0]}")/.."
files=(handoff-chat.js handoff-chat-widget.js handoff-chat-widget_bg.wasm handoff-chat.css)
printf '%-28s %10s %10s %10s\n' "bundle file" raw gzip brotli
total_raw=0 total_gz=0 total_br=0
for f in "${files[@]}"; do
  path="dist/$f"
  [ -f "$path" ] || { echo "missing $path (run scripts/build.sh)" >&2; exit 1; }
  raw=$(wc -c <"$path"); gz=$(gzip -9c "$path" | wc -c); br=$(brotli -q 11 -c "$path" | wc -c)
  printf '%-28s %10d %10d %10d\n' "$f" "$raw" "$gz" "$br"
  total_raw=$((total_raw + raw)) total_gz=$((total_gz + gz)) total_br=$((total_br + br))
done
printf '%-28s %10d %10d %10d\n' "total (bytes)" "$total_raw" "$total_gz" "$total_br"
if [ -n "$budget" ]; then
  if [ "$total_br" -gt "$budget" ]; then
    echo "size budget exceeded: $total_br bytes brotli > $budget" >&2
    exit 1
  fi
  echo "size budget: $total_br of $budget bytes brotli ($((total_br * 100 / budget))%)"
fi
