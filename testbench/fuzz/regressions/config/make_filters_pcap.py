#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes filters.pcap, the capture of the receive-filter regressions (issue 19, item 5).

Frames as igbsim's generator builds them (UDP 10.0.0.2:10000 -> 10.0.0.1:5001, payload:
flow, sequence, pattern), to this station 02:00:00:00:00:01 unless said otherwise. Sizes are
on the wire, FCS included (the capture holds them without it):
  good 200-byte frames, 1523 bytes (received: igb's RLPML for MTU 1500 is 1536),
  1537, 2000 and 9018 bytes (oversize: ROC), a 1540-byte frame with a VLAN tag (at the
  limit with its tag: received, then not IP for the stack), a frame for another station
  (02:00:00:00:00:99), one for a multicast group (01:00:5e:00:00:fb) and a broadcast ARP.
Run: python3 make_filters_pcap.py (in this folder; it takes the checksum from scripts/fuzz_config.py).
"""
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "..", "scripts"))
from fuzz_config import checksum  # noqa: E402  (the Internet checksum, complemented)

HOST, PEER = 0x0A000001, 0x0A000002
ME = bytes([2, 0, 0, 0, 0, 1])
SRC = bytes([2, 0, 0, 0, 0, 2])



def udp_frame(wire_bytes, seq, dst=ME, vlan=False):
    n = wire_bytes - 4 - (4 if vlan else 0)  # without FCS and tag
    ip_len, udp_len = n - 14, n - 34
    payload = bytearray((seq * 31 + i * 7) & 0xFF for i in range(42, n))
    payload[0:4] = struct.pack("!I", 0)
    payload[4:12] = struct.pack("!Q", seq)
    iph = bytearray(struct.pack("!BBHHHBBHII", 0x45, 0, ip_len, seq, 0, 64, 17, 0, PEER, HOST))
    iph[10:12] = struct.pack("!H", checksum(bytes(iph)))
    udph = bytearray(struct.pack("!HHHH", 10000, 5001, udp_len, 0))
    pseudo = struct.pack("!IIBBH", PEER, HOST, 0, 17, udp_len)
    ck = checksum(pseudo + bytes(udph) + bytes(payload))
    udph[6:8] = struct.pack("!H", ck or 0xFFFF)
    tag = b"\x81\x00\x00\x05" if vlan else b""
    return dst + SRC + tag + b"\x08\x00" + bytes(iph) + bytes(udph) + bytes(payload)


frames = []
seq = 0
for wire in [200, 200, 1523, 200, 1537, 200, 2000, 200, 9018, 200, 1540, 200, 200, 200]:
    frames.append(udp_frame(wire, seq, vlan=(wire == 1540)))
    seq += 1
frames.insert(5, udp_frame(200, 100, dst=bytes([2, 0, 0, 0, 0, 0x99])))
frames.insert(9, udp_frame(200, 101, dst=bytes([1, 0, 0x5E, 0, 0, 0xFB])))
arp = b"\xff" * 6 + SRC + b"\x08\x06" + bytes(28) + bytes(18)
frames.insert(12, arp)

with open("filters.pcap", "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    for i, fr in enumerate(frames):
        f.write(struct.pack("<IIII", 1700000000, 100 * i, len(fr), len(fr)))
        f.write(fr)
