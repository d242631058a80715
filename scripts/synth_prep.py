#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Prepare rtl/ for Yosys 0.23 (Debian bookworm), whose SystemVerilog front end cannot import
packages: every module that imports igb_pkg gets the package's declarations copied into its
body, and the package constants its header uses (parameter defaults, port widths) replaced by
their values. The RTL itself stays as it is; this writes the prepared copies to OUTDIR.

usage: synth_prep.py OUTDIR rtl/igb_pkg.sv rtl/other.sv...
"""
import re
import sys


def package_body(text):
    m = re.search(r"package\s+igb_pkg\s*;(.*)endpackage", text, re.S)
    if not m:
        sys.exit("synth_prep: no package igb_pkg in the package file")
    return m.group(1)


def constants(body):
    """Values of the package's integer localparams, evaluated in order."""
    values = {}
    for name, expr in re.findall(r"localparam\s+int\s+unsigned\s+(\w+)\s*=\s*([^;]+);", body):
        expr = re.sub(r"//.*", "", expr).strip()
        values[name] = int(eval(expr.replace("/", "//"), {}, dict(values)))
    return values


def prepare(text, body, values):
    m = re.search(r"module\s+\w+\s*\n\s*import\s+igb_pkg::\*;\n", text)
    if not m:
        return text
    start = m.start()
    text = text[:m.start()] + text[m.start():m.end()].replace(
        re.search(r"\s*import\s+igb_pkg::\*;\n", text[m.start():m.end()]).group(0), "\n") + text[m.end():]
    header_end = text.index("\n);\n", start) + 4
    header = text[start:header_end]
    for name, value in values.items():
        header = re.sub(r"\b%s\b" % name, str(value), header)
    return text[:start] + header + body + "\n" + text[header_end:]


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    outdir, pkg, files = sys.argv[1], sys.argv[2], sys.argv[3:]
    body = package_body(open(pkg).read())
    values = constants(body)
    for path in files:
        name = path.rsplit("/", 1)[-1]
        with open(f"{outdir}/{name}", "w") as out:
            out.write(prepare(open(path).read(), body, values))


if __name__ == "__main__":
    main()
