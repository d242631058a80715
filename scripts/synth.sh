#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# make synth: proves rtl/ synthesizable with Yosys and prints cells and flip-flops.
#
# Choice: Debian bookworm's yosys (0.23) cannot read this RTL - it has no multi-dimensional
# packed arrays (the per-queue register and port vectors) - so this runs Yosys 0.55 from
# YoWASP (the same Yosys built for WebAssembly, from the npm registry), pinned and installed
# under build/. Yosys reads neither a package import in a module header nor one at file scope,
# so scripts/synth_prep.py first copies igb_pkg's declarations into each module.
# Memories (the packet buffer, descriptor caches, write-back buffers) stay memory cells: a
# real part maps them to SRAM macros, not flip-flops.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
YOSYS_NPM_VERSION=0.55.944
mods="$BUILD/yowasp"
if [ ! -f "$mods/node_modules/@yowasp/yosys/package.json" ] ||
   ! grep -q "\"version\": \"$YOSYS_NPM_VERSION\"" "$mods/node_modules/@yowasp/yosys/package.json"; then
  mkdir -p "$mods"
  echo '{"private": true}' > "$mods/package.json"
  npm install --prefix "$mods" --no-audit --no-fund --loglevel=error "@yowasp/yosys@$YOSYS_NPM_VERSION" >/dev/null
fi
prep="$BUILD/synth"
rm -rf "$prep" && mkdir -p "$prep"
# rtl/files.f: the RTL list CMake and the RTL testbench read, the package first
mapfile -t srcs < <(grep -v '^//' rtl/files.f)
[ "${srcs[0]}" = rtl/igb_pkg.sv ] || { echo "synth: rtl/files.f must start with rtl/igb_pkg.sv" >&2; exit 1; }
python3 scripts/synth_prep.py "$prep" "${srcs[@]}"
names=$(for s in "${srcs[@]:1}"; do basename "$s"; done | tr '\n' ' ')
node scripts/yosys.mjs "$mods" "read_verilog -sv -DSYNTHESIS $names; \
  synth -top igb_nic -flatten -run begin:fine; opt -fast -full; techmap; opt -fast; abc -fast; opt -fast; \
  tee -q -o stat.txt stat" "$prep"/*.sv > "$BUILD/synth_stat.txt"
sed -n '/Number of cells/,$p' "$BUILD/synth_stat.txt"
awk '/\$_(S?DFF|DLATCH)/ {ff += $2} /\$mem/ {mem += $2} /Number of cells/ {cells = $4}
     END {printf "igb_nic: %d cells, %d flip-flops, %d memories (Yosys, generic gates)\n", cells, ff, mem}' \
    "$BUILD/synth_stat.txt"
