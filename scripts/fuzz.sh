#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs each libFuzzer target for a set time: fuzz.sh BUILD_DIR SECONDS.
# The corpus grows in BUILD_DIR/corpus/<target> from the seeds in testbench/fuzz/corpus/<target>;
# a crash, hang (-timeout) or runaway memory leaves its input in BUILD_DIR/crashes/<target>/
# and fails the run.
set -euo pipefail
build=$1; seconds=$2
root=$(cd "$(dirname "$0")/.." && pwd)
status=0
for t in fuzz_rx_path fuzz_mmio fuzz_scenario; do
  work="$build/corpus/$t"; crashes="$build/crashes/$t"
  mkdir -p "$work" "$crashes"
  echo "fuzz: $t for ${seconds} s"
  if ! "$build/testbench/fuzz/$t" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 \
        -artifact_prefix="$crashes/" -print_final_stats=1 "$work" "$root/testbench/fuzz/corpus/$t" \
        >"$build/$t.log" 2>&1; then
    tail -40 "$build/$t.log"
    echo "fuzz: $t FAILED; the input is in $crashes/ (after the fix, add it to testbench/fuzz/regressions/$t/)"
    status=1
  else
    grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb" "$build/$t.log" | sed "s/^/  /"
  fi
done
exit $status
