#!/usr/bin/env bash
# The soak across seeds and speeds (issue 16): the soak test (e2e/tests/soak.rs: visitor<->bot
# and visitor<->agent exchanges through the real widget while faults are injected at random)
# once per seed at normal speed and once with Chromium's CPU throttled 4x (CDP
# Emulation.setCPUThrottlingRate), then a table: seed, speed, exchanges, faults, lost,
# duplicated, reordered, the longest wait for a message (ms), time. Exits non-zero when any
# run lost, duplicated or reordered a message, or failed.
#
#   bash scripts/soak.sh [--seeds N] [--first-seed S] [--exchanges M] [--speeds "1 4"] [--no-build]
#
# Defaults: 20 seeds (1..20), 100 exchanges per run, speeds "1 4"; the same through
# SOAK_SEEDS, SOAK_FIRST_SEED, SOAK_EXCHANGES, SOAK_SPEEDS. --no-build reuses dist/ as it is
# (the widget's release build takes minutes). Each run's output is kept in
# target/soak/<date>/seed-<S>-<speed>x.log; a failed run's log ends with the widget's state.
# On a busy 2-core machine one run of 100 exchanges takes about 45 s at 1x and 2 min at 4x
# (40 exchanges: 20 s and 55 s), so the default matrix takes about an hour.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

seeds=${SOAK_SEEDS:-20} first=${SOAK_FIRST_SEED:-1} exchanges=${SOAK_EXCHANGES:-100}
speeds=${SOAK_SPEEDS:-1 4} build=1
while (($#)); do
  case $1 in
    --seeds) seeds=$2; shift 2 ;;
    --first-seed) first=$2; shift 2 ;;
    --exchanges) exchanges=$2; shift 2 ;;
    --speeds) speeds=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    -h | --help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "soak.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

# Set up and build as scripts/test.sh does for the end-to-end suite (both scripts stop this
# one at their first error: they set -e).
if ((build)); then
  source scripts/build.sh
else
  source scripts/setup.sh >/dev/null
fi
set +e # every run goes on when one fails
cargo build -p devserver || exit 1
cargo test -p e2e --test soak --no-run || exit 1
export DEVSERVER_BIN="$PWD/target/debug/devserver" DIST_DIR="$PWD/dist"

logs="target/soak/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$logs"
# field LINE KEY: the value of KEY=value on the test's `soak-result` line.
field() { tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p"; }

echo
echo "soak: $seeds seeds from $first, speeds $speeds, $exchanges exchanges per run; logs in $logs"
echo
printf '| %4s | %5s | %9s | %6s | %4s | %10s | %9s | %16s | %8s | %6s |\n' \
  seed speed exchanges faults lost duplicated reordered "longest wait ms" "time s" result
printf '|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|\n' ------ ------- ----------- -------- ------ \
  ------------ ----------- ------------------ ---------- --------
runs=0 failed=0
for ((seed = first; seed < first + seeds; seed++)); do
  for speed in $speeds; do
    log="$logs/seed-$seed-${speed}x.log"
    SOAK_SEED=$seed SOAK_EXCHANGES=$exchanges SOAK_CPU_THROTTLE=$speed RUST_BACKTRACE=0 \
      cargo test -q -p e2e --test soak -- --nocapture >"$log" 2>&1
    status=$?
    line=$(grep '^soak-result ' "$log" | tail -1)
    result=$(field "$line" result)
    lost=$(field "$line" lost) duplicated=$(field "$line" duplicated) reordered=$(field "$line" reordered)
    if [ "$status" -ne 0 ] || [ "$result" != ok ] || [ "$lost$duplicated$reordered" != 000 ]; then
      result=FAILED failed=$((failed + 1))
    fi
    runs=$((runs + 1))
    faults=$(field "$line" faults) wait=$(field "$line" longest_wait_ms) time=$(field "$line" time_s)
    printf '| %4s | %5s | %9s | %6s | %4s | %10s | %9s | %16s | %8s | %6s |\n' \
      "$seed" "${speed}x" "$exchanges" "${faults:--}" "${lost:--}" "${duplicated:--}" \
      "${reordered:--}" "${wait:--}" "${time:--}" "$result"
  done
done

echo
echo "soak: $runs runs, $failed failed; logs in $logs"
if ((failed)); then
  echo "soak: failed runs (each log ends with the widget's state; replay with the SOAK_* line at its top):"
  grep -L 'result=ok' "$logs"/*.log | sed 's/^/  /'
fi
((failed == 0))
