/*
 * test_flow.c - unit tests of the flow table: both directions land in one
 * flow, a SYN+ACK seen first makes its receiver the client, idle timeouts
 * follow the protocol and TCP state, FIN/RST end flows early, the memory
 * cap evicts the longest-idle flow and counts it, and long flows are
 * reported at the active timeout and carry on.
 */
#include <stdlib.h>

#include "check.h"
#include "decode.h"
#include "flow.h"

struct ended {
	uint64_t id;
	enum flow_end why;
	uint64_t pkts0, pkts1;
	uint16_t sport;
	uint32_t src;
};

static struct ended log_[64];
static int nlog;

static void on_end(void *arg, struct flow *f, enum flow_end why)
{
	(void)arg;
	if (nlog < 64)
		{
		uint32_t src;
		memcpy(&src, f->src.a, 4);
		log_[nlog++] = (struct ended){ f->id, why, f->pkts[0], f->pkts[1], f->sport, src };
	}
}

static struct pkt mk(uint32_t a, uint16_t sp, uint32_t b, uint16_t dp, uint8_t proto,
		     uint8_t flags, long t)
{
	struct pkt p;

	memset(&p, 0, sizeof(p));
	p.ipver = 4;
	p.src.family = p.dst.family = 4;
	memcpy(p.src.a, &a, 4);
	memcpy(p.dst.a, &b, 4);
	p.sport = sp;
	p.dport = dp;
	p.proto = proto;
	p.tcp_flags = flags;
	p.ts.tv_sec = t;
	p.wirelen = 100;
	return p;
}

static struct flowtab *table(uint64_t memcap)
{
	struct flowtab_config c = {
		.memcap = memcap,
		.timeout = { [FL_TCP_NEW] = 30, [FL_TCP_EST] = 300, [FL_TCP_CLOSED] = 5,
			     [FL_UDP_NEW] = 60, [FL_UDP_EST] = 60, [FL_OTHER_NEW] = 30,
			     [FL_OTHER_EST] = 30 },
		.active_timeout = 1000,
	};
	nlog = 0;
	return flowtab_create(&c, on_end, NULL);
}

static void test_directions(void)
{
	struct flowtab *t = table(1 << 24);
	struct pkt p;
	struct flow *f, *g;
	int dir;

	p = mk(1, 40000, 2, 80, 6, TCP_SYN | TCP_ACK, 10); /* SYN+ACK first */
	f = flowtab_packet(t, &p, &dir);
	CHECK(f != NULL);
	if (!f)
		return;
	/* the client is the SYN+ACK's receiver */
	CHECK(f->sport == 80 && f->dport == 40000 && dir == 1);
	p = mk(2, 80, 1, 40000, 6, TCP_ACK, 11);
	g = flowtab_packet(t, &p, &dir);
	CHECK(g == f && dir == 0);
	CHECK(f->pkts[0] == 1 && f->pkts[1] == 1 && f->bytes[0] == 100);
	/* a different VLAN is a different flow */
	p.nvlan = 1;
	p.vlan[0] = 7;
	CHECK(flowtab_packet(t, &p, &dir) != f);
	CHECK(flowtab_stats(t)->active == 2);
	flowtab_destroy(t);
	CHECK(nlog == 2 && log_[0].why == FLOW_END_SHUTDOWN);
}

static void test_timeouts(void)
{
	struct flowtab *t = table(1 << 24);
	struct pkt p;
	int dir;
	struct timeval now;

	p = mk(1, 1000, 2, 53, 17, 0, 100);
	flowtab_packet(t, &p, &dir);
	p = mk(1, 2000, 2, 80, 6, TCP_SYN, 100);
	flowtab_packet(t, &p, &dir);
	p = mk(2, 80, 1, 2000, 6, TCP_SYN | TCP_ACK, 100);
	flowtab_packet(t, &p, &dir);       /* established: 300 s */
	now.tv_sec = 161;
	now.tv_usec = 0;
	flowtab_expire(t, &now);
	CHECK(nlog == 1 && log_[0].sport == 1000 && log_[0].why == FLOW_END_TIMEOUT);
	/* FIN both ways: the closed grace time (5 s) applies */
	p = mk(1, 2000, 2, 80, 6, TCP_FIN | TCP_ACK, 170);
	flowtab_packet(t, &p, &dir);
	p = mk(2, 80, 1, 2000, 6, TCP_FIN | TCP_ACK, 170);
	flowtab_packet(t, &p, &dir);
	now.tv_sec = 176;
	flowtab_expire(t, &now);
	CHECK(nlog == 2 && log_[1].why == FLOW_END_TCP_CLOSED && log_[1].pkts0 == 2);
	/* RST alone closes too */
	p = mk(1, 3000, 2, 80, 6, TCP_SYN, 180);
	flowtab_packet(t, &p, &dir);
	p = mk(2, 80, 1, 3000, 6, TCP_RST, 180);
	flowtab_packet(t, &p, &dir);
	now.tv_sec = 186;
	flowtab_expire(t, &now);
	CHECK(nlog == 3 && log_[2].why == FLOW_END_TCP_CLOSED);
	CHECK(flowtab_stats(t)->active == 0);
	flowtab_destroy(t);
}

static void test_eviction_and_active(void)
{
	/* room for the minimum of 64 flows */
	struct flowtab *t = table(1);
	struct pkt p;
	int dir;
	uint64_t limit = flowtab_max_flows(t);

	for (uint32_t i = 0; i < limit + 10; i++) {
		p = mk(i + 1, 1000, 99, 53, 17, 0, 1000 + i);
		flowtab_packet(t, &p, &dir);
	}
	CHECK(flowtab_stats(t)->evicted == 10);
	CHECK(flowtab_stats(t)->active == limit);
	CHECK(nlog == 10 && log_[0].why == FLOW_END_EVICTED);
	/* the longest idle went first: clients 1..10 */
	for (int i = 0; i < 10 && i < nlog; i++)
		CHECK(log_[i].src == (uint32_t)i + 1);
	flowtab_destroy(t);

	t = table(1 << 24);
	/* a packet every 50 s keeps it from idling out; at 1000 s it is
	 * reported and goes on */
	for (long ts = 0; ts <= 1000; ts += 50) {
		p = mk(1, 1, 2, 2, 17, 0, ts);
		flowtab_packet(t, &p, &dir);
	}
	CHECK(nlog == 1 && log_[0].why == FLOW_END_ACTIVE_TIMEOUT && log_[0].pkts0 == 20);
	CHECK(flowtab_stats(t)->active == 1 && flowtab_stats(t)->active_reports == 1);
	flowtab_destroy(t);
	CHECK(nlog == 2 && log_[1].pkts0 == 1);

	/* idle past the timeout between expiry passes: the next packet
	 * starts a new flow */
	t = table(1 << 24);
	p = mk(1, 1, 2, 2, 17, 0, 0);
	flowtab_packet(t, &p, &dir);
	p.ts.tv_sec = 61;
	flowtab_packet(t, &p, &dir);
	CHECK(nlog == 1 && log_[0].why == FLOW_END_TIMEOUT);
	CHECK(flowtab_stats(t)->created == 2);
	flowtab_destroy(t);
}

int main(void)
{
	test_directions();
	test_timeouts();
	test_eviction_and_active();
	return CHECK_DONE();
}
