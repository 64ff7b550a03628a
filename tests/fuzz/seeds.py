#!/usr/bin/env python3
"""seeds.py OUTDIR - seed corpora for the fuzz targets, built at run time.

Nothing here is copied into the repository: the seeds come from the
third-party corpus (../shared/corpus, or $HAIDANG_CORPUS), the repo's own
captures (tests/data), rules, playbooks and import samples, and a few
inputs made here by hand. Each target gets OUTDIR/<target>/, in the input
layout its fuzz_<target>.c describes. Standard library only.

Captures are read with a small pcap/pcapng reader; frames go to `decode`
as they are, and their payloads are cut out for dns, http and tls
(TLS, QUIC and SSH) by a minimal Ethernet/SLL/raw + VLAN + IPv4/IPv6 +
TCP/UDP decoder. With $HAIDANG_SENSOR set, the sensor is run over the
repo's detection captures for incident lines, the records of `spool`.
"""
import hashlib
import os
import struct
import subprocess
import sys
import tempfile
import zlib

SRC = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.environ.get('HAIDANG_CORPUS') or os.path.join(SRC, '..', 'shared', 'corpus')
MAX_SEED = 60000          # bytes of one seed (the fuzz runs use -max_len 65536)
FRAMES_PER_SEED = 48
SEEDS_PER_CAPTURE = 8

# link types as fuzz_decode.c numbers them
LINK_INDEX = {1: 0, 113: 1, 276: 2, 101: 3, 12: 3, 14: 3, 228: 4, 229: 5, 0: 6, 108: 7,
              9: 8, 50: 8, 104: 9}


def out(outdir, target, data):
    d = os.path.join(outdir, target)
    os.makedirs(d, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data)


def piece(b):
    b = b[:0xffff]
    return struct.pack('>H', len(b)) + b


# ---- captures ----

def read_pcap(path):
    """Yields (linktype, ts, frame); stops quietly at damage."""
    with open(path, 'rb') as f:
        data = f.read()
    if len(data) < 24:
        return
    magic = data[:4]
    if magic in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1'):
        e = '<'
    elif magic in (b'\xa1\xb2\xc3\xd4', b'\xa1\xb2\x3c\x4d'):
        e = '>'
    elif magic == b'\x0a\x0d\x0d\x0a':
        yield from read_pcapng(data)
        return
    else:
        return
    link = struct.unpack(e + 'I', data[20:24])[0] & 0xffff
    off = 24
    while off + 16 <= len(data):
        sec, usec, incl, _ = struct.unpack(e + 'IIII', data[off:off + 16])
        off += 16
        if incl > len(data) - off:
            return
        yield link, sec + usec / 1e6, data[off:off + incl]
        off += incl


def read_pcapng(data):
    off, e, links = 0, '<', []
    while off + 12 <= len(data):
        btype = struct.unpack(e + 'I', data[off:off + 4])[0]
        if btype == 0x0a0d0d0a:
            e = '<' if data[off + 8:off + 12] == b'\x4d\x3c\x2b\x1a' else '>'
            links = []
        blen = struct.unpack(e + 'I', data[off + 4:off + 8])[0]
        if blen < 12 or off + blen > len(data):
            return
        body = data[off + 8:off + blen - 4]
        if btype == 1 and len(body) >= 2:
            links.append(struct.unpack(e + 'H', body[:2])[0])
        elif btype == 6 and len(body) >= 20:
            iface, hi, lo, cap, _ = struct.unpack(e + 'IIIII', body[:20])
            if iface < len(links):
                yield links[iface], ((hi << 32) | lo) / 1e6, body[20:20 + cap]
        elif btype == 3 and len(body) >= 4 and links:
            yield links[0], 0.0, body[4:]
        off += blen


def l3_of(link, f):
    """(ip header bytes) or None."""
    et = None
    if link == 1:
        if len(f) < 14:
            return None
        et, off = struct.unpack('>H', f[12:14])[0], 14
    elif link == 113:
        if len(f) < 16:
            return None
        et, off = struct.unpack('>H', f[14:16])[0], 16
    elif link == 276:
        if len(f) < 20:
            return None
        et, off = struct.unpack('>H', f[0:2])[0], 20
    elif link in (101, 12, 14, 228, 229):
        return f
    elif link in (0, 108):
        return f[4:]
    else:
        return None
    while et in (0x8100, 0x88a8) and len(f) >= off + 4:
        et, off = struct.unpack('>H', f[off + 2:off + 4])[0], off + 4
    if et not in (0x0800, 0x86dd):
        return None
    return f[off:]


def l4_of(ip):
    """(proto, src, dst, sport, dport, payload) or None."""
    if len(ip) < 20:
        return None
    v = ip[0] >> 4
    if v == 4:
        hl = (ip[0] & 15) * 4
        if (struct.unpack('>H', ip[6:8])[0] & 0x3fff) != 0:
            return None
        proto, src, dst, l4 = ip[9], ip[12:16], ip[16:20], ip[hl:]
    elif v == 6 and len(ip) >= 40:
        proto, src, dst, l4 = ip[6], ip[8:24], ip[24:40], ip[40:]
    else:
        return None
    if proto == 6 and len(l4) >= 20:
        sp, dp = struct.unpack('>HH', l4[:4])
        return 6, src, dst, sp, dp, l4[(l4[12] >> 4) * 4:]
    if proto == 17 and len(l4) >= 8:
        sp, dp = struct.unpack('>HH', l4[:4])
        return 17, src, dst, sp, dp, l4[8:]
    return None


def captures():
    roots = [os.path.join(SRC, 'tests', 'data'), CORPUS]
    for root in roots:
        for d, _, names in sorted(os.walk(root)):
            for n in sorted(names):
                if n.endswith(('.pcap', '.pcapng', '.cap')):
                    yield os.path.join(d, n)


def seed_captures(outdir):
    flows = {}   # (proto, a, b, pa, pb) -> [(dir, payload)]
    for path in captures():
        try:
            frames = list(read_pcap(path))
        except (OSError, struct.error):
            continue
        # decode: runs of frames of one link type
        seeds = 0
        i = 0
        while i < len(frames) and seeds < SEEDS_PER_CAPTURE:
            link = frames[i][0]
            if link not in LINK_INDEX:
                break
            buf, last_ts, n = bytes([LINK_INDEX[link]]), frames[i][1], 0
            while i < len(frames) and n < FRAMES_PER_SEED and frames[i][0] == link:
                _, ts, f = frames[i]
                dt = max(0.0, ts - last_ts)
                t = min(199, int(dt * 100)) if dt < 30 else min(255, 199 + int(dt / 30))
                rec = bytes([t]) + piece(f)
                if len(buf) + len(rec) > MAX_SEED:
                    break
                buf += rec
                last_ts, n, i = ts, n + 1, i + 1
            if n == 0:
                i += 1
                continue
            out(outdir, 'decode', buf)
            seeds += 1
        for link, _, f in frames:
            ip = l3_of(link, f)
            t = ip and l4_of(ip)
            if not t or not t[5]:
                continue
            proto, src, dst, sp, dp, pay = t
            key = (proto, src, dst, sp, dp)
            rkey = (proto, dst, src, dp, sp)
            if rkey in flows:
                flows[rkey].append((1, pay))
            else:
                flows.setdefault(key, []).append((0, pay))
    counts = {}

    def take(target, data):
        if counts.get(target, 0) < 400 and len(data) <= MAX_SEED:
            counts[target] = counts.get(target, 0) + 1
            out(outdir, target, data)

    for (proto, _, _, sp, dp), segs in flows.items():
        ports = {sp, dp}
        if proto == 17 and ports & {53, 5353, 5355}:
            for d, pay in segs[:4]:
                take('dns', bytes([d]) + pay)
        if proto == 6 and ports & {53}:
            for d, pay in segs[:4]:
                if len(pay) > 2:
                    take('dns', bytes([d]) + pay[2:])
        stream = b''.join(bytes([d]) + piece(p) for d, p in segs[:32])
        first = segs[0][1]
        if proto == 6 and first[:4] in (b'GET ', b'POST', b'HEAD', b'PUT ', b'OPTI', b'CONN'):
            take('http', stream[:MAX_SEED])
        elif proto == 6 and first[:1] == b'\x16':
            take('tls', b'\x00' + stream[:MAX_SEED])
        elif proto == 6 and first[:4] == b'SSH-':
            take('tls', b'\x03' + stream[:MAX_SEED])
        elif proto == 17 and 443 in ports and first[:1] and first[0] & 0x80:
            take('tls', b'\x02' + stream[:MAX_SEED])


# ---- text inputs ----

def files_under(d, exts):
    for root, _, names in sorted(os.walk(d)):
        for n in sorted(names):
            if n.endswith(exts):
                yield os.path.join(root, n)


def read(path, limit=MAX_SEED):
    with open(path, 'rb') as f:
        return f.read(limit)


def cut_lines(data, limit=16000):
    """The first lines of a file, at most limit bytes (whole lines)."""
    if len(data) <= limit:
        return data
    cut = data.rfind(b'\n', 0, limit)
    return data[:cut + 1] if cut > 0 else data[:limit]


def seed_rules(outdir):
    for p in files_under(os.path.join(SRC, 'rules'), ('.csv',)):
        out(outdir, 'ioc', bytes([1 if '/allow/' in p else 0]) + cut_lines(read(p)))
    ioc_dir = os.path.join(CORPUS, 'ioc')
    for p in files_under(ioc_dir, ('.csv', '.txt')):
        data = cut_lines(read(p))
        out(outdir, 'import', bytes([3 if '/maltrail/' in p else 4 if p.endswith('.csv') else 2])
            + data)
    out(outdir, 'ioc', b'\x02type,value,severity,source,description,tags,confidence,expires\n'
        b'ip,10.0.0.1,high,x,"a, b",category=c2,80,2030-01-01\n'
        b'cidr,10.0.0.0/8,low,x,net,,,\ndomain,*.Example.COM.,medium,x,d,,,\n'
        b'url,HTTP://Example.com:80/a%7e?q,critical,x,u,,,2020-01-01T00:00:00Z\n'
        b'md5,D41D8CD98F00B204E9800998ECF8427E,low,x,,,,\n'
        b'cert_sha1,aa:bb:cc:dd:ee:ff:00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd,low,x,,,,\n')
    imp = os.path.join(SRC, 'tests', 'rules', 'import')
    kinds = {'misp': 0, 'stix': 1, 'list': 2, 'ja3-list': 2, 'maltrail': 3, 'feodo': 4, 'sslbl': 4}
    for p in sorted(os.listdir(imp)) if os.path.isdir(imp) else []:
        if '.expected' in p:
            continue
        k = p.split('.')[0].split('-')[0]
        k = kinds.get(p.split('.')[0], kinds.get(k))
        if k is not None:
            out(outdir, 'import', bytes([k]) + read(os.path.join(imp, p)))
    for p in files_under(os.path.join(SRC, 'tests', 'rules'), ('.csv',)):
        if '.expected' not in p:
            out(outdir, 'ioc', b'\x00' + cut_lines(read(p)))
    # conf: the policy, a sensor config, command lines, Redis URLs
    pol = os.path.join(SRC, 'rules', 'policy.conf')
    if os.path.exists(pol):
        out(outdir, 'conf', b'\x01' + read(pol))
    sensor = os.environ.get('HAIDANG_SENSOR')
    if sensor and os.access(sensor, os.X_OK):
        r = subprocess.run([sensor, '--dump-config', '--home-net', '10.0.0.0/8,fd00::/8',
                            '--redis', 'redis://u:p%40ss@[::1]:6380/2'],
                           capture_output=True)
        if r.returncode == 0:
            out(outdir, 'conf', b'\x00' + r.stdout)
    out(outdir, 'conf', b'\x00workers = 2\nhome-net = 10.0.0.0/8, 192.168.1.0/24\n'
        b'flow-memcap = 64M\nto-tcp-est = 5m\nagency = "  S\xe1\xbb\x9f T\xc3\xa0i ch\xc3\xadnh"\n'
        b'redis = sentinel://a:26379,[::1]:26380/mymaster?db=2&tls=yes\n# c\n')
    out(outdir, 'conf', b'\x02-r\nx.pcap\n--workers=3\n--no-progress\n--home-net\n10.1.0.0/16\n'
        b'--redis\nunix:///run/redis.sock?db=1\n--stream-depth\n1M\n--\nrest')
    for u in (b'redis://user:pw@host:6379/3', b'rediss://[2001:db8::1]:6380',
              b'unix:///tmp/r.sock?db=4', b'sentinel://s1,s2:26380,[::1]/m?db=1&tls=yes',
              b'REDIS://a%2Fb:c%40d@h/0'):
        out(outdir, 'conf', b'\x03' + u)
    # playbooks: each file, and two together as a directory
    pbs = sorted(files_under(os.path.join(SRC, 'playbooks'), ('.json',)))
    for p in pbs:
        out(outdir, 'playbook', b'\x00' + read(p))
    if len(pbs) >= 2:
        out(outdir, 'playbook', b'\x01' + piece(read(pbs[0], 30000)) + piece(read(pbs[1], 29000)))


# ---- hand-made: Redis replies, spool segments, DNS/HTTP oddities ----

def seed_redis(outdir):
    replies = [
        b'*3\r\n:1\r\n$16\r\n0123456789abcdef\r\n:3\r\n',
        b'-NOSCRIPT No matching script. Please use EVAL.\r\n*3\r\n:0\r\n$2\r\nid\r\n:1\r\n',
        b'-READONLY You can\'t write against a read only replica.\r\n',
        b'-NOPERM this user has no permissions\r\n',
        b'+OK\r\n+OK\r\n*3\r\n:1\r\n$-1\r\n*2\r\n+a\r\n:5\r\n',
        b'*2000000000\r\n', b'$99999999999\r\n', b'*-1\r\n$0\r\n\r\n',
        b'*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n:1\r\n',
        b'-ERR wrong password\r\n',
    ]
    for flags in (0x10, 0x30, 0x00, 0x13, 0x70, 0x14, 0x18):
        for r in replies:
            out(outdir, 'redis_reply', bytes([flags]) + r)


def spool_record(seq, payload):
    h = bytearray(b'HDSP' + bytes([1, 0, 0, 0]) + struct.pack('<I', len(payload)) + b'\0' * 4 +
                  struct.pack('<QQ', seq, 1767225600000000 + seq))
    crc = zlib.crc32(bytes(h))
    crc = zlib.crc32(payload, crc)
    h[12:16] = struct.pack('<I', crc)
    return bytes(h) + payload


def incidents():
    sensor = os.environ.get('HAIDANG_SENSOR')
    lines = []
    if sensor and os.access(sensor, os.X_OK):
        with tempfile.TemporaryDirectory() as tmp:
            eve = os.path.join(tmp, 'eve.json')
            subprocess.run([sensor, '-r', os.path.join(SRC, 'tests', 'data', 'detect'),
                            '--rules', os.path.join(SRC, 'rules'), '--eve', eve,
                            '--no-progress', '--workers', '1'], capture_output=True)
            if os.path.exists(eve):
                with open(eve, 'rb') as f:
                    lines = [l.rstrip(b'\n') for l in f if b'"event_type":"incident"' in l]
    if not lines:
        lines = [b'{"event_type":"incident","incident":{"id":"0123456789abcdef0123456789abcdef",'
                 b'"severity":"high","score":50}}']
    return lines[:12]


def seed_spool(outdir):
    lines = incidents()
    seg1 = b''.join(spool_record(i + 1, l) for i, l in enumerate(lines[:4]))
    seg2 = b''.join(spool_record(100 + i, l) for i, l in enumerate(lines[4:8]))
    ack = bytearray(b'HDAK\x01\0\0\0' + struct.pack('<QQQ', 2, 1, 0))
    ack += struct.pack('<I', zlib.crc32(bytes(ack))) + b'\0' * 4
    out(outdir, 'spool', b'\x00' + piece(seg1))
    out(outdir, 'spool', b'\x01' + piece(seg1) + piece(seg2))
    out(outdir, 'spool', b'\x03' + bytes(ack) + piece(seg1) + piece(seg2))
    out(outdir, 'spool', b'\x0d' + piece(seg1[:-7]))          # torn tail, append
    out(outdir, 'spool', b'\x39' + piece(seg1[:40] + b'junk' + seg1[40:]) + piece(seg2))
    for l in lines[8:]:
        out(outdir, 'spool', b'\x01' + piece(spool_record(1, l)))


def seed_hand(outdir):
    # a DNS query and a compressed answer
    q = bytes.fromhex('abcd0100000100000000000003777777076578616d706c6503636f6d0000010001')
    a = bytes.fromhex('abcd8180000100010000000003777777076578616d706c6503636f6d0000010001'
                      'c00c000100010000012c00045db8d822')
    out(outdir, 'dns', b'\x00' + q)
    out(outdir, 'dns', b'\x03' + a)
    req = (b'POST /login.php?x=1 HTTP/1.1\r\nHost: Example.com:8080\r\nUser-Agent: t\r\n'
           b'Transfer-Encoding: chunked\r\nContent-Type: application/x-www-form-urlencoded\r\n\r\n'
           b'5\r\nu=a&p\r\n0\r\n\r\n')
    gz = zlib.compressobj(wbits=31)
    body = gz.compress(b'<html>' + b'A' * 200 + b'</html>') + gz.flush()
    res = (b'HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n'
           b'Content-Type: text/html\r\n\r\n' % len(body)) + body
    out(outdir, 'http', b'\x00' + piece(req) + b'\x03' + piece(res))


def main():
    if len(sys.argv) != 2:
        sys.exit('usage: seeds.py OUTDIR')
    outdir = sys.argv[1]
    seed_captures(outdir)
    seed_rules(outdir)
    seed_redis(outdir)
    seed_spool(outdir)
    seed_hand(outdir)
    for t in sorted(os.listdir(outdir)):
        print('%-12s %5d seeds' % (t, len(os.listdir(os.path.join(outdir, t)))))


if __name__ == '__main__':
    main()
