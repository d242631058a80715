#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# soak.sh IGBSIM OUT_DIR [FRAMES]: a long run of mixed load (IMIX sizes, Poisson arrivals at
# 40 % of line rate, 16 flows over 4 queues) that must end with zero violations and zero
# unaccounted frames, with resident memory flat after warm-up. Memory is sampled every 2 s
# into OUT_DIR/rss.csv; flat means the last sample is at most 10 % + 16 MB above the sample
# taken a fifth of the way in. Prints the peak.
set -euo pipefail
igbsim=$1; out=$2; frames=${3:-10000000}
mkdir -p "$(dirname "$out")"
"$igbsim" run --quiet --out "$out" --set traffic.frames="$frames" --set traffic.size=imix \
  --set traffic.pattern=poisson --set traffic.rate_pct=40 --set traffic.flows=16 \
  --set kernel.rmem_default=4194304 >"$out.log" 2>&1 &
pid=$!
echo "t_s,rss_kb" >"$out.rss.csv"
start=$(date +%s)
while kill -0 "$pid" 2>/dev/null; do
  rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
  [ -n "$rss" ] && echo "$(( $(date +%s) - start )),$rss" >>"$out.rss.csv"
  sleep 2
done
status=0; wait "$pid" || status=$?
cat "$out.log"
python3 - "$out" "$status" <<'PY'
import csv, json, sys
out, status = sys.argv[1], int(sys.argv[2])
rows = [(int(t), int(r)) for t, r in csv.reader(open(out + ".rss.csv")) if t != "t_s"]
rep = json.load(open(out + "/report.json"))
c = rep["checks"]
ok = status == 0 and c["passed"] and c["lost_unaccounted"] == 0
print(f"soak: {c['offered']} frames offered, {c['delivered']} delivered, {c['dropped']} dropped "
      f"({c['dropped_by']}), {c['lost_unaccounted']} unaccounted, {len(c['violations'])} violations")
if len(rows) >= 5:
    peak = max(r for _, r in rows)
    warm = rows[len(rows) // 5][1]
    last = rows[-1][1]
    flat = last <= warm * 1.10 + 16 * 1024
    print(f"soak: resident memory after warm-up {warm / 1024:.1f} MB, at the end {last / 1024:.1f} MB, "
          f"peak {peak / 1024:.1f} MB over {rows[-1][0]} s: {'flat' if flat else 'GROWING'}")
    ok = ok and flat
else:
    print("soak: too short to judge memory (fewer than 5 samples)")
sys.exit(0 if ok else 1)
PY
