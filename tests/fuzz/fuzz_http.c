/*
 * fuzz_http.c - libFuzzer target: the HTTP/1.x parser (proto_http.c) over
 * both directions of a flow, the bodies through files.c (hashes, and the
 * content codings undone by coding.c, as extract.c does), and every
 * finished transaction written with http_tx_write_eve(), whose JSON must
 * stay valid.
 *
 * Input: segments, each a direction byte (bit 0: 0 client, 1 server; bit
 * 1: pop finished transactions after it), a 16-bit big-endian length and
 * the payload. The flow then ends (http_flush) and what is left is popped.
 */
#include <stdlib.h>
#include <sys/time.h>

#include "files.h"
#include "fuzz.h"
#include "jsonw.h"
#include "proto_http.h"

#include "banned.h"

struct bodies {
	struct file_state *f[2];
	struct file_stats st;
};

static void on_body(void *user, const struct http_tx *tx, int dir, const uint8_t *data,
		    size_t len, bool end)
{
	struct bodies *b = user;
	struct file_result r;

	if (dir < 0 || dir > 1)
		abort(); /* the contract says 0 or 1 */
	if (!b->f[dir])
		b->f[dir] = file_begin(dir ? tx->content_encoding : tx->request_content_encoding);
	if (!b->f[dir])
		return;
	if (len)
		file_data(b->f[dir], data, len);
	if (end) {
		file_end(b->f[dir], true, &r, &b->st);
		file_free(b->f[dir]);
		b->f[dir] = NULL;
	}
}

static void pop_all(struct http_state *st)
{
	struct http_tx *tx = malloc(sizeof(*tx));
	struct jw w;

	if (!tx)
		return;
	while (http_next_tx(st, tx)) {
		fuzz_jw_open(&w);
		http_tx_write_eve(&w, tx);
		fuzz_jw_check(&w);
	}
	free(tx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct http_state *st = http_state_create();
	struct bodies b = { { NULL, NULL }, { 0 } };
	struct timeval ts = { 1700000000, 0 };
	struct http_stats hs;
	const uint8_t *seg;
	size_t len;

	if (!st)
		return 0;
	http_state_set_body_cb(st, on_body, &b);
	while (in.n) {
		uint8_t flags = fuzz_u8(&in, 0);

		if (!fuzz_piece(&in, &seg, &len))
			break;
		if (!(flags & 1))
			http_looks_like_request(seg, len);
		http_feed(st, flags & 1, seg, len, &ts);
		ts.tv_usec += 1000;
		if (flags & 2)
			pop_all(st);
	}
	http_flush(st);
	pop_all(st);
	http_state_stats(st, &hs);
	http_state_destroy(st);
	for (int d = 0; d < 2; d++)
		file_free(b.f[d]);
	return 0;
}
