#!/usr/bin/env bash
# What a visitor downloads for the widget. The one place that names the files a first-time
# visitor fetches and the brotli budget they must fit in, and the modules fetched later with
# their own budgets: scripts/test.sh, scripts/snippet.sh and the benchmark
# (e2e/src/bin/bench) read them from here.
#
#   sizes.sh                 each file raw, gzip -9 and brotli -q 11, and the totals (first
#                            download, each module, everything)
#   sizes.sh --budget [N]    the same, then exits 1 when the first download's brotli total is
#                            over N bytes (default: the widget's budget below) or a module is
#                            over its own
#   sizes.sh --list          every file (first download and modules), one a line
#   sizes.sh --tsv           the first download's files: file, raw, gzip, brotli
#                            (tab-separated), one line a file, then `budget<TAB>N`: for programs
#
# The files are read from $DIST_DIR (default: dist/ of this repository).
set -euo pipefail
# The files the page loads for the widget: loader, JS glue, wasm, stylesheet. Not the
# locales/ modules: a visitor loads one at most, and only when not English.
files=(handoff-chat.js handoff-chat-widget.js handoff-chat-widget_bg.wasm handoff-chat.css)
# 150 KiB brotli for the four together.
widget_budget=153600
# The rich content module (rich/: markdown, citations, cards, Adaptive Cards, suggested
# actions), fetched when the chat first shows rich content or when the browser is idle. Its
# own budget (108 KiB); issue 13 aims at 230 KiB for everything together.
rich_files=(handoff-chat-rich.js handoff-chat-rich_bg.wasm handoff-chat-rich.css)
rich_budget=110592

mode=table budget=""
case "${1:-}" in
  "") ;;
  --budget) mode=budget budget=${2:-$widget_budget} ;;
  --list) printf '%s\n' "${files[@]}" "${rich_files[@]}"; exit 0 ;;
  --tsv) mode=tsv ;;
  *) echo "sizes.sh: unknown argument $1 (see the comment at its top)" >&2; exit 2 ;;
esac
dist=${DIST_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/dist}

# measure NAME BUDGET FILES...: prints each file (or a TSV line) and sets total_br; in
# budget mode, records NAME as over when total_br > BUDGET.
over=()
measure() {
  local name=$1 limit=$2 f path raw gz br
  shift 2
  total_raw=0 total_gz=0 total_br=0
  [ "$mode" = tsv ] || printf '%-28s %10s %10s %10s\n' "$name" raw gzip brotli
  for f in "$@"; do
    path="$dist/$f"
    [ -f "$path" ] || { echo "missing $path (run scripts/build.sh)" >&2; exit 1; }
    raw=$(wc -c <"$path"); gz=$(gzip -9c "$path" | wc -c); br=$(brotli -q 11 -c "$path" | wc -c)
    if [ "$mode" = tsv ]; then
      printf '%s\t%d\t%d\t%d\n' "$f" "$raw" "$gz" "$br"
    else
      printf '  %-26s %10d %10d %10d\n' "$f" "$raw" "$gz" "$br"
    fi
    total_raw=$((total_raw + raw)) total_gz=$((total_gz + gz)) total_br=$((total_br + br))
  done
  if [ "$mode" != tsv ]; then
    printf '  %-26s %10d %10d %10d  (budget %d: %d%%)\n' "total" "$total_raw" "$total_gz" \
      "$total_br" "$limit" $((total_br * 100 / limit))
  fi
  if [ "$total_br" -gt "$limit" ]; then over+=("$name: $total_br bytes brotli > $limit"); fi
}

measure "first download" "${budget:-$widget_budget}" "${files[@]}"
if [ "$mode" = tsv ]; then
  printf 'budget\t%d\n' "$widget_budget"
  exit 0
fi
first=$total_br
measure "rich content module" "$rich_budget" "${rich_files[@]}"
echo "everything (first download + modules): $((first + total_br)) bytes brotli"
if [ "$mode" = budget ]; then
  if ((${#over[@]})); then
    printf 'size budget exceeded: %s\n' "${over[@]}" >&2
    exit 1
  fi
  echo "size budgets: first download $first of ${budget:-$widget_budget} bytes brotli, rich module $total_br of $rich_budget"
fi
