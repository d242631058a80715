#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# run_unit.sh MODULE OUT_DIR: builds the directed testbench tb_MODULE of one block, rtl/MODULE.sv
# (igb_tx_offload, igb_fc), with Verilator and with Icarus Verilog, runs both,
# and requires the same transcript from each, ending in PASS. Then it runs the Verilator build
# once more with +plant (one expected byte corrupted) and requires FAIL: the checks can fail.
#
# As run.sh: Icarus Verilog 11 gets the RTL without its assertions (IGB_NO_ASSERTIONS) and
# with always_comb spelled `always @*`.
set -euo pipefail
mod=$1
out=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
rtl="$root/rtl/$mod.sv"
tb="$root/testbench/rtl_tb/tb_$mod.sv"
mkdir -p "$out/icarus_rtl"
sed 's/\balways_comb\b/always @*/' "$rtl" > "$out/icarus_rtl/$mod.sv"

verilator --binary --timing --assert -Wall --timescale 1ns/1ps -Mdir "$out/verilator" \
  --top-module tb_$mod "$root/rtl/lint.vlt" "$root/testbench/rtl_tb/tb.vlt" "$rtl" "$tb" \
  >"$out/verilator_build.log" 2>&1 || { cat "$out/verilator_build.log"; exit 1; }
"$out/verilator/Vtb_$mod" | grep -v 'Verilog \$finish$' >"$out/verilator.txt"

iverilog -g2012 -DIGB_NO_ASSERTIONS -o "$out/tb.vvp" -s tb_$mod \
  "$out/icarus_rtl/$mod.sv" "$tb" >"$out/icarus_build.log" 2>&1 \
  || { cat "$out/icarus_build.log"; exit 1; }
vvp -n "$out/tb.vvp" | grep -v 'Verilog \$finish$' >"$out/icarus.txt"

if ! diff -u "$out/verilator.txt" "$out/icarus.txt"; then
  echo "transcripts differ: $out/verilator.txt vs $out/icarus.txt"
  exit 1
fi
cat "$out/verilator.txt"
[ "$(tail -1 "$out/verilator.txt")" = "PASS" ] || { grep FAIL "$out/verilator.txt"; exit 1; }
echo "identical transcripts: $(wc -l <"$out/verilator.txt") lines"

"$out/verilator/Vtb_$mod" +plant | grep -v 'Verilog \$finish$' >"$out/planted.txt"
if [ "$(tail -1 "$out/planted.txt")" = "PASS" ] || ! grep -q '^FAIL frame' "$out/planted.txt"; then
  echo "a corrupted expected byte went unnoticed: $out/planted.txt"
  exit 1
fi
echo "planted error caught: $(grep -m1 '^FAIL frame' "$out/planted.txt")"
