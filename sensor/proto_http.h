/*
 * proto_http.h - HTTP/1.x transaction parser over the two directions of a
 * TCP flow, and its EVE "http" object writer.
 *
 * The stream stage feeds each direction's payload in order; the parser pairs
 * requests with responses (pipelining included) and hands back finished
 * transactions, one struct http_tx each, whose fields are bounded copies of
 * what was on the wire. Bodies are not stored: they are delimited
 * (Content-Length, chunked, or connection close), counted, and passed to an
 * optional body callback so that file extraction can hook in later.
 *
 * Ownership: struct http_state is allocated by http_state_create() and
 * freed by http_state_destroy(). The bytes given to http_feed() are borrowed
 * for the duration of the call; whatever is kept is copied into bounded
 * buffers. A struct http_tx is a plain value with no pointers: the caller
 * owns the copy that http_next_tx() fills. The tx pointer handed to a body
 * callback is owned by the state and valid only during the call.
 */
#ifndef HAIDANG_PROTO_HTTP_H
#define HAIDANG_PROTO_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>

struct jw;

/* Field sizes, terminating NUL included. Longer values are truncated and
 * the tx gets HTTP_TXF_TRUNCATED. */
#define HTTP_METHOD_MAX 16
#define HTTP_URI_MAX 2048
#define HTTP_PROTO_MAX 16
#define HTTP_HOST_MAX 256
#define HTTP_UA_MAX 512
#define HTTP_REFERER_MAX 1024
#define HTTP_CTYPE_MAX 128
#define HTTP_LOCATION_MAX 1024
#define HTTP_XFF_MAX 256
#define HTTP_STATUS_MAX 16
#define HTTP_REASON_MAX 64
#define HTTP_RANGE_MAX 128
#define HTTP_CODING_MAX 64 /* content codings of a body; "..." ends a list cut short */

/* Parser bounds. */
#define HTTP_HDR_BLOCK_MAX 16384 /* request/status line + headers, per direction */
#define HTTP_HDR_COUNT_MAX 128	 /* header lines per message; the rest are ignored */
#define HTTP_CHUNK_LINE_MAX 1024 /* chunk-size line */
#define HTTP_TX_QUEUE_MAX 32	 /* transactions in flight or waiting to be popped */

/* struct http_tx.flags: anomalies seen while parsing. */
#define HTTP_TXF_TRUNCATED (1u << 0)	   /* a field was longer than its buffer (or held a NUL) */
#define HTTP_TXF_HDR_OVERFLOW (1u << 1)	   /* header block over HTTP_HDR_BLOCK_MAX: parsed partly */
#define HTTP_TXF_HDR_TOO_MANY (1u << 2)	   /* more than HTTP_HDR_COUNT_MAX header lines */
#define HTTP_TXF_BAD_HEADER (1u << 3)	   /* header line without ':' or with space before ':' */
#define HTTP_TXF_FOLDED (1u << 4)	   /* obsolete line folding */
#define HTTP_TXF_BAD_CL (1u << 5)	   /* Content-Length unparseable, or repeated with other values */
#define HTTP_TXF_BAD_CHUNK (1u << 6)	   /* chunk size unparseable or absurd */
#define HTTP_TXF_CL_AND_TE (1u << 7)	   /* both Content-Length and chunked: smuggling sign */
#define HTTP_TXF_REQ_INCOMPLETE (1u << 8)  /* flow ended inside the request */
#define HTTP_TXF_RES_INCOMPLETE (1u << 9)  /* flow ended inside the response */
#define HTTP_TXF_BAD_LINE (1u << 10)	   /* malformed request or status line */
#define HTTP_TXF_TUNNEL (1u << 11)	   /* CONNECT 2xx or 101: what follows is not parsed */
#define HTTP_TXF_HOST_AMBIGUOUS (1u << 12) /* absolute URI and Host header disagree */
#define HTTP_TXF_SEEN_100 (1u << 13)	   /* a 100 Continue preceded the response */

/* struct http_tx.present: which optional headers were seen (a header can be
 * present with an empty value). */
#define HTTP_HAS_HOST (1u << 0)
#define HTTP_HAS_UA (1u << 1)
#define HTTP_HAS_REFERER (1u << 2)
#define HTTP_HAS_XFF (1u << 3)
#define HTTP_HAS_REQ_CTYPE (1u << 4)
#define HTTP_HAS_CTYPE (1u << 5) /* response Content-Type */
#define HTTP_HAS_LOCATION (1u << 6)
#define HTTP_HAS_RANGE (1u << 7) /* response Content-Range */

/* One request and its response. */
struct http_tx {
	uint64_t tx_id; /* 0, 1, ... in order on the flow (Suricata's tx_id) */
	bool has_request, has_response;
	uint32_t flags;	  /* HTTP_TXF_* */
	uint32_t present; /* HTTP_HAS_* */

	/* request */
	char method[HTTP_METHOD_MAX];
	char uri[HTTP_URI_MAX];	       /* request-target as sent */
	char protocol[HTTP_PROTO_MAX]; /* empty for HTTP/0.9-style lines */
	char host[HTTP_HOST_MAX];      /* from the absolute URI, else the Host header;
					  lowercased, without port */
	int port;		       /* port given in the URI or Host header, -1 if none */
	char user_agent[HTTP_UA_MAX];
	char referer[HTTP_REFERER_MAX];
	char xff[HTTP_XFF_MAX]; /* X-Forwarded-For, as sent */
	char request_content_type[HTTP_CTYPE_MAX];
	int64_t request_content_length; /* -1 if absent or invalid */
	bool request_chunked;
	char request_content_encoding[HTTP_CODING_MAX]; /* as content_encoding */
	uint64_t request_body_len;    /* body bytes seen (after de-chunking) */
	uint64_t request_message_len; /* body bytes on the wire (chunk framing included) */

	/* response */
	char response_protocol[HTTP_PROTO_MAX];
	int status;			       /* 100..999, or 0 if absent or not a number */
	char status_string[HTTP_STATUS_MAX];   /* the status token as sent */
	char status_text[HTTP_REASON_MAX];     /* reason phrase */
	char content_type[HTTP_CTYPE_MAX];     /* response Content-Type, parameters included */
	char location[HTTP_LOCATION_MAX];      /* Location */
	char content_range[HTTP_RANGE_MAX];    /* Content-Range, as sent */
	int64_t range_start, range_end, range_size; /* parsed Content-Range, -1 if unknown */
	int64_t response_content_length;	    /* -1 if absent or invalid */
	bool response_chunked;
	/* the codings applied to the body, in order: Content-Encoding, then
	 * Transfer-Encoding without chunked; lower-case, ", " between */
	char content_encoding[HTTP_CODING_MAX];
	uint64_t response_body_len;    /* body bytes seen (after de-chunking) */
	uint64_t response_message_len; /* body bytes on the wire: EVE http.length */

	struct timeval ts;     /* first byte of the request (or of the response if no request) */
	struct timeval ts_end; /* last byte that belonged to this transaction */
};

/* Per-flow counters; never reset. */
struct http_stats {
	uint64_t tx_created;
	uint64_t tx_dropped;   /* queue full: oldest dropped unread */
	uint64_t gave_up[2];   /* direction abandoned: not HTTP, or unparseable */
	uint64_t hdr_overflow; /* header blocks over HTTP_HDR_BLOCK_MAX */
	uint64_t bad_length;   /* invalid Content-Length or chunk size */
	uint64_t tunnels;      /* CONNECT or Upgrade: rest of the flow skipped */
};

struct http_state;

/*
 * Body callback: called with body bytes as they pass (de-chunked, not
 * decompressed: tx->content_encoding says how to), dir 0 = request body, 1 = response body. When the body ends
 * (complete, or cut short by http_flush: see tx->flags) it is called once
 * more with data NULL, len 0 and end true. Bodies of zero length produce no
 * calls.
 */
typedef void (*http_body_fn)(void *user, const struct http_tx *tx, int dir,
			     const uint8_t *data, size_t len, bool end);

struct http_state *http_state_create(void);
void http_state_destroy(struct http_state *st); /* accepts NULL */
void http_state_set_body_cb(struct http_state *st, http_body_fn fn, void *user);
void http_state_stats(const struct http_state *st, struct http_stats *out);

/*
 * Feeds the TCP payload of one segment, in order, in direction dir:
 * 0 = client to server, 1 = server to client. Header blocks spanning segments
 * are buffered up to HTTP_HDR_BLOCK_MAX per direction. A direction whose data
 * is not HTTP is given up (counted in stats.gave_up) and ignored from then on.
 */
void http_feed(struct http_state *st, int dir, const uint8_t *data, size_t len,
	       const struct timeval *ts);

/* Pops the next finished transaction into *out, in tx_id order. Returns
 * false when none is finished. */
bool http_next_tx(struct http_state *st, struct http_tx *out);

/* Flow ended: partial header blocks become transactions, bodies delimited by
 * connection close end, and everything pending becomes finished. */
void http_flush(struct http_state *st);

/* Writes key "http" with an object value into an already-open object, with
 * the fields Suricata 8 logs with "extended: yes". */
void http_tx_write_eve(struct jw *w, const struct http_tx *tx);

/* Cheap check: data starts with a known HTTP method and a space. */
bool http_looks_like_request(const uint8_t *data, size_t len);

#endif
