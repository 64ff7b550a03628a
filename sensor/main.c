/*
 * main.c - haidang-sensor: settings, set-up and the packet loop.
 *
 * The capture thread runs capture -> decode (-> defrag) for every frame and
 * hands the packet to the worker owning its flow (worker.c), which runs
 * flow table -> extract (metadata) -> dpi -> eve. Bad input never stops the
 * loop: malformed packets are counted by kind, broken files are reported
 * with their packet number and skipped, and the exit status says whether
 * any input failed. SIGTERM/SIGINT end all flows and exit cleanly; SIGHUP
 * reloads the rules beside the running ones; SIGUSR1
 * writes the statistics.
 */
#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <time.h>
#include <unistd.h>

#include "capture.h"
#include "conf.h"
#include "decode.h"
#include "defrag.h"
#include "dpi.h"
#include "eve.h"
#include "extract.h"
#include "flow.h"
#include "log.h"
#include "options.h"
#include "notify.h"
#include "privdrop.h"
#include "sandbox.h"
#include "publish.h"
#include "worker.h"
#include "behave.h"
#include "incident.h"
#include "ruleset.h"
#include "yararules.h"
#include <pthread.h>
#include <stdatomic.h>
#include "util.h"
#include "version.h"
#include "banned.h"

struct sensor {
	struct sensor_options o;
	struct capture *cap;
	struct defrag *defrag;
	struct eve *eve;
	struct worker **workers;
	unsigned nworkers;
	struct ruleset_slot rules;
	bool have_rules;
	struct incidents *incidents;
	struct behave *behave;
	struct publish *publisher;  /* --redis */
	uint64_t last_health_ms;
	atomic_bool reloading;
	pthread_mutex_t stats_mu;   /* the stats event is written from two threads */
	pthread_t signal_thread;
	bool signal_started;
	bool yara_init;
	pthread_t reload_thread;
	/* the workers' nDPI modules, made in a thread of their own while the
	 * rules load (each takes ~10 ms of set-up) */
	pthread_t dpi_thread;
	bool dpi_started;
	struct dpi **dpis;
	bool reload_started;
	uint64_t generation;
	bool threaded;
	struct cidr *home;
	size_t nhome;
	bool vi;
	/* capture-thread counters */
	uint64_t pkts, bytes;
	uint64_t decode[DECODE__COUNT];
	struct timeval now;     /* newest packet time */
	time_t last_tick;
	uint64_t started_ms;
	uint64_t last_stats_ms;
	char hostname[256];
};

static volatile sig_atomic_t sig_stop;
static struct capture *sig_cap;

static void on_signal(int sig)
{
	(void)sig;
	sig_stop = 1;
	capture_break(sig_cap);
}

static void dispatch(struct sensor *s, const struct pkt *p)
{
	struct worker *w = s->workers[s->nworkers > 1 ? flow_hash(p) % s->nworkers : 0];

	if (timercmp(&p->ts, &s->now, >))
		s->now = p->ts;
	if (s->threaded) {
		/* every worker's clock moves with the capture's, so idle
		 * flows end on time even in a worker that gets no packets */
		if (s->now.tv_sec != s->last_tick) {
			s->last_tick = s->now.tv_sec;
			/* hand over partial batches too: workers stay within a
			 * second of each other in packet time, so what one learns
			 * (a C2 name's address) is there when another needs it */
			for (unsigned i = 0; i < s->nworkers; i++) {
				worker_enqueue_tick(s->workers[i], &s->now);
				worker_push(s->workers[i]);
			}
			if (s->incidents)
				incidents_tick(s->incidents, &s->now);
		}
		worker_enqueue(w, p);
	} else {
		worker_packet(w, p);
		if (s->incidents && s->now.tv_sec != s->last_tick) {
			s->last_tick = s->now.tv_sec;
			incidents_tick(s->incidents, &s->now);
		}
	}
}

static bool is_udp_tunnel(uint8_t t)
{
	return t == TUNNEL_VXLAN || t == TUNNEL_GENEVE || t == TUNNEL_TEREDO;
}

/* A UDP tunnel's carrier is a flow too (Suricata and nDPI's reader log
 * it): account the outer packet to it, without its payload. */
static void dispatch_carrier(struct sensor *s, const struct pkt *p)
{
	struct pkt o;

	decode_carrier(p, &o);
	dispatch(s, &o);
}

static void process(struct sensor *s, struct pkt *p, enum link_type link)
{
	enum decode_result r;

	s->pkts++;
	s->bytes += p->wirelen;
	r = decode_frame(link, p);
	if (r == DECODE_FRAGMENT) {
		const uint8_t *ip;
		uint32_t len;
		int dr;

		s->decode[DECODE_FRAGMENT]++;
		if (timercmp(&p->ts, &s->now, >)) {
			defrag_expire(s->defrag, &p->ts);
		}
		dr = defrag_add(s->defrag, p, &ip, &len);
		if (dr <= 0) {
			if (dr < 0)
				s->decode[DERR_FRAG_BAD]++;
			return;
		}
		/* the datagram counts as one frame: its link header and all
		 * of its IP bytes */
		p->wirelen = (uint32_t)(p->l3 - p->data) + len;
		r = decode_ip(p, ip, len, p->tunnel_depth);
		p->reassembled = true;
		if (r == DECODE_FRAGMENT)
			r = DERR_FRAG_BAD; /* a fragment inside a fragment */
	}
	if (r != DECODE_OK) {
		s->decode[r]++;
		/* a tunnel carrying ARP and the like still carries: its outer
		 * flow counts */
		if (r == DECODE_NOT_IP && is_udp_tunnel(p->tunnel))
			dispatch_carrier(s, p);
		return;
	}
	if (is_udp_tunnel(p->tunnel))
		dispatch_carrier(s, p);
	dispatch(s, p);
}

static void tick_all(struct sensor *s, const struct timeval *now)
{
	defrag_expire(s->defrag, now);
	for (unsigned i = 0; i < s->nworkers; i++) {
		if (s->threaded) {
			worker_enqueue_tick(s->workers[i], now);
			worker_push(s->workers[i]);
		} else {
			worker_tick(s->workers[i], now);
		}
	}
}

static void sum_workers(struct sensor *s, struct worker_stats *ws);

static void publish_log(int level, const char *msg)
{
	log_msg(level <= 3 ? LOG_LVL_ERR : level == 4 ? LOG_LVL_WARN : LOG_LVL_INFO, "%s", msg);
}

static void publish_sink(void *arg, const char *line, size_t len)
{
	publish_submit(arg, line, len);
}

/* The queue publisher (docs/queue.md): incidents go to Redis, or to the
 * spool while Redis cannot take them. */
static int start_publisher(struct sensor *s, const char *sensor_id)
{
	struct publish_config pc;
	char err[1024];
	const char *f = s->o.spool_fsync;

	memset(&pc, 0, sizeof(pc));
	pc.url = s->o.redis.url;
	hd_redis_settings_opts(&s->o.redis, &pc.redis);
	pc.spool_dir = s->o.spool;
	pc.spool.max_bytes = s->o.spool_max;
	if (!strcmp(f, "always"))
		pc.spool.fsync = SPOOL_FSYNC_ALWAYS;
	else if (!strcmp(f, "batch"))
		pc.spool.fsync = SPOOL_FSYNC_BATCH;
	else if (!strcmp(f, "none"))
		pc.spool.fsync = SPOOL_FSYNC_NONE;
	else {
		log_err(s->vi ? "--spool-fsync: '%s' không hợp lệ (always, batch, none)"
			      : "--spool-fsync: '%s' is not always, batch or none", f);
		return -1;
	}
	pc.sensor_id = sensor_id;
	pc.agency = s->o.agency;
	pc.version = HAIDANG_VERSION;
	pc.heartbeat_s = (unsigned)s->o.heartbeat;
	pc.drain_ms = (unsigned)(s->o.spool_drain * 1000);
	pc.log = publish_log;
	s->publisher = publish_start(&pc, err, sizeof(err));
	if (!s->publisher) {
		log_err("%s", err);
		return -1;
	}
	incidents_set_sink(s->incidents, publish_sink, s->publisher);
	return 0;
}

static void publish_health_now(struct sensor *s)
{
	struct publish_health h;
	struct worker_stats ws;
	struct capture_stats cs;
	struct ruleset *r = NULL;

	memset(&h, 0, sizeof(h));
	sum_workers(s, &ws);
	capture_get_stats(s->cap, &cs);
	h.packets = s->pkts;
	h.capture_drops = cs.dropped;
	h.flows = ws.flow.created;
	h.rules_generation = s->generation;
	ruleset_unref(ruleset_slot_refresh(&s->rules, &r)); /* r was NULL */
	if (r) {
		h.rules_indicators = ioc_index_count(r->ioc);
		h.rules_yara = yrr_rules_count(r->yara);
		ruleset_unref(r);
	}
	publish_set_health(s->publisher, &h);
}

/* The behaviour thresholds live in the scoring policy. */
static void behave_config_from_policy(struct behave_config *c, const struct policy *p)
{
	behave_config_defaults(c);
	c->window = (unsigned)p->b_window;
	c->scan_ports = (unsigned)p->b_scan_ports;
	c->sweep_hosts = (unsigned)p->b_sweep_hosts;
	c->sweep_hosts_icmp = (unsigned)p->b_sweep_hosts_icmp;
	c->brute_attempts = (unsigned)p->b_brute_attempts;
	c->beacon_min = (unsigned)p->b_beacon_min;
	c->beacon_jitter = (double)p->b_beacon_jitter_pct / 100.0;
	c->beacon_min_interval = (unsigned)p->b_beacon_min_interval;
	c->dns_tunnel_queries = (unsigned)p->b_dns_tunnel_queries;
	c->dns_label_len = (unsigned)p->b_dns_label_len;
	c->dga_entropy = (double)p->b_dga_entropy_x100 / 100.0;
	c->max_hosts = (unsigned)p->b_max_hosts;
	}

/* Loads the rules beside the running ones and swaps them in; on any
 * failure the running rules stay. Runs in its own thread so capture never
 * waits for a large indicator set. */
static void *reload_main(void *arg)
{
	struct sensor *s = arg;
	struct ruleset *r;

	r = ruleset_load(s->o.rules, s->generation + 1, true);

	if (!r) {
		log_err(s->vi ? "nạp lại luật thất bại; vẫn dùng bộ luật cũ"
			      : "rule reload failed; the running rules stay");
	} else {
		s->generation = r->generation;
		if (s->incidents)
			incidents_set_policy(s->incidents, &r->policy);
		if (s->behave) {
			struct behave_config bc;

			behave_config_from_policy(&bc, &r->policy);
			if (behave_reconfigure(s->behave, &bc))
				log_info(s->vi ? "cửa sổ hành vi đã đổi: các bộ đếm quét/dò bắt đầu lại"
					       : "behaviour window changed: scan and brute-force counts start afresh");
		}
		log_info(s->vi ? "đã nạp lại luật (thế hệ %llu): %zu dấu hiệu, %u luật YARA, %u cảnh báo, %llu ms"
			       : "rules reloaded (generation %llu): %zu indicators, %u YARA rules, %u warnings, %llu ms",
			 (unsigned long long)r->generation, ioc_index_count(r->ioc),
			 yrr_rules_count(r->yara), r->warnings, (unsigned long long)r->load_ms);
		ruleset_slot_publish(&s->rules, r);
	}
	atomic_store(&s->reloading, false);
	notify_send("READY=1");
	return NULL;
}

static void start_reload(struct sensor *s)
{
	if (!s->have_rules || atomic_exchange(&s->reloading, true))
		return;
	if (s->reload_started)
		pthread_join(s->reload_thread, NULL);
	notify_send("RELOADING=1");
	s->reload_started = !pthread_create(&s->reload_thread, NULL, reload_main, s);
	if (s->reload_started)
		hd_thread_name(s->reload_thread, "hd-reload");
	if (!s->reload_started) {
		atomic_store(&s->reloading, false);
		notify_send("READY=1");
	}
}

static void log_stats(struct sensor *s);
static void write_stats_event(struct sensor *s);

/* SIGHUP: reload the rules; SIGUSR1: statistics now. */
static void *signal_main(void *arg)
{
	struct sensor *s = arg;
	sigset_t set;
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	for (;;) {
		if (sigwait(&set, &sig))
			continue;
		pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
		if (sig == SIGHUP) {
			start_reload(s);
		} else {
			pthread_mutex_lock(&s->stats_mu);
			log_stats(s);
			write_stats_event(s);
			pthread_mutex_unlock(&s->stats_mu);
		}
		pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, NULL);
	}
	return NULL;
}

static void sum_workers(struct sensor *s, struct worker_stats *ws)
{
	memset(ws, 0, sizeof(*ws));
	for (unsigned i = 0; i < s->nworkers; i++)
		worker_stats_add(s->workers[i], ws);
}

static void write_stats_event(struct sensor *s)
{
	const struct defrag_stats *ds = defrag_stats(s->defrag);
	struct worker_stats ws;
	struct capture_stats cs;
	struct timeval ts;
	struct jw *w;
	uint64_t invalid = 0;

	sum_workers(s, &ws);
	capture_get_stats(s->cap, &cs);
	if (capture_is_live(s->cap) || !s->now.tv_sec)
		gettimeofday(&ts, NULL);
	else
		ts = s->now;
	w = eve_begin_plain(s->eve, "stats", &ts);
	jw_obj_open(w, "stats");
	jw_uint(w, "uptime", (time_mono_ms() - s->started_ms) / 1000);
	jw_obj_open(w, "capture");
	jw_uint(w, "kernel_packets", cs.received);
	jw_uint(w, "kernel_drops", cs.dropped);
	jw_uint(w, "kernel_ifdrops", cs.if_dropped);
	jw_uint(w, "inputs_failed", capture_failed_inputs(s->cap));
	jw_obj_close(w);
	jw_obj_open(w, "decoder");
	jw_uint(w, "pkts", s->pkts);
	jw_uint(w, "bytes", s->bytes);
	jw_uint(w, "ipv4", ws.ipv4);
	jw_uint(w, "ipv6", ws.ipv6);
	jw_uint(w, "tcp", ws.tcp);
	jw_uint(w, "udp", ws.udp);
	jw_uint(w, "icmp", ws.icmp);
	jw_uint(w, "other", ws.other);
	jw_uint(w, "tunnelled", ws.tunnelled);
	jw_uint(w, "fragments", s->decode[DECODE_FRAGMENT]);
	jw_uint(w, "not_ip", s->decode[DECODE_NOT_IP]);
	jw_obj_open(w, "errors");
	for (int k = DERR_LINK_TRUNC; k < DECODE__COUNT; k++) {
		invalid += s->decode[k];
		if (s->decode[k])
			jw_uint(w, decode_result_name((enum decode_result)k), s->decode[k]);
	}
	jw_obj_close(w);
	jw_uint(w, "invalid", invalid);
	jw_obj_close(w);
	jw_obj_open(w, "defrag");
	jw_uint(w, "fragments", ds->fragments);
	jw_uint(w, "reassembled", ds->reassembled);
	jw_uint(w, "timeouts", ds->timeouts);
	jw_uint(w, "overlaps", ds->overlaps);
	jw_uint(w, "memcap_drops", ds->evicted);
	jw_obj_close(w);
	jw_obj_open(w, "flow");
	jw_uint(w, "created", ws.flow.created);
	jw_uint(w, "ended", ws.flow.ended);
	jw_uint(w, "active", ws.flow.active);
	jw_uint(w, "max_active", ws.flow.max_active);
	jw_uint(w, "evicted", ws.flow.evicted);
	jw_uint(w, "active_timeout_reports", ws.flow.active_reports);
	jw_uint(w, "limit", ws.flow_limit);
	jw_uint(w, "workers", s->nworkers);
	jw_obj_close(w);
	jw_obj_open(w, "dpi");
	jw_uint(w, "packets", ws.dpi.packets);
	jw_uint(w, "detected", ws.dpi.detected);
	jw_uint(w, "guessed", ws.dpi.guessed);
	jw_uint(w, "unknown", ws.dpi.unknown);
	jw_obj_close(w);
	jw_obj_open(w, "app_layer");
	jw_uint(w, "dns", ws.app.dns);
	jw_uint(w, "dns_malformed", ws.app.dns_malformed);
	jw_uint(w, "http", ws.app.http);
	jw_uint(w, "tls", ws.app.tls);
	jw_uint(w, "ssh", ws.app.ssh);
	jw_uint(w, "quic", ws.app.quic);
	jw_uint(w, "files", ws.app.files);
	jw_uint(w, "files_decoded", ws.app.decode.decoded);
	jw_uint(w, "decode_bombs", ws.app.decode.bombs);
	jw_uint(w, "decode_errors", ws.app.decode.errors);
	jw_uint(w, "decode_unsupported", ws.app.decode.unsupported);
	jw_obj_close(w);
	jw_obj_open(w, "stream");
	jw_uint(w, "segments", ws.stream.segments);
	jw_uint(w, "bytes", ws.stream.bytes_delivered);
	jw_uint(w, "retransmissions", ws.stream.retransmissions);
	jw_uint(w, "overlaps", ws.stream.overlaps);
	jw_uint(w, "overlap_diffs", ws.stream.overlap_diffs);
	jw_uint(w, "out_of_order", ws.stream.out_of_order);
	jw_uint(w, "gaps", ws.stream.gaps);
	jw_uint(w, "gap_bytes", ws.stream.gap_bytes);
	jw_uint(w, "depth_reached", ws.stream.depth_reached);
	jw_uint(w, "memcap_drops", ws.stream.memcap_drops);
	jw_uint(w, "out_of_window", ws.stream.out_of_window);
	jw_obj_close(w);
	if (s->incidents) {
		struct incident_stats is;
		incidents_stats_get(s->incidents, &is);
		jw_obj_open(w, "detect");
		jw_uint(w, "rules_generation", s->generation);
		jw_uint(w, "ioc_hits", ws.ioc_hits);
		jw_uint(w, "allow_suppressed", ws.allow_suppressed);
		jw_uint(w, "yara_scans", ws.yara_scans);
		jw_uint(w, "yara_bytes", ws.yara_bytes);
		jw_uint(w, "yara_timeouts", ws.yara_timeouts);
		jw_uint(w, "yara_known_clean", ws.yara_known_clean);
		jw_uint(w, "signals", is.signals);
		jw_uint(w, "incidents_created", is.created);
		jw_uint(w, "incident_events", is.updates_written);
		jw_uint(w, "incidents_closed", is.closed);
		jw_uint(w, "incidents_evicted", is.evicted);
		jw_obj_close(w);
	}
	if (s->publisher) {
		struct publish_stats ps;

		publish_stats(s->publisher, &ps);
		jw_obj_open(w, "queue");
		jw_uint(w, "submitted", ps.submitted);
		jw_uint(w, "sent", ps.sent);
		jw_uint(w, "created", ps.created);
		jw_uint(w, "spooled", ps.spooled);
		jw_uint(w, "replayed", ps.replayed);
		jw_uint(w, "discarded", ps.discarded);
		jw_uint(w, "lost", ps.spool_failed);
		jw_bool(w, "spool_writable", ps.spool_writable);
		jw_uint(w, "redis_errors", ps.redis_errors);
		jw_uint(w, "reconnects", ps.reconnects);
		jw_uint(w, "heartbeats", ps.heartbeats);
		jw_uint(w, "spool_records", ps.spool.depth_records);
		jw_uint(w, "spool_bytes", ps.spool.depth_bytes);
		jw_uint(w, "spool_dropped", ps.spool.dropped_records);
		jw_uint(w, "spool_corrupt", ps.spool.corrupt_records);
		jw_uint(w, "spool_write_errors", ps.spool.write_errors);
		if (ps.last_error[0])
			jw_str(w, "last_error", ps.last_error);
		jw_obj_close(w);
	}
	jw_obj_open(w, "eve");
	jw_uint(w, "events", ws.eve.events + eve_stats(s->eve)->events);
	jw_uint(w, "dropped_oversize", ws.eve.dropped_oversize);
	jw_uint(w, "write_errors", ws.eve.write_errors + eve_stats(s->eve)->write_errors);
	jw_obj_close(w);
	jw_obj_close(w);
	eve_commit(s->eve);
	eve_flush(s->eve);
}

static void log_stats(struct sensor *s)
{
	struct worker_stats ws;
	struct capture_stats cs;
	uint64_t invalid = 0;
	char kinds[1024] = "";
	size_t kl = 0;

	sum_workers(s, &ws);
	for (int k = DERR_LINK_TRUNC; k < DECODE__COUNT; k++) {
		int n;
		if (!s->decode[k])
			continue;
		invalid += s->decode[k];
		n = snprintf(kinds + kl, sizeof(kinds) - kl, "%s%s=%llu", kl ? " " : "",
			     decode_result_name((enum decode_result)k),
			     (unsigned long long)s->decode[k]);
		if (n > 0 && (size_t)n < sizeof(kinds) - kl)
			kl += (size_t)n;
	}
	capture_get_stats(s->cap, &cs);
	log_info(s->vi ? "gói tin %llu, byte %llu, lỗi giải mã %llu%s%s%s, luồng %llu (đang mở %llu, bị loại %llu), gói bị nhân bỏ %llu, sự kiện %llu"
		       : "packets %llu, bytes %llu, decode errors %llu%s%s%s, flows %llu (active %llu, evicted %llu), kernel drops %llu, events %llu",
		 (unsigned long long)s->pkts, (unsigned long long)s->bytes,
		 (unsigned long long)invalid, kl ? " (" : "", kinds, kl ? ")" : "",
		 (unsigned long long)ws.flow.created, (unsigned long long)ws.flow.active,
		 (unsigned long long)ws.flow.evicted, (unsigned long long)cs.dropped,
		 (unsigned long long)ws.eve.events);
}

static void progress_bar(struct sensor *s, bool done)
{
	double f = capture_progress(s->cap);
	char bar[41];
	int n;

	if (f < 0)
		return;
	if (done)
		f = 1;
	n = (int)(f * 40);
	if (n > 40)
		n = 40;
	memset(bar, '#', (size_t)n);
	memset(bar + n, '.', (size_t)(40 - n));
	bar[40] = '\0';
	fprintf(stderr, "\r[%s] %3d%% %llu %s%s", bar, (int)(f * 100),
		(unsigned long long)s->pkts, s->vi ? "gói" : "packets", done ? "\n" : "");
}

static int parse_home(struct sensor *s)
{
	s->home = calloc(s->o.home_net.n ? s->o.home_net.n : 1, sizeof(*s->home));
	if (!s->home)
		return -ENOMEM;
	for (size_t i = 0; i < s->o.home_net.n; i++) {
		if (cidr_parse(s->o.home_net.v[i], &s->home[i])) {
			log_err("home-net: '%s' is not an address or CIDR", s->o.home_net.v[i]);
			return -EINVAL;
		}
	}
	s->nhome = s->o.home_net.n;
	return 0;
}

static int set_log_level(const char *l)
{
	static const struct { const char *n; enum log_level v; } m[] = {
		{ "error", LOG_LVL_ERR }, { "warning", LOG_LVL_WARN },
		{ "info", LOG_LVL_INFO }, { "debug", LOG_LVL_DEBUG },
	};
	for (size_t i = 0; i < ARRAY_SIZE(m); i++)
		if (!strcmp(l, m[i].n)) {
			log_set_level(m[i].v);
			return 0;
		}
	return -EINVAL;
}

static void usage(bool vi)
{
	printf(vi ? "Cách dùng: haidang-sensor [TÙY CHỌN] (-r TỆP... | -i GIAO_DIỆN)\n"
		    "Cảm biến mạng của haidang: bắt gói, giải mã, theo dõi luồng, nhận diện giao thức (nDPI),\n"
		    "ghi siêu dữ liệu (DNS, TLS, HTTP, SSH, QUIC, luồng) dạng EVE JSON; với --rules thì đối\n"
		    "chiếu dấu hiệu (IOC), YARA và hành vi thành sự cố, với --redis thì gửi sự cố vào hàng đợi.\n\n"
		  : "Usage: haidang-sensor [OPTION]... (-r FILE... | -i IFACE)\n"
		    "haidang's network sensor: capture, decode, track flows, detect protocols (nDPI) and\n"
		    "write metadata (DNS, TLS, HTTP, SSH, QUIC, flows) as EVE JSON; with --rules it scores\n"
		    "indicators, YARA rules and behaviour into incidents, with --redis it queues them.\n\n");
	conf_usage(sensor_opts, sensor_nopts, stdout, vi);
	printf(vi ? "\nMọi tùy chọn đều đặt được trong tệp cấu hình (-c) dưới dạng \"tên = giá trị\".\n"
		  : "\nEvery option can also be set in the config file (-c) as \"name = value\".\n");
}

static int load_settings(struct sensor *s, int argc, char **argv, int *exit_code)
{
	char err[CONF_ERRLEN];
	const char *action = NULL;
	int next;

	*exit_code = -1;
	if (conf_set_defaults(sensor_opts, sensor_nopts, &s->o, err, sizeof(err))) {
		log_err("%s", err);
		return -EINVAL;
	}
	/* the config file first, so the command line can override it */
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *path = NULL;
		if ((!strcmp(a, "-c") || !strcmp(a, "--config")) && i + 1 < argc)
			path = argv[i + 1];
		else if (!strncmp(a, "--config=", 9))
			path = a + 9;
		else if (!strncmp(a, "-c", 2) && a[2])
			path = a + 2;
		if (path && conf_load_file(sensor_opts, sensor_nopts, &s->o, path, err, sizeof(err))) {
			log_err("%s", err);
			return -EINVAL;
		}
	}
	if (conf_parse_args(sensor_opts, sensor_nopts, &s->o, argc, argv, &next, &action,
			    err, sizeof(err))) {
		log_err("%s", err);
		return -EINVAL;
	}
	if (action && !strcmp(action, "help")) {
		usage(s->vi);
		*exit_code = 0;
		return 0;
	}
	if (action && !strcmp(action, "version")) {
		printf("haidang-sensor %s\n", HAIDANG_VERSION);
		*exit_code = 0;
		return 0;
	}
	if (action && !strcmp(action, "dump-config")) {
		conf_dump(sensor_opts, sensor_nopts, &s->o, stdout);
		*exit_code = 0;
		return 0;
	}
	if (next < argc) {
		log_err(s->vi ? "đối số thừa '%s' (xem --help)" : "unexpected argument '%s' (see --help)",
			argv[next]);
		return -EINVAL;
	}
	if (strcmp(s->o.log_format, "text") && strcmp(s->o.log_format, "json")) {
		log_err("log-format: '%s' is not text or json", s->o.log_format);
		return -EINVAL;
	}
	log_set_json(!strcmp(s->o.log_format, "json"));
	if (set_log_level(s->o.log_level)) {
		log_err("log-level: '%s' is not error, warning, info or debug", s->o.log_level);
		return -EINVAL;
	}
	if (!s->o.read.n == !(s->o.interface && *s->o.interface)) {
		log_err(s->vi ? "cần đúng một nguồn: -r TỆP hoặc -i GIAO_DIỆN (xem --help)"
			      : "give exactly one source: -r FILE or -i IFACE (see --help)");
		return -EINVAL;
	}
	return 0;
}

static void *dpi_prepare_main(void *arg)
{
	struct sensor *s = arg;
	char err[256];

	/* one module after the other: nDPI's set-up is not thread-safe; one
	 * that fails is made (and its failure reported) by worker_create */
	for (unsigned i = 0; i < s->nworkers; i++)
		s->dpis[i] = dpi_create(err, sizeof(err));
	return NULL;
}

/* Starts making the workers' nDPI modules beside whatever setup() does
 * next; dpi_prepared() waits for them. Without memory or a thread, the
 * workers make their own. */
static void dpi_prepare(struct sensor *s)
{
	s->dpis = calloc(s->nworkers, sizeof(*s->dpis));
	if (s->dpis)
		s->dpi_started = !pthread_create(&s->dpi_thread, NULL, dpi_prepare_main, s);
}

/* Worker i's prepared module, handed over (NULL if there is none). */
static struct dpi *dpi_prepared(struct sensor *s, unsigned i)
{
	struct dpi *d;

	if (s->dpi_started) {
		pthread_join(s->dpi_thread, NULL);
		s->dpi_started = false;
	}
	if (!s->dpis || i >= s->nworkers)
		return NULL;
	d = s->dpis[i];
	s->dpis[i] = NULL;
	return d;
}

static int setup(struct sensor *s)
{
	char err[1024];
	struct flowtab_config fc;
	struct behave_config bc;
	struct eve_config ec;
	bool live = s->o.interface && *s->o.interface;

	if (parse_home(s))
		return -EINVAL;
	if (gethostname(s->hostname, sizeof(s->hostname)))
		str_copy(s->hostname, "sensor", sizeof(s->hostname));
	s->hostname[sizeof(s->hostname) - 1] = '\0';
	if (live) {
		struct capture_live_opts lo = {
			.iface = s->o.interface, .bpf = s->o.filter,
			.snaplen = (unsigned)s->o.snaplen, .promisc = s->o.promisc,
			.buffer_size = s->o.buffer_size,
		};
		s->cap = capture_open_live(&lo, err, sizeof(err));
	} else {
		s->cap = capture_open_files(s->o.read.v, s->o.read.n, s->o.filter, err, sizeof(err));
	}
	if (!s->cap) {
		log_err("%s", err);
		return -EIO;
	}
	ec = (struct eve_config){
		.path = s->o.eve && *s->o.eve ? s->o.eve : NULL,
		.sensor_id = *s->o.sensor_id ? s->o.sensor_id : s->hostname,
		.agency = s->o.agency, .home = s->home, .nhome = s->nhome,
		.line_buffered = live,
	};
	if (!ec.path)
		log_warn(s->vi ? "không có đầu ra (--eve): chỉ đếm thống kê"
			       : "no output configured (--eve): only counting");
	s->eve = eve_open(&ec, err, sizeof(err));
	if (!s->eve) {
		log_err("eve: %s", err);
		return -EIO;
	}
	/* the spool must stay writable after root is gone */
	if (live && s->o.redis.url && *s->o.redis.url &&
	    privdrop_give_dir(s->o.spool, s->o.user, err, sizeof(err))) {
		log_err("spool: %s", err);
		return -EPERM;
	}
	/* everything privileged is open: parse packets as nobody from here */
	if (live && privdrop_to_user(s->o.user, err, sizeof(err))) {
		log_err("%s", err);
		return -EPERM;
	}
	/* and only with the system calls the sensor makes: no thread exists
	 * yet, so every one started from here on inherits the filter */
	if (s->o.seccomp) {
		int rc = sandbox_enter(err, sizeof(err));

		if (rc == -ENOTSUP) {
			log_warn("%s; running without it", err);
		} else if (rc) {
			log_err("%s", err);
			return -EPERM;
		}
	}
	s->defrag = defrag_create(s->o.defrag_memcap, (unsigned)s->o.defrag_timeout);
	if (!s->defrag) {
		log_err("out of memory");
		return -ENOMEM;
	}
	s->nworkers = s->o.workers ? (unsigned)s->o.workers : (unsigned)get_nprocs();
	if (s->nworkers < 1)
		s->nworkers = 1;
	s->threaded = s->nworkers > 1;
	dpi_prepare(s);
	if (s->o.rules && *s->o.rules) {
		struct ruleset *r;
		if (yrr_global_init()) {
			log_err("libyara initialisation failed");
			return -ENOMEM;
		}
		s->yara_init = true;
		r = ruleset_load(s->o.rules, ++s->generation, false);
		if (!r) {
			log_err(s->vi ? "%s: không nạp được luật" : "%s: cannot load the rules", s->o.rules);
			return -EINVAL;
		}
		log_info(s->vi ? "luật: %zu dấu hiệu (%llu dòng lỗi bị bỏ qua), %u luật YARA (%llu tệp lỗi), %llu ms"
			       : "rules: %zu indicators (%llu bad lines skipped), %u YARA rules (%llu bad files skipped), %llu ms",
			 ioc_index_count(r->ioc), (unsigned long long)r->ioc_stats.errors,
			 yrr_rules_count(r->yara), (unsigned long long)r->yara_stats.files_bad,
			 (unsigned long long)r->load_ms);
		ruleset_slot_init(&s->rules, r);
		s->have_rules = true;
		s->incidents = incidents_create(&r->policy, s->eve, ec.sensor_id, s->o.agency);
		behave_config_from_policy(&bc, &r->policy);
		s->behave = behave_create(&bc);
		if (!s->incidents || !s->behave)
			return -ENOMEM;
	}
	if (s->o.redis.url && *s->o.redis.url) {
		if (!s->incidents) {
			log_err(s->vi ? "--redis cần --rules: không có luật thì không có sự cố để gửi"
				      : "--redis needs --rules: without rules there are no incidents to publish");
			return -EINVAL;
		}
		if (start_publisher(s, ec.sensor_id))
			return -EINVAL;
	}
	s->workers = calloc(s->nworkers, sizeof(*s->workers));
	if (!s->workers)
		return -ENOMEM;
	fc = (struct flowtab_config){
		.memcap = s->o.flow_memcap / s->nworkers,
		.timeout = { [FL_TCP_NEW] = (unsigned)s->o.to_tcp_new,
			     [FL_TCP_EST] = (unsigned)s->o.to_tcp_est,
			     [FL_TCP_CLOSED] = (unsigned)s->o.to_tcp_closed,
			     [FL_UDP_NEW] = (unsigned)s->o.to_udp_new,
			     [FL_UDP_EST] = (unsigned)s->o.to_udp_est,
			     [FL_OTHER_NEW] = (unsigned)s->o.to_other_new,
			     [FL_OTHER_EST] = (unsigned)s->o.to_other_est },
		.active_timeout = (unsigned)s->o.to_active,
		.id_seed = 0x68616964616e67ULL,
	};
	for (unsigned i = 0; i < s->nworkers; i++) {
		struct worker_detect det = {
			.rules = s->have_rules ? &s->rules : NULL,
			.incidents = s->incidents, .behave = s->behave,
			.home = s->home, .nhome = s->nhome,
			.yara_timeout = (unsigned)s->o.yara_timeout,
		};
		s->workers[i] = worker_create(i, &fc, s->eve, &det, dpi_prepared(s, i),
					      err, sizeof(err));
		if (!s->workers[i]) {
			log_err("worker %u: %s", i, err);
			return -ENOMEM;
		}
		worker_stream_limits(s->workers[i], s->o.stream_depth,
				     s->o.stream_memcap / s->nworkers);
	}
	for (unsigned i = 0; s->threaded && i < s->nworkers; i++) {
		if (worker_start(s->workers[i])) {
			log_err("cannot start worker thread %u", i);
			return -ENOMEM;
		}
	}
	return 0;
}

static void run(struct sensor *s)
{
	bool live = capture_is_live(s->cap);
	bool bar = !live && s->o.progress && isatty(STDERR_FILENO);
	uint64_t last_bar = 0, last_push = 0;
	struct pkt p;
	enum link_type link;

	memset(&p, 0, sizeof(p));
	while (!sig_stop) {
		enum capture_status st = capture_next(s->cap, &p, &link);
		const char *e;

		if (st == CAPTURE_PACKET) {
			process(s, &p, link);
		} else if (st == CAPTURE_END) {
			break;
		}
		while ((e = capture_take_error(s->cap)))
			log_err("%s", e);
		if (st == CAPTURE_TIMEOUT && live) {
			struct timeval wall;
			gettimeofday(&wall, NULL);
			if (timercmp(&wall, &s->now, >))
				s->now = wall;
			tick_all(s, &s->now);
		}
		if ((s->pkts & 1023) == 0 || st != CAPTURE_PACKET) {
			uint64_t ms = time_mono_ms();
			if (live && s->threaded && ms - last_push >= 50) {
				/* live events must not wait for a batch to fill */
				for (unsigned i = 0; i < s->nworkers; i++)
					worker_push(s->workers[i]);
				last_push = ms;
			}
			if (bar && ms - last_bar >= 200) {
				progress_bar(s, false);
				last_bar = ms;
			}
			if (s->o.stats_interval && ms - s->last_stats_ms >= s->o.stats_interval * 1000) {
				pthread_mutex_lock(&s->stats_mu);
				write_stats_event(s);
				pthread_mutex_unlock(&s->stats_mu);
				s->last_stats_ms = ms;
			}
			if (s->publisher && ms - s->last_health_ms >= 1000) {
				publish_health_now(s);
				s->last_health_ms = ms;
			}
			if (live)
				eve_flush(s->eve);
		}
	}
	if (bar)
		progress_bar(s, true);
}

int main(int argc, char **argv)
{
	struct sensor s;
	struct sigaction sa;
	int code, rc = 0;

	/* Stream scan buffers and file heads (64-256 KiB) come and go with
	 * flows; above glibc's default threshold each would be a fresh mmap,
	 * page-faulted in and unmapped again. Keep them in the heap. */
	mallopt(M_MMAP_THRESHOLD, 4 << 20);
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
	memset(&s, 0, sizeof(s));
	pthread_mutex_init(&s.stats_mu, NULL);
	log_init("haidang-sensor", LOG_LVL_INFO);
	s.vi = conf_lang_vi();
	if (load_settings(&s, argc, argv, &code)) {
		conf_free(sensor_opts, sensor_nopts, &s.o);
		return 2;
	}
	if (code >= 0) {
		conf_free(sensor_opts, sensor_nopts, &s.o);
		return code;
	}
	s.started_ms = time_mono_ms();
	s.last_stats_ms = s.started_ms;
	/* before the privileges go: the service manager's socket */
	if (notify_open())
		log_warn("NOTIFY_SOCKET: unusable, the service manager will not hear from us");
	if (setup(&s)) {
		rc = 2;
		goto out;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sig_cap = s.cap;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* a parent may have left them blocked: these must reach us */
	{
		sigset_t set;
		sigemptyset(&set);
		sigaddset(&set, SIGINT);
		sigaddset(&set, SIGTERM);
		sigprocmask(SIG_UNBLOCK, &set, NULL);
		/* SIGHUP and SIGUSR1 are taken by a thread of their own, so a
		 * reload or the statistics never wait for the next packet */
		sigemptyset(&set);
		sigaddset(&set, SIGHUP);
		sigaddset(&set, SIGUSR1);
		pthread_sigmask(SIG_BLOCK, &set, NULL);
		s.signal_started = !pthread_create(&s.signal_thread, NULL, signal_main, &s);
		if (s.signal_started)
			hd_thread_name(s.signal_thread, "hd-signal");
	}
	signal(SIGPIPE, SIG_IGN);

	/* capture open, privileges dropped, filter on, rules loaded, workers
	 * and signal thread running: from here a packet is taken */
	if (capture_is_live(s.cap))
		log_info(s.vi ? "đang bắt gói trên %s với quyền người dùng %s"
			      : "capturing on %s as user %s", s.o.interface,
			 geteuid() ? s.o.user : "root");
	notify_send("READY=1");
	run(&s);
	notify_send("STOPPING=1");
	if (s.signal_started) {
		pthread_cancel(s.signal_thread);
		pthread_join(s.signal_thread, NULL);
		s.signal_started = false;
	}
	/* every packet processed everywhere before any flow ends, so what a
	 * flow's end concludes sees all the others' context */
	for (unsigned i = 0; i < s.nworkers; i++)
		worker_sync(s.workers[i]);
	/* end every flow: drain the queues, flush the parsers, write flows;
	 * the workers do it side by side (at the end of a capture file most
	 * flows are still open, so this is a good part of the work) */
	for (unsigned i = 0; s.threaded && i < s.nworkers; i++)
		worker_stop_begin(s.workers[i]);
	for (unsigned i = 0; i < s.nworkers; i++) {
		if (s.threaded)
			worker_stop(s.workers[i]);
		else
			worker_flush(s.workers[i]);
	}
	if (s.reload_started)
		pthread_join(s.reload_thread, NULL);
	s.reload_started = false;
	if (s.incidents)
		incidents_flush(s.incidents);
	if (s.publisher) {
		struct publish_stats ps;

		publish_health_now(&s);
		publish_stop(s.publisher);
		publish_stats(s.publisher, &ps);
		log_info(s.vi ? "hàng đợi: đã gửi %llu (%llu phiếu mới), đưa vào spool %llu, gửi lại %llu, còn chờ trong spool %llu"
			      : "queue: %llu sent (%llu new tickets), %llu spooled, %llu replayed, %llu waiting in the spool",
			 (unsigned long long)ps.sent, (unsigned long long)ps.created,
			 (unsigned long long)ps.spooled, (unsigned long long)ps.replayed,
			 (unsigned long long)ps.spool.depth_records);
		if (ps.spool_failed || ps.spool.dropped_records) {
			log_err(s.vi ? "hàng đợi: %llu sự cố bị mất (spool đầy hoặc lỗi ghi đĩa)"
				     : "queue: %llu incidents lost (spool full or disk errors)",
				(unsigned long long)(ps.spool_failed + ps.spool.dropped_records));
			rc = 1;
		}
	}
	log_stats(&s);
	write_stats_event(&s);
	if (capture_failed_inputs(s.cap)) {
		log_err(s.vi ? "%u đầu vào bị lỗi (xem các dòng lỗi ở trên)"
			     : "%u input(s) failed (see the errors above)",
			capture_failed_inputs(s.cap));
		rc = 1;
	}
	{
		struct worker_stats ws;
		uint64_t werr;
		sum_workers(&s, &ws);
		werr = ws.eve.write_errors + eve_stats(s.eve)->write_errors;
		if (werr) {
			log_err(s.vi ? "ghi sự kiện lỗi %llu lần" : "%llu event write errors",
				(unsigned long long)werr);
			rc = 1;
		}
	}
out:
	notify_close();
	for (unsigned i = 0; s.workers && i < s.nworkers; i++) {
		worker_stop(s.workers[i]);
		worker_destroy(s.workers[i]);
	}
	free(s.workers);
	for (unsigned i = 0; i < s.nworkers; i++) /* modules no worker took */
		dpi_destroy(dpi_prepared(&s, i));
	free(s.dpis);
	if (s.reload_started)
		pthread_join(s.reload_thread, NULL);
	incidents_destroy(s.incidents);
	publish_free(s.publisher);
	behave_destroy(s.behave);
	if (s.have_rules)
		ruleset_slot_finish(&s.rules);
	if (s.yara_init)
		yrr_global_finish();
	defrag_destroy(s.defrag);
	if (eve_close(s.eve))
		rc = 1;
	capture_destroy(s.cap);
	free(s.home);
	conf_free(sensor_opts, sensor_nopts, &s.o);
	return rc;
}
