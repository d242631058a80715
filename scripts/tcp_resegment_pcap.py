#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Random TCP captures that judge the receive path as a byte stream.

Writes an Ethernet pcap with `flows` connections (connection n: the simulation's peer_ip(n),
port 10000 + n -> 10.0.0.1:5001, ISN 1000000, as testbench/traffic/traffic.h), each a random stream of
1..40,000 bytes sent in random segments (full-sized, random, or tiny ones that become padded
runts), with losses retransmitted later re-segmented over a wider range, spurious
retransmissions of ranges around a segment, local reordering and the connections interleaved.
Every byte is covered. Prints "<segments> <stream bytes>": a run with
traffic.protocol=tcp, traffic.flows=<flows> and this capture must end with exit 0 and
app.delivered_bytes equal to the stream bytes (unless app.rcvlowat exceeds a stream's tail).

Usage: tcp_resegment_pcap.py SEED FLOWS MSS OUT.pcap   (MSS 1460, or 8960 with driver.mtu=9000)
"""
import random, struct, sys
def csum(data):
    if len(data) % 2: data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16: s = (s & 0xFFFF) + (s >> 16)
    return s
def peer_ip(flow):
    if flow == 0: return 0x0A000002
    host = (((flow * 0x9E3779B1) & 0xFFFFFFFF) >> 8) & 0xFFFFFF
    if (host & 0xFF) in (0, 0xFF): host ^= 1
    if host <= 2: host += 3
    return 0x0A000000 | host
ISN = 1000000
def frame(ident, flow, off, payload, psh):
    src, dst = struct.pack("!I", peer_ip(flow)), bytes([10, 0, 0, 1])
    tcp = struct.pack("!HHIIBBHHH", 10000 + flow, 5001, (ISN + 1 + off) & 0xFFFFFFFF, 1, 5 << 4, 0x18 if psh else 0x10, 65535, 0, 0)
    pseudo = src + dst + struct.pack("!BBH", 0, 6, len(tcp) + len(payload))
    tcp = tcp[:16] + struct.pack("!H", ~csum(pseudo + tcp + payload) & 0xFFFF) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp) + len(payload), ident & 0xFFFF, 0x4000, 64, 6, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", ~csum(ip) & 0xFFFF) + ip[12:]
    return bytes([2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2]) + struct.pack("!H", 0x0800) + ip + tcp + payload
def pieces(rnd, a, b, mss):
    out = []
    while a < b:
        n = min(b - a, rnd.choice([mss, mss, rnd.randint(1, mss), rnd.randint(1, 12)]))
        out.append((a, a + n)); a += n
    return out
def main(seed, flows, mss, path):
    rnd = random.Random(seed)
    per = []
    total_l = []
    for f in range(flows):
        L = rnd.randint(1, 40000)
        total_l.append(L)
        data = bytes(rnd.getrandbits(8) for _ in range(L))
        segs = []
        for (a, b) in pieces(rnd, 0, L, mss):
            r = rnd.random()
            if r < 0.1:   # lost: retransmitted later, re-segmented over a wider range
                ra = max(0, a - rnd.randint(0, 2 * mss)); rb = min(L, b + rnd.randint(0, 2 * mss))
                late = [(x, y) for (x, y) in pieces(rnd, ra, rb, mss)]
                segs.append(("late", late, rnd.randint(1, 12)))
            else:
                segs.append(("now", [(a, b)], 0))
                if r > 0.95:  # spurious retransmission of a range around it
                    ra = max(0, a - rnd.randint(0, mss)); rb = min(L, b + rnd.randint(0, mss))
                    segs.append(("late", pieces(rnd, ra, rb, mss), rnd.randint(0, 6)))
        order = []
        pending = []
        for i, (kind, rng, delay) in enumerate(segs):
            if kind == "now": order.extend(rng)
            else: pending.append((i + delay, rng))
            for p in [p for p in pending if p[0] <= i]:
                order.extend(p[1]); pending.remove(p)
        for p in pending: order.extend(p[1])
        # local reordering
        for i in range(len(order) - 1):
            if rnd.random() < 0.05: order[i], order[i + 1] = order[i + 1], order[i]
        per.append([(f, a, data[a:b]) for (a, b) in order])
    # interleave connections
    allf = []
    idx = [0] * flows
    while any(idx[f] < len(per[f]) for f in range(flows)):
        f = rnd.choice([f for f in range(flows) if idx[f] < len(per[f])])
        allf.append(per[f][idx[f]]); idx[f] += 1
    total = sum(total_l)
    with open(path, "wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        t = 0
        for i, (f, a, pl) in enumerate(allf):
            b = frame(i, f, a, pl, rnd.random() < 0.05)
            out.write(struct.pack("<IIII", 1700000000 + t // 1000000, t % 1000000, len(b), len(b)))
            out.write(b)
            t += (len(b) + 24) * 8 // 1000 + 1 + rnd.choice([0, 0, 1, 5, 50])
    return len(allf), total
if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit(__doc__.strip().splitlines()[-1])
    segs, total = main(int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
    print(segs, total)
