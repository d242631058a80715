#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# make profile [BASE=<commit>]: callgrind's instruction count per offered frame for a line-rate
# run of PROFILE_FRAMES 64-byte frames (the simulator's hardest steady load), for the working
# tree's igbsim and, with BASE, for that commit's (built by scripts/equiv.py) and the change.
# Usage: profile.sh IGBSIM [BASE_COMMIT]
set -euo pipefail
cd "$(dirname "$0")/.."
head_exe=$1
base=${2:-}
frames=${PROFILE_FRAMES:-20000}
work=${PROFILE_WORK:-build-equiv/profile}
mkdir -p "$work"

# instructions (callgrind's Ir total) of one run of the given igbsim
count() {
  local exe=$1 tag=$2
  rm -rf "$work/$tag.out"
  valgrind --tool=callgrind --callgrind-out-file="$work/$tag.callgrind" "$exe" run --quiet \
    --set traffic.rate_pct=100 --set traffic.frames="$frames" --out "$work/$tag.out" \
    >/dev/null 2>"$work/$tag.valgrind"
  awk '/^summary:/ {print $2}' "$work/$tag.callgrind"
}

head_ir=$(count "$head_exe" head)
printf 'profile: %d frames at line rate: %s instructions, %.0f per frame (working tree)\n' \
  "$frames" "$head_ir" "$(echo "$head_ir / $frames" | bc -l)"
if [[ -n $base ]]; then
  base_exe=$(python3 scripts/equiv.py --base "$base" --build-only --work "${EQUIV_WORK:-build-equiv}" | tail -n1)
  base_ir=$(count "$base_exe" base)
  printf 'profile: %d frames at line rate: %s instructions, %.0f per frame (%s)\n' \
    "$frames" "$base_ir" "$(echo "$base_ir / $frames" | bc -l)" "$base"
  printf 'profile: change %+.2f %%\n' "$(echo "($head_ir - $base_ir) * 100 / $base_ir" | bc -l)"
fi
