/*
 * extract.c - stage 5: application metadata events (see extract.h).
 *
 * Decides per flow which parsers run: DNS on port 53/5353/5355 (UDP, and
 * TCP with its length prefix), HTTP when the client's first payload is a
 * request line, TLS when a first payload is a handshake record, SSH on
 * banners, QUIC on long-header UDP packets. The parsers themselves
 * (proto_*.c) know nothing of flows or output; this file feeds them and
 * writes their events through eve.c at the moment Suricata would: DNS per
 * message, HTTP per finished transaction, TLS once the handshake tells no
 * more, SSH and QUIC when DPI is done or the flow ends.
 */
#include "extract.h"

#include <stdlib.h>
#include <string.h>

#include "dpi.h"
#include "eve.h"
#include "files.h"
#include "stream.h"
#include "match.h"
#include "proto_dns.h"
#include "proto_http.h"
#include "proto_quic.h"
#include "proto_ssh.h"
#include "proto_tls.h"
#include "banned.h"

/* Cleartext stream bytes gathered for YARA. */
struct scanbuf {
	uint8_t *buf;
	size_t len;
	uint64_t total;
};

#define SCAN_CHUNK (64u * 1024)
#define SCAN_DEPTH (64u * 1024)

struct flow_meta {
	struct tls_state *tls;
	struct http_state *http;
	struct ssh_state *ssh;
	struct quic_state *quic;
	uint64_t dns_tx;
	bool looked[2];     /* first payload of each direction examined */
	bool tls_emitted;
	bool quic_emitted;
	bool tunnel;         /* HTTP CONNECT/upgrade seen */
	struct file_state *body[2]; /* HTTP bodies in transit, per direction */
	struct extract *x;   /* for the body callback */
	struct flow *f;
	struct stream *stream; /* TCP reassembly; NULL: segments go straight in */
	struct scanbuf scan;
};

struct extract {
	struct eve *eve;
	struct dpi *dpi;
	struct match *match;
	struct dns_msg *dns;  /* large: one per worker */
	struct http_tx tx;
	struct extract_stats st;
	struct stream_pool pool;
};

struct extract *extract_create(struct eve *eve, struct dpi *dpi, struct match *m)
{
	struct extract *x = calloc(1, sizeof(*x));

	if (!x)
		return NULL;
	x->dns = malloc(sizeof(*x->dns));
	if (!x->dns) {
		free(x);
		return NULL;
	}
	x->eve = eve;
	x->dpi = dpi;
	x->match = m;
	stream_pool_init(&x->pool);
	return x;
}

void extract_destroy(struct extract *x)
{
	if (!x)
		return;
	free(x->dns);
	free(x);
}

void extract_stream_limits(struct extract *x, uint64_t depth, uint64_t memcap)
{
	x->pool.depth = depth;
	x->pool.memcap = memcap;
}

const struct extract_stats *extract_stats(const struct extract *x)
{
	return &x->st;
}

const struct stream_stats *extract_stream_stats(const struct extract *x)
{
	return &x->pool.st;
}

static struct flow_meta *meta_get(struct flow *f)
{
	if (!f->meta) {
		f->meta = calloc(1, sizeof(*f->meta));
		if (f->meta)
			f->meta->f = f;
	}
	return f->meta;
}

/* An HTTP body in transit: decode it (gzip, deflate), hash it, keep its
 * head, and when it ends log it as Suricata's fileinfo does, match its
 * hashes and scan it. */
static void on_body(void *user, const struct http_tx *tx, int dir,
		    const uint8_t *data, size_t len, bool end)
{
	struct flow_meta *m = user;
	struct extract *x = m->x;
	struct file_result r;
	struct jw *w;
	const struct timeval *ts = &tx->ts_end;
	bool complete;

	dir &= 1;
	if (!m->body[dir] && !end)
		m->body[dir] = file_begin(dir ? tx->content_encoding : tx->request_content_encoding);
	if (!m->body[dir])
		return;
	if (!end) {
		file_data(m->body[dir], data, len);
		return;
	}
	complete = !(tx->flags & (dir ? HTTP_TXF_RES_INCOMPLETE : HTTP_TXF_REQ_INCOMPLETE));
	file_end(m->body[dir], complete, &r, &x->st.decode);
	complete = r.complete;
	w = eve_begin(x->eve, "fileinfo", m->f, dir, ts, 0);
	jw_obj_open(w, "http");
	if (tx->host[0])
		jw_str(w, "hostname", tx->host);
	jw_str(w, "url", tx->uri);
	if (tx->method[0])
		jw_str(w, "http_method", tx->method);
	if (tx->status)
		jw_uint(w, "status", (uint64_t)tx->status);
	jw_obj_close(w);
	jw_obj_open(w, "fileinfo");
	jw_str(w, "filename", tx->uri);
	jw_str(w, "state", complete ? "CLOSED" : "TRUNCATED");
	jw_str(w, "md5", r.md5);
	jw_str(w, "sha1", r.sha1);
	jw_str(w, "sha256", r.sha256);
	jw_bool(w, "stored", false);
	jw_uint(w, "size", r.size);
	if (r.coded) {
		jw_str(w, "content_encoding",
		       dir ? tx->content_encoding : tx->request_content_encoding);
		jw_uint(w, "encoded_size", r.carried);
		jw_str(w, "decoding", coding_status_name(r.decoding));
	}
	jw_uint(w, "tx_id", tx->tx_id);
	jw_str(w, "direction", dir ? "download" : "upload");
	jw_obj_close(w);
	eve_commit(x->eve);
	x->st.files++;
	if (x->match) {
		match_value(x->match, m->f, IOC_MD5, r.md5, "http-file", ts);
		match_value(x->match, m->f, IOC_SHA1, r.sha1, "http-file", ts);
		match_value(x->match, m->f, IOC_SHA256, r.sha256, "http-file", ts);
		/* uploads were scanned in the client's stream already */
		if (dir)
			match_scan_file(x->match, m->f, r.has_sha256 ? r.sha256_bytes : NULL,
					r.head, r.head_len, "http-download", ts);
	}
	file_free(m->body[dir]);
	m->body[dir] = NULL;
}

static bool is_dns_port(uint16_t p)
{
	return p == 53 || p == 5353 || p == 5355;
}

/* Questions and CNAME targets against the indicators; the addresses a
 * listed name resolves to are remembered for the host. */
static void dns_match(struct extract *x, struct flow *f, const struct timeval *ts)
{
	const struct dns_msg *d = x->dns;
	struct hd_addr addrs[DNS_MAX_RR];
	size_t na = 0;

	if (!d->qr) {
		for (unsigned i = 0; i < d->nq; i++) {
			match_domain(x->match, f, d->q[i].rrname, "dns", ts);
			match_behave_dns(x->match, f, d->q[i].rrname, ts);
		}
		return;
	}
	for (unsigned i = 0; i < d->nan; i++) {
		if (d->an[i].kind == DNS_RD_NAME && d->an[i].rrtype == DNS_TYPE_CNAME)
			match_domain(x->match, f, d->an[i].rdata, "dns-cname", ts);
		else if (d->an[i].kind == DNS_RD_ADDR && d->an[i].addr.family)
			addrs[na++] = d->an[i].addr;
	}
	if (d->nq)
		match_dns_addresses(x->match, f, d->q[0].rrname, addrs, na);
}

static void dns_message(struct extract *x, struct flow *f, const struct pkt *p,
			int dir, const uint8_t *d, size_t len)
{
	struct flow_meta *m = meta_get(f);
	struct jw *w;

	if (!m)
		return;
	if (dns_parse(d, len, x->dns)) {
		x->st.dns_malformed++;
		return;
	}
	w = eve_begin(x->eve, "dns", f, dir, &p->ts, p->num);
	dns_write_eve_ex(w, x->dns, x->dns->qr, (int64_t)m->dns_tx++);
	eve_commit(x->eve);
	x->st.dns++;
	f->parsed_proto = "dns";
	if (x->match)
		dns_match(x, f, &p->ts);
}

static void do_dns(struct extract *x, struct flow *f, const struct pkt *p, int dir)
{
	const uint8_t *d = p->payload;
	size_t len = p->paylen;

	if (f->proto == 17) {
		dns_message(x, f, p, dir, d, len);
		return;
	}
	/* TCP: messages with a 2-byte length; whole ones within the segment */
	while (len >= 2) {
		size_t ml = (size_t)d[0] << 8 | d[1];
		if (ml == 0 || ml + 2 > len)
			break;
		dns_message(x, f, p, dir, d + 2, ml);
		d += ml + 2;
		len -= ml + 2;
	}
}

/* Paths where agency portals and common software take passwords. */
static bool looks_like_login(const char *uri)
{
	static const char *words[] = { "login", "logon", "signin", "sign-in", "dangnhap",
				       "dang-nhap", "wp-login", "auth", "admin", "user/password" };
	char low[256];
	size_t i;

	for (i = 0; uri[i] && i < sizeof(low) - 1; i++)
		low[i] = (char)(uri[i] >= 'A' && uri[i] <= 'Z' ? uri[i] + 32 : uri[i]);
	low[i] = '\0';
	for (size_t k = 0; k < ARRAY_SIZE(words); k++)
		if (strstr(low, words[k]))
			return true;
	return false;
}

static void emit_http(struct extract *x, struct flow *f)
{
	struct flow_meta *m = f->meta;

	while (http_next_tx(m->http, &x->tx)) {
		struct jw *w = eve_begin(x->eve, "http", f, 0, &x->tx.ts, 0);

		http_tx_write_eve(w, &x->tx);
		eve_commit(x->eve);
		x->st.http++;
		f->parsed_proto = "http";
		if (x->tx.has_response && x->tx.status > 0 && x->tx.status < 1000)
			f->http_status = (uint16_t)x->tx.status;
		if (x->tx.has_request && !strcmp(x->tx.method, "POST") && looks_like_login(x->tx.uri))
			f->http_login = true;
		if (x->match && x->tx.has_request) {
			match_domain(x->match, f, x->tx.host, "http", &x->tx.ts);
			match_url(x->match, f, x->tx.host, x->tx.uri, &x->tx.ts);
		}
		/* nDPI's URL checks (XSS, SQL injection) become flow risks */
		if (x->tx.has_request)
			f->dpi.risk |= dpi_validate_url(x->tx.uri);
	}
}

static void emit_tls(struct extract *x, struct flow *f, const struct timeval *ts,
		     uint64_t num)
{
	struct flow_meta *m = f->meta;
	struct jw *w;

	if (m->tls_emitted || !tls_seen_hello(m->tls))
		return;
	w = eve_begin(x->eve, "tls", f, 0, ts, num);
	tls_write_eve(w, m->tls);
	eve_commit(x->eve);
	m->tls_emitted = true;
	x->st.tls++;
	f->parsed_proto = "tls";
	if (x->match) {
		match_domain(x->match, f, tls_sni(m->tls), "tls", ts);
		match_value(x->match, f, IOC_JA3, tls_ja3_hash(m->tls), "tls", ts);
		match_value(x->match, f, IOC_JA3S, tls_ja3s_hash(m->tls), "tls", ts);
		match_value(x->match, f, IOC_CERT_SHA1, tls_cert_sha1(m->tls), "tls", ts);
	}
}

static void emit_ssh(struct extract *x, struct flow *f, const struct timeval *ts)
{
	struct flow_meta *m = f->meta;
	struct jw *w;

	if (!m->ssh || m->ssh->emitted || (!m->ssh->side[0].seen && !m->ssh->side[1].seen))
		return;
	w = eve_begin(x->eve, "ssh", f, 0, ts, 0);
	ssh_write_eve(w, m->ssh);
	eve_commit(x->eve);
	m->ssh->emitted = true;
	x->st.ssh++;
	f->parsed_proto = "ssh";
}

static void emit_quic(struct extract *x, struct flow *f, const struct timeval *ts)
{
	struct flow_meta *m = f->meta;
	struct jw *w;

	if (!m->quic || m->quic_emitted || !quic_seen(m->quic))
		return;
	w = eve_begin(x->eve, "quic", f, 0, ts, 0);
	quic_write_eve(w, m->quic);
	eve_commit(x->eve);
	if (x->match) {
		match_domain(x->match, f, quic_sni(m->quic), "quic", ts);
		match_value(x->match, f, IOC_JA3, quic_ja3_hash(m->quic), "quic", ts);
	}
	m->quic_emitted = true;
	x->st.quic++;
	f->parsed_proto = "quic";
}

/* The first payload of a direction decides which stream parsers run. */
static void look_first(struct flow *f, struct flow_meta *m, const uint8_t *d, size_t n, int dir)
{

	m->looked[dir] = true;
	if (f->proto == 6) {
		if (!m->tls && n >= 6 && d[0] == 0x16 && d[1] == 0x03 && d[5] <= 2)
			m->tls = tls_state_create();
		else if (!m->http && dir == 0 && http_looks_like_request(d, n)) {
			m->http = http_state_create();
			if (m->http)
				http_state_set_body_cb(m->http, on_body, m);
		}
		else if (!m->ssh && ssh_looks_like_banner(d, n))
			m->ssh = ssh_state_create();
	} else if (f->proto == 17 && !m->quic) {
		uint32_t v;
		if (dir == 0 && quic_parse_long_header(d, n, &v) == 0 && v != 0 &&
		    (f->dport == 443 || f->sport == 443 || (d[0] & 0x40)))
			m->quic = quic_state_create();
	}
}

static void scan_flush(struct extract *x, struct flow *f, struct flow_meta *m,
		       const struct timeval *ts)
{
	struct scanbuf *sb = &m->scan;

	if (sb->len && x->match && dpi_scan_worthy(f))
		match_scan(x->match, f, sb->buf, sb->len, "stream", ts);
	sb->len = 0;
}

/* Cleartext TCP bytes go to YARA: both directions in the order they are
 * delivered, in chunks of up to 64 KiB, the first 64 KiB of a flow; one
 * scan per flow as a rule (a scan has a fixed cost in libyara). Encrypted
 * sessions are not scanned, and of HTTP only the client's side: the
 * bodies the server sends are scanned as files. */
static void scan_feed(struct extract *x, struct flow *f, struct flow_meta *m, int dir,
		      const uint8_t *d, size_t n, const struct timeval *ts)
{
	struct scanbuf *sb = &m->scan;

	if (!x->match || !x->match->scanner || m->tls || m->ssh || (m->http && dir == 1) ||
	    f->proto != 6 || sb->total >= SCAN_DEPTH)
		return;
	while (n && sb->total < SCAN_DEPTH) {
		size_t take = SCAN_CHUNK - sb->len;
		if (take > n)
			take = n;
		if (take > SCAN_DEPTH - sb->total)
			take = (size_t)(SCAN_DEPTH - sb->total);
		if (!sb->buf && !(sb->buf = malloc(SCAN_CHUNK)))
			return;
		memcpy(sb->buf + sb->len, d, take);
		sb->len += take;
		sb->total += take;
		d += take;
		n -= take;
		if (sb->len == SCAN_CHUNK)
			scan_flush(x, f, m, ts);
	}
}

/* In-order application bytes of one direction: to the parsers. */
static void app_data(struct extract *x, struct flow *f, struct flow_meta *m, int dir,
		     const uint8_t *d, size_t n, const struct timeval *ts, uint64_t num)
{
	if (!m->looked[dir])
		look_first(f, m, d, n, dir);
	if (m->tls && !m->tls_emitted) {
		tls_feed(m->tls, dir, d, n);
		if (tls_done(m->tls))
			emit_tls(x, f, ts, num);
	}
	if (m->http) {
		http_feed(m->http, dir, d, n, ts);
		emit_http(x, f);
		if (!m->tls && !m->tunnel) {
			struct http_stats hs;
			http_state_stats(m->http, &hs);
			if (hs.tunnels) {
				/* CONNECT accepted (or an upgrade): what follows is
				 * another protocol, TLS as a rule; look again */
				m->tunnel = true;
				m->looked[0] = m->looked[1] = false;
			}
		}
	}
	if (m->quic && !m->quic_emitted) {
		quic_feed(m->quic, dir, d, n);
		/* the ClientHello tells all; else wait for DPI or the end */
		if (quic_done(m->quic) && quic_hello_seen(m->quic))
			emit_quic(x, f, ts);
	}
	if (m->ssh && !m->ssh->emitted) {
		ssh_feed(m->ssh, dir, d, n);
		if (ssh_done(m->ssh))
			emit_ssh(x, f, ts);
	}
	scan_feed(x, f, m, dir, d, n, ts);
	/* an encrypted session has nothing more to tell once logged */
	if (m->stream && !m->http && ((m->tls && m->tls_emitted) || (m->ssh && m->ssh->emitted))) {
		stream_stop(m->stream, 0);
		stream_stop(m->stream, 1);
	}
}

struct seg_ctx {
	struct extract *x;
	struct flow *f;
	struct flow_meta *m;
	const struct timeval *ts;
	uint64_t num;
};

static void on_stream(void *arg, int dir, const uint8_t *data, size_t len, bool gap)
{
	struct seg_ctx *c = arg;

	(void)gap;
	app_data(c->x, c->f, c->m, dir, data, len, c->ts, c->num);
}

void extract_packet(struct extract *x, struct flow *f, const struct pkt *p, int dir)
{
	struct flow_meta *m;

	if (f->proto != 6 && f->proto != 17)
		return;
	if (is_dns_port(f->dport) || is_dns_port(f->sport)) {
		if (p->paylen)
			do_dns(x, f, p, dir);
		return;
	}
	/* nothing to parse until data flows: scans and handshakes cost no
	 * parser state (the stream then starts at the first data) */
	if (!p->paylen && !f->meta)
		return;
	m = meta_get(f);
	if (!m)
		return;
	m->x = x;
	if (f->proto == 6) {
		struct seg_ctx c = { x, f, m, &p->ts, p->num };
		if (!m->stream)
			m->stream = stream_create(&x->pool);
		if (m->stream) {
			stream_segment(m->stream, dir, p->tcp_seq, p->tcp_flags, p->payload,
				       p->paylen, on_stream, &c);
			return;
		}
	}
	if (p->paylen)
		app_data(x, f, m, dir, p->payload, p->paylen, &p->ts, p->num);
}

void extract_dpi_done(struct extract *x, struct flow *f, const struct timeval *ts)
{
	struct flow_meta *m = f->meta;

	if (!m)
		return;
	if (m->quic) {
		/* DPI's names count only where the packets gave none */
		quic_set_fallback(m->quic, dpi_host_name(f),
				  dpi_quic_user_agent(f));
		if (quic_done(m->quic))
			emit_quic(x, f, ts);
	}
}

void extract_flow_end(struct extract *x, struct flow *f, const struct timeval *ts)
{
	struct flow_meta *m = f->meta;

	if (!m)
		return;
	if (m->stream) {
		struct seg_ctx c = { x, f, m, ts, 0 };
		stream_flush(m->stream, on_stream, &c);
	}
	scan_flush(x, f, m, ts);
	if (m->http) {
		http_flush(m->http);
		emit_http(x, f);
	}
	if (m->tls)
		emit_tls(x, f, ts, 0);
	emit_ssh(x, f, ts);
	emit_quic(x, f, ts);
	http_state_destroy(m->http);
	stream_destroy(m->stream);
	free(m->scan.buf);
	file_free(m->body[0]);
	file_free(m->body[1]);
	tls_state_destroy(m->tls);
	ssh_state_destroy(m->ssh);
	quic_state_destroy(m->quic);
	free(m);
	f->meta = NULL;
}
