#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Puts `SPDX-License-Identifier: Apache-2.0` on the first line of every source file of the
# repository (after a shebang, and after a Python coding line that follows it), as a comment of
# the file's language: C++, SystemVerilog, Verilator control files and JavaScript take `//`;
# CMake, Makefiles, Python, shell and TOML scenarios and sweeps take `#`. Data is left alone:
# fuzz corpora and regression inputs other than scenarios, captures, the GTKWave filter, lists,
# Markdown, LICENSE. A file that already names a licence in its first lines (any SPDX line,
# as third-party code would keep its own) is not touched, so running it again changes nothing.
#
#   scripts/spdx.sh           add the line where it is missing
#   scripts/spdx.sh --check   list the files without it; exit 1 if there is any
#
# The files are git's (tracked, and untracked ones not ignored) when run in a checkout, else
# every file under the tree but build*/ and out/ (a `git archive` copy).
set -euo pipefail
ID="SPDX-License-Identifier: Apache-2.0"
check=0
case "${1:-}" in
  --check) check=1 ;;
  "") ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

list_files() {
  if [ "$(git rev-parse --show-toplevel 2>/dev/null)" = "$root" ]; then
    git ls-files -z --cached --others --exclude-standard
  else
    find . \( -path ./.git -o -path './build*' -o -path ./out \) -prune -o -type f -print0 |
      sed -z 's|^\./||'
  fi
}

# The comment leader for a file, or nothing for a file that takes no SPDX line.
leader() {
  case "$1" in
    testbench/fuzz/corpus/* | testbench/fuzz/regressions/fuzz_*) return ;;  # fuzzer inputs
    *.cpp | *.cc | *.h | *.hpp | *.sv | *.svh | *.v | *.vlt | *.mjs | *.js) echo "//"; return ;;
    *.py | *.sh | *.cmake | CMakeLists.txt | */CMakeLists.txt | Makefile | */Makefile | *.mk)
      echo "#"; return ;;
    scenarios/*.toml | sweeps/*.toml | testbench/fuzz/regressions/config/*.toml) echo "#"; return ;;
  esac
  case "${1##*/}" in
    *.*) ;;
    *)  # no extension: a script if it has a shebang (.ci/run)
      if head -c 2 "$1" | grep -q '^#!'; then echo "#"; fi ;;
  esac
}

missing=0
while IFS= read -r -d '' f; do
  [ -f "$f" ] && [ ! -L "$f" ] || continue
  lead="$(leader "$f")"
  [ -n "$lead" ] || continue
  head -n 5 "$f" | grep -q 'SPDX-License-Identifier:' && continue
  if [ $check -eq 1 ]; then
    echo "$f"
    missing=$((missing + 1))
    continue
  fi
  line="$lead $ID"
  if [ ! -s "$f" ]; then
    printf '%s\n' "$line" >"$f"
    continue
  fi
  # The line goes after a shebang, and after a Python encoding declaration, which must stay
  # within the first two lines.
  n=0
  head -n 1 "$f" | grep -q '^#!' && n=1
  if sed -n "$((n + 1))p" "$f" | grep -Eq '^[[:space:]]*#.*coding[:=]'; then n=$((n + 1)); fi
  if [ $n -eq 0 ]; then
    sed -i "1i\\$line" "$f"
  else
    sed -i "${n}a\\$line" "$f"
  fi
done < <(list_files)

if [ $check -eq 1 ] && [ $missing -gt 0 ]; then
  echo "spdx: $missing file(s) without '$ID' (scripts/spdx.sh adds it)" >&2
  exit 1
fi
exit 0
