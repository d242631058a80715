#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes tcp_overlap.pcap: one TCP connection (10.0.0.2:10000 -> 10.0.0.1:5001, the
simulation's connection 0, ISN 1000000) whose sender re-segments its retransmissions, so
segments overlap what the receiver already has, and each other in the out-of-order queue.
Every byte at stream offset x is (x * 7 + 3) & 0xFF, whichever segment carries it.
Also writes tcp_overlap_x7.pcap, the same with every offset and length times 7 (segments of
up to 1,400 bytes, whose payload igb_construct_skb leaves in a page fragment).
Run: python3 tcp_overlap.py (writes next to itself)."""
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "..", "scripts"))
from fuzz_config import checksum  # noqa: E402  (the Internet checksum, complemented)

ISN = 1000000
# (stream offset, length) in arrival order, with what the receiver does with each
SEGMENTS = [
    (0, 100),     # in order
    (50, 200),    # overlaps what it has: the first 50 bytes are trimmed
    (100, 100),   # all old: dropped (delayed_ack_lost)
    (400, 100),   # out of order
    (300, 150),   # out of order, overlapping the held 400..500
    (350, 50),    # all held already by 300..450: dropped (tcp_ofo_merge)
    (600, 100),   # out of order
    (600, 200),   # same start, more bytes: replaces 600..700 (tcp_ofo_merge)
    (250, 100),   # fills the hole: 250..350, then 350..450 and 450..500 trimmed from the queue
    (500, 100),   # fills the next: 500..600, then 600..800
    (700, 200),   # overlaps: 800..900 is new
    (900, 100),   # in order
    (1100, 50),   # out of order
    (1150, 50),   # out of order
    (1050, 200),  # covers both held ones wholly: they are dropped (tcp_ofo_merge)
    (1000, 100),  # fills the hole: 1000..1100, then 1100..1250 trimmed from 1050..1250
    (1250, 100),  # in order
]



def frame(ident, off, length):
    src, dst = bytes([10, 0, 0, 2]), bytes([10, 0, 0, 1])
    payload = bytes(((x * 7 + 3) & 0xFF) for x in range(off, off + length))
    tcp = struct.pack("!HHIIBBHHH", 10000, 5001, (ISN + 1 + off) & 0xFFFFFFFF, 1, 5 << 4, 0x10, 65535, 0, 0)
    pseudo = src + dst + struct.pack("!BBH", 0, 6, len(tcp) + length)
    tcp = tcp[:16] + struct.pack("!H", checksum(pseudo + tcp + payload)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp) + length, ident, 0x4000, 64, 6, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    eth = bytes([2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2]) + struct.pack("!H", 0x0800)
    return eth + ip + tcp + payload


def write(name, scale):
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), name)
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, (off, length) in enumerate(SEGMENTS):
            b = frame(i + 1, off * scale, length * scale)
            f.write(struct.pack("<IIII", 1700000000, 20 * i, len(b), len(b)))
            f.write(b)


def main():
    write("tcp_overlap.pcap", 1)
    write("tcp_overlap_x7.pcap", 7)


if __name__ == "__main__":
    main()
