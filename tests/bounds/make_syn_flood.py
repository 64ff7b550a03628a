#!/usr/bin/env python3
"""make_syn_flood.py N [OUT] - a pcap of N TCP SYNs, each its own flow (a SYN scan).

Ethernet/IPv4/TCP, 54 bytes a packet, written to OUT or stdout so the
capture can be streamed to `haidang-sensor -r -` without touching the disk.
Packet i comes from 10.a.b.c (a.b.c = i, so up to 16 M distinct flows) on
an ephemeral port, to one of 64 destinations in 192.168.7.0/24 on one of a
few service ports, 1 us after packet i-1: all flows are young (no timeout
ends any), so only the flow memory cap can end them. IP and TCP checksums
are left 0: the sensor's decoder does not check them (sensor/decode.c).
The pcap is big-endian (magic a1b2c3d4 as written), which libpcap reads
like any other.
"""
import struct
import sys

PORTS = (22, 23, 25, 80, 110, 143, 443, 445, 993, 3389, 5900, 8080)
REC = struct.Struct("!IIII" "14s" "BBHHHBBHII" "HHIIBBHHH")
ETH = bytes.fromhex("020000000002" "020000000001" "0800")
T0 = 1_700_000_000
BATCH = 8192


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__.strip().splitlines()[0])
    n = int(sys.argv[1])
    out = open(sys.argv[2], "wb") if len(sys.argv) == 3 else sys.stdout.buffer
    out.write(struct.pack("!IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    buf = bytearray(REC.size * BATCH)
    pack = REC.pack_into
    size = REC.size
    i = 0
    while i < n:
        k = min(BATCH, n - i)
        for j in range(k):
            x = i + j
            pack(buf, j * size,
                 T0 + x // 1_000_000, x % 1_000_000, 54, 54,
                 ETH,
                 0x45, 0, 40, x & 0xFFFF, 0x4000, 64, 6, 0,
                 0x0A000000 | (x & 0xFFFFFF), 0xC0A80700 | (x % 64 + 1),
                 1024 + (x * 7919) % 64000, PORTS[x % len(PORTS)],
                 (x * 2654435761) & 0xFFFFFFFF, 0, 0x50, 0x02, 1024, 0, 0)
        out.write(buf if k == BATCH else buf[:k * size])
        i += k
    out.flush()


if __name__ == "__main__":
    try:
        main()
    except BrokenPipeError:
        sys.exit(1)
