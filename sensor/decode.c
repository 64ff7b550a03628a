/*
 * decode.c - stage 2: link layer, VLAN, IP, transport and tunnel decoding.
 *
 * Reads a frame of a known link type down to the innermost IP packet and its
 * TCP/UDP/ICMP header, decapsulating GRE (incl. ERSPAN II and PPTP's GRE v1),
 * VXLAN, Geneve, Teredo, IP-in-IP, 6in4, 4in6 and 6in6 on the way; records
 * VLAN tags (802.1Q and 802.1ad stacks) and the outermost tunnel endpoints.
 * It never allocates and never reads past the bytes it was given; every
 * inconsistency becomes a DERR_* kind that the caller counts. Fragments are
 * described (DECODE_FRAGMENT) and left to defrag.c.
 */
#include "decode.h"

#include <string.h>

#include "banned.h"

#define X(e, s) s,
static const char *decode_names[] = { DECODE_KINDS(X) };
#undef X

const char *decode_result_name(enum decode_result r)
{
	return r < DECODE__COUNT ? decode_names[r] : "unknown";
}

const char *decode_tunnel_name(enum tunnel_kind k)
{
	static const char *names[] = { "", "GRE", "VXLAN", "IPIP", "6in4",
				       "4in6", "6in6", "Teredo", "Geneve" };
	return k < ARRAY_SIZE(names) ? names[k] : "";
}

static inline uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

#define ETH_IPV4 0x0800
#define ETH_IPV6 0x86dd
#define ETH_VLAN 0x8100
#define ETH_QINQ 0x88a8
#define ETH_QINQ_OLD 0x9100
#define ETH_MPLS 0x8847
#define ETH_MPLS_MC 0x8848
#define ETH_PPPOE 0x8864
#define ETH_TEB 0x6558     /* transparent Ethernet bridging (GRE, Geneve) */
#define ETH_ERSPAN2 0x88be
#define ETH_PPP_GRE 0x880b

static enum decode_result decode_ether(struct pkt *p, const uint8_t *d,
				       uint32_t len, unsigned depth);

static enum decode_result decode_by_nibble(struct pkt *p, const uint8_t *d,
					   uint32_t len, unsigned depth)
{
	if (len < 1)
		return DERR_LINK_TRUNC;
	if ((d[0] >> 4) == 4 || (d[0] >> 4) == 6)
		return decode_ip(p, d, len, depth);
	return DECODE_NOT_IP;
}

static enum decode_result decode_ppp_proto(struct pkt *p, uint16_t proto,
					   const uint8_t *d, uint32_t len,
					   unsigned depth)
{
	switch (proto) {
	case 0x0021:
	case ETH_IPV4:
	case 0x0057:
	case ETH_IPV6:
		return decode_by_nibble(p, d, len, depth);
	default:
		return DECODE_NOT_IP;
	}
}

static enum decode_result decode_ethertype(struct pkt *p, uint16_t type,
					   const uint8_t *d, uint32_t len,
					   unsigned depth)
{
	unsigned tags = 0;

	for (;;) {
		switch (type) {
		case ETH_IPV4:
		case ETH_IPV6:
			return decode_by_nibble(p, d, len, depth);
		case ETH_VLAN:
		case ETH_QINQ:
		case ETH_QINQ_OLD:
			if (len < 4)
				return DERR_VLAN_TRUNC;
			if (++tags > 8)
				return DERR_VLAN_DEPTH;
			if (p->nvlan < DECODE_MAX_VLAN)
				p->vlan[p->nvlan++] = rd16(d) & 0x0fff;
			type = rd16(d + 2);
			d += 4;
			len -= 4;
			continue;
		case ETH_MPLS:
		case ETH_MPLS_MC:
			/* pop labels to the bottom of the stack, then guess */
			for (unsigned n = 0;; n++) {
				if (len < 4 || n > 8)
					return DERR_LINK_TRUNC;
				bool bottom = d[2] & 1;
				d += 4;
				len -= 4;
				if (bottom)
					break;
			}
			return decode_by_nibble(p, d, len, depth);
		case ETH_PPPOE:
			if (len < 8)
				return DERR_PPP_TRUNC;
			if (d[1] != 0) /* discovery codes are not sessions */
				return DECODE_NOT_IP;
			return decode_ppp_proto(p, rd16(d + 6), d + 8, len - 8, depth);
		default:
			return DECODE_NOT_IP;
		}
	}
}

static enum decode_result decode_ether(struct pkt *p, const uint8_t *d,
				       uint32_t len, unsigned depth)
{
	if (len < 14)
		return DERR_LINK_TRUNC;
	return decode_ethertype(p, rd16(d + 12), d + 14, len - 14, depth);
}

enum decode_result decode_frame(enum link_type link, struct pkt *p)
{
	const uint8_t *d = p->data;
	uint32_t len = p->caplen, fam;

	p->nvlan = 0;
	p->tunnel = TUNNEL_NONE;
	p->tunnel_depth = 0;
	p->reassembled = false;
	switch (link) {
	case LINK_ETHERNET:
		return decode_ether(p, d, len, 0);
	case LINK_SLL:
		if (len < 16)
			return DERR_LINK_TRUNC;
		return decode_ethertype(p, rd16(d + 14), d + 16, len - 16, 0);
	case LINK_SLL2:
		if (len < 20)
			return DERR_LINK_TRUNC;
		return decode_ethertype(p, rd16(d), d + 20, len - 20, 0);
	case LINK_RAW:
	case LINK_IPV4:
	case LINK_IPV6:
		return decode_by_nibble(p, d, len, 0);
	case LINK_NULL:
	case LINK_LOOP:
		if (len < 4)
			return DERR_LINK_TRUNC;
		/* the family is in the writer's byte order: accept both */
		fam = rd32(d);
		if (fam > 0xffff)
			fam = (uint32_t)d[0] | (uint32_t)d[1] << 8;
		if (fam == 2 || fam == 24 || fam == 28 || fam == 30 || fam == 10)
			return decode_by_nibble(p, d + 4, len - 4, 0);
		return DECODE_NOT_IP;
	case LINK_PPP:
		if (len >= 2 && d[0] == 0xff && d[1] == 0x03) {
			d += 2;
			len -= 2;
		}
		if (len < 2)
			return DERR_PPP_TRUNC;
		if (d[0] & 1) /* compressed one-byte protocol field */
			return decode_ppp_proto(p, d[0], d + 1, len - 1, 0);
		return decode_ppp_proto(p, rd16(d), d + 2, len - 2, 0);
	case LINK_CHDLC:
		if (len < 4)
			return DERR_LINK_TRUNC;
		return decode_ethertype(p, rd16(d + 2), d + 4, len - 4, 0);
	case LINK_UNSUPPORTED:
		break;
	}
	return DERR_LINK_UNSUPPORTED;
}

/* Start a tunnel: remember the outermost endpoints once. */
static enum decode_result tunnel_enter(struct pkt *p, enum tunnel_kind kind,
				       unsigned *depth)
{
	if (*depth + 1 > DECODE_MAX_TUNNEL)
		return DERR_TUNNEL_DEPTH;
	if (p->tunnel == TUNNEL_NONE) {
		p->tunnel = (uint8_t)kind;
		p->tunnel_proto = p->proto;
		p->tun_src = p->src;
		p->tun_dst = p->dst;
	}
	(*depth)++;
	p->tunnel_depth = (uint8_t)*depth;
	return DECODE_OK;
}

static enum decode_result decode_gre(struct pkt *p, const uint8_t *d,
				     uint32_t len, unsigned depth)
{
	uint16_t flags, proto;
	uint32_t off = 4;
	enum decode_result r;

	if (len < 4)
		return DERR_GRE_TRUNC;
	flags = rd16(d);
	proto = rd16(d + 2);
	if ((flags & 7) > 1 || (flags & 0x4000)) /* version; routing present */
		return DERR_GRE_VERSION;
	if (flags & 0x8000)
		off += 4; /* checksum + reserved */
	if (flags & 0x2000)
		off += 4; /* key */
	if (flags & 0x1000)
		off += 4; /* sequence */
	if ((flags & 7) == 1 && (flags & 0x0080))
		off += 4; /* PPTP acknowledgement */
	if (off > len)
		return DERR_GRE_TRUNC;
	if ((r = tunnel_enter(p, TUNNEL_GRE, &depth)) != DECODE_OK)
		return r;
	d += off;
	len -= off;
	p->inner_len = len;
	switch (proto) {
	case ETH_IPV4:
	case ETH_IPV6:
		return decode_by_nibble(p, d, len, depth);
	case ETH_TEB:
		return decode_ether(p, d, len, depth);
	case ETH_ERSPAN2:
		if (len < 8)
			return DERR_GRE_TRUNC;
		return decode_ether(p, d + 8, len - 8, depth);
	case ETH_PPP_GRE:
		if (len >= 2 && d[0] == 0xff && d[1] == 0x03) {
			d += 2;
			len -= 2;
		}
		if (len < 2)
			return DERR_PPP_TRUNC;
		if (d[0] & 1)
			return decode_ppp_proto(p, d[0], d + 1, len - 1, depth);
		return decode_ppp_proto(p, rd16(d), d + 2, len - 2, depth);
	default:
		return DECODE_NOT_IP;
	}
}

/* UDP-borne tunnels, recognised by port and checked by header shape. */
static enum decode_result decode_udp_tunnel(struct pkt *p, bool *handled,
					    unsigned depth)
{
	const uint8_t *d = p->payload;
	uint32_t len = p->paylen;
	enum decode_result r;

	*handled = false;
	if (p->tunnel == TUNNEL_NONE) {
		p->tun_l3 = p->l3;
		p->tun_l3len = p->l3len;
		p->tun_sport = p->sport;
		p->tun_dport = p->dport;
		p->tun_ipver = p->ipver;
	}
	if (p->dport == 4789 && len >= 8 + 14 && (d[0] & 0x08)) {
		if ((r = tunnel_enter(p, TUNNEL_VXLAN, &depth)) != DECODE_OK)
			return r;
		*handled = true;
		p->inner_len = len - 8;
		return decode_ether(p, d + 8, len - 8, depth);
	}
	if (p->dport == 6081 && len >= 8 && (d[0] >> 6) == 0) {
		uint32_t hl = 8 + (uint32_t)(d[0] & 0x3f) * 4;
		uint16_t proto = rd16(d + 2);
		if (hl > len)
			return DERR_TUNNEL_TRUNC;
		if ((r = tunnel_enter(p, TUNNEL_GENEVE, &depth)) != DECODE_OK)
			return r;
		*handled = true;
		p->inner_len = len - hl;
		if (proto == ETH_TEB)
			return decode_ether(p, d + hl, len - hl, depth);
		return decode_ethertype(p, proto, d + hl, len - hl, depth);
	}
	if (p->sport == 3544 || p->dport == 3544) {
		/* Teredo: optional authentication and origin indications */
		if (len >= 2 && rd16(d) == 0x0001) {
			uint32_t al;
			if (len < 13)
				return DECODE_OK;
			al = 13u + d[2] + d[3];
			if (al > len)
				return DECODE_OK;
			d += al;
			len -= al;
		}
		if (len >= 8 && rd16(d) == 0x0000) {
			d += 8;
			len -= 8;
		}
		if (len >= 40 && (d[0] >> 4) == 6 && rd16(d + 4) + 40u <= len) {
			if ((r = tunnel_enter(p, TUNNEL_TEREDO, &depth)) != DECODE_OK)
				return r;
			*handled = true;
			p->inner_len = len;
			return decode_ip(p, d, len, depth);
		}
	}
	return DECODE_OK;
}

static enum decode_result decode_l4(struct pkt *p, const uint8_t *d,
				    uint32_t len, unsigned depth)
{
	p->l4 = d;
	p->l4len = len;
	p->payload = NULL;
	p->paylen = 0;
	p->sport = p->dport = 0;
	p->tcp_flags = 0;
	switch (p->proto) {
	case 6: {
		uint32_t hl;
		if (len < 20)
			return DERR_TCP_TRUNC;
		hl = (uint32_t)(d[12] >> 4) * 4;
		if (hl < 20 || hl > len)
			return DERR_TCP_HLEN;
		p->sport = rd16(d);
		p->dport = rd16(d + 2);
		p->tcp_seq = rd32(d + 4);
		p->tcp_ack = rd32(d + 8);
		p->tcp_flags = d[13];
		p->tcp_win = rd16(d + 14);
		p->payload = d + hl;
		p->paylen = len - hl;
		return DECODE_OK;
	}
	case 17:
	case 136: { /* UDP, UDP-Lite */
		uint32_t ulen;
		bool handled;
		enum decode_result r;
		if (len < 8)
			return DERR_UDP_TRUNC;
		ulen = rd16(d + 4);
		if (p->proto == 17 && ulen < 8)
			return DERR_UDP_LEN;
		if (ulen > len || p->proto == 136)
			ulen = len; /* truncated by the snap length */
		p->sport = rd16(d);
		p->dport = rd16(d + 2);
		p->payload = d + 8;
		p->paylen = ulen - 8;
		r = decode_udp_tunnel(p, &handled, depth);
		return r;
	}
	case 1:
	case 58:
		if (len < 4)
			return DERR_ICMP_TRUNC;
		p->icmp_type = d[0];
		p->icmp_code = d[1];
		p->payload = d + 4;
		p->paylen = len - 4;
		return DECODE_OK;
	case 47:
		return decode_gre(p, d, len, depth);
	case 4:
	case 41: {
		enum tunnel_kind k;
		enum decode_result r;
		if (p->ipver == 4)
			k = p->proto == 4 ? TUNNEL_IPIP : TUNNEL_6IN4;
		else
			k = p->proto == 4 ? TUNNEL_4IN6 : TUNNEL_6IN6;
		if ((r = tunnel_enter(p, k, &depth)) != DECODE_OK)
			return r;
		if (len < 1)
			return DERR_TUNNEL_TRUNC;
		p->inner_len = len;
		return decode_ip(p, d, len, depth);
	}
	default:
		/* other protocols (ESP, SCTP, ...) are flows without ports */
		p->payload = d;
		p->paylen = len;
		return DECODE_OK;
	}
}

static enum decode_result decode_ipv4(struct pkt *p, const uint8_t *d,
				      uint32_t len, unsigned depth)
{
	uint32_t hl, tot;
	uint16_t fo;

	if (len < 20)
		return DERR_IPV4_TRUNC;
	hl = (uint32_t)(d[0] & 0x0f) * 4;
	if (hl < 20 || hl > len)
		return DERR_IPV4_HLEN;
	tot = rd16(d + 2);
	if (tot == 0) /* segmentation offload: the length is left to the NIC */
		tot = len;
	if (tot < hl)
		return DERR_IPV4_LEN;
	if (tot > len)
		tot = len; /* cut by the snap length */
	p->ipver = 4;
	p->l3 = d;
	p->l3len = tot;
	p->ttl = d[8];
	p->proto = d[9];
	p->src.family = p->dst.family = 4;
	memcpy(p->src.a, d + 12, 4);
	memcpy(p->dst.a, d + 16, 4);
	fo = rd16(d + 6);
	if (fo & 0x3fff) {
		p->frag_id = rd16(d + 4);
		p->frag_off = (uint32_t)(fo & 0x1fff) * 8;
		p->frag_more = fo & 0x2000;
		p->frag_hdrlen = (uint16_t)hl;
		p->frag_data = d + hl;
		p->frag_len = tot - hl;
		if (p->frag_off + p->frag_len > 65535 || (p->frag_more && p->frag_len % 8))
			return DERR_FRAG_BAD;
		return DECODE_FRAGMENT;
	}
	return decode_l4(p, d + hl, tot - hl, depth);
}

static enum decode_result decode_ipv6(struct pkt *p, const uint8_t *d,
				      uint32_t len, unsigned depth)
{
	uint32_t tot, off = 40, nh_off = 6;
	uint8_t nh;

	if (len < 40)
		return DERR_IPV6_TRUNC;
	tot = 40u + rd16(d + 4);
	if (tot == 40 && d[6] != 59 && len > 40)
		tot = len; /* jumbogram or offload */
	if (tot > len)
		tot = len;
	p->ipver = 6;
	p->l3 = d;
	p->l3len = tot;
	p->ttl = d[7];
	p->src.family = p->dst.family = 6;
	memcpy(p->src.a, d + 8, 16);
	memcpy(p->dst.a, d + 24, 16);
	nh = d[6];
	for (unsigned n = 0; n < 16; n++) {
		uint32_t el;
		switch (nh) {
		case 0:   /* hop-by-hop */
		case 43:  /* routing */
		case 60:  /* destination options */
		case 135: /* mobility */
			if (off + 8 > tot)
				return DERR_IPV6_EXTHDR;
			el = ((uint32_t)d[off + 1] + 1) * 8;
			break;
		case 51: /* AH */
			if (off + 8 > tot)
				return DERR_IPV6_EXTHDR;
			el = ((uint32_t)d[off + 1] + 2) * 4;
			break;
		case 44: { /* fragment */
			uint16_t fo;
			if (off + 8 > tot)
				return DERR_IPV6_EXTHDR;
			fo = rd16(d + off + 2);
			if ((fo & 0xfff8) == 0 && !(fo & 1)) {
				/* atomic fragment: just a header to skip */
				el = 8;
				break;
			}
			p->proto = d[off];
			p->frag_nh = d[off];
			p->frag_nh_off = (uint16_t)nh_off;
			p->frag_id = rd32(d + off + 4);
			p->frag_off = fo & 0xfff8;
			p->frag_more = fo & 1;
			p->frag_hdrlen = (uint16_t)off;
			p->frag_data = d + off + 8;
			p->frag_len = tot - off - 8;
			if (p->frag_off + p->frag_len > 65535 ||
			    (p->frag_more && p->frag_len % 8))
				return DERR_FRAG_BAD;
			return DECODE_FRAGMENT;
		}
		default:
			p->proto = nh;
			if (nh == 59) { /* no next header */
				p->l4 = NULL;
				p->l4len = 0;
				p->payload = NULL;
				p->paylen = 0;
				p->sport = p->dport = 0;
				return DECODE_OK;
			}
			return decode_l4(p, d + off, tot - off, depth);
		}
		if (off + el > tot)
			return DERR_IPV6_EXTHDR;
		nh_off = off;
		nh = d[off];
		off += el;
	}
	return DERR_IPV6_EXTHDR;
}

enum decode_result decode_ip(struct pkt *p, const uint8_t *ip, uint32_t len,
			     unsigned depth)
{
	if (len < 1)
		return DERR_IPV4_TRUNC;
	switch (ip[0] >> 4) {
	case 4:
		return decode_ipv4(p, ip, len, depth);
	case 6:
		return decode_ipv6(p, ip, len, depth);
	default:
		return DERR_IP_VERSION;
	}
}

void decode_carrier(const struct pkt *p, struct pkt *out)
{
	*out = *p;
	out->tunnel = TUNNEL_NONE;
	out->tunnel_depth = 0;
	out->ipver = p->tun_ipver;
	out->src = p->tun_src;
	out->dst = p->tun_dst;
	out->proto = 17;
	out->sport = p->tun_sport;
	out->dport = p->tun_dport;
	out->l3 = p->tun_l3;
	out->l3len = p->tun_l3len;
	out->l4 = NULL;
	out->l4len = 0;
	out->payload = NULL;
	out->paylen = 0;
	out->carrier = true;
}
