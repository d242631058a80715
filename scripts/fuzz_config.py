#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Configuration-space fuzzer for igbsim, and the replay of its regressions.

fuzz:   fuzz_config.py --igbsim BIN --seconds N --work DIR [--seed S] [--timeout T]
replay: fuzz_config.py --igbsim BIN --replay FILE.toml...

Each draw is a random *valid* scenario taken from the parameter table (`igbsim params --json`):
every parameter within its documented range and choices, a few of them moved from their
defaults at a time (with their extremes drawn often), sometimes with a random capture as the
traffic (valid UDP/TCP frames to the host, odd sizes, bursts of identical timestamps, long
gaps, frames for other hosts, garbage; or TCP streams re-segmented, retransmitted and
reordered by scripts/tcp_resegment_pcap.py). Planted faults (fault.*) and live traffic stay off.
The run's size is bounded so that a draw takes seconds: traffic.frames and send.frames
<= 2000, traffic.duration_us <= 5000, app.sockets x app.threads <= 1,000,000 (every thread
registers every socket: 100,000 sockets x 256 threads are 25.6 million epoll registrations,
minutes of wall time and gigabytes; 20,000 for poll and select, which register them all
again in each call), and at most 100 deferred completions when
gro_flush_timeout is under 10 us (busy polling); app.cpu is drawn below kernel.cores;
kernel.hz is one of 100, 250, 300, 1000; what the NIC sends a link partner slower than line
rate (wire.partner_rx_rate_pct) is bounded to its buffer and 20 ms of its absorbing (its PAUSE
frames stop the NIC, which is clocked in every cycle while paused: igb_fc's pause timer).
Everything else is drawn from its whole range.

Property: exit 0 with no violation and nothing unaccounted, or exit 2 before simulating with
one line on stderr and no output folder. A draw with sim.lockstep runs with run-ahead first;
if it spans at most LOCKSTEP_MAX_CYCLES it runs again in lockstep, which must give the same
report and journey (lockstep ticks every cycle: over simulated seconds it would take days). Anything else (exit 1 or 3, a signal, a timeout, a
sanitizer report on stderr) is a finding: its scenario (and capture) is saved under
DIR/findings/NNN/ with what happened. Once fixed, it belongs in
testbench/fuzz/regressions/config/ as NAME.toml (and NAME.pcap), which `make test` replays.

A regression file is a scenario whose comments say what it found; a line `# expect: exit 2`
says the configuration must be refused as bad input, otherwise it must run clean. It runs in
its own folder, so `traffic.pcap = "NAME.pcap"` finds the capture beside it.
"""
import argparse
import json
import math
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import tomllib

import tcp_resegment_pcap
from tcp_resegment_pcap import csum

HOST_MAC = bytes([0x02, 0, 0, 0, 0, 0x01])
PEER_MAC = bytes([0x02, 0, 0, 0, 0, 0x02])
HOST_IP = 0x0A000001
DST_PORT = 5001
TCP_ISN = 1000000

# Bounds on a draw's size (see the docstring); the model's own limits are the table's.
MAX_FRAMES = 2000
MAX_DURATION_US = 5000
MAX_REGISTRATIONS = 1_000_000
# poll() and select() register every socket again in each call, and every woken thread calls
# again: 6578 sockets x 152 poll threads took 0.44 s of wall time a frame (seed 2027, draw
# 2745368601: 137 of 300 frames in 60 s). Their product is bounded lower.
MAX_POLL_REGISTRATIONS = 20_000
# Lockstep runs (see judge) only over spans of at most this many NIC cycles (16 ms).
LOCKSTEP_MAX_CYCLES = 2_000_000
# How many lockstep draws were compared with run-ahead, and how many spanned too long for it.
STATS = {"lockstep compared": 0, "lockstep too long": 0, "not drained": 0, "refused": 0}
REFUSED = {}  # refusals (exit 2) by what the message names
SKIP = {"traffic.live", "traffic.live_addr", "traffic.live_port", "traffic.live_idle_us", "traffic.pcap"}


def table(igbsim):
    out = subprocess.run([igbsim, "params", "--json"], check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def draw_number(rng, lo, hi, integer, multiple=0):
    r = rng.random()
    if r < 0.15:
        x = lo
    elif r < 0.30:
        x = hi
    elif r < 0.65 and lo >= 0 and hi > 0:  # log-uniform over the range's decades
        a = math.log10(max(lo, 1e-3 if not integer else 1))
        x = 10 ** rng.uniform(a, math.log10(hi))
    else:
        x = rng.uniform(lo, hi)
    x = min(max(x, lo), hi)
    if integer:
        x = int(round(x))
        if multiple:
            x = max(int(math.ceil(lo / multiple)) * multiple, min(hi // multiple * multiple, x // multiple * multiple))
        return int(x)  # the table's bounds may come as floats: an integer parameter takes an integer
    return x


def draw_value(rng, p):
    t = p["type"]
    if t == "bool":
        return rng.random() < 0.5
    if "choices" in p and (t == "string" or rng.random() < 0.5):
        return rng.choice(p["choices"])
    if t == "string_or_number":
        lo, hi = p["number_range"]
        return draw_number(rng, lo, hi, p.get("number_integer", False))
    if t in ("int", "float") and "range" in p:
        lo, hi = p["range"]
        return draw_number(rng, lo, hi, t == "int", p.get("multiple_of", 0))
    return p["default"]


def toml_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        r = repr(v)
        return r if any(c in r for c in ".en") else r + ".0"
    return json.dumps(v)  # a TOML basic string for what we draw (ASCII, no control characters)


def checksum(b):
    """The Internet checksum of b, complemented (as it goes into a header)."""
    return ~csum(b) & 0xFFFF


def frame(rng, size, tcp, flow, seq, foreign=False):
    """An Ethernet frame without FCS, `size` bytes with FCS."""
    body = max(size - 4, 60)
    l4h = 20 if tcp else 8
    payload = bytes(rng.getrandbits(8) for _ in range(max(body - 14 - 20 - l4h, 0)))
    src_ip = 0x0A000002 + flow * 7919 % 100000 + (1 << 20)
    sport = 10000 + flow
    if tcp:
        l4 = struct.pack("!HHIIBBHHH", sport, DST_PORT, seq, 1, 5 << 4, 0x18, 65535, 0, 0) + payload
        pseudo = struct.pack("!IIBBH", src_ip, HOST_IP, 0, 6, len(l4))
        l4 = l4[:16] + struct.pack("!H", checksum(pseudo + l4)) + l4[18:]
        proto = 6
    else:
        l4 = struct.pack("!HHHH", sport, DST_PORT + flow % 4, 8 + len(payload), 0) + payload
        proto = 17
    ip = struct.pack("!BBHHHBBHII", 0x45, 0, 20 + len(l4), flow & 0xFFFF, 0x4000, 64, proto, 0, src_ip, HOST_IP)
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    dst = bytes([0x02, 0, 0, 0, 0x77, 0x77]) if foreign else HOST_MAC
    f = dst + PEER_MAC + b"\x08\x00" + ip + l4
    return f + b"\0" * max(0, 60 - len(f))


def write_pcap(rng, path, tcp):
    n = rng.choice([1, 2, 5, 20, 100, 400])
    t = 1_000_000_000  # ns since the epoch of the capture
    recs = []
    seqs = {}
    for i in range(n):
        r = rng.random()
        if r < 0.3:
            gap = 0  # identical timestamps: the capture outruns the wire
        elif r < 0.95:
            gap = rng.randint(1, 200_000)
        else:
            gap = rng.choice([10**9, 3600 * 10**9])  # a second or an hour of silence
        t += gap
        kind = rng.random()
        size = rng.choice([64, 65, 128, 300, 590, 1000, 1518, 1519, 1522, 1523, 2000, 9018])
        flow = rng.randint(0, 3)
        if kind < 0.05:
            data = bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 200)))  # garbage
        elif kind < 0.10:
            data = frame(rng, size, tcp, flow, 0, foreign=True)
        elif tcp:
            seq = seqs.get(flow, TCP_ISN + 1)
            data = frame(rng, size, True, flow, seq)
            seqs[flow] = seq + len(data) - 54 if len(data) >= 54 else seq
        else:
            data = frame(rng, size, False, flow, 0)
        recs.append((t, data))
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, 65535, 1))  # nanosecond pcap
        for ts, d in recs:
            f.write(struct.pack("<IIII", ts // 10**9, ts % 10**9, len(d), len(d)))
            f.write(d)


def draw(rng, params, workdir):
    """A random valid scenario: {key: value}, and the capture's path if it uses one."""
    chosen = {}
    defaults = {p["key"]: p["default"] for p in params}
    rate = rng.choice([0.05, 0.15, 0.3])
    for p in params:
        k = p["key"]
        if k in SKIP or k.startswith("fault."):
            continue
        if k.startswith("cost.") and rng.random() > 0.05:
            continue
        if rng.random() < rate:
            chosen[k] = draw_value(rng, p)
    # Bounded size (see the docstring)
    if "traffic.frames" in chosen or rng.random() < 0.5:
        chosen["traffic.frames"] = int(10 ** rng.uniform(0, math.log10(MAX_FRAMES)))
    else:
        chosen.setdefault("traffic.frames", 300)
    # The sender's datagrams, bounded as the received frames are
    if "send.frames" in chosen:
        chosen["send.frames"] = rng.choice(
            [0, int(10 ** rng.uniform(0, math.log10(MAX_FRAMES)))])
    if "traffic.duration_us" in chosen:
        chosen["traffic.duration_us"] = rng.choice([0.0, round(rng.uniform(1, MAX_DURATION_US), 3)])
    threads = chosen.get("app.threads", 1)
    most = (MAX_POLL_REGISTRATIONS if chosen.get("app.kind", defaults["app.kind"]) in ("poll", "select")
            else MAX_REGISTRATIONS)
    if chosen.get("app.sockets", 1) * threads > most:
        chosen["app.sockets"] = max(1, most // threads)
    # NAPI deferral with a timeout of nanoseconds is busy polling: a million empty polls after
    # each busy one (72 million polls for 300 frames: 31 s). Bounded like the size.
    if chosen.get("kernel.gro_flush_timeout_ns", 20000) < 10000 and chosen.get("kernel.napi_defer_hard_irqs", 0) > 100:
        chosen["kernel.napi_defer_hard_irqs"] = 100
    # Each sender thread sends on its own flows (a refusal otherwise: a draw spent on nothing)
    if "send.threads" in chosen:
        chosen["send.threads"] = min(chosen["send.threads"],
                                     chosen.get("send.flows", defaults.get("send.flows", 1)))
    # UDP_SEGMENT sends: datagrams within the MTU, a call within 65,507 bytes of payload
    # (a refusal otherwise: most draws of a large frame would be spent on nothing)
    if chosen.get("send.gso_segments", 1) > 1:
        frame = chosen.get("send.frame_bytes", defaults.get("send.frame_bytes", 64))
        mtu = chosen.get("driver.mtu", defaults.get("driver.mtu", 1500))
        if frame > mtu + 18:
            chosen["send.frame_bytes"] = frame = rng.randint(64, mtu + 18)
        chosen["send.gso_segments"] = min(chosen["send.gso_segments"], 65507 // (frame - 46))
    # CONFIG_HZ takes four values of its range (a refusal otherwise)
    if "kernel.hz" in chosen:
        chosen["kernel.hz"] = rng.choice([100, 250, 300, 1000])
    # The application's core must exist (a refusal otherwise: a draw spent on nothing)
    cores = chosen.get("kernel.cores", defaults.get("kernel.cores", 1))
    if chosen.get("app.cpu", 0) >= cores:
        chosen["app.cpu"] = chosen["app.cpu"] % cores
    pcap = None
    if rng.random() < 0.15:
        tcp = chosen.get("traffic.protocol") == "tcp"
        pcap = os.path.join(workdir, "capture.pcap")
        if tcp and rng.random() < 0.5:
            # Re-segmented streams: losses retransmitted over wider ranges, spurious
            # retransmissions, reordering, connections interleaved (scripts/tcp_resegment_pcap.py)
            flows = rng.randint(1, 4)
            mss = max(1, min(8960, chosen.get("driver.mtu", 1500) - 40))
            tcp_resegment_pcap.main(rng.getrandbits(32), flows, mss, pcap)
            chosen["traffic.flows"] = flows
        else:
            write_pcap(rng, pcap, tcp)
        chosen["traffic.pcap"] = "capture.pcap"
    bound_slow_partner(chosen, defaults, pcap)
    bound_send_schedule(chosen, defaults)
    return chosen, pcap


def bound_send_schedule(chosen, defaults):
    """The sender's datagram i is due i / rate after the start: at a rate of 0.005 per second,
    1464 datagrams span 3.5 days of simulated time, every kernel tick of it simulated (a
    timeout, not a finding). Its schedule is bounded like the received traffic's duration."""
    def get(k):
        return chosen.get(k, defaults.get(k))
    if not chosen.get("send.frames", 0):
        return
    pps = get("send.rate_pps") or 0
    if pps <= 0:
        pps = get("send.rate_pct") / 100 * 1e9 / ((get("send.frame_bytes") + 20) * 8)
    most = 1 + int(pps * MAX_DURATION_US * 1e-6)
    chosen["send.frames"] = min(chosen["send.frames"], most)


def bound_slow_partner(chosen, defaults, pcap):
    """A slow link partner pauses the NIC, which is clocked in every cycle while paused (igb_fc's
    pause timer): what the NIC sends it (the sender's datagrams, echo replies) is bounded to its
    buffer and 20 ms of its absorbing."""
    def get(k):
        return chosen.get(k, defaults.get(k))
    pct = get("wire.partner_rx_rate_pct")
    if pct is None or pct >= 100:
        return
    room = get("wire.partner_rx_buffer") + 0.02 * pct / 100 * 125e6
    if chosen.get("send.frames", 0):
        chosen["send.frames"] = min(chosen["send.frames"], max(1, int(room / get("send.frame_bytes"))))
    if get("app.reply") == "echo":
        if pcap:
            chosen["wire.partner_rx_rate_pct"] = 100  # a capture's replies: not bounded here
        else:
            chosen["traffic.frames"] = min(chosen["traffic.frames"], max(1, int(room / (get("driver.mtu") + 18))))


def scenario_text(chosen, comments=()):
    tables = {}
    for k, v in chosen.items():
        t, name = k.split(".", 1)
        tables.setdefault(t, []).append((name, v))
    lines = ["# " + c for c in comments]
    for t, kv in tables.items():
        lines.append("[%s]" % t)
        lines += ["%s = %s" % (n, toml_value(v)) for n, v in kv]
    return "\n".join(lines) + "\n"


def run(igbsim, scenario, cwd, timeout, target, sets=()):
    """One igbsim run into target: the finished process, or None on a timeout."""
    cmd = [igbsim, "run", scenario, "--quiet", "--out", target]
    for s in sets:
        cmd += ["--set", s]
    try:
        return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None


def same_run(a, b):
    """None when runs a and b (output folders) have the same report, but for the wall clock and
    how the cycles split between ticked and skipped, and the same journey; else the first
    difference."""
    reports = []
    for d in (a, b):
        with open(os.path.join(d, "report.json")) as f:
            r = json.load(f)
        for k in ("wall_s", "rtl_cycles", "rtl_cycles_skipped", "rtl_cycles_core_clocked"):
            r["sim"].pop(k, None)
        reports.append(r)

    def first_difference(x, y, path):
        if isinstance(x, dict) and isinstance(y, dict):
            for k in sorted(set(x) | set(y)):
                d = first_difference(x.get(k), y.get(k), path + "." + k)
                if d:
                    return d
            return None
        if isinstance(x, list) and isinstance(y, list) and len(x) == len(y):
            for i, (u, v) in enumerate(zip(x, y)):
                d = first_difference(u, v, "%s[%d]" % (path, i))
                if d:
                    return d
            return None
        return None if x == y else "%s: %s run-ahead, %s lockstep" % (path, json.dumps(x)[:80], json.dumps(y)[:80])

    d = first_difference(reports[0], reports[1], "report")
    if d:
        return d
    with open(os.path.join(a, "journey.csv")) as f, open(os.path.join(b, "journey.csv")) as g:
        for n, (u, v) in enumerate(zip(f, g), 1):
            if u != v:
                return "journey.csv line %d: %s run-ahead, %s lockstep" % (n, u.strip()[:120], v.strip()[:120])
    return None


def judge(igbsim, scenario, cwd, timeout, allow_exit2=True, expect_exit2=False, lockstep=False, expect_drained=False):
    """Runs one scenario; returns None when the property holds, else what went wrong.
    allow_exit2: a refusal as bad input is fine; expect_exit2: only a refusal is.
    expect_drained: every frame must have its fate before the drain's bound (a frame the
    model strands somewhere it still holds is in flight at the bound, not lost).
    lockstep: the scenario asks for sim.lockstep; lockstep ticks every cycle (about a million a
    second, fewer under the sanitizers), so a run that spans simulated seconds would take days.
    The scenario runs with run-ahead first; when its span is at most LOCKSTEP_MAX_CYCLES, it
    runs again in lockstep, which must give the same report and journey."""
    out = tempfile.mkdtemp(prefix="igbsim-fuzzcfg-")
    target = os.path.join(out, "run")
    try:
        p = run(igbsim, scenario, cwd, timeout, target, ["sim.lockstep=false"] if lockstep else [])
        if p is None:
            return "timeout after %d s" % timeout
        err = p.stderr.strip()
        if "Sanitizer" in p.stderr or "runtime error:" in p.stderr:
            return "sanitizer report: " + err[-2000:]
        if p.returncode < 0:
            return "killed by signal %d: %s" % (-p.returncode, err[-500:])
        if p.returncode == 2:
            if not allow_exit2 and not expect_exit2:
                return "refused as bad input (exit 2), expected a clean run: " + err[-500:]
            if os.path.exists(target):
                return "exit 2 but the output folder was written"
            if not err or len(err.splitlines()) != 1:
                return "exit 2 without exactly one line on stderr: %r" % err[-500:]
            STATS["refused"] += 1
            why = err.split(":")[1].strip() if err.count(":") >= 2 else err  # "igbsim: KEY: ..."
            REFUSED[why] = REFUSED.get(why, 0) + 1
            return None
        if expect_exit2:
            return "expected exit 2 (bad input), got exit %d: %s" % (p.returncode, err[-500:])
        if p.returncode != 0:
            detail = err[-500:]
            try:
                with open(os.path.join(target, "report.json")) as f:
                    r = json.load(f)
                v = r["checks"]["violations"]
                detail = "%d violation(s), first %s: %s; lost_unaccounted %s" % (
                    len(v), v[0]["kind"] if v else "-", v[0]["detail"] if v else "-", r["checks"]["lost_unaccounted"])
            except Exception:
                pass
            return "exit %d: %s" % (p.returncode, detail)
        with open(os.path.join(target, "report.json")) as f:
            r = json.load(f)
        c = r["checks"]
        if c["violations"] or c["lost_unaccounted"]:
            return "exit 0 but violations %d, lost_unaccounted %d" % (len(c["violations"]), c["lost_unaccounted"])
        if not c["drained"]:
            STATS["not drained"] += 1
            if expect_drained:
                return "not drained: %d frames in flight at the bound (%s)" % (c["in_flight"], json.dumps(c["in_flight_at"]))
        cycles = r["sim"]["rtl_cycles"] + r["sim"]["rtl_cycles_skipped"]
        if not lockstep:
            return None
        if cycles > LOCKSTEP_MAX_CYCLES:
            STATS["lockstep too long"] += 1
            return None
        STATS["lockstep compared"] += 1
        twin = os.path.join(out, "lockstep")
        q = run(igbsim, scenario, cwd, timeout, twin, ["sim.lockstep=true"])
        if q is None:
            return "lockstep: timeout after %d s (%d cycles)" % (timeout, cycles)
        if q.returncode != 0 or "Sanitizer" in q.stderr or "runtime error:" in q.stderr:
            return "lockstep: exit %d where run-ahead ran clean: %s" % (q.returncode, q.stderr.strip()[-500:])
        d = same_run(target, twin)
        return None if d is None else "lockstep differs from run-ahead: " + d
    finally:
        shutil.rmtree(out, ignore_errors=True)


def replay(args):
    failed = 0
    for f in args.replay:
        text = open(f).read()
        expect2 = any(l.strip() == "# expect: exit 2" for l in text.splitlines())
        drained = any(l.strip() == "# expect: drained" for l in text.splitlines())
        try:
            lockstep = tomllib.loads(text).get("sim", {}).get("lockstep") is True
        except tomllib.TOMLDecodeError:
            lockstep = False  # a damaged file is igbsim's to refuse
        too_long = STATS["lockstep too long"]
        what = judge(args.igbsim, os.path.abspath(f), os.path.dirname(os.path.abspath(f)), args.timeout,
                     allow_exit2=False, expect_exit2=expect2, lockstep=lockstep, expect_drained=drained)
        ok = "ok" + (" (run-ahead only: too long a span for lockstep)" if STATS["lockstep too long"] > too_long else "")
        print("%-60s %s" % (os.path.basename(f), ok if what is None else "FAILED: " + what))
        failed += what is not None
    print("%d passed, %d failed" % (len(args.replay) - failed, failed))
    return 1 if failed else 0


def fuzz(args):
    rng = random.Random(args.seed)
    params = table(args.igbsim)
    findings = os.path.join(args.work, "findings")
    os.makedirs(findings, exist_ok=True)
    deadline = time.time() + args.seconds
    runs = found = 0
    while time.time() < deadline:
        seed = rng.getrandbits(32)
        draw_rng = random.Random(seed)
        work = tempfile.mkdtemp(prefix="igbsim-draw-", dir=args.work)
        try:
            chosen, pcap = draw(draw_rng, params, work)
            path = os.path.join(work, "scenario.toml")
            with open(path, "w") as f:
                f.write(scenario_text(chosen, ["fuzz_config draw %d" % seed]))
            what = judge(args.igbsim, path, work, args.timeout, lockstep=chosen.get("sim.lockstep") is True)
            runs += 1
            if what is None:
                continue
            found += 1
            dest = os.path.join(findings, "%08x" % seed)
            os.makedirs(dest, exist_ok=True)
            with open(os.path.join(dest, "scenario.toml"), "w") as f:
                f.write(scenario_text(chosen, ["fuzz_config draw %d" % seed, "found: " + what.replace("\n", " ")[:300]]))
            if pcap:
                shutil.copy(pcap, os.path.join(dest, "capture.pcap"))
            print("finding %08x: %s" % (seed, what.splitlines()[0][:300]), flush=True)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    print("fuzz_config: %d configurations in %d s: %d refused as bad input, %d ended at the drain's bound with "
          "frames in flight; lockstep: %d compared with run-ahead, %d too long" %
          (runs, args.seconds, STATS["refused"], STATS["not drained"], STATS["lockstep compared"],
           STATS["lockstep too long"]))
    if REFUSED:
        print("  refused for: " + ", ".join("%s %d" % kv for kv in sorted(REFUSED.items(), key=lambda kv: -kv[1])[:8]))
    print("fuzz_config: %d findings (in %s)" % (found, findings))
    return 1 if found else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--igbsim", required=True)
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--work", default="fuzz-config")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--timeout", type=int, default=120, help="seconds a run may take before it counts as a hang")
    ap.add_argument("--replay", nargs="*")
    args = ap.parse_args()
    args.igbsim = os.path.abspath(args.igbsim)
    if args.replay is not None:
        return replay(args)
    os.makedirs(args.work, exist_ok=True)
    args.work = os.path.abspath(args.work)
    if args.seed is None:
        args.seed = random.SystemRandom().getrandbits(32)
    print("fuzz_config: seed %d, %d s" % (args.seed, args.seconds), flush=True)
    return fuzz(args)


if __name__ == "__main__":
    sys.exit(main())
