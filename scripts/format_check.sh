#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Checks every C++ file of the repository against .clang-format: lists each file clang-format
# would change, with the number of changes, and exits 1 if there is any.
#
#   scripts/format_check.sh         check (make format-check)
#   scripts/format_check.sh --fix   rewrite the files in place (make format)
#
# The style is clang-format 14's reading of .clang-format (Debian bookworm's clang-format,
# which scripts/setup.sh installs); another version may lay some lines out differently.
# CLANG_FORMAT names another binary. The files are git's (tracked, and untracked ones not
# ignored) in a checkout, else every *.cpp and *.h under the tree but build*/ and out/.
set -euo pipefail
fix=0
case "${1:-}" in
  --fix) fix=1 ;;
  "") ;;
  *) echo "usage: $0 [--fix]" >&2; exit 2 ;;
esac
cf="${CLANG_FORMAT:-clang-format}"
if ! command -v "$cf" >/dev/null; then
  echo "format_check: $cf not found (make setup installs it)" >&2
  exit 2
fi
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

files=()
if [ "$(git rev-parse --show-toplevel 2>/dev/null)" = "$root" ]; then
  while IFS= read -r -d '' f; do
    [ -f "$f" ] && files+=("$f")
  done < <(git ls-files -z --cached --others --exclude-standard -- '*.cpp' '*.h')
else
  while IFS= read -r -d '' f; do
    files+=("${f#./}")
  done < <(find . \( -path ./.git -o -path './build*' -o -path ./out \) -prune -o \
             -type f \( -name '*.cpp' -o -name '*.h' \) -print0 | sort -z)
fi

if [ $fix -eq 1 ]; then
  printf '%s\0' "${files[@]}" | xargs -0 -r "$cf" -i --style=file
  exit 0
fi

# One clang-format process for all files: each replacement it would make is one warning line,
# `FILE:LINE:COL: warning: code should be clang-formatted`.
out="$(printf '%s\0' "${files[@]}" | xargs -0 -r "$cf" --dry-run --style=file 2>&1)" ||
  { echo "$out" >&2; echo "format: $cf failed" >&2; exit 2; }
report="$(echo "$out" | sed -n 's/^\(.*\):[0-9]*:[0-9]*: warning: .*/\1/p' | uniq -c)"
if [ -n "$report" ]; then
  echo "$report" | awk '{ n = $1; $1 = ""; sub(/^ /, ""); printf "%s: %d change(s)\n", $0, n }'
  version="$("$cf" --version | sed 's/.*version \([0-9.]*\).*/clang-format \1/')"
  echo "format: $(echo "$report" | wc -l) of ${#files[@]} C++ files differ from .clang-format" \
       "($version); make format fixes them" >&2
  exit 1
fi
exit 0
