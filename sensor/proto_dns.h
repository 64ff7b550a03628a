/*
 * proto_dns.h - DNS message parser and its EVE "dns" writer (Suricata 8,
 * version 3 layout).
 *
 * dns_parse() decodes one DNS message (a UDP payload, or a TCP message with
 * its 2-byte length prefix already stripped) into a struct dns_msg;
 * dns_write_eve() writes that struct as the "dns" object of an EVE event.
 *
 * Ownership: dns_parse() borrows the message bytes for the call only and
 * copies everything it keeps into the caller's struct dns_msg; no pointer
 * into the packet survives. Every kept field has a fixed maximum size
 * (names DNS_NAME_MAX, rdata DNS_RDATA_MAX, lists DNS_MAX_Q / DNS_MAX_RR).
 * struct dns_msg is large (about 150 KB): keep one per worker thread or
 * allocate it, do not put it on a small stack.
 *
 * Names are kept as the wire bytes of their labels joined with '.', with no
 * escaping (a label may contain '.', NUL or any other byte), as Suricata
 * keeps them; *_len gives the length and the text is also NUL-terminated
 * for convenience. The root name is the empty string.
 */
#ifndef HAIDANG_PROTO_DNS_H
#define HAIDANG_PROTO_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

struct jw;

/* 255 bytes of name text (the longest a legal name can be is 253) + NUL.
 * Longer names (only possible in malformed messages) are cut and flagged. */
#define DNS_NAME_MAX 256
/* Raw rdata kept per record (TXT string, NULL bytes, SSHFP fingerprint,
 * OPT options) or its text form (A/AAAA, names). */
#define DNS_RDATA_MAX 1024
#define DNS_MAX_Q 8
#define DNS_MAX_RR 32
/* Labels plus compression pointers walked for one name; this is also
 * what stops compression loops (Suricata's limit). */
#define DNS_MAX_NAME_STEPS 255

#define DNS_HEADER_LEN 12

/* Record types with special handling (RFC 1035, 2782, 3596, 4255, 6891). */
enum {
	DNS_TYPE_A = 1,
	DNS_TYPE_NS = 2,
	DNS_TYPE_CNAME = 5,
	DNS_TYPE_SOA = 6,
	DNS_TYPE_NULL = 10,
	DNS_TYPE_PTR = 12,
	DNS_TYPE_MX = 15,
	DNS_TYPE_TXT = 16,
	DNS_TYPE_AAAA = 28,
	DNS_TYPE_SRV = 33,
	DNS_TYPE_OPT = 41,
	DNS_TYPE_SSHFP = 44,
};

/* What dns_rr.rdata holds; decided by the record type. */
enum dns_rdata_kind {
	DNS_RD_NONE,  /* type not decoded: rdata empty, not logged */
	DNS_RD_ADDR,  /* A/AAAA: address text ("" if rdlength is not 4/16) */
	DNS_RD_NAME,  /* CNAME, NS, PTR, MX (the exchange): a name */
	DNS_RD_TEXT,  /* TXT: one character-string (one entry per string) */
	DNS_RD_BYTES, /* NULL: raw bytes */
	DNS_RD_SOA,   /* rdata = mname, u.soa the rest */
	DNS_RD_SRV,   /* rdata = target, u.srv the numbers */
	DNS_RD_SSHFP, /* rdata = fingerprint bytes, u.sshfp the numbers */
	DNS_RD_OPT,   /* rdata = the EDNS options, still in wire TLV form */
};

/* dns_rr.flags / dns_query.flags */
#define DNS_RR_NAME_TRUNC 0x01  /* rrname was cut to DNS_NAME_MAX - 1 */
#define DNS_RR_RDATA_TRUNC 0x02 /* rdata (name or bytes) was cut */
#define DNS_RR_RNAME_TRUNC 0x04 /* SOA rname was cut */

/* dns_msg.anomalies */
#define DNS_ANOM_NAME_TOO_LONG 0x01 /* a name was cut to DNS_NAME_MAX - 1 */
#define DNS_ANOM_NAME_LOOP 0x02     /* pointer loop or too many labels */

struct dns_query {
	char rrname[DNS_NAME_MAX];
	uint16_t rrname_len;
	uint16_t rrtype, rrclass;
	uint8_t flags;
};

struct dns_rr {
	char rrname[DNS_NAME_MAX];
	uint16_t rrname_len;
	uint16_t rrtype, rrclass;
	uint32_t ttl;
	uint16_t rdlength; /* on the wire, whatever was kept of it */
	char rdata[DNS_RDATA_MAX];
	uint16_t rdata_len;
	uint8_t kind; /* enum dns_rdata_kind */
	uint8_t flags;
	struct hd_addr addr; /* DNS_RD_ADDR with a 4 or 16 byte rdata */
	union {
		struct {
			char rname[DNS_NAME_MAX];
			uint16_t rname_len;
			uint32_t serial, refresh, retry, expire, minimum;
		} soa;
		struct {
			uint16_t priority, weight, port;
		} srv;
		struct {
			uint16_t preference;
		} mx;
		struct {
			uint8_t algo, fp_type;
		} sshfp;
	} u;
};

struct dns_msg {
	uint16_t id, flags;
	bool qr, aa, tc, rd, ra, z, ad, cd;
	uint8_t opcode, rcode; /* rcode: the 4 header bits */
	uint16_t qdcount, ancount, nscount, arcount;

	struct dns_query q[DNS_MAX_Q];
	unsigned nq;
	/* One entry per record, except TXT: one entry per character-string,
	 * as Suricata logs them. */
	struct dns_rr an[DNS_MAX_RR];
	unsigned nan;
	struct dns_rr ns[DNS_MAX_RR];
	unsigned nns;
	struct dns_rr ar[DNS_MAX_RR];
	unsigned nar;

	/* More questions/records than the arrays hold: the rest were checked
	 * but not kept. */
	bool truncated_lists;
	/* The authority (additional) section did not parse: it is left empty
	 * (and so is the additional section), the rest of the message stands.
	 * Suricata 8 does the same and raises an app-layer event. */
	bool invalid_authorities, invalid_additionals;
	/* DNS_ANOM_*: odd names that were kept (Suricata raises the app-layer
	 * events name_too_long, infinite_loop / too_many_labels for these). */
	uint8_t anomalies;
};

/*
 * Parses msg[0..len). Returns 0, -EINVAL for NULL arguments, or -EBADMSG
 * when the message is malformed: short header, counts that cannot fit,
 * a request without questions, a record or label running past the end,
 * a bad label type, a compression pointer past the end, a name that loops
 * or has more than DNS_MAX_NAME_STEPS labels and pointers before any
 * pointer was followed, or an undecodable question or answer. A name that
 * loops after a pointer is kept, cut, and flagged in m->anomalies and in
 * its DNS_RR_NAME_TRUNC / DNS_RR_RDATA_TRUNC (Suricata 8 does the same).
 * Never reads outside msg[0..len).
 * The header fields and counts of *out are always set (also on error);
 * array entries are valid only below the counts.
 */
int dns_parse(const uint8_t *msg, size_t len, struct dns_msg *out);

/*
 * Writes "dns": {...} into an already-open object. "type" is "response"
 * when m->qr is set, else "request".
 */
void dns_write_eve(struct jw *w, const struct dns_msg *m);
/*
 * Same, but the caller decides "type" (Suricata takes it from the packet
 * direction, not the QR bit) and may add Suricata's "tx_id" (the index of
 * this message among the DNS messages of its flow, from 0); tx_id < 0
 * leaves it out.
 */
void dns_write_eve_ex(struct jw *w, const struct dns_msg *m, bool response,
		      int64_t tx_id);

/* "A", "AAAA", "CNAME", ... (Suricata's spelling) else "TYPE<n>". */
const char *dns_type_name(uint16_t type, char *buf, size_t size);
/* "NOERROR", "NXDOMAIN", ... else the number. */
const char *dns_rcode_name(uint8_t rcode, char *buf, size_t size);

#endif
