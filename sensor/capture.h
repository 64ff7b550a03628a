/*
 * capture.h - stage 1 of the sensor pipeline: frames from capture files
 * (pcap, pcapng, a directory of them, stdin) or a live interface.
 *
 * This is the only file that includes pcap.h. A capture source yields
 * frames with their link type; a corrupt file is reported once with its
 * name, packet number and reason, and the source moves on to the next file.
 */
#ifndef HAIDANG_CAPTURE_H
#define HAIDANG_CAPTURE_H

#include <stdbool.h>
#include <stdint.h>

#include "decode.h"

struct capture;

struct capture_live_opts {
	const char *iface;
	const char *bpf;
	unsigned snaplen;
	bool promisc;
	uint64_t buffer_size; /* kernel buffer, bytes; 0 = libpcap default */
};

struct capture_stats {
	uint64_t received;  /* from pcap_stats: packets the kernel saw */
	uint64_t dropped;   /* dropped by the kernel (buffer full) */
	uint64_t if_dropped;
	bool valid;
};

enum capture_status {
	CAPTURE_PACKET = 1,
	CAPTURE_TIMEOUT = 0,   /* live: no packet within the poll interval */
	CAPTURE_END = -1,      /* all inputs done */
};

/* Files: paths may be files, directories (searched recursively for
 * *.pcap, *.pcapng, *.cap) or "-" for stdin. bpf may be NULL. */
struct capture *capture_open_files(char *const *paths, size_t n, const char *bpf,
				   char *err, size_t errlen);
struct capture *capture_open_live(const struct capture_live_opts *o, char *err,
				  size_t errlen);
void capture_destroy(struct capture *c);

/* Next frame: fills p->data, caplen, wirelen, ts, num and *link. Errors
 * with files are reported through capture_take_error() and skipped. */
enum capture_status capture_next(struct capture *c, struct pkt *p,
				 enum link_type *link);
/* Returns a pending error message (file, packet, reason) and clears it, or
 * NULL. The count of inputs that failed is in capture_failed_inputs(). */
const char *capture_take_error(struct capture *c);
unsigned capture_failed_inputs(const struct capture *c);
void capture_get_stats(struct capture *c, struct capture_stats *st);
/* Progress through the current set of files, 0..1, or -1 if unknown. */
double capture_progress(struct capture *c);
const char *capture_current_name(const struct capture *c);
bool capture_is_live(const struct capture *c);
/* Stop a blocking read (from a signal handler: async-signal-safe). */
void capture_break(struct capture *c);

#endif
