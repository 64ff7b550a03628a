/*
 * decode.h - stage 2 of the sensor pipeline: turn one captured frame into a
 * struct pkt (addresses, ports, payload, tunnel and VLAN facts).
 *
 * Contract: decode_frame() never reads outside the frame and never fails
 * hard; a malformed frame yields one of the DERR_* kinds, which the caller
 * counts and skips. Pointers in struct pkt borrow the frame (or the defrag
 * buffer) and are valid only until the next packet.
 */
#ifndef HAIDANG_DECODE_H
#define HAIDANG_DECODE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/time.h>

#include "util.h"

/* Link types the sensor understands (capture maps libpcap's DLT_ here). */
enum link_type {
	LINK_UNSUPPORTED = 0,
	LINK_ETHERNET,
	LINK_SLL,
	LINK_SLL2,
	LINK_RAW,   /* raw IPv4 or IPv6, version from the first nibble */
	LINK_IPV4,
	LINK_IPV6,
	LINK_NULL,  /* BSD loopback, host byte order family */
	LINK_LOOP,  /* OpenBSD loopback, network byte order family */
	LINK_PPP,
	LINK_CHDLC,
};

/* The outcome of decoding; DERR_* above DECODE_OK are counted malformations,
 * the DECODE_* ones are not errors. */
#define DECODE_KINDS(X) \
	X(DECODE_OK, "ok") \
	X(DECODE_FRAGMENT, "fragment") \
	X(DECODE_NOT_IP, "not_ip") \
	X(DERR_LINK_TRUNC, "link_truncated") \
	X(DERR_LINK_UNSUPPORTED, "link_unsupported") \
	X(DERR_VLAN_TRUNC, "vlan_truncated") \
	X(DERR_VLAN_DEPTH, "vlan_too_deep") \
	X(DERR_PPP_TRUNC, "ppp_truncated") \
	X(DERR_IPV4_TRUNC, "ipv4_truncated") \
	X(DERR_IPV4_HLEN, "ipv4_bad_header_length") \
	X(DERR_IPV4_LEN, "ipv4_bad_total_length") \
	X(DERR_IP_VERSION, "ip_bad_version") \
	X(DERR_IPV6_TRUNC, "ipv6_truncated") \
	X(DERR_IPV6_EXTHDR, "ipv6_bad_extension_header") \
	X(DERR_FRAG_BAD, "fragment_bad") \
	X(DERR_TCP_TRUNC, "tcp_truncated") \
	X(DERR_TCP_HLEN, "tcp_bad_header_length") \
	X(DERR_UDP_TRUNC, "udp_truncated") \
	X(DERR_UDP_LEN, "udp_bad_length") \
	X(DERR_ICMP_TRUNC, "icmp_truncated") \
	X(DERR_GRE_TRUNC, "gre_truncated") \
	X(DERR_GRE_VERSION, "gre_unsupported_version") \
	X(DERR_TUNNEL_TRUNC, "tunnel_truncated") \
	X(DERR_TUNNEL_DEPTH, "tunnel_too_deep")

#define X(e, s) e,
enum decode_result { DECODE_KINDS(X) DECODE__COUNT };
#undef X

const char *decode_result_name(enum decode_result r);
static inline bool decode_is_error(enum decode_result r) { return r >= DERR_LINK_TRUNC; }

enum tunnel_kind {
	TUNNEL_NONE = 0, TUNNEL_GRE, TUNNEL_VXLAN, TUNNEL_IPIP, TUNNEL_6IN4,
	TUNNEL_4IN6, TUNNEL_6IN6, TUNNEL_TEREDO, TUNNEL_GENEVE,
};
const char *decode_tunnel_name(enum tunnel_kind k);

#define DECODE_MAX_VLAN 2
#define DECODE_MAX_TUNNEL 3

struct pkt {
	/* set by capture */
	const uint8_t *data;
	uint32_t caplen, wirelen;
	struct timeval ts;
	uint64_t num;          /* packet number within its file, from 1 */

	/* set by decode */
	uint16_t vlan[DECODE_MAX_VLAN];
	uint8_t nvlan;
	uint8_t tunnel;        /* enum tunnel_kind of the outermost tunnel */
	uint8_t tunnel_depth;
	uint8_t tunnel_proto;  /* IP protocol of the outer packet */
	struct hd_addr tun_src, tun_dst; /* outermost IP header */
	uint32_t inner_len;    /* bytes of the innermost decapsulated frame */
	/* the outermost UDP carrier of a VXLAN/Geneve/Teredo tunnel, which is
	 * a flow of its own */
	const uint8_t *tun_l3;
	uint32_t tun_l3len;
	uint16_t tun_sport, tun_dport;
	uint8_t tun_ipver;

	uint8_t ipver;         /* 4 or 6, of the innermost IP header */
	const uint8_t *l3;     /* innermost IP header: what DPI reads */
	uint32_t l3len;
	struct hd_addr src, dst;
	uint8_t proto;         /* IPPROTO_* of the innermost packet */
	uint8_t ttl;
	uint16_t sport, dport; /* 0 for protocols without ports; ICMP type/code */

	/* fragment facts (DECODE_FRAGMENT) */
	uint32_t frag_id;
	uint32_t frag_off;     /* bytes */
	bool frag_more;
	uint16_t frag_hdrlen;  /* IPv4 header length, or IPv6 unfragmentable part */
	uint16_t frag_nh_off;  /* IPv6: offset of the next-header byte naming 44 */
	uint8_t frag_nh;       /* IPv6: next header after the fragment header */
	const uint8_t *frag_data;
	uint32_t frag_len;

	const uint8_t *l4;
	uint32_t l4len;
	const uint8_t *payload;
	uint32_t paylen;
	uint8_t tcp_flags;
	uint32_t tcp_seq, tcp_ack;
	uint16_t tcp_win;
	uint8_t icmp_type, icmp_code;
	bool reassembled;      /* the IP datagram came from defrag */
	bool carrier;          /* the outer packet of a UDP tunnel, accounted alone */
};

/* Decode a frame of the given link type; p->data/caplen must be set. */
enum decode_result decode_frame(enum link_type link, struct pkt *p);

/* A UDP tunnel's carrier is a flow too (Suricata and nDPI's reader log
 * it): out becomes the outer UDP packet of the tunnelled packet p, with
 * its addresses, ports and VLANs and no payload, marked carrier. */
void decode_carrier(const struct pkt *p, struct pkt *out);
/* Decode from an IP header (used again after reassembly). */
enum decode_result decode_ip(struct pkt *p, const uint8_t *ip, uint32_t len,
			     unsigned depth);

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10
#define TCP_URG 0x20

#endif
