#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# run.sh OUT_DIR: builds the directed testbench tb_igb_nic with Verilator and with Icarus
# Verilog, runs both, and requires the same transcript from each, ending in PASS.
#
# Verilator runs the RTL as it is, assertions included. Icarus Verilog 11 gets it without its
# assertions (IGB_NO_ASSERTIONS: it parses none; not SYNTHESIS, which would also drop the
# simulation-only ports of igb_nic that the testbench reads), and re-triggers an
# always_comb block on its own for-loop variable without ever leaving the time step; for it
# the script copies the RTL with always_comb spelled `always @*`, which means the same for
# this RTL (every block assigns all it drives).
set -euo pipefail
out=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
mapfile -t rtl < <(grep -v '^//' "$root/rtl/files.f")  # the RTL list CMake and synthesis read
mkdir -p "$out/icarus_rtl"
srcs=(); icarus_srcs=()
for f in "${rtl[@]}"; do
  srcs+=("$root/$f")
  sed 's/\balways_comb\b/always @*/' "$root/$f" > "$out/icarus_rtl/$(basename "$f")"
  icarus_srcs+=("$out/icarus_rtl/$(basename "$f")")
done
tb="$root/testbench/rtl_tb/tb_igb_nic.sv"

verilator --binary --timing --assert -Wall --timescale 1ns/1ps -Mdir "$out/verilator" \
  --top-module tb_igb_nic "$root/rtl/lint.vlt" "$root/testbench/rtl_tb/tb.vlt" "${srcs[@]}" "$tb" >"$out/verilator_build.log" 2>&1 \
  || { cat "$out/verilator_build.log"; exit 1; }
"$out/verilator/Vtb_igb_nic" | grep -v 'Verilog \$finish$' >"$out/verilator.txt"

iverilog -g2012 -DIGB_NO_ASSERTIONS -o "$out/tb.vvp" -s tb_igb_nic "${icarus_srcs[@]}" "$tb" \
  >"$out/icarus_build.log" 2>&1 || { cat "$out/icarus_build.log"; exit 1; }
vvp -n "$out/tb.vvp" >"$out/icarus.txt"

if ! diff -u "$out/verilator.txt" "$out/icarus.txt"; then
  echo "transcripts differ: $out/verilator.txt vs $out/icarus.txt"
  exit 1
fi
tail -1 "$out/verilator.txt"
[ "$(tail -1 "$out/verilator.txt")" = "PASS" ] || { grep FAIL "$out/verilator.txt"; exit 1; }
echo "identical transcripts: $(wc -l <"$out/verilator.txt") lines"
