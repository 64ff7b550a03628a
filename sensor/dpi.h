/*
 * dpi.h - stage 4 of the sensor pipeline: deep packet inspection with nDPI.
 *
 * This is the only file that includes ndpi_api.h. Each worker owns one
 * struct dpi (one nDPI module). A flow is inspected packet by packet until
 * nDPI's detection is final, including the extra packets nDPI wants for TLS
 * certificates and DNS answers, or until the packet budget runs out, when
 * the result is guessed. Then the result is copied into flow->dpi and the
 * nDPI flow state (the bulk of a flow's memory) is freed at once.
 */
#ifndef HAIDANG_DPI_H
#define HAIDANG_DPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode.h"
#include "flow.h"

struct dpi;

struct dpi_stats {
	uint64_t packets;      /* packets given to nDPI */
	uint64_t detected;     /* flows with a protocol found */
	uint64_t guessed;      /* flows finished by guessing */
	uint64_t unknown;      /* flows left unknown */
};

struct dpi *dpi_create(char *err, size_t errlen);
void dpi_destroy(struct dpi *d);

/* Inspects one packet of f (no-op once detection is done). Returns true
 * when this packet made the detection final (the caller may then read the
 * dpi_* accessors below before calling dpi_release). */
bool dpi_packet(struct dpi *d, struct flow *f, const struct pkt *p);
/* Ends detection for f, guessing if still unknown. Returns true if this
 * call reached the verdict (the state is still readable until release). */
bool dpi_conclude(struct dpi *d, struct flow *f);
/* Frees f's nDPI state; f->dpi keeps the verdict. */
void dpi_release(struct flow *f);

/* While f->dpi_state is live: what nDPI saw that haidang does not parse
 * itself. Return "" when absent. */
const char *dpi_host_name(const struct flow *f);   /* QUIC SNI, ... */
const char *dpi_quic_user_agent(const struct flow *f);

/* Names; buf-based ones write into the caller's buffer. */
const char *dpi_proto_name(struct dpi *d, const struct flow *f, char *buf, size_t size);
const char *dpi_master_name(struct dpi *d, const struct flow *f);
const char *dpi_app_name(struct dpi *d, const struct flow *f);
const char *dpi_category_name(struct dpi *d, const struct flow *f);
const char *dpi_confidence_name(const struct flow *f);
/* Risks: iterate bits of f->dpi.risk */
const char *dpi_risk_name(unsigned bit);
/* Whether the risk bit is nDPI's "Suspicious DGA Domain name". */
bool dpi_risk_is_dga(unsigned bit);
const char *dpi_risk_severity(unsigned bit);
unsigned dpi_risk_bit_score(unsigned bit);
/* nDPI's total score of a risk bitmap, with the client/server split. */
unsigned dpi_risk_score(uint64_t risk, uint16_t *client, uint16_t *server);
/* Suricata's app_proto name for the flow ("tls", "dns", "http", ...) or
 * NULL when there is no equivalent. */
const char *dpi_app_proto(const struct flow *f);
/* Whether the flow's cleartext is worth a YARA scan: nDPI names a web,
 * mail, file-transfer, terminal or chat protocol, or nothing at all. */
bool dpi_scan_worthy(const struct flow *f);
/* Checks an HTTP URL's query parameters with nDPI (XSS, SQL injection,
 * ...); returns the risk bits found. */
uint64_t dpi_validate_url(const char *url);

const struct dpi_stats *dpi_stats(const struct dpi *d);

#endif
