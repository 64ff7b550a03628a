/*
 * eve.c - EVE JSON output (see eve.h).
 *
 * Field names and shapes follow Suricata's EVE wherever the concept is the
 * same, so tools built for Suricata's eve.json read haidang's unchanged;
 * haidang's own facts sit under their own keys ("ndpi", "home", "agency").
 * Output goes through a large stdio buffer; a failed write is counted and
 * the stream cleared so the next events still have a chance.
 */
#include "eve.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dpi.h"
#include "banned.h"

#define EVE_MAX_EVENT (1u << 20)

struct eve {
	FILE *fp;
	bool own_fp;
	char *iobuf;
	struct eve_config cfg;
	struct jw w;
	struct eve_stats st;
	bool err_reported;
};

struct eve *eve_open(const struct eve_config *cfg, char *err, size_t errlen)
{
	struct eve *e = calloc(1, sizeof(*e));

	if (!e) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	e->cfg = *cfg;
	if (!cfg->path) {
		e->fp = NULL;
	} else if (!strcmp(cfg->path, "-")) {
		e->fp = stdout;
	} else {
		e->fp = fopen(cfg->path, "a");
		e->own_fp = true;
		if (!e->fp) {
			snprintf(err, errlen, "%s: %s", cfg->path, strerror(errno));
			free(e);
			return NULL;
		}
	}
	e->iobuf = e->fp ? malloc(1 << 20) : NULL;
	if (e->iobuf)
		setvbuf(e->fp, e->iobuf, _IOFBF, 1 << 20);
	jw_init(&e->w, EVE_MAX_EVENT);
	return e;
}

struct eve *eve_clone(struct eve *parent)
{
	struct eve *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->fp = parent->fp;
	e->cfg = parent->cfg;
	jw_init(&e->w, EVE_MAX_EVENT);
	return e;
}

int eve_flush(struct eve *e)
{
	if (e->fp && fflush(e->fp)) {
		e->st.write_errors++;
		clearerr(e->fp);
		return -EIO;
	}
	return 0;
}

int eve_close(struct eve *e)
{
	int r;

	if (!e)
		return 0;
	r = e->iobuf || e->own_fp ? eve_flush(e) : 0;
	if (e->own_fp && fclose(e->fp))
		r = -EIO;
	else if (!e->own_fp && e->iobuf)
		setvbuf(e->fp, NULL, _IOLBF, 0);
	free(e->iobuf);
	jw_finish(&e->w);
	free(e);
	return r;
}

static const char *proto_name(uint8_t p, char *buf, size_t size)
{
	switch (p) {
	case 6: return "TCP";
	case 17: return "UDP";
	case 1: return "ICMP";
	case 58: return "IPv6-ICMP";
	case 47: return "GRE";
	case 50: return "ESP";
	case 132: return "SCTP";
	default:
		snprintf(buf, size, "%03u", p);
		return buf;
	}
}

static bool in_home(const struct eve *e, const struct hd_addr *a)
{
	return cidr_list_contains(e->cfg.home, e->cfg.nhome, a);
}

const char *eve_home_side(const struct eve *e, const struct hd_addr *src,
			  const struct hd_addr *dst)
{
	bool s = in_home(e, src), d = in_home(e, dst);

	return s && d ? "both" : s ? "src" : d ? "dest" : NULL;
}

struct jw *eve_begin(struct eve *e, const char *event_type, const struct flow *f,
		     int dir, const struct timeval *ts, uint64_t pkt_num)
{
	struct jw *w = &e->w;
	char t[HD_TSLEN], a[HD_ADDRSTRLEN], pb[8];
	const struct hd_addr *src = dir ? &f->dst : &f->src;
	const struct hd_addr *dst = dir ? &f->src : &f->dst;
	bool ports = f->proto == 6 || f->proto == 17 || f->proto == 132 || f->proto == 136;
	const char *home;

	jw_reset(w);
	jw_obj_open(w, NULL);
	ts_format(ts, t, sizeof(t));
	jw_str(w, "timestamp", t);
	jw_uint(w, "flow_id", f->id);
	if (pkt_num)
		jw_uint(w, "pcap_cnt", pkt_num);
	jw_str(w, "event_type", event_type);
	if (f->nvlan) {
		jw_arr_open(w, "vlan");
		for (unsigned i = 0; i < f->nvlan; i++)
			jw_uint(w, NULL, f->vlan[i]);
		jw_arr_close(w);
	}
	jw_str(w, "src_ip", addr_format_full(src, a, sizeof(a)));
	if (ports)
		jw_uint(w, "src_port", dir ? f->dport : f->sport);
	jw_str(w, "dest_ip", addr_format_full(dst, a, sizeof(a)));
	if (ports)
		jw_uint(w, "dest_port", dir ? f->sport : f->dport);
	jw_str(w, "proto", proto_name(f->proto, pb, sizeof(pb)));
	if (f->proto == 1 || f->proto == 58) {
		jw_uint(w, "icmp_type", f->icmp_type);
		jw_uint(w, "icmp_code", f->icmp_code);
	}
	if (f->tunnel) {
		jw_obj_open(w, "tunnel");
		jw_str(w, "src_ip", addr_format_full(&f->tun_src, a, sizeof(a)));
		jw_str(w, "dest_ip", addr_format_full(&f->tun_dst, a, sizeof(a)));
		jw_str(w, "proto", proto_name(f->tunnel_proto, pb, sizeof(pb)));
		jw_str(w, "type", decode_tunnel_name(f->tunnel));
		jw_obj_close(w);
	}
	if (e->cfg.sensor_id && *e->cfg.sensor_id)
		jw_str(w, "host", e->cfg.sensor_id);
	if (e->cfg.agency && *e->cfg.agency)
		jw_str(w, "agency", e->cfg.agency);
	home = eve_home_side(e, src, dst);
	if (home)
		jw_str(w, "home", home);
	return w;
}

struct jw *eve_begin_plain(struct eve *e, const char *event_type,
			   const struct timeval *ts)
{
	struct jw *w = &e->w;
	char t[HD_TSLEN];

	jw_reset(w);
	jw_obj_open(w, NULL);
	ts_format(ts, t, sizeof(t));
	jw_str(w, "timestamp", t);
	jw_str(w, "event_type", event_type);
	if (e->cfg.sensor_id && *e->cfg.sensor_id)
		jw_str(w, "host", e->cfg.sensor_id);
	if (e->cfg.agency && *e->cfg.agency)
		jw_str(w, "agency", e->cfg.agency);
	return w;
}

void eve_commit(struct eve *e)
{
	struct jw *w = &e->w;

	jw_obj_close(w);
	jw_raw(w, "\n", 1);
	if (w->overflow) {
		e->st.dropped_oversize++;
		return;
	}
	if (e->fp && fwrite(w->buf, 1, w->len, e->fp) != w->len) {
		e->st.write_errors++;
		clearerr(e->fp);
		return;
	}
	e->st.events++;
	e->st.bytes += w->len;
	if (e->fp && e->cfg.line_buffered && fflush(e->fp)) {
		e->st.write_errors++;
		clearerr(e->fp);
	}
}

const char *eve_last_line(const struct eve *e, size_t *len)
{
	if (e->w.overflow || !e->w.len)
		return NULL;
	*len = e->w.len;
	return e->w.buf;
}

static void tcp_flags_hex(struct jw *w, const char *key, uint8_t fl)
{
	char b[3];

	hd_hex(b, &fl, 1);
	jw_strn(w, key, b, 2);
}

void eve_flow(struct eve *e, struct dpi *d, const struct flow *f,
	      enum flow_end why, const struct timeval *now)
{
	struct jw *w;
	char t[HD_TSLEN], name[128];
	const char *app = dpi_app_proto(f);
	uint16_t cli = 0, srv = 0;
	unsigned score = 0;

	(void)now;
	/* nDPI's verdict, else the parser that found transactions on it */
	if (!app)
		app = f->parsed_proto;
	w = eve_begin(e, "flow", f, 0, &f->last, 0);
	if (app)
		jw_str(w, "app_proto", app);
	else if ((f->proto == 6 || f->proto == 17) && f->payload_seen)
		jw_str(w, "app_proto", "failed");
	jw_obj_open(w, "flow");
	jw_uint(w, "pkts_toserver", f->pkts[0]);
	jw_uint(w, "pkts_toclient", f->pkts[1]);
	jw_uint(w, "bytes_toserver", f->bytes[0]);
	jw_uint(w, "bytes_toclient", f->bytes[1]);
	ts_format(&f->start, t, sizeof(t));
	jw_str(w, "start", t);
	ts_format(&f->last, t, sizeof(t));
	jw_str(w, "end", t);
	jw_int(w, "age", (int64_t)(f->last.tv_sec - f->start.tv_sec));
	if (f->proto == 6)
		jw_str(w, "state", f->rst_seen || f->fin_seen == 3 ? "closed" :
			  f->both_dirs ? "established" : "new");
	else
		jw_str(w, "state", f->both_dirs ? "established" : "new");
	switch (why) {
	case FLOW_END_TIMEOUT:
	case FLOW_END_TCP_CLOSED: jw_str(w, "reason", "timeout"); break;
	case FLOW_END_EVICTED: jw_str(w, "reason", "forced"); break;
	case FLOW_END_SHUTDOWN: jw_str(w, "reason", "shutdown"); break;
	case FLOW_END_ACTIVE_TIMEOUT: jw_str(w, "reason", "active_timeout"); break;
	}
	jw_bool(w, "alerted", false);
	jw_obj_close(w);
	if (f->proto == 6) {
		uint8_t all = f->tcp_flags[0] | f->tcp_flags[1];
		jw_obj_open(w, "tcp");
		tcp_flags_hex(w, "tcp_flags", all);
		tcp_flags_hex(w, "tcp_flags_ts", f->tcp_flags[0]);
		tcp_flags_hex(w, "tcp_flags_tc", f->tcp_flags[1]);
		if (all & TCP_FIN) jw_bool(w, "fin", true);
		if (all & TCP_SYN) jw_bool(w, "syn", true);
		if (all & TCP_RST) jw_bool(w, "rst", true);
		if (all & TCP_PSH) jw_bool(w, "psh", true);
		if (all & TCP_ACK) jw_bool(w, "ack", true);
		if (all & TCP_URG) jw_bool(w, "urg", true);
		jw_obj_close(w);
	}
	jw_obj_open(w, "ndpi");
	jw_str(w, "proto", dpi_proto_name(d, f, name, sizeof(name)));
	jw_str(w, "master", dpi_master_name(d, f));
	jw_str(w, "app", dpi_app_name(d, f));
	jw_str(w, "category", dpi_category_name(d, f));
	jw_str(w, "confidence", dpi_confidence_name(f));
	if (f->dpi.guessed)
		jw_bool(w, "guessed", true);
	if (f->dpi.risk) {
		char hex[24];
		jw_arr_open(w, "risks");
		for (unsigned b = 0; b < 64; b++) {
			if (!(f->dpi.risk & (1ULL << b)))
				continue;
			jw_obj_open(w, NULL);
			jw_str(w, "name", dpi_risk_name(b));
			jw_str(w, "severity", dpi_risk_severity(b));
			jw_uint(w, "score", dpi_risk_bit_score(b));
			jw_obj_close(w);
		}
		jw_arr_close(w);
		score = dpi_risk_score(f->dpi.risk, &cli, &srv);
		jw_uint(w, "risk_score", score);
		jw_uint(w, "risk_score_client", cli);
		jw_uint(w, "risk_score_server", srv);
		snprintf(hex, sizeof(hex), "%llx", (unsigned long long)f->dpi.risk);
		jw_str(w, "risk_bitmap", hex);
	}
	jw_obj_close(w);
	eve_commit(e);
}

const struct eve_stats *eve_stats(const struct eve *e)
{
	return &e->st;
}

void eve_stats_add(const struct eve *e, struct eve_stats *sum)
{
	sum->events += e->st.events;
	sum->bytes += e->st.bytes;
	sum->dropped_oversize += e->st.dropped_oversize;
	sum->write_errors += e->st.write_errors;
}
