#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""make equiv BASE=<commit>: the equivalence set on two builds, and what differs.

A behaviour-preserving change must leave every run of the equivalence set (scripts/equiv_set.txt)
as it was: the same report.json (wall-clock fields aside), journey.csv, dma_tag.txt, rx.pcap and
summary, and the same waveform value changes (waves.fst through fst2vcd). BASE is built once
from `git archive` into <work>/<sha>/ (kept, so a second comparison against it starts at once);
HEAD is the igbsim given with --head (make equiv passes the working tree's build).

Exit status: 0 when every run matches, 1 when any differs (each difference is listed), 2 on bad
input (an unknown commit, a set line that does not parse).
"""
import argparse
import difflib
import json
import os
import shlex
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

# Fields that measure the host, not the simulation: left out of the comparison.
WALL_CLOCK_KEYS = {"wall_s"}
SUMMARY_WALL_PREFIX = "igbsim: "  # "igbsim: 6.875 ms simulated in 0.05 s wall (...)"


def fail(msg, status=2):
    print(f"equiv: {msg}", file=sys.stderr)
    sys.exit(status)


def git(repo, *args):
    r = subprocess.run(["git", "-C", repo, *args], capture_output=True, text=True)
    if r.returncode != 0:
        fail(f"git {' '.join(args)}: {r.stderr.strip() or 'not a commit'}")
    return r.stdout.strip()


def build_base(repo, sha, work, jobs):
    """Source of `sha` by git archive, built in Release with ccache; the igbsim path."""
    root = os.path.join(work, sha)
    exe = os.path.join(root, "build", "igbsim")
    if os.path.exists(exe):
        return exe
    src = os.path.join(root, "src")
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(src)
    archive = subprocess.Popen(["git", "-C", repo, "archive", sha], stdout=subprocess.PIPE)
    subprocess.run(["tar", "-x", "-C", src], stdin=archive.stdout, check=True)
    if archive.wait() != 0:
        fail(f"git archive {sha} failed")
    launcher = ["-DCMAKE_CXX_COMPILER_LAUNCHER=ccache"] if shutil.which("ccache") else []
    bdir = os.path.join(root, "build")
    # The binary knows its source tree (IGBSIM_SOURCE_DIR), so the build stays where it is made;
    # paths relative to root let ccache reuse objects built from another checkout.
    env = dict(os.environ, CCACHE_BASEDIR=root)
    print(f"equiv: building {sha[:12]} in {bdir}", flush=True)
    subprocess.run(["cmake", "-S", src, "-B", bdir, "-DCMAKE_BUILD_TYPE=Release", *launcher],
                   check=True, stdout=subprocess.DEVNULL, env=env)
    subprocess.run(["cmake", "--build", bdir, "-j", str(jobs), "--target", "igbsim"], check=True,
                   stdout=subprocess.DEVNULL, env=env)
    return exe


def read_set(path):
    """One run per line: a name, then igbsim run's arguments (# starts a comment)."""
    runs = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            try:
                words = shlex.split(line)
            except ValueError as e:
                fail(f"{path}:{n}: {e}")
            runs.append((words[0], words[1:]))
    names = [r[0] for r in runs]
    if len(set(names)) != len(names):
        fail(f"{path}: a run name appears twice")
    return runs


def run_one(exe, src, name, args, out):
    """One run, in the given source tree (scenario paths are relative to it)."""
    shutil.rmtree(out, ignore_errors=True)
    r = subprocess.run([exe, "run", *args, "--quiet", "--waves", "--out", out], cwd=src,
                       capture_output=True, text=True)
    with open(out + ".stdout", "w") as f:
        f.write(f"exit {r.returncode}\n" + r.stdout + r.stderr)
    return r.returncode


def normalise_text(text, out):
    lines = []
    for line in text.replace(out, "<out>").splitlines():
        if line.startswith(SUMMARY_WALL_PREFIX) and " wall " in line:
            line = line.split(" in ")[0]  # simulated time kept, wall time left out
        lines.append(line)
    return lines


def strip_wall(obj):
    if isinstance(obj, dict):
        return {k: strip_wall(v) for k, v in obj.items() if k not in WALL_CLOCK_KEYS}
    if isinstance(obj, list):
        return [strip_wall(v) for v in obj]
    return obj


def vcd_lines(fst):
    """The waveform's value changes: fst2vcd's output without its $date and $version blocks."""
    r = subprocess.run(["fst2vcd", fst], capture_output=True, text=True)
    text = r.stdout
    for block in ("$date", "$version"):
        i = text.find(block)
        if i >= 0:
            j = text.find("$end", i)
            text = text[:i] + text[j + 4:]
    return text.splitlines()


def compare(name, base_out, head_out):
    """The differences between one run's outputs, as lines (empty: equivalent)."""
    diffs = []

    def show(what, a, b):
        d = list(difflib.unified_diff(a, b, f"base/{what}", f"head/{what}", n=1, lineterm=""))
        if d:
            diffs.append(f"{name}: {what} differs")
            diffs.extend("    " + x for x in d[:12])
            if len(d) > 12:
                diffs.append(f"    ... {len(d) - 12} more diff lines")

    for what in ("stdout",):
        with open(base_out + ".stdout") as fa, open(head_out + ".stdout") as fb:
            show(what, normalise_text(fa.read(), base_out), normalise_text(fb.read(), head_out))
    files_a = sorted(os.listdir(base_out)) if os.path.isdir(base_out) else []
    files_b = sorted(os.listdir(head_out)) if os.path.isdir(head_out) else []
    if files_a != files_b:
        diffs.append(f"{name}: output files differ: base {files_a}, head {files_b}")
    for f in sorted(set(files_a) & set(files_b)):
        a, b = os.path.join(base_out, f), os.path.join(head_out, f)
        if f == "report.json":
            ja, jb = strip_wall(json.load(open(a))), strip_wall(json.load(open(b)))
            if ja != jb:
                show(f, json.dumps(ja, indent=1).replace(base_out, "<out>").splitlines(),
                     json.dumps(jb, indent=1).replace(head_out, "<out>").splitlines())
        elif f == "waves.fst":
            if open(a, "rb").read() != open(b, "rb").read():
                show("waves (value changes)", vcd_lines(a), vcd_lines(b))
        elif f.endswith((".png",)):
            continue  # drawn by gnuplot from the compared data
        else:
            ta = open(a, "rb").read().decode("utf-8", "replace")
            tb = open(b, "rb").read().decode("utf-8", "replace")
            if ta.replace(base_out, "<out>") != tb.replace(head_out, "<out>"):
                show(f, normalise_text(ta, base_out), normalise_text(tb, head_out))
    return diffs


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--base", required=True, help="commit to compare against")
    p.add_argument("--head", default=None, help="the igbsim to check (the working tree's)")
    p.add_argument("--repo", default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    p.add_argument("--set", dest="set_file", default=None, help="the equivalence set")
    p.add_argument("--work", default=None, help="where base builds are kept")
    p.add_argument("--runs", default=None, help="where the runs' outputs go (default <work>/runs)")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    p.add_argument("--build-only", action="store_true",
                   help="build BASE and print its igbsim's path (make profile BASE=...)")
    a = p.parse_args()
    repo = a.repo
    set_file = a.set_file or os.path.join(repo, "scripts", "equiv_set.txt")
    work = os.path.abspath(a.work or os.path.join(repo, "build-equiv"))
    sha = git(repo, "rev-parse", "--verify", "--quiet", a.base + "^{commit}")
    if a.build_only:
        print(build_base(repo, sha, work, a.jobs))
        return
    if not a.head or not os.access(a.head, os.X_OK):
        fail(f"--head {a.head}: not an executable")
    runs = read_set(set_file)
    base_exe = build_base(repo, sha, work, a.jobs)
    base_src = os.path.join(work, sha, "src")
    outs = os.path.abspath(a.runs or os.path.join(work, "runs"))
    os.makedirs(outs, exist_ok=True)

    def both(run):
        name, args = run
        ra = run_one(base_exe, base_src, name, args, os.path.join(outs, "base", name))
        rb = run_one(os.path.abspath(a.head), repo, name, args, os.path.join(outs, "head", name))
        return name, ra, rb

    with ThreadPoolExecutor(max_workers=a.jobs) as ex:
        results = list(ex.map(both, runs))
    differing = 0
    for name, ra, rb in results:
        d = compare(name, os.path.join(outs, "base", name), os.path.join(outs, "head", name))
        if d:
            differing += 1
            print("\n".join(d))
    print(f"equiv: {len(runs)} runs against {sha[:12]}: "
          + ("no difference" if not differing else f"{differing} differ"))
    sys.exit(1 if differing else 0)


if __name__ == "__main__":
    main()
