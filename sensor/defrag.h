/*
 * defrag.h - stage 2b: IPv4 and IPv6 fragment reassembly.
 *
 * Contract: memory is bounded (a cap on bytes held and on datagrams in
 * progress); incomplete datagrams expire after a timeout in packet time;
 * overlapping fragments keep the bytes that arrived first. A completed
 * datagram is returned as a full IP packet (header fixed up, no fragment
 * fields) in a buffer owned by defrag and valid until the next call.
 */
#ifndef HAIDANG_DEFRAG_H
#define HAIDANG_DEFRAG_H

#include <stdint.h>
#include <sys/time.h>

#include "decode.h"

struct defrag_stats {
	uint64_t fragments;     /* fragments received */
	uint64_t reassembled;   /* datagrams completed */
	uint64_t timeouts;      /* datagrams dropped incomplete after the timeout */
	uint64_t overlaps;      /* fragments overlapping earlier data */
	uint64_t evicted;       /* datagrams dropped for the memory cap */
	uint64_t bytes_held;    /* current bytes held */
};

struct defrag;

struct defrag *defrag_create(uint64_t memcap, unsigned timeout_s);
void defrag_destroy(struct defrag *d);
/* Adds the fragment decoded in p. Returns 1 and sets ip and len when a
 * datagram completes, 0 when more fragments are needed, or a negative code
 * when the fragment is unusable. */
int defrag_add(struct defrag *d, const struct pkt *p, const uint8_t **ip,
	       uint32_t *len);
/* Drops datagrams older than the timeout at time now. */
void defrag_expire(struct defrag *d, const struct timeval *now);
const struct defrag_stats *defrag_stats(const struct defrag *d);

#endif
