#!/usr/bin/env python3
"""make_transfers.py FLOWS BYTES [REORDER] - a pcap of FLOWS parallel TCP transfers.

Each flow (10.1.x.y:40000+ -> 10.2.x.y:9000) makes the three-way handshake,
then its client sends BYTES of data in 1400-byte segments, then both sides
close with FIN. The flows are interleaved segment by segment, round robin,
so all of them are in flight at once. With REORDER = W > 2, within each
run of W segments of a flow the second one is sent last: the W-2 after it
wait in the reassembler for it (out of order, never lost), which is what
its memory cap bounds. (Not the first: the sensor starts a stream at the
first data segment it sees, so a first segment sent late would be taken
for a retransmission.) The server ACKs once per run of W segments.
Written to stdout, to be streamed to `haidang-sensor -r -`; big-endian
pcap; IP and TCP checksums 0 (the decoder does not check them).
"""
import struct
import sys

MSS = 1400
HDR = struct.Struct("!IIII" "14s" "BBHHHBBHII" "HHIIBBHHH")
ETH = bytes.fromhex("020000000002" "020000000001" "0800")
T0 = 1_700_000_000
SYN, FIN, ACK, PSH = 0x02, 0x01, 0x10, 0x08
ISN_C, ISN_S = 1000, 500000


class Out:
    def __init__(self, f):
        self.f = f
        self.t = 0          # microseconds since T0
        self.parts = []

    def pkt(self, src, dst, sport, dport, seq, ack, flags, payload=b""):
        n = 54 + len(payload)
        self.t += 1
        self.parts.append(HDR.pack(T0 + self.t // 1_000_000, self.t % 1_000_000, n, n, ETH,
                                   0x45, 0, 40 + len(payload), 0, 0x4000, 64, 6, 0, src, dst,
                                   sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                                   0x50, flags, 65535, 0, 0))
        if payload:
            self.parts.append(payload)
        if len(self.parts) > 4096:
            self.flush()

    def flush(self):
        self.f.write(b"".join(self.parts))
        self.parts = []


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__.strip().splitlines()[0])
    nflows, nbytes = int(sys.argv[1]), int(sys.argv[2])
    w = int(sys.argv[3]) if len(sys.argv) == 4 else 1
    f = sys.stdout.buffer
    f.write(struct.pack("!IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    o = Out(f)
    flows = [(0x0A010000 | i + 1, 0x0A020000 | i + 1, 40000 + i, 9000) for i in range(nflows)]
    data = bytes(range(256)) * (MSS // 256 + 1)
    nsegs = (nbytes + MSS - 1) // MSS
    order = []
    for start in range(0, nsegs, w):
        run = list(range(start, min(start + w, nsegs)))
        order += run[:1] + run[2:] + run[1:2]
    for c, s, cp, sp in flows:
        o.pkt(c, s, cp, sp, ISN_C, 0, SYN)
    for c, s, cp, sp in flows:
        o.pkt(s, c, sp, cp, ISN_S, ISN_C + 1, SYN | ACK)
    for c, s, cp, sp in flows:
        o.pkt(c, s, cp, sp, ISN_C + 1, ISN_S + 1, ACK)
    for k, j in enumerate(order):
        off = j * MSS
        seg = data[:min(MSS, nbytes - off)]
        for c, s, cp, sp in flows:
            o.pkt(c, s, cp, sp, ISN_C + 1 + off, ISN_S + 1, ACK | PSH, seg)
        if (k + 1) % w == 0 or k + 1 == len(order):
            acked = ISN_C + 1 + min(nbytes, (k // w + 1) * w * MSS)
            for c, s, cp, sp in flows:
                o.pkt(s, c, sp, cp, ISN_S + 1, acked, ACK)
    end = ISN_C + 1 + nbytes
    for c, s, cp, sp in flows:
        o.pkt(c, s, cp, sp, end, ISN_S + 1, FIN | ACK)
        o.pkt(s, c, sp, cp, ISN_S + 1, end + 1, FIN | ACK)
        o.pkt(c, s, cp, sp, end + 1, ISN_S + 2, ACK)
    o.flush()


if __name__ == "__main__":
    try:
        main()
    except BrokenPipeError:
        sys.exit(1)
