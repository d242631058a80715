#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs the Debian packages igbsim needs. Idempotent: installs only what is missing,
# non-interactive, and touches nothing when everything is already there.
set -euo pipefail
pkgs=(cmake g++ make pkg-config zlib1g-dev
      verilator libsystemc-dev libboost-dev libgtest-dev gtkwave
      libtomlplusplus-dev nlohmann-json3-dev libcli11-dev libfmt-dev libpcap-dev
      xvfb imagemagick python3 tshark gnuplot-nox   # imagemagick: import, for igbsim waves --png
      clang libclang-rt-dev   # libFuzzer and the sanitizers' runtimes (make fuzz, make test-asan)
      clang-format            # the C++ style (.clang-format; make format, make check-style)
      iverilog)               # the directed RTL testbench runs under Verilator and Icarus
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node and npm run Yosys for `make synth` (YoWASP); Debian's npm package only when the machine
# has no npm of its own (a newer nodejs package bundles it and conflicts with Debian's).
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
[ ${#missing[@]} -eq 0 ] && exit 0
echo "setup: installing ${missing[*]}"
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
