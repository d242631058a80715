#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Lists the C++ functions longer than 150 lines; exits 1 when there is any.

    scripts/fn_length.py [--max N] [--quiet] [FILE...]

A function's length is counted from the first line of its declarator (return type, name,
parameters) to its closing brace, lambdas and local classes inside it included. A function
that is a data table (one that only builds a table of entries) is exempt when the comment
`fn_length: data table` stands on a line of its declarator or on the line before it.

Without FILE, every *.cpp and *.h of the repository (git's files in a checkout, else every file
under the tree but build*/ and out/). --quiet prints nothing: only the exit status tells.

The scan matches braces on the source with comments, string literals (raw strings included),
character literals and preprocessor lines taken out, so a brace inside any of them does not
count. At namespace and class scope a brace opens a function body when what precedes it is a
declarator: a parameter list, then qualifiers (const, noexcept, override, ...), a trailing
return type or a constructor's member initializers. Namespaces, extern "C" and class bodies
are looked into; enum bodies and initializers (`= {...}`, `x{...}`) are not functions.
"""
import argparse
import bisect
import os
import re
import subprocess
import sys

MARKER = "fn_length: data table"


def strip_source(text):
    """The text with comments, literals and preprocessor lines blanked (newlines kept, so line
    numbers hold); literals keep their quotes so the code around them still reads."""
    out = []
    i, n = 0, len(text)
    line_start = True  # only whitespace since the last newline
    while i < n:
        c = text[i]
        if c == "\n":
            out.append(c)
            i += 1
            line_start = True
            continue
        if line_start and c == "#":
            # A preprocessor line, with its continuations.
            while i < n and text[i] != "\n":
                if text[i] == "\\" and i + 1 < n and text[i + 1] == "\n":
                    out.append("\n")
                    i += 2
                    continue
                i += 1
            continue
        if c in " \t\r\f\v":
            out.append(c)
            i += 1
            continue
        line_start = False
        if text.startswith("//", i):
            while i < n and text[i] != "\n":
                i += 1
            continue
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            out.append(re.sub(r"[^\n]", " ", text[i:end]))
            i = end
            continue
        m = re.match(r'(?:u8|u|U|L)?R"([^()\\ \n]{0,16})\(', text[i:i + 40])
        if m and not (i > 0 and (text[i - 1].isalnum() or text[i - 1] == "_")):
            close = ")" + m.group(1) + '"'
            end = text.find(close, i + m.end())
            end = n if end < 0 else end + len(close)
            body = text[i:end]
            out.append('""' + re.sub(r"[^\n]", " ", body[2:]))
            i = end
            continue
        if c == '"' or (c == "'" and not _digit_separator(text, i)):
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
            out.append(c + " " * (j - i - 2) + c if j - i >= 2 else c)
            i = j
            continue
        out.append(c)
        i += 1
    return "".join(out)


def _digit_separator(text, i):
    """Whether the ' at i separates digits (1'000'000) rather than opening a character."""
    j = i
    while j > 0 and (text[j - 1].isalnum() or text[j - 1] in "_'."):
        j -= 1
    return j < i and text[j].isdigit()


def collapse_parens(head):
    """head with every parenthesized group emptied: `f(int a, g(b))` -> `f()`."""
    out, depth = [], 0
    for c in head:
        if c == "(":
            if depth == 0:
                out.append("(")
            depth += 1
        elif c == ")":
            depth = max(depth - 1, 0)
            if depth == 0:
                out.append(")")
        elif depth == 0:
            out.append(c)
    return "".join(out)


QUALIFIERS = (r"(?:\s*(?:const|volatile|noexcept\(\)|noexcept|override|final|mutable|&&|&"
              r"|throw\(\)))*")
DECLARATOR_END = re.compile(r"\)" + QUALIFIERS + r"\s*(?:->[^;{}=]*)?$")
# class NAME final : BASES, with nothing after it (a template's `class T` is followed by more).
CLASS_HEAD = re.compile(r"\b(?:class|struct|union)\b\s*[\w:]*(?:<[^{;]*>)?(?:\s+final)?"
                        r"\s*(?::[^{;()]*)?$")
CTOR_INIT = re.compile(r"\)" + QUALIFIERS + r"\s*:(?!:)")


def classify(head):
    """What a brace opens at namespace or class scope, from the text before it:
    'scope' (look inside), 'function', 'ctor_init' (a brace inside the declarator: a member's
    braced initializer in a constructor's initializer list, or an argument in parentheses) or
    'other'."""
    if head.count("(") > head.count(")"):
        return "ctor_init"  # a braced argument or a lambda inside a call: `wire(p{}, [] {...})`
    h = collapse_parens(head).strip()
    if re.search(r"\bnamespace\b", h) or re.fullmatch(r'extern\s+"[^"]*"', h):
        return "scope"
    if re.search(r"\benum\b", h):
        return "other"
    if CLASS_HEAD.search(h) or re.fullmatch(r"SC_MODULE\(\)", h):
        return "scope"
    if not h:
        return "other"
    m = CTOR_INIT.search(h)
    if m:
        # In a constructor's initializer list a brace right after a member's name (or a
        # template argument list) initializes that member; after `)` or `}` it opens the body.
        return "ctor_init" if re.search(r"[\w>]$", h) else "function"
    top_level_eq = re.search(r"(?<![=!<>])=(?!=)", re.sub(r"\boperator\s*[^\s(]+", "", h))
    if top_level_eq:
        return "other"
    return "function" if DECLARATOR_END.search(h) else "other"


def function_name(head):
    """A short name for the report: the qualified name before the parameter list, or the whole
    macro call for TEST(...)-like macros."""
    h = " ".join(head.split())
    m = re.search(r"((?:[\w~]+::)*(?:operator\s*(?:\(\)|[^\s(]+)|~?\w+))\s*\(", h)
    if not m:
        return h[-60:]
    name = m.group(1)
    if m.start(1) == 0 and re.fullmatch(r"[A-Z][A-Z0-9_]*", name):  # TEST(suite, name)
        depth, j = 0, m.end() - 1
        for k in range(m.end() - 1, len(h)):
            depth += {"(": 1, ")": -1}.get(h[k], 0)
            if depth == 0:
                j = k
                break
        return h[m.start(1):j + 1]
    return name


def scan(path, limit):
    """(line, name, length) of each function in path longer than limit lines."""
    with open(path, encoding="utf-8", errors="replace") as f:
        raw = f.read()
    raw_lines = raw.split("\n")
    src = strip_source(raw)
    found = []
    # Each scope on the stack: 'scope' for namespace/class/file (look for functions inside),
    # 'skip' for a brace group that is no function (its braces only count).
    stack = ["scope"]
    head_start = 0  # offset where the current declaration's text begins
    i, n = 0, len(src)
    line_of = _line_index(src)
    while i < n:
        c = src[i]
        if c in ";":
            if stack[-1] == "scope":
                head_start = i + 1
            i += 1
            continue
        if c == "}":
            if len(stack) > 1:
                stack.pop()
            head_start = i + 1
            i += 1
            continue
        if c != "{":
            i += 1
            continue
        if stack[-1] != "scope":
            stack.append("skip")
            i += 1
            continue
        head = src[head_start:i]
        kind = classify(head)
        if kind == "ctor_init":
            i = _match_brace(src, i) + 1  # the member's initializer stays part of the head
            continue
        if kind == "scope":
            stack.append("scope")
            head_start = i + 1
            i += 1
            continue
        if kind == "other":
            end = _match_brace(src, i)
            i = end + 1
            continue  # the declaration goes on to its `;`
        # A function body: from the declarator's first line to the closing brace.
        end = _match_brace(src, i)
        # The declarator starts after any access specifier: `public: void f() {`.
        lead = re.match(r"(?:\s*(?:public|protected|private)\s*:(?!:))*\s*", head)
        off = head_start + lead.end()
        first = line_of(off)
        last = line_of(end)
        length = last - first + 1
        if length > limit:
            marked = any(MARKER in raw_lines[k] for k in range(max(first - 2, 0), line_of(i)))
            if not marked:
                found.append((first, function_name(head), length))
        i = end + 1
        head_start = i
    return found


def _match_brace(src, i):
    depth = 0
    for j in range(i, len(src)):
        if src[j] == "{":
            depth += 1
        elif src[j] == "}":
            depth -= 1
            if depth == 0:
                return j
    return len(src) - 1


def _line_index(src):
    starts = [0]
    for k, c in enumerate(src):
        if c == "\n":
            starts.append(k + 1)
    return lambda off: bisect.bisect_right(starts, off)  # 1-based line of offset


def repo_files(root):
    try:
        top = subprocess.run(["git", "-C", root, "rev-parse", "--show-toplevel"],
                             capture_output=True, text=True, check=True).stdout.strip()
    except (subprocess.CalledProcessError, FileNotFoundError):
        top = ""
    if top and os.path.realpath(top) == os.path.realpath(root):
        out = subprocess.run(["git", "-C", root, "ls-files", "-z", "--cached", "--others",
                              "--exclude-standard", "--", "*.cpp", "*.h"],
                             capture_output=True, text=True, check=True).stdout
        files = [f for f in out.split("\0") if f and os.path.isfile(os.path.join(root, f))]
    else:
        files = []
        for d, dirs, names in os.walk(root):
            rel = os.path.relpath(d, root)
            if rel == ".":
                dirs[:] = [x for x in dirs if not (x.startswith("build") or x in (".git", "out"))]
            files += [os.path.relpath(os.path.join(d, f), root) for f in names
                      if f.endswith((".cpp", ".h"))]
    return sorted(files)


def main():
    ap = argparse.ArgumentParser(description="C++ functions longer than --max lines")
    ap.add_argument("files", nargs="*")
    ap.add_argument("--max", type=int, default=150, help="longest allowed (default 150 lines)")
    ap.add_argument("--quiet", action="store_true", help="print nothing; the exit status tells")
    a = ap.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if a.files:
        files = a.files
    else:
        os.chdir(root)
        files = repo_files(root)
    offenders = []
    for f in files:
        offenders += [(f, line, name, length) for line, name, length in scan(f, a.max)]
    if offenders and not a.quiet:
        for f, line, name, length in offenders:
            print(f"{f}:{line}: {name}: {length} lines")
        print(f"fn_length: {len(offenders)} function(s) over {a.max} lines (split them, or mark a "
              f"data table with a `{MARKER}` comment)", file=sys.stderr)
    return 1 if offenders else 0


if __name__ == "__main__":
    sys.exit(main())
