/*
 * flow.h - stage 3 of the sensor pipeline: the flow table.
 *
 * Packets are grouped into bidirectional flows keyed by the 5-tuple plus
 * the outer VLAN id. The first packet's sender is the client (a SYN+ACK
 * seen first makes its receiver the client). Flows end on an idle timeout
 * that depends on protocol and TCP state, early once TCP closes (RST, or
 * FIN both ways), on the memory cap (the flow idle the longest goes first),
 * or at shutdown; a long flow is reported every active-timeout period and
 * carries on. Every end goes through the end callback, which must release
 * what the other stages hung on the flow (dpi, meta) before returning.
 */
#ifndef HAIDANG_FLOW_H
#define HAIDANG_FLOW_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/time.h>

#include "decode.h"

/* Timeout classes; "new" means one direction seen so far. */
enum flow_list {
	FL_TCP_NEW, FL_TCP_EST, FL_TCP_CLOSED, FL_UDP_NEW, FL_UDP_EST,
	FL_OTHER_NEW, FL_OTHER_EST, FL__COUNT
};

enum flow_end {
	FLOW_END_TIMEOUT,        /* idle */
	FLOW_END_TCP_CLOSED,     /* FIN/RST, after the closed grace time */
	FLOW_END_EVICTED,        /* memory cap */
	FLOW_END_SHUTDOWN,       /* end of input or signal */
	FLOW_END_ACTIVE_TIMEOUT, /* periodic report of a long flow; it continues */
};
const char *flow_end_name(enum flow_end why);

struct dpi_flow;
struct flow_meta;

/* What DPI concluded; filled by dpi.c, kept after its state is freed. */
struct flow_dpi {
	uint16_t master, app, category;
	uint8_t confidence;
	bool done;       /* detection final, nDPI state released */
	bool guessed;    /* the result came from giving up with a guess */
	uint64_t risk;   /* nDPI risk bitmap */
	uint16_t risk_score, risk_score_client, risk_score_server;
};

struct flow {
	struct flow *hnext;
	struct flow *prev, *next; /* on its timeout list, oldest first */
	uint8_t list;
	uint8_t proto, ipver, nvlan;
	uint8_t tunnel, tunnel_proto;
	uint8_t tcp_flags[2];     /* OR of flags, per direction (0 = to server) */
	uint8_t fin_seen;         /* bit 0: client sent FIN, bit 1: server */
	bool rst_seen;
	bool both_dirs;
	bool payload_seen;        /* some packet carried L4 payload */
	uint8_t icmp_type, icmp_code;
	bool http_login;          /* a login-looking POST was seen */
	uint16_t http_status;     /* last HTTP status seen */
	const char *parsed_proto; /* protocol whose parser logged events ("dns", ...) */
	uint16_t sport, dport;
	uint16_t vlan[DECODE_MAX_VLAN];
	uint64_t id;
	struct hd_addr src, dst;  /* src is the client */
	struct hd_addr tun_src, tun_dst;
	struct timeval start, last;
	uint64_t pkts[2], bytes[2];
	uint64_t first_pkt_num;
	struct flow_dpi dpi;
	struct dpi_flow *dpi_state; /* owned by dpi.c while detection runs */
	struct flow_meta *meta;     /* owned by extract.c */
};

struct flowtab_config {
	uint64_t memcap;            /* bytes for flows; sets the flow limit */
	unsigned timeout[FL__COUNT];/* idle seconds per list */
	unsigned active_timeout;    /* seconds; 0 = never */
	uint64_t id_seed;
};

struct flowtab_stats {
	uint64_t created, ended, evicted, active_reports, max_active;
	uint64_t active;
};

typedef void (*flow_end_fn)(void *arg, struct flow *f, enum flow_end why);

struct flowtab;

/* The same value for both directions of a flow: picks its worker. */
uint64_t flow_hash(const struct pkt *p);

/* Estimated bytes a flow costs with its DPI and metadata state: the unit
 * the memory cap is counted in. */
#define FLOW_COST_ESTIMATE 1536u

struct flowtab *flowtab_create(const struct flowtab_config *cfg, flow_end_fn end,
			       void *arg);
void flowtab_destroy(struct flowtab *t); /* ends all flows (SHUTDOWN) */
/* Finds or creates the packet's flow, updates counters and TCP state.
 * *dir gets 0 (to server) or 1 (to client). NULL only if out of memory. */
struct flow *flowtab_packet(struct flowtab *t, const struct pkt *p, int *dir);
/* Ends flows idle past their timeout at time now. */
void flowtab_expire(struct flowtab *t, const struct timeval *now);
void flowtab_flush(struct flowtab *t);   /* ends every flow (SHUTDOWN) */
const struct flowtab_stats *flowtab_stats(const struct flowtab *t);
uint64_t flowtab_max_flows(const struct flowtab *t);

#endif
