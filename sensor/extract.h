/*
 * extract.h - stage 5 of the sensor pipeline: application metadata.
 *
 * Runs the protocol parsers (DNS, HTTP, TLS, SSH, QUIC) over each flow's
 * payloads and writes their EVE events: one per DNS message, one per HTTP
 * transaction, one per TLS handshake, SSH session and QUIC connection.
 * Per-flow parser state hangs on flow->meta and is freed by
 * extract_flow_end(), which also writes anything still pending.
 */
#ifndef HAIDANG_EXTRACT_H
#define HAIDANG_EXTRACT_H

#include <stdint.h>

#include "decode.h"
#include "files.h"
#include "flow.h"

struct eve;
struct dpi;
struct stream_stats;

struct extract_stats {
	uint64_t dns, dns_malformed, http, tls, ssh, quic, files;
	struct file_stats decode; /* content codings of HTTP bodies */
};

struct extract;

struct match;

/* m may be NULL (no detection). */
struct extract *extract_create(struct eve *eve, struct dpi *dpi, struct match *m);
void extract_destroy(struct extract *x);
/* Reassembly bounds of this extractor's streams (stream_pool's depth and
 * memcap; 0 = unlimited). Call before the first packet. */
void extract_stream_limits(struct extract *x, uint64_t depth, uint64_t memcap);
/* Every packet of a flow, in order of arrival; dir 0 = to server. */
void extract_packet(struct extract *x, struct flow *f, const struct pkt *p, int dir);
/* DPI just reached its verdict; its state is still readable. */
void extract_dpi_done(struct extract *x, struct flow *f, const struct timeval *ts);
/* The flow ends: write what is pending, free the state. */
void extract_flow_end(struct extract *x, struct flow *f, const struct timeval *ts);
const struct extract_stats *extract_stats(const struct extract *x);
/* TCP reassembly counters of this worker's streams. */
const struct stream_stats *extract_stream_stats(const struct extract *x);

#endif
