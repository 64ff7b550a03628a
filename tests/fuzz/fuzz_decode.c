/*
 * fuzz_decode.c - libFuzzer target: the sensor's packet path, driven as
 * haidang-sensor drives it for a capture with one worker: each frame is
 * decoded (decode.c), fragments go through defrag.c, UDP tunnel carriers
 * are accounted on their own, and the packet goes to the worker
 * (worker.c): flow table, TCP reassembly (stream.c), the metadata parsers
 * (extract.c and the proto_*.c, files, content codings), nDPI (dpi.c),
 * matching against the repo's rules (IOC and YARA: match.c), behaviour
 * checks (behave.c) and incidents (incident.c). Events are built but
 * written nowhere; every incident line is parsed back as the publisher
 * would (queue.c) and must be valid JSON.
 *
 * Input: a link-type byte (modulo the link types decode.c knows), then
 * frames, each a time byte (below 200: that many 10 ms after the last
 * frame; else (n - 199) x 30 s, so timeouts fire), a 16-bit big-endian
 * length and the frame. Each frame is copied to a buffer of its own size
 * so that a read past its end is caught.
 *
 * Set up once (nDPI takes ~20 ms, the rules longer): the worker, its
 * rules, incidents and behaviour tables. Each input ends by ending every
 * flow and closing every incident; the clock of the next input starts an
 * hour after the last one's end, as a capture file after another would.
 * The rules come from $HAIDANG_FUZZ_RULES, else the source tree's rules/
 * (HAIDANG_FUZZ_SRC); "none" runs without detection.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "behave.h"
#include "decode.h"
#include "defrag.h"
#include "eve.h"
#include "fuzz.h"
#include "incident.h"
#include "queue.h"
#include "ruleset.h"
#include "worker.h"
#include "yararules.h"

#include "banned.h"

#ifndef HAIDANG_FUZZ_SRC
#define HAIDANG_FUZZ_SRC "."
#endif

static const enum link_type links[] = {
	LINK_ETHERNET, LINK_SLL, LINK_SLL2, LINK_RAW, LINK_IPV4, LINK_IPV6,
	LINK_NULL, LINK_LOOP, LINK_PPP, LINK_CHDLC,
};

static struct {
	bool ready;
	struct eve *eve;
	struct worker *w;
	struct ruleset_slot rules;
	bool have_rules;
	struct incidents *incidents;
	struct behave *behave;
	struct cidr home[2];
	struct timeval clock;
} S;

static void on_incident(void *arg, const char *line, size_t len)
{
	struct queue_record r;
	char err[256];

	(void)arg;
	fuzz_check_json(line, len);
	if (queue_record_parse(line, len, &r, err, sizeof(err))) {
		fprintf(stderr, "fuzz: an incident the publisher cannot read: %s\n", err);
		abort();
	}
	queue_record_free(&r);
}

static int setup(void)
{
	struct eve_config ec = { .path = NULL, .sensor_id = "fuzz", .agency = "Sở Fuzz",
				 .home = S.home, .nhome = 2 };
	struct flowtab_config fc = {
		.memcap = 4u << 20,
		.timeout = { [FL_TCP_NEW] = 30, [FL_TCP_EST] = 600, [FL_TCP_CLOSED] = 10,
			     [FL_UDP_NEW] = 30, [FL_UDP_EST] = 120,
			     [FL_OTHER_NEW] = 30, [FL_OTHER_EST] = 120 },
		.active_timeout = 300,
		.id_seed = 0x68616964616e67ULL,
	};
	struct worker_detect det = { .home = S.home, .nhome = 2 };
	const char *dir = getenv("HAIDANG_FUZZ_RULES");
	char err[256], path[512];

	cidr_parse("10.0.0.0/8", &S.home[0]);
	cidr_parse("192.168.0.0/16", &S.home[1]);
	S.eve = eve_open(&ec, err, sizeof(err));
	if (!S.eve)
		return -1;
	if (!dir) {
		snprintf(path, sizeof(path), "%s/rules", HAIDANG_FUZZ_SRC);
		dir = path;
	}
	if (strcmp(dir, "none")) {
		struct ruleset *r;
		struct behave_config bc;

		if (yrr_global_init())
			return -1;
		r = ruleset_load(dir, 1, false);
		if (!r)
			return -1;
		ruleset_slot_init(&S.rules, r);
		S.have_rules = true;
		S.incidents = incidents_create(&r->policy, S.eve, "fuzz", "Sở Fuzz");
		behave_config_defaults(&bc);
		S.behave = behave_create(&bc);
		if (!S.incidents || !S.behave)
			return -1;
		incidents_set_sink(S.incidents, on_incident, NULL);
		det.rules = &S.rules;
		det.incidents = S.incidents;
		det.behave = S.behave;
	}
	S.w = worker_create(0, &fc, S.eve, &det, NULL, err, sizeof(err));
	if (!S.w)
		return -1;
	worker_stream_limits(S.w, 1u << 20, 16u << 20);
	S.clock.tv_sec = 1767225600;
	S.ready = true;
	return 0;
}

static bool is_udp_tunnel(uint8_t t)
{
	return t == TUNNEL_VXLAN || t == TUNNEL_GENEVE || t == TUNNEL_TEREDO;
}

static void dispatch(const struct pkt *p)
{
	worker_packet(S.w, p);
	if (S.incidents)
		incidents_tick(S.incidents, &p->ts);
}

/* as main.c's dispatch_carrier(): the tunnel's outer UDP flow */
static void dispatch_carrier(const struct pkt *p)
{
	struct pkt o;

	decode_carrier(p, &o);
	dispatch(&o);
}

/* as main.c's process() */
static void process(struct defrag *df, struct pkt *p, enum link_type link)
{
	enum decode_result r = decode_frame(link, p);

	decode_result_name(r);
	if (r == DECODE_FRAGMENT) {
		const uint8_t *ip;
		uint32_t len;

		defrag_expire(df, &p->ts);
		if (defrag_add(df, p, &ip, &len) <= 0)
			return;
		p->wirelen = (uint32_t)(p->l3 - p->data) + len;
		r = decode_ip(p, ip, len, p->tunnel_depth);
		p->reassembled = true;
		if (r == DECODE_FRAGMENT)
			r = DERR_FRAG_BAD;
	}
	if (r != DECODE_OK) {
		if (r == DECODE_NOT_IP && is_udp_tunnel(p->tunnel))
			dispatch_carrier(p);
		return;
	}
	if (is_udp_tunnel(p->tunnel))
		dispatch_carrier(p);
	dispatch(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	enum link_type link;
	struct defrag *df;
	const uint8_t *frame;
	size_t len;
	uint64_t num = 0;

	if (!S.ready && setup()) {
		fprintf(stderr, "fuzz_decode: set-up failed\n");
		abort();
	}
	link = links[fuzz_u8(&in, 0) % (sizeof(links) / sizeof(links[0]))];
	df = defrag_create(1u << 20, 30);
	if (!df)
		return 0;
	while (in.n) {
		uint8_t t = fuzz_u8(&in, 0);
		struct pkt p;
		uint8_t *copy;

		if (!fuzz_piece(&in, &frame, &len))
			break;
		if (t < 200) {
			S.clock.tv_usec += 10000L * t;
			S.clock.tv_sec += S.clock.tv_usec / 1000000;
			S.clock.tv_usec %= 1000000;
		} else {
			S.clock.tv_sec += 30L * (t - 199);
		}
		copy = malloc(len ? len : 1);
		if (!copy)
			break;
		memcpy(copy, frame, len);
		memset(&p, 0, sizeof(p));
		p.data = copy;
		p.caplen = p.wirelen = (uint32_t)len;
		p.ts = S.clock;
		p.num = ++num;
		process(df, &p, link);
		free(copy);
	}
	/* the end of a capture: every flow ends, every incident closes */
	worker_flush(S.w);
	if (S.incidents)
		incidents_flush(S.incidents);
	defrag_destroy(df);
	S.clock.tv_sec += 3600;
	return 0;
}
