/*
 * proto_dns.c - DNS message parser and EVE "dns" writer (see proto_dns.h).
 *
 * Sits in the extract stage: the dpi stage hands over one DNS message (UDP
 * payload, or a TCP message without its length prefix) and the output stage
 * writes what we decoded as Suricata 8 writes its DNS event (version 3), so
 * that tools built for Suricata's eve.json read ours. The message is hostile
 * input: this module must never read outside the bytes it was given, never
 * loop without bound on compression pointers, never keep more than its fixed
 * limits, never print and never abort; a bad message is a negative return.
 *
 * Output format, checked against the suricata-verify tests in
 * /work/shared/corpus/suricata-verify (dns__bug-1158, dns__bug-856,
 * dns__dns-udp-eve-dig, dns__dns-udp-eve-txt, dns__dns-udp-null,
 * dns__dns-udp-eve-log-srv, decode-teredo-01, dns-over-http2-post,
 * dns-udp-junkrequest-first, vxlan-decoder-03: all 190 of their DNS
 * expectations hold for our output) and read off Suricata 8's
 * rust/src/dns/log.rs (the v3 logger) and dns.rs (record/rcode names,
 * header checks, one transaction per message); the name and rdata rules
 * come from the 7.x parser.rs and a walk-through of the 8.0.3 one:
 *  - "version":3, "type":"request"|"response", "tx_id" (only through
 *    dns_write_eve_ex), "id", "flags" as lowercase hex without padding
 *    ("8180", "100", "0"), then qr, aa, tc, rd, ra, z written only when set
 *    (Suricata writes no "ad"/"cd"; they are in "flags" and in struct
 *    dns_msg), "opcode" (always), "rcode" (always, also for requests).
 *  - "queries":[{rrname, rrtype}], "answers":[{rrname, rrtype, ttl, ...}],
 *    "grouped":{TYPE:[...]} (answers only, Suricata 8's default), then
 *    "authorities" and "additionals" in the answers' form; OPT records are
 *    logged as "opt":[{code, data(hex)}] and left out when they carry no
 *    option.
 *  - rdata: A/AAAA as text, AAAA fully expanded ("2001:4860:0000:...");
 *    an address rdata that is neither 4 nor 16 bytes is ""; CNAME, NS, PTR
 *    and MX (the exchange) as names; TXT one answer entry per
 *    character-string; NULL as raw bytes; SOA, SRV and SSHFP as objects;
 *    every other type (DNAME, HTTPS, RRSIG, ...) gets no rdata at all.
 *  - rrtype of a type Suricata does not know is the bare number ("65534");
 *    rcode likewise. dns_type_name() answers "TYPE65534" for humans.
 *  - Names and byte rdata: written as-is when valid UTF-8, otherwise every
 *    byte >= 0x80 becomes the four characters \xNN (Suricata's
 *    string_from_bytes; dns__dns-udp-null expects "VACKD\u0003\\xc5\\xe9\u0001").
 *  - Requests and responses are both parsed in full (Suricata 8 logs
 *    answers/authorities/additionals of a request too). A failure in the
 *    authority or additional section empties that section (and the
 *    additional one) and keeps the message, as Suricata 8 does.
 *
 * Not confirmed, or deliberately different:
 *  - Hostile names follow Suricata 8's rules: a walk of more than 255
 *    labels plus pointers, or a pointer at itself, is an error before any
 *    pointer was followed and a cut, flagged name after one (so a message
 *    with a compression loop is still logged, as Suricata logs it, with
 *    "rrname_truncated"); struct dns_msg.anomalies records it for the
 *    caller's counters. A name that reaches the end of its rdata (or of
 *    the message) without its zero ends there, in both.
 *  - The packet direction is the caller's: Suricata takes "type" from it
 *    (dns_write_eve_ex) and drops a to-server message with QR set; "tx_id"
 *    is the message's index in its flow, which only the caller knows.
 *  - Names are cut at 255 bytes of text (Suricata: 1025) and flagged
 *    "rrname_truncated" / "rdata_truncated" / "mname_truncated" /
 *    "rname_truncated" like Suricata's; NULL/OPT/SSHFP data longer than
 *    DNS_RDATA_MAX is cut and flagged "rdata_truncated" (no Suricata
 *    equivalent; it never cuts).
 *  - A TXT record with an empty rdata: Suricata adds an empty "TXT" group
 *    (and an empty "answers" array); we log nothing for it.
 *  - An OPT rdata whose last option is cut short is an error here; the
 *    Suricata 8 OPT parser was not available to check.
 *  - "grouped" key order: Suricata's follows a hash map; ours is the order
 *    of first appearance. JSON readers do not care.
 *  - Lists beyond DNS_MAX_Q / DNS_MAX_RR entries are dropped
 *    (truncated_lists); Suricata logs them all.
 */
#include "proto_dns.h"

#include <errno.h>
#include <stdio.h>
#include <stddef.h>
#include <string.h>

#include "jsonw.h"
#include "util.h"

#include "banned.h"

/* ---------------------------------------------------------------- names */

struct type_name {
	uint16_t type;
	const char *name;
};

/* Suricata 8's DNSRecordType, spelled as it logs them. */
static const struct type_name type_names[] = {
	{1, "A"},          {2, "NS"},         {3, "MD"},
	{4, "MF"},         {5, "CNAME"},      {6, "SOA"},
	{7, "MB"},         {8, "MG"},         {9, "MR"},
	{10, "NULL"},      {11, "WKS"},       {12, "PTR"},
	{13, "HINFO"},     {14, "MINFO"},     {15, "MX"},
	{16, "TXT"},       {17, "RP"},        {18, "AFSDB"},
	{19, "X25"},       {20, "ISDN"},      {21, "RT"},
	{22, "NSAP"},      {23, "NSAPPTR"},   {24, "SIG"},
	{25, "KEY"},       {26, "PX"},        {27, "GPOS"},
	{28, "AAAA"},      {29, "LOC"},       {30, "NXT"},
	{33, "SRV"},       {34, "ATMA"},      {35, "NAPTR"},
	{36, "KX"},        {37, "CERT"},      {38, "A6"},
	{39, "DNAME"},     {41, "OPT"},       {42, "APL"},
	{43, "DS"},        {44, "SSHFP"},     {45, "IPSECKEY"},
	{46, "RRSIG"},     {47, "NSEC"},      {48, "DNSKEY"},
	{49, "DHCID"},     {50, "NSEC3"},     {51, "NSEC3PARAM"},
	{52, "TLSA"},      {55, "HIP"},       {59, "CDS"},
	{60, "CDNSKEY"},   {65, "HTTPS"},     {99, "SPF"},
	{249, "TKEY"},     {250, "TSIG"},     {254, "MAILA"},
	{255, "ANY"},      {256, "URI"},
};

static const char *const rcode_names[] = {
	"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
	"YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE",
};

static const char *const rcode_names_16[] = {
	"BADVERS/BADSIG", "BADKEY", "BADTIME", "BADMODE",
	"BADNAME", "BADALG", "BADTRUNC",
};

static const char *known_type(uint16_t type)
{
	for (size_t i = 0; i < ARRAY_SIZE(type_names); i++)
		if (type_names[i].type == type)
			return type_names[i].name;
	return NULL;
}

const char *dns_type_name(uint16_t type, char *buf, size_t size)
{
	const char *n = known_type(type);

	if (n)
		return n;
	if (buf && size)
		snprintf(buf, size, "TYPE%u", (unsigned)type);
	return buf;
}

/* The form Suricata logs: the name, else the decimal number. */
static const char *eve_type_name(uint16_t type, char *buf, size_t size)
{
	const char *n = known_type(type);

	if (n)
		return n;
	snprintf(buf, size, "%u", (unsigned)type);
	return buf;
}

const char *dns_rcode_name(uint8_t rcode, char *buf, size_t size)
{
	if (rcode < ARRAY_SIZE(rcode_names))
		return rcode_names[rcode];
	if (rcode >= 16 && rcode - 16 < (int)ARRAY_SIZE(rcode_names_16))
		return rcode_names_16[rcode - 16];
	if (buf && size)
		snprintf(buf, size, "%u", (unsigned)rcode);
	return buf;
}

/* --------------------------------------------------------------- parser */

/* The message being parsed; every read goes through these bounds. */
struct rd {
	const uint8_t *p;
	size_t len;
	uint8_t anomalies; /* DNS_ANOM_* seen so far */
};

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/*
 * Reads the name at *off. Labels are read up to `end` (the end of the rdata
 * for a name inside rdata, else the end of the message); after a
 * compression pointer, up to the end of the message. Running into that
 * bound ends the name, as in Suricata (what follows then fails to read).
 * The text goes to out (DNS_NAME_MAX bytes, NUL-terminated); *trunc is set
 * when it is not the whole name. On success *off is just past the name as
 * it sits in place (past the first pointer if there was one).
 *
 * The walk is bounded by DNS_MAX_NAME_STEPS labels plus pointers. Like
 * Suricata 8, a name that hits that bound or points at itself is an error
 * while no pointer has been followed (we would not know where the message
 * goes on), and is kept, truncated and flagged, once one has been (the
 * message goes on after that first pointer).
 */
static int read_name(struct rd *m, size_t *off, size_t end, char *out,
		     uint16_t *out_len, bool *trunc)
{
	size_t pos = *off, lim = end, resume = 0, n = 0;
	unsigned steps = 0;
	bool jumped = false;

	*trunc = false;
	if (lim > m->len)
		return -EBADMSG;
	for (;;) {
		uint8_t c;

		if (pos >= lim)
			break;
		c = m->p[pos];
		if (c == 0) {
			pos++;
			break;
		}
		if ((c & 0xc0) == 0) {
			size_t room, take;

			if ((size_t)c > lim - pos - 1)
				return -EBADMSG; /* label runs past the end */
			if (!*trunc) {
				room = DNS_NAME_MAX - 1 - n;
				if (n > 0 && room > 0) {
					out[n++] = '.';
					room--;
				}
				take = c <= room ? c : room;
				memcpy(out + n, m->p + pos + 1, take);
				n += take;
				if (take < c) {
					*trunc = true;
					m->anomalies |= DNS_ANOM_NAME_TOO_LONG;
				}
			}
			pos += 1 + (size_t)c;
		} else if ((c & 0xc0) == 0xc0) {
			size_t target;

			if (lim - pos < 2)
				return -EBADMSG;
			target = (size_t)(c & 0x3f) << 8 | m->p[pos + 1];
			if (target > m->len)
				return -EBADMSG; /* points past the end */
			if (target == pos) {
				/* Points at itself. */
				m->anomalies |= DNS_ANOM_NAME_LOOP;
				if (!jumped)
					return -EBADMSG;
				break;
			}
			if (!jumped) {
				resume = pos + 2;
				jumped = true;
			}
			pos = target;
			lim = m->len;
		} else {
			return -EBADMSG; /* 0x40/0x80 label types */
		}
		if (++steps > DNS_MAX_NAME_STEPS) {
			/* Too many labels, or a compression loop. */
			m->anomalies |= DNS_ANOM_NAME_LOOP;
			if (!jumped)
				return -EBADMSG;
			*trunc = true;
			break;
		}
		/* Cut, and we know where the message goes on: stop here. */
		if (*trunc && jumped)
			break;
	}
	out[n] = '\0';
	*out_len = (uint16_t)n;
	*off = jumped ? resume : pos;
	return 0;
}

static void format_addr(struct dns_rr *rr, const uint8_t *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	rr->kind = DNS_RD_ADDR;
	rr->rdata[0] = '\0';
	rr->rdata_len = 0;
	memset(&rr->addr, 0, sizeof(rr->addr));
	if (n == 4) {
		rr->addr.family = 4;
		memcpy(rr->addr.a, p, 4);
		addr_format(&rr->addr, rr->rdata, sizeof(rr->rdata));
		rr->rdata_len = (uint16_t)strlen(rr->rdata);
	} else if (n == 16) {
		/* Suricata's form: eight groups of four lowercase digits. */
		for (size_t i = 0; i < 16; i++) {
			if (i && i % 2 == 0)
				rr->rdata[o++] = ':';
			rr->rdata[o++] = hex[p[i] >> 4];
			rr->rdata[o++] = hex[p[i] & 15];
		}
		rr->rdata[o] = '\0';
		rr->rdata_len = (uint16_t)o;
		rr->addr.family = 6;
		memcpy(rr->addr.a, p, 16);
	}
}

static void copy_bytes(struct dns_rr *rr, const uint8_t *p, size_t n)
{
	if (n > DNS_RDATA_MAX - 1) {
		n = DNS_RDATA_MAX - 1;
		rr->flags |= DNS_RR_RDATA_TRUNC;
	}
	memcpy(rr->rdata, p, n);
	rr->rdata[n] = '\0';
	rr->rdata_len = (uint16_t)n;
}

static int rdata_name(struct rd *m, size_t *off, size_t end,
		      struct dns_rr *rr)
{
	bool trunc;
	int rc = read_name(m, off, end, rr->rdata, &rr->rdata_len, &trunc);

	if (rc == 0 && trunc)
		rr->flags |= DNS_RR_RDATA_TRUNC;
	return rc;
}

/* EDNS options: code(2) length(2) data. Kept whole-option-wise. */
static int rdata_opt(const uint8_t *p, size_t n, struct dns_rr *rr)
{
	size_t o = 0, keep = 0;

	rr->kind = DNS_RD_OPT;
	while (o < n) {
		size_t olen;

		if (n - o < 4)
			return -EBADMSG;
		olen = get16(p + o + 2);
		if (olen > n - o - 4)
			return -EBADMSG;
		o += 4 + olen;
		if (o <= DNS_RDATA_MAX - 1)
			keep = o;
		else
			rr->flags |= DNS_RR_RDATA_TRUNC;
	}
	memcpy(rr->rdata, p, keep);
	rr->rdata[keep] = '\0';
	rr->rdata_len = (uint16_t)keep;
	return 0;
}

/* Decodes the rdata at [s, e) of a record that is not TXT. */
static int parse_rdata(struct rd *m, size_t s, size_t e,
		       struct dns_rr *rr)
{
	const uint8_t *p = m->p + s;
	size_t n = e - s, off = s;
	bool trunc;
	int rc;

	switch (rr->rrtype) {
	case DNS_TYPE_A:
	case DNS_TYPE_AAAA:
		format_addr(rr, p, n);
		return 0;
	case DNS_TYPE_CNAME:
	case DNS_TYPE_NS:
	case DNS_TYPE_PTR:
		rr->kind = DNS_RD_NAME;
		return rdata_name(m, &off, e, rr);
	case DNS_TYPE_MX:
		rr->kind = DNS_RD_NAME;
		if (n < 2)
			return -EBADMSG;
		rr->u.mx.preference = get16(p);
		off += 2;
		return rdata_name(m, &off, e, rr);
	case DNS_TYPE_SOA:
		rr->kind = DNS_RD_SOA;
		rc = rdata_name(m, &off, e, rr);
		if (rc)
			return rc;
		rc = read_name(m, &off, e, rr->u.soa.rname,
			       &rr->u.soa.rname_len, &trunc);
		if (rc)
			return rc;
		if (trunc)
			rr->flags |= DNS_RR_RNAME_TRUNC;
		if (e - off < 20)
			return -EBADMSG;
		rr->u.soa.serial = get32(m->p + off);
		rr->u.soa.refresh = get32(m->p + off + 4);
		rr->u.soa.retry = get32(m->p + off + 8);
		rr->u.soa.expire = get32(m->p + off + 12);
		rr->u.soa.minimum = get32(m->p + off + 16);
		return 0;
	case DNS_TYPE_SRV:
		rr->kind = DNS_RD_SRV;
		if (n < 6)
			return -EBADMSG;
		rr->u.srv.priority = get16(p);
		rr->u.srv.weight = get16(p + 2);
		rr->u.srv.port = get16(p + 4);
		off += 6;
		return rdata_name(m, &off, e, rr);
	case DNS_TYPE_NULL:
		rr->kind = DNS_RD_BYTES;
		copy_bytes(rr, p, n);
		return 0;
	case DNS_TYPE_SSHFP:
		rr->kind = DNS_RD_SSHFP;
		if (n < 2)
			return -EBADMSG;
		rr->u.sshfp.algo = p[0];
		rr->u.sshfp.fp_type = p[1];
		copy_bytes(rr, p + 2, n - 2);
		return 0;
	case DNS_TYPE_OPT:
		return rdata_opt(p, n, rr);
	default:
		rr->kind = DNS_RD_NONE;
		return 0;
	}
}

/* The owner part of a record, shared by every entry a record yields. */
struct rr_head {
	char name[DNS_NAME_MAX];
	uint16_t name_len;
	bool name_trunc;
	uint16_t type, klass, rdlength;
	uint32_t ttl;
};

static void start_entry(struct dns_rr *rr, const struct rr_head *h)
{
	memcpy(rr->rrname, h->name, (size_t)h->name_len + 1);
	rr->rrname_len = h->name_len;
	rr->rrtype = h->type;
	rr->rrclass = h->klass;
	rr->ttl = h->ttl;
	rr->rdlength = h->rdlength;
	rr->rdata[0] = '\0';
	rr->rdata_len = 0;
	rr->kind = DNS_RD_NONE;
	rr->flags = h->name_trunc ? DNS_RR_NAME_TRUNC : 0;
	memset(&rr->addr, 0, sizeof(rr->addr));
	memset(&rr->u, 0, sizeof(rr->u));
}

/*
 * Parses `count` records at *off into arr (at most DNS_MAX_RR entries;
 * records past that are still checked, in *scratch, and dropped).
 */
static int parse_section(struct rd *m, size_t *off, unsigned count,
			 struct dns_rr *arr, unsigned *n, bool *dropped,
			 struct dns_rr *scratch)
{
	struct rr_head h;

	*n = 0;
	for (unsigned i = 0; i < count; i++) {
		size_t s, e, rdlen;
		struct dns_rr *rr;
		int rc;

		rc = read_name(m, off, m->len, h.name, &h.name_len,
			       &h.name_trunc);
		if (rc)
			return rc;
		if (m->len - *off < 10)
			return -EBADMSG;
		h.type = get16(m->p + *off);
		h.klass = get16(m->p + *off + 2);
		h.ttl = get32(m->p + *off + 4);
		h.rdlength = get16(m->p + *off + 8);
		rdlen = h.rdlength;
		s = *off + 10;
		if (rdlen > m->len - s)
			return -EBADMSG;
		e = s + rdlen;
		*off = e;

		if (h.type == DNS_TYPE_TXT) {
			/* One entry per character-string. */
			while (s < e) {
				size_t sl = m->p[s];

				if (sl > e - s - 1)
					return -EBADMSG;
				if (*n < DNS_MAX_RR) {
					rr = &arr[(*n)++];
					start_entry(rr, &h);
					rr->kind = DNS_RD_TEXT;
					copy_bytes(rr, m->p + s + 1, sl);
				} else {
					*dropped = true;
				}
				s += 1 + sl;
			}
			continue;
		}
		if (*n < DNS_MAX_RR) {
			rr = &arr[(*n)++];
		} else {
			rr = scratch;
			*dropped = true;
		}
		start_entry(rr, &h);
		rc = parse_rdata(m, s, e, rr);
		if (rc)
			return rc;
	}
	return 0;
}

/* Questions, then the three record sections, after the header. */
static int parse_body(struct rd *m, struct dns_msg *out)
{
	struct dns_rr scratch;
	size_t off = DNS_HEADER_LEN;
	unsigned nar;
	int rc;

	for (unsigned i = 0; i < out->qdcount; i++) {
		struct dns_query tmp, *q = out->nq < DNS_MAX_Q ? &out->q[out->nq]
							       : &tmp;
		bool trunc;

		rc = read_name(m, &off, m->len, q->rrname, &q->rrname_len,
			       &trunc);
		if (rc)
			return rc;
		if (m->len - off < 4)
			return -EBADMSG;
		q->rrtype = get16(m->p + off);
		q->rrclass = get16(m->p + off + 2);
		q->flags = trunc ? DNS_RR_NAME_TRUNC : 0;
		off += 4;
		if (q == &tmp)
			out->truncated_lists = true;
		else
			out->nq++;
	}

	rc = parse_section(m, &off, out->ancount, out->an, &out->nan,
			   &out->truncated_lists, &scratch);
	if (rc)
		return rc;

	/* From here on a bad section is dropped, not the message. */
	rc = parse_section(m, &off, out->nscount, out->ns, &out->nns,
			   &out->truncated_lists, &scratch);
	if (rc) {
		out->nns = 0;
		out->invalid_authorities = true;
		return 0;
	}
	rc = parse_section(m, &off, out->arcount, out->ar, &nar,
			   &out->truncated_lists, &scratch);
	out->nar = rc ? 0 : nar;
	out->invalid_additionals = rc != 0;
	return 0;
}

int dns_parse(const uint8_t *msg, size_t len, struct dns_msg *out)
{
	struct rd m = {msg, len, 0};
	size_t records;
	int rc;

	if (!out)
		return -EINVAL;
	/* Only the header and the counts: the record arrays (150 KB) are
	 * written entry by entry as they are parsed, and only entries below
	 * the counts are ever read. */
	memset(out, 0, offsetof(struct dns_msg, q));
	out->nq = out->nan = out->nns = out->nar = 0;
	out->truncated_lists = out->invalid_authorities = out->invalid_additionals = false;
	out->anomalies = 0;
	if (!msg)
		return -EINVAL;
	if (len < DNS_HEADER_LEN)
		return -EBADMSG;

	out->id = get16(msg);
	out->flags = get16(msg + 2);
	out->qdcount = get16(msg + 4);
	out->ancount = get16(msg + 6);
	out->nscount = get16(msg + 8);
	out->arcount = get16(msg + 10);
	out->qr = out->flags & 0x8000;
	out->opcode = (uint8_t)((out->flags >> 11) & 0xf);
	out->aa = out->flags & 0x0400;
	out->tc = out->flags & 0x0200;
	out->rd = out->flags & 0x0100;
	out->ra = out->flags & 0x0080;
	out->z = out->flags & 0x0040;
	out->ad = out->flags & 0x0020;
	out->cd = out->flags & 0x0010;
	out->rcode = (uint8_t)(out->flags & 0xf);

	/* Suricata's header sanity check (probe_header_validity): counts
	 * that cannot fit, bytes after a header that announces nothing, and a
	 * request that asks nothing are not DNS. */
	records = (size_t)out->qdcount + out->ancount + out->nscount +
		  out->arcount;
	if (2 * records > len)
		return -EBADMSG;
	if (records == 0 && len > DNS_HEADER_LEN)
		return -EBADMSG;
	if (!out->qr && out->qdcount == 0)
		return -EBADMSG;

	rc = parse_body(&m, out);
	out->anomalies = m.anomalies;
	return rc;
}

/* --------------------------------------------------------------- writer */

/*
 * Writes wire bytes the way Suricata's set_string_from_bytes does: as they
 * are when they are valid UTF-8, else with every byte >= 0x80 spelled
 * "\xNN". The JSON writer escapes control characters either way.
 */
static void put_bytes(struct jw *w, const char *key, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)s;
	char buf[DNS_RDATA_MAX * 4 + 1];
	size_t i = 0, o = 0;

	while (i < n && u[i] < 0x80) /* names are ASCII as a rule */
		i++;
	while (i < n) {
		unsigned l = utf8_seq_len(u + i, n - i);

		if (!l)
			break;
		i += l;
	}
	if (i == n) {
		jw_strn(w, key, s, n);
		return;
	}
	for (i = 0; i < n && o + 4 < sizeof(buf); i++) {
		if (u[i] < 0x80) {
			buf[o++] = (char)u[i];
		} else {
			buf[o++] = '\\';
			buf[o++] = 'x';
			buf[o++] = hex[u[i] >> 4];
			buf[o++] = hex[u[i] & 15];
		}
	}
	jw_strn(w, key, buf, o);
}

static void put_hex(struct jw *w, const char *key, const uint8_t *p,
		    size_t n, bool colons)
{
	static const char hex[] = "0123456789abcdef";
	char buf[DNS_RDATA_MAX * 3 + 1];
	size_t o = 0;

	for (size_t i = 0; i < n && o + 3 < sizeof(buf); i++) {
		if (colons && i)
			buf[o++] = ':';
		buf[o++] = hex[p[i] >> 4];
		buf[o++] = hex[p[i] & 15];
	}
	jw_strn(w, key, buf, o);
}

static void put_soa(struct jw *w, const char *key, const struct dns_rr *rr)
{
	jw_obj_open(w, key);
	put_bytes(w, "mname", rr->rdata, rr->rdata_len);
	if (rr->flags & DNS_RR_RDATA_TRUNC)
		jw_bool(w, "mname_truncated", true);
	put_bytes(w, "rname", rr->u.soa.rname, rr->u.soa.rname_len);
	if (rr->flags & DNS_RR_RNAME_TRUNC)
		jw_bool(w, "rname_truncated", true);
	jw_uint(w, "serial", rr->u.soa.serial);
	jw_uint(w, "refresh", rr->u.soa.refresh);
	jw_uint(w, "retry", rr->u.soa.retry);
	jw_uint(w, "expire", rr->u.soa.expire);
	jw_uint(w, "minimum", rr->u.soa.minimum);
	jw_obj_close(w);
}

static void put_srv(struct jw *w, const char *key, const struct dns_rr *rr)
{
	jw_obj_open(w, key);
	jw_uint(w, "priority", rr->u.srv.priority);
	jw_uint(w, "weight", rr->u.srv.weight);
	jw_uint(w, "port", rr->u.srv.port);
	put_bytes(w, "name", rr->rdata, rr->rdata_len);
	jw_obj_close(w);
}

static void put_sshfp(struct jw *w, const char *key, const struct dns_rr *rr)
{
	jw_obj_open(w, key);
	put_hex(w, "fingerprint", (const uint8_t *)rr->rdata, rr->rdata_len,
		true);
	jw_uint(w, "algo", rr->u.sshfp.algo);
	jw_uint(w, "type", rr->u.sshfp.fp_type);
	jw_obj_close(w);
}

static void put_opt(struct jw *w, const struct dns_rr *rr)
{
	const uint8_t *p = (const uint8_t *)rr->rdata;
	size_t o = 0;

	jw_arr_open(w, "opt");
	while (rr->rdata_len - o >= 4) {
		size_t olen = get16(p + o + 2);

		if (olen > rr->rdata_len - o - 4)
			break; /* cannot happen: checked when parsed */
		jw_obj_open(w, NULL);
		jw_uint(w, "code", get16(p + o));
		put_hex(w, "data", p + o + 4, olen, false);
		jw_obj_close(w);
		o += 4 + olen;
	}
	jw_arr_close(w);
}

/* One entry of answers/authorities/additionals. */
static void put_rr(struct jw *w, const struct dns_rr *rr)
{
	char tb[8];

	jw_obj_open(w, NULL);
	put_bytes(w, "rrname", rr->rrname, rr->rrname_len);
	if (rr->flags & DNS_RR_NAME_TRUNC)
		jw_bool(w, "rrname_truncated", true);
	jw_str(w, "rrtype", eve_type_name(rr->rrtype, tb, sizeof(tb)));
	jw_uint(w, "ttl", rr->ttl);
	switch (rr->kind) {
	case DNS_RD_ADDR:
		jw_strn(w, "rdata", rr->rdata, rr->rdata_len);
		break;
	case DNS_RD_NAME:
	case DNS_RD_TEXT:
	case DNS_RD_BYTES:
		put_bytes(w, "rdata", rr->rdata, rr->rdata_len);
		if (rr->flags & DNS_RR_RDATA_TRUNC)
			jw_bool(w, "rdata_truncated", true);
		break;
	case DNS_RD_SOA:
		put_soa(w, "soa", rr);
		break;
	case DNS_RD_SRV:
		put_srv(w, "srv", rr);
		break;
	case DNS_RD_SSHFP:
		put_sshfp(w, "sshfp", rr);
		break;
	case DNS_RD_OPT:
		put_opt(w, rr);
		break;
	default:
		break;
	}
	jw_obj_close(w);
}

static bool groupable(const struct dns_rr *rr)
{
	return rr->kind != DNS_RD_NONE && rr->kind != DNS_RD_OPT;
}

/* "grouped": answer data by type, types in order of first appearance. */
static void put_grouped(struct jw *w, const struct dns_msg *m)
{
	jw_obj_open(w, "grouped");
	for (unsigned i = 0; i < m->nan; i++) {
		const struct dns_rr *first = &m->an[i];
		char tb[8];
		bool seen = false;

		if (!groupable(first))
			continue;
		for (unsigned j = 0; j < i && !seen; j++)
			seen = m->an[j].rrtype == first->rrtype &&
			       groupable(&m->an[j]);
		if (seen)
			continue;
		jw_arr_open(w, eve_type_name(first->rrtype, tb, sizeof(tb)));
		for (unsigned j = i; j < m->nan; j++) {
			const struct dns_rr *rr = &m->an[j];

			if (rr->rrtype != first->rrtype || !groupable(rr))
				continue;
			switch (rr->kind) {
			case DNS_RD_ADDR:
				jw_strn(w, NULL, rr->rdata, rr->rdata_len);
				break;
			case DNS_RD_SOA:
				put_soa(w, NULL, rr);
				break;
			case DNS_RD_SRV:
				put_srv(w, NULL, rr);
				break;
			case DNS_RD_SSHFP:
				put_sshfp(w, NULL, rr);
				break;
			default:
				put_bytes(w, NULL, rr->rdata, rr->rdata_len);
				break;
			}
		}
		jw_arr_close(w);
	}
	jw_obj_close(w);
}

void dns_write_eve_ex(struct jw *w, const struct dns_msg *m, bool response,
		      int64_t tx_id)
{
	char buf[8];
	bool any_ar = false;

	jw_obj_open(w, "dns");
	jw_uint(w, "version", 3);
	jw_str(w, "type", response ? "response" : "request");
	if (tx_id >= 0)
		jw_uint(w, "tx_id", (uint64_t)tx_id);
	jw_uint(w, "id", m->id);
	snprintf(buf, sizeof(buf), "%x", (unsigned)m->flags);
	jw_str(w, "flags", buf);
	if (m->qr)
		jw_bool(w, "qr", true);
	if (m->aa)
		jw_bool(w, "aa", true);
	if (m->tc)
		jw_bool(w, "tc", true);
	if (m->rd)
		jw_bool(w, "rd", true);
	if (m->ra)
		jw_bool(w, "ra", true);
	if (m->z)
		jw_bool(w, "z", true);
	jw_uint(w, "opcode", m->opcode);
	jw_str(w, "rcode", dns_rcode_name(m->rcode, buf, sizeof(buf)));

	if (m->nq) {
		jw_arr_open(w, "queries");
		for (unsigned i = 0; i < m->nq; i++) {
			const struct dns_query *q = &m->q[i];

			jw_obj_open(w, NULL);
			put_bytes(w, "rrname", q->rrname, q->rrname_len);
			jw_str(w, "rrtype",
			       eve_type_name(q->rrtype, buf, sizeof(buf)));
			if (q->flags & DNS_RR_NAME_TRUNC)
				jw_bool(w, "rrname_truncated", true);
			jw_obj_close(w);
		}
		jw_arr_close(w);
	}
	if (m->nan) {
		jw_arr_open(w, "answers");
		for (unsigned i = 0; i < m->nan; i++)
			put_rr(w, &m->an[i]);
		jw_arr_close(w);
		put_grouped(w, m);
	}
	if (m->nns) {
		jw_arr_open(w, "authorities");
		for (unsigned i = 0; i < m->nns; i++)
			put_rr(w, &m->ns[i]);
		jw_arr_close(w);
	}
	for (unsigned i = 0; i < m->nar; i++) {
		const struct dns_rr *rr = &m->ar[i];

		if (rr->kind == DNS_RD_OPT && rr->rdata_len == 0 &&
		    !(rr->flags & DNS_RR_RDATA_TRUNC))
			continue; /* a bare EDNS marker: Suricata skips it */
		if (!any_ar) {
			jw_arr_open(w, "additionals");
			any_ar = true;
		}
		put_rr(w, rr);
	}
	if (any_ar)
		jw_arr_close(w);
	jw_obj_close(w);
}

void dns_write_eve(struct jw *w, const struct dns_msg *m)
{
	dns_write_eve_ex(w, m, m->qr, -1);
}
