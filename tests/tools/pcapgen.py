"""pcapgen.py - crafted captures for the tests: classic pcap records
(microsecond timestamps, Ethernet, IPv4) of DNS queries and whole TCP
connections, for tests that need traffic no recording has (thousands of
indicator names, a slow YARA input, the same file fetched by many hosts).
The addresses are "a.b.c.d" strings; ts is a float of seconds."""
import struct

# the file header: little-endian, version 2.4, snap length 65535, Ethernet
PCAP_HEADER = bytes.fromhex("d4c3b2a1020004000000000000000000ffff000001000000")


def frame(src, dst, proto, l4, ts):
    """One pcap record: Ethernet, IPv4 (src, dst as "a.b.c.d") and l4."""
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), 0, 0x4000, 64, proto, 0,
                     bytes(map(int, src.split("."))), bytes(map(int, dst.split("."))))
    c = sum(struct.unpack("!10H", ip))
    c = (c & 0xffff) + (c >> 16)
    ip = ip[:10] + struct.pack("!H", ~((c & 0xffff) + (c >> 16)) & 0xffff) + ip[12:]
    f = b"\x02\0\0\0\0\x01\x02\0\0\0\0\x02\x08\x00" + ip + l4
    sec = int(ts)
    return struct.pack("<IIII", sec, int((ts - sec) * 1e6), len(f), len(f)) + f


def tcp_session(cli, srv, cport, sport, request, response, ts):
    """A whole TCP connection: handshake, request in 1448-byte segments
    each acknowledged, the response, both FINs. Returns pcap records."""
    out = []
    cs, ss = 1000, 5000

    def seg(fwd, flags, seq, ack, data=b""):
        sp, dp = (cport, sport) if fwd else (sport, cport)
        tcp = struct.pack("!HHIIBBHHH", sp, dp, seq, ack, 5 << 4, flags, 65535, 0, 0) + data
        out.append(frame(cli if fwd else srv, srv if fwd else cli, 6, tcp, ts + len(out) * 0.0001))
    seg(True, 0x02, cs, 0)
    seg(False, 0x12, ss, cs + 1)
    cs += 1
    ss += 1
    seg(True, 0x10, cs, ss)
    for i in range(0, len(request), 1448):
        chunk = request[i:i + 1448]
        seg(True, 0x18, cs, ss, chunk)
        cs += len(chunk)
        seg(False, 0x10, ss, cs)
    seg(False, 0x18, ss, cs, response)
    ss += len(response)
    seg(True, 0x11, cs, ss)
    seg(False, 0x11, ss, cs + 1)
    seg(True, 0x10, cs + 1, ss + 1)
    return b"".join(out)


def dns_query(name, sport, ts, src="10.88.0.10", dst="10.88.0.1"):
    """One pcap record: src:sport asks dst for name (A, recursion desired),
    with the port as the DNS id."""
    q = b"".join(bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\0"
    dns = struct.pack("!HHHHHH", sport & 0xffff, 0x0100, 1, 0, 0, 0) + q + struct.pack("!HH", 1, 1)
    return frame(src, dst, 17, struct.pack("!HHHH", sport, 53, 8 + len(dns), 0) + dns, ts)


def records_in(path):
    """How many records the capture file at path holds."""
    raw = open(path, "rb").read()
    n, off = 0, 24
    while off + 16 <= len(raw):
        off += 16 + int.from_bytes(raw[off + 8:off + 12], "little")
        n += 1
    return n
