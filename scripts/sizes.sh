#!/usr/bin/env bash
# What a visitor downloads for the widget. The one place that names the files a first-time
# visitor fetches and the brotli budget they must fit in: scripts/test.sh, scripts/snippet.sh
# and the benchmark (e2e/src/bin/bench) read them from here.
#
#   sizes.sh                 each file raw, gzip -9 and brotli -q 11, and the totals
#   sizes.sh --budget [N]    the same, then exits 1 when the brotli total is over N bytes
#                            (default: the widget's budget below)
#   sizes.sh --list          the files, one a line, measuring nothing
#   sizes.sh --tsv           file, raw, gzip, brotli (tab-separated), one line a file, then
#                            `budget<TAB>N`: for programs
#
# The files are read from $DIST_DIR (default: dist/ of this repository).
set -euo pipefail
# The files the page loads for the widget: loader, JS glue, wasm, stylesheet. Not the
# locales/ modules: a visitor loads one at most, and only when not English.
files=(handoff-chat.js handoff-chat-widget.js handoff-chat-widget_bg.wasm handoff-chat.css)
# 150 KiB brotli for the four together.
widget_budget=153600

mode=table budget=""
case "${1:-}" in
  "") ;;
  --budget) mode=budget budget=${2:-$widget_budget} ;;
  --list) printf '%s\n' "${files[@]}"; exit 0 ;;
  --tsv) mode=tsv ;;
  *) echo "sizes.sh: unknown argument $1 (see the comment at its top)" >&2; exit 2 ;;
esac
dist=${DIST_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/dist}

[ "$mode" = tsv ] || printf '%-28s %10s %10s %10s\n' "bundle file" raw gzip brotli
total_raw=0 total_gz=0 total_br=0
for f in "${files[@]}"; do
  path="$dist/$f"
  [ -f "$path" ] || { echo "missing $path (run scripts/build.sh)" >&2; exit 1; }
  raw=$(wc -c <"$path"); gz=$(gzip -9c "$path" | wc -c); br=$(brotli -q 11 -c "$path" | wc -c)
  if [ "$mode" = tsv ]; then
    printf '%s\t%d\t%d\t%d\n' "$f" "$raw" "$gz" "$br"
  else
    printf '%-28s %10d %10d %10d\n' "$f" "$raw" "$gz" "$br"
  fi
  total_raw=$((total_raw + raw)) total_gz=$((total_gz + gz)) total_br=$((total_br + br))
done
if [ "$mode" = tsv ]; then
  printf 'budget\t%d\n' "$widget_budget"
  exit 0
fi
printf '%-28s %10d %10d %10d\n' "total (bytes)" "$total_raw" "$total_gz" "$total_br"
if [ -n "$budget" ]; then
  if [ "$total_br" -gt "$budget" ]; then
    echo "size budget exceeded: $total_br bytes brotli > $budget" >&2
    exit 1
  fi
  echo "size budget: $total_br of $budget bytes brotli ($((total_br * 100 / budget))%)"
fi
