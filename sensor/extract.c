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
#include "proto_dns.h"
#include "proto_http.h"
#include "proto_quic.h"
#include "proto_ssh.h"
#include "proto_tls.h"
#include "banned.h"

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
};

struct extract {
	struct eve *eve;
	struct dpi *dpi;
	struct dns_msg *dns;  /* large: one per worker */
	struct http_tx tx;
	struct extract_stats st;
};

struct extract *extract_create(struct eve *eve, struct dpi *dpi)
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
	return x;
}

void extract_destroy(struct extract *x)
{
	if (!x)
		return;
	free(x->dns);
	free(x);
}

const struct extract_stats *extract_stats(const struct extract *x)
{
	return &x->st;
}

static struct flow_meta *meta_get(struct flow *f)
{
	if (!f->meta)
		f->meta = calloc(1, sizeof(*f->meta));
	return f->meta;
}

static bool is_dns_port(uint16_t p)
{
	return p == 53 || p == 5353 || p == 5355;
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

static void emit_http(struct extract *x, struct flow *f)
{
	struct flow_meta *m = f->meta;

	while (http_next_tx(m->http, &x->tx)) {
		struct jw *w = eve_begin(x->eve, "http", f, 0, &x->tx.ts, 0);

		http_tx_write_eve(w, &x->tx);
		eve_commit(x->eve);
		x->st.http++;
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
	m->quic_emitted = true;
	x->st.quic++;
}

/* The first payload of a direction decides which stream parsers run. */
static void look_first(struct flow *f, struct flow_meta *m, const struct pkt *p, int dir)
{
	const uint8_t *d = p->payload;
	size_t n = p->paylen;

	m->looked[dir] = true;
	if (f->proto == 6) {
		if (!m->tls && n >= 6 && d[0] == 0x16 && d[1] == 0x03 && d[5] <= 2)
			m->tls = tls_state_create();
		else if (!m->http && dir == 0 && http_looks_like_request(d, n))
			m->http = http_state_create();
		else if (!m->ssh && ssh_looks_like_banner(d, n))
			m->ssh = ssh_state_create();
	} else if (f->proto == 17 && !m->quic) {
		uint32_t v;
		if (dir == 0 && quic_parse_long_header(d, n, &v) == 0 && v != 0 &&
		    (f->dport == 443 || f->sport == 443 || (d[0] & 0x40)))
			m->quic = quic_state_create();
	}
}

void extract_packet(struct extract *x, struct flow *f, const struct pkt *p, int dir)
{
	struct flow_meta *m;

	if (!p->paylen || (f->proto != 6 && f->proto != 17))
		return;
	if (is_dns_port(f->dport) || is_dns_port(f->sport)) {
		do_dns(x, f, p, dir);
		return;
	}
	m = meta_get(f);
	if (!m)
		return;
	if (!m->looked[dir])
		look_first(f, m, p, dir);
	if (m->tls && !m->tls_emitted) {
		tls_feed(m->tls, dir, p->payload, p->paylen);
		if (tls_done(m->tls))
			emit_tls(x, f, &p->ts, p->num);
	}
	if (m->http) {
		http_feed(m->http, dir, p->payload, p->paylen, &p->ts);
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
		quic_feed(m->quic, dir, p->payload, p->paylen);
		/* the ClientHello tells all; else wait for DPI or the end */
		if (quic_done(m->quic) && quic_hello_seen(m->quic))
			emit_quic(x, f, &p->ts);
	}
	if (m->ssh && !m->ssh->emitted) {
		ssh_feed(m->ssh, dir, p->payload, p->paylen);
		if (ssh_done(m->ssh))
			emit_ssh(x, f, &p->ts);
	}
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
	if (m->http) {
		http_flush(m->http);
		emit_http(x, f);
	}
	if (m->tls)
		emit_tls(x, f, ts, 0);
	emit_ssh(x, f, ts);
	emit_quic(x, f, ts);
	http_state_destroy(m->http);
	tls_state_destroy(m->tls);
	ssh_state_destroy(m->ssh);
	quic_state_destroy(m->quic);
	free(m);
	f->meta = NULL;
}
