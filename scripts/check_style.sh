#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# make check-style: the style checks of CONTRIBUTING.md, each run whatever the others find;
# exits 1 if any fails.
#   format     every C++ file as .clang-format lays it out (scripts/format_check.sh)
#   spdx       the SPDX line at the top of every source file (scripts/spdx.sh --check)
#   fn_length  no C++ function over 150 lines outside data tables (scripts/fn_length.py)
#   columns    no line over 100 columns in C++ and SystemVerilog sources (characters, not bytes)
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

# Lines over 100 columns, one summary line per file.
columns() {
  local files=() f n first bad=0
  if [ "$(git rev-parse --show-toplevel 2>/dev/null)" = "$root" ]; then
    while IFS= read -r -d '' f; do [ -f "$f" ] && files+=("$f"); done < <(
      git ls-files -z --cached --others --exclude-standard -- '*.cpp' '*.h' '*.sv' '*.svh')
  else
    while IFS= read -r -d '' f; do files+=("${f#./}"); done < <(
      find . \( -path ./.git -o -path './build*' -o -path ./out \) -prune -o -type f \
        \( -name '*.cpp' -o -name '*.h' -o -name '*.sv' -o -name '*.svh' \) -print0 | sort -z)
  fi
  for f in "${files[@]}"; do
    n=$(LC_ALL=C.UTF-8 grep -cE '^.{101,}' "$f")
    if [ "$n" -gt 0 ]; then
      first=$(LC_ALL=C.UTF-8 grep -nE -m1 '^.{101,}' "$f" | cut -d: -f1)
      echo "$f: $n line(s) over 100 columns, the first at line $first"
      bad=1
    fi
  done
  return $bad
}

fail=0
check() {
  local name=$1
  shift
  if "$@"; then
    echo "check-style: $name ok"
  else
    echo "check-style: $name FAILED"
    fail=1
  fi
}
check format bash scripts/format_check.sh
check spdx bash scripts/spdx.sh --check
check fn_length python3 scripts/fn_length.py
check columns columns
exit $fail
