/*
 * test_decode.c - unit tests of the decoder and IP reassembly on frames
 * built byte by byte: every link type, VLAN and QinQ stacks, tunnels, IPv6
 * extension headers, fragments in and out of order, and truncations that
 * must come back as the right error kind without reading past the end
 * (run under ASan to prove the latter).
 */
#include <stdlib.h>

#include "check.h"
#include "decode.h"
#include "defrag.h"

static uint8_t buf[4096];
static size_t blen;

static void put(const void *p, size_t n) { memmove(buf + blen, p, n); blen += n; }
static void put8(uint8_t v) { buf[blen++] = v; }
static void put16(uint16_t v) { put8((uint8_t)(v >> 8)); put8((uint8_t)v); }
static void put32(uint32_t v) { put16((uint16_t)(v >> 16)); put16((uint16_t)v); }

static void eth(uint16_t type)
{
	static const uint8_t mac[12] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 };
	put(mac, 12);
	put16(type);
}

/* IPv4 header with total length for n payload bytes */
static void ipv4(uint8_t proto, uint16_t n, uint16_t id, uint16_t frag,
		 uint32_t src, uint32_t dst)
{
	put8(0x45); put8(0); put16((uint16_t)(20 + n)); put16(id); put16(frag);
	put8(64); put8(proto); put16(0); put32(src); put32(dst);
}

static void ipv6(uint8_t nh, uint16_t n, uint8_t last)
{
	put32(0x60000000); put16(n); put8(nh); put8(64);
	for (int i = 0; i < 15; i++) put8(i == 0 ? 0xfd : 0);
	put8(1);
	for (int i = 0; i < 15; i++) put8(i == 0 ? 0xfd : 0);
	put8(last);
}

static void udp(uint16_t sp, uint16_t dp, const char *payload)
{
	uint16_t n = (uint16_t)strlen(payload);
	put16(sp); put16(dp); put16((uint16_t)(8 + n)); put16(0);
	put(payload, n);
}

static void tcp(uint16_t sp, uint16_t dp, uint8_t flags, const char *payload)
{
	put16(sp); put16(dp); put32(1000); put32(0); put8(0x50); put8(flags);
	put16(65535); put16(0); put16(0);
	put(payload, strlen(payload));
}

static enum decode_result dec(enum link_type l, struct pkt *p)
{
	memset(p, 0, sizeof(*p));
	p->data = buf;
	p->caplen = p->wirelen = (uint32_t)blen;
	return decode_frame(l, p);
}

#define A4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

static void test_ethernet_vlan(void)
{
	struct pkt p;
	char s[HD_ADDRSTRLEN];

	blen = 0;
	eth(0x88a8); put16(200); put16(0x8100); put16(100); put16(0x0800);
	ipv4(17, 8 + 5, 1, 0, A4(10, 77, 0, 2), A4(10, 77, 0, 1));
	udp(40000, 53, "hello");
	CHECK(dec(LINK_ETHERNET, &p) == DECODE_OK);
	CHECK(p.nvlan == 2 && p.vlan[0] == 200 && p.vlan[1] == 100);
	CHECK(p.proto == 17 && p.sport == 40000 && p.dport == 53 && p.paylen == 5);
	CHECK_STR(addr_format(&p.src, s, sizeof(s)), "10.77.0.2");
	CHECK(p.l3 == buf + 22 && p.l3len == 20 + 13);

	/* every shorter cut is an error, never a crash */
	for (size_t cut = 0; cut < blen; cut++) {
		memset(&p, 0, sizeof(p));
		p.data = buf;
		p.caplen = (uint32_t)cut;
		CHECK(decode_frame(LINK_ETHERNET, &p) != DECODE_OK || cut >= 22 + 20 + 8);
	}
	/* ARP is counted as not IP, not as an error */
	blen = 0;
	eth(0x0806); put32(0);
	CHECK(dec(LINK_ETHERNET, &p) == DECODE_NOT_IP);
}

static void test_other_links(void)
{
	struct pkt p;

	/* Linux cooked v1: 16-byte header, protocol at 14 */
	blen = 0;
	put16(0); put16(1); put16(6); put(buf, 8); put16(0x0800);
	ipv4(6, 20, 1, 0, A4(1, 2, 3, 4), A4(5, 6, 7, 8));
	tcp(1234, 80, TCP_SYN, "");
	CHECK(dec(LINK_SLL, &p) == DECODE_OK && p.proto == 6 && p.dport == 80 &&
	      p.tcp_flags == TCP_SYN);
	/* Linux cooked v2: protocol first, 20-byte header */
	blen = 0;
	put16(0x86dd); put16(0); put32(2); put16(1); put8(0); put8(6); put(buf + 200, 8);
	ipv6(17, 8 + 2, 9);
	udp(5353, 5353, "hi");
	CHECK(dec(LINK_SLL2, &p) == DECODE_OK && p.ipver == 6 && p.dport == 5353);
	/* raw IP, IPv4 (228) and BSD loopback in both byte orders */
	blen = 0;
	ipv4(17, 8, 1, 0, A4(1, 1, 1, 1), A4(2, 2, 2, 2));
	udp(1, 2, "");
	CHECK(dec(LINK_RAW, &p) == DECODE_OK && p.sport == 1);
	CHECK(dec(LINK_IPV4, &p) == DECODE_OK);
	memmove(buf + 4, buf, blen);
	blen += 4;
	buf[0] = 2; buf[1] = buf[2] = buf[3] = 0;
	CHECK(dec(LINK_NULL, &p) == DECODE_OK && p.dport == 2);
	buf[0] = buf[1] = buf[2] = 0; buf[3] = 2;
	CHECK(dec(LINK_LOOP, &p) == DECODE_OK);
	/* PPP with address/control, and Cisco HDLC */
	blen = 0;
	put8(0xff); put8(0x03); put16(0x0021);
	ipv4(17, 8, 1, 0, A4(1, 1, 1, 1), A4(2, 2, 2, 2));
	udp(7, 8, "");
	CHECK(dec(LINK_PPP, &p) == DECODE_OK && p.dport == 8);
	blen = 0;
	put8(0x0f); put8(0); put16(0x0800);
	ipv4(17, 8, 1, 0, A4(1, 1, 1, 1), A4(2, 2, 2, 2));
	udp(9, 10, "");
	CHECK(dec(LINK_CHDLC, &p) == DECODE_OK && p.dport == 10);
	CHECK(dec(LINK_UNSUPPORTED, &p) == DERR_LINK_UNSUPPORTED);
}

static void test_tunnels(void)
{
	struct pkt p;
	char s[HD_ADDRSTRLEN];

	/* GRE with key carrying IPv4 */
	blen = 0;
	eth(0x0800);
	ipv4(47, 8 + 20 + 8, 1, 0, A4(192, 0, 2, 1), A4(192, 0, 2, 2));
	put16(0x2000); put16(0x0800); put32(42);
	ipv4(17, 8, 2, 0, A4(10, 0, 0, 1), A4(10, 0, 0, 2));
	udp(1111, 53, "");
	CHECK(dec(LINK_ETHERNET, &p) == DECODE_OK);
	CHECK(p.tunnel == TUNNEL_GRE && p.dport == 53);
	CHECK_STR(addr_format(&p.tun_src, s, sizeof(s)), "192.0.2.1");
	CHECK_STR(addr_format(&p.src, s, sizeof(s)), "10.0.0.1");

	/* VXLAN carrying Ethernet carrying IPv4/TCP */
	blen = 0;
	eth(0x0800);
	ipv4(17, 8 + 8 + 14 + 20 + 20, 1, 0, A4(192, 0, 2, 1), A4(192, 0, 2, 2));
	put16(50000); put16(4789); put16(8 + 8 + 14 + 20 + 20); put16(0);
	put32(0x08000000); put32(0x00001200);
	eth(0x0800);
	ipv4(6, 20, 3, 0, A4(10, 1, 1, 1), A4(10, 1, 1, 2));
	tcp(5555, 443, TCP_SYN, "");
	CHECK(dec(LINK_ETHERNET, &p) == DECODE_OK);
	CHECK(p.tunnel == TUNNEL_VXLAN && p.proto == 6 && p.dport == 443);

	/* 6in4 and 4in6 */
	blen = 0;
	ipv4(41, 40 + 8, 1, 0, A4(192, 0, 2, 1), A4(192, 0, 2, 2));
	ipv6(17, 8, 2);
	udp(1, 53, "");
	CHECK(dec(LINK_RAW, &p) == DECODE_OK && p.tunnel == TUNNEL_6IN4 && p.ipver == 6);
	blen = 0;
	ipv6(4, 20 + 8, 3);
	ipv4(17, 8, 1, 0, A4(10, 0, 0, 1), A4(10, 0, 0, 2));
	udp(1, 53, "");
	CHECK(dec(LINK_RAW, &p) == DECODE_OK && p.tunnel == TUNNEL_4IN6 && p.ipver == 4);

	/* nesting beyond the limit is refused, not followed */
	blen = 0;
	for (int i = 0; i < 5; i++)
		ipv4(4, (uint16_t)(20 * (5 - i) + 8), 1, 0, A4(1, 1, 1, 1), A4(2, 2, 2, 2));
	ipv4(17, 8, 1, 0, A4(1, 1, 1, 1), A4(2, 2, 2, 2));
	udp(1, 2, "");
	CHECK(dec(LINK_RAW, &p) == DERR_TUNNEL_DEPTH);
}

static void test_ipv6_ext(void)
{
	struct pkt p;

	/* hop-by-hop + destination options, then TCP */
	blen = 0;
	ipv6(0, 8 + 8 + 20, 1);
	put8(60); put8(0); put32(0); put16(0);
	put8(6); put8(0); put32(0); put16(0);
	tcp(22, 40000, TCP_ACK, "");
	CHECK(dec(LINK_RAW, &p) == DECODE_OK && p.proto == 6 && p.sport == 22);
	/* an extension header running past the end */
	blen = 0;
	ipv6(0, 8, 1);
	put8(6); put8(5); put32(0); put16(0);
	CHECK(dec(LINK_RAW, &p) == DERR_IPV6_EXTHDR);
}

static void test_defrag(void)
{
	struct defrag *d = defrag_create(1 << 20, 30);
	uint8_t frag[3][128];
	size_t flen[3];
	char payload[8 + 40];
	struct pkt p;
	const uint8_t *ip;
	uint32_t len;
	int order[3] = { 2, 0, 1 }, r = 0;

	/* one UDP datagram of 48 bytes split 16/16/16, sent out of order */
	memset(payload, 'x', sizeof(payload));
	for (int i = 0; i < 3; i++) {
		blen = 0;
		ipv4(17, 16, 77, (uint16_t)((i < 2 ? 0x2000 : 0) | (i * 2)),
		     A4(10, 0, 0, 1), A4(10, 0, 0, 2));
		if (i == 0) {
			put16(1000); put16(53); put16(48); put16(0);
			put(payload, 8);
		} else {
			put(payload, 16);
		}
		memcpy(frag[i], buf, blen);
		flen[i] = blen;
	}
	for (int k = 0; k < 3; k++) {
		int i = order[k];
		memcpy(buf, frag[i], flen[i]);
		blen = flen[i];
		CHECK(dec(LINK_RAW, &p) == DECODE_FRAGMENT);
		r = defrag_add(d, &p, &ip, &len);
		CHECK(k < 2 ? r == 0 : r == 1);
	}
	if (r == 1) {
		memset(&p, 0, sizeof(p));
		CHECK(len == 20 + 48);
		CHECK(decode_ip(&p, ip, len, 0) == DECODE_OK);
		CHECK(p.proto == 17 && p.dport == 53 && p.paylen == 40);
	}
	CHECK(defrag_stats(d)->reassembled == 1);

	/* a lone fragment expires after the timeout */
	memcpy(buf, frag[1], flen[1]);
	blen = flen[1];
	dec(LINK_RAW, &p);
	p.ts.tv_sec = 100;
	CHECK(defrag_add(d, &p, &ip, &len) == 0);
	{
		struct timeval later = { 200, 0 };
		defrag_expire(d, &later);
	}
	CHECK(defrag_stats(d)->timeouts == 1);
	CHECK(defrag_stats(d)->bytes_held == 0);

	/* a fragment claiming to end past 64 KiB is refused by the decoder */
	blen = 0;
	ipv4(17, 16, 78, 0x2000 | 8190, A4(10, 0, 0, 1), A4(10, 0, 0, 2));
	put(payload, 16);
	CHECK(dec(LINK_RAW, &p) == DERR_FRAG_BAD);
	defrag_destroy(d);
}

int main(void)
{
	test_ethernet_vlan();
	test_other_links();
	test_tunnels();
	test_ipv6_ext();
	test_defrag();
	return CHECK_DONE();
}
