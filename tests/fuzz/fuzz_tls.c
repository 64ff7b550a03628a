/*
 * fuzz_tls.c - libFuzzer target: the handshake parsers of the extract
 * stage, which all read what a client sends before any key is agreed:
 * TLS over TCP (proto_tls.c: records, hellos, certificates, JA3/JA3S/JA4),
 * QUIC Initial packets (proto_quic.c: header protection and decryption,
 * CRYPTO frames, the ClientHello inside, gQUIC CHLO) and SSH (proto_ssh.c:
 * banners, KEXINIT, HASSH). Each writes its EVE object, whose JSON must
 * stay valid.
 *
 * Input: a selector byte (0 TLS, 1 TLS handshake bytes as QUIC CRYPTO
 * frames carry them, 2 QUIC datagrams, 3 SSH; the rest modulo 4), then
 * segments or datagrams, each a direction byte (bit 0), a 16-bit
 * big-endian length and the bytes.
 */
#include <stdlib.h>

#include "fuzz.h"
#include "jsonw.h"
#include "proto_quic.h"
#include "proto_ssh.h"
#include "proto_tls.h"

#include "banned.h"

static void run_tls(struct fuzz_in *in, bool handshake)
{
	struct tls_state *st = tls_state_create();
	const uint8_t *seg, *alpn;
	size_t len;
	const uint16_t *types;
	struct jw w;

	if (!st)
		return;
	if (handshake)
		tls_set_quic(st);
	while (in->n) {
		int dir = fuzz_u8(in, 0) & 1;

		if (!fuzz_piece(in, &seg, &len))
			break;
		if (handshake)
			tls_feed_handshake(st, dir, seg, len);
		else
			tls_feed(st, dir, seg, len);
		if (tls_done(st))
			break;
	}
	/* what detection and the events read */
	tls_client_hello_seen(st);
	tls_log_ready(st);
	tls_sni(st);
	tls_ja3_hash(st);
	tls_ja4(st);
	tls_client_extensions(st, &types);
	for (unsigned i = 0; i < tls_client_alpn_count(st); i++)
		if (!(alpn = tls_client_alpn(st, i, &len)))
			abort();
	tls_cert_sha1(st);
	tls_cert_chain_len(st);
	if (tls_seen_hello(st)) {
		fuzz_jw_open(&w);
		tls_write_eve(&w, st);
		fuzz_jw_check(&w);
	}
	tls_state_destroy(st);
}

static void run_quic(struct fuzz_in *in)
{
	struct quic_state *q = quic_state_create();
	const uint8_t *dgram;
	size_t len;
	char ver[16];
	uint32_t v;
	struct jw w;

	if (!q)
		return;
	while (in->n && !quic_done(q)) {
		int dir = fuzz_u8(in, 0) & 1;

		if (!fuzz_piece(in, &dgram, &len))
			break;
		quic_parse_long_header(dgram, len, &v);
		quic_feed(q, dir, dgram, len);
	}
	quic_set_fallback(q, "fallback.example", "ua");
	quic_version_name(quic_version(q), ver, sizeof(ver));
	quic_alpn(q);
	if (quic_seen(q)) {
		fuzz_jw_open(&w);
		quic_write_eve(&w, q);
		fuzz_jw_check(&w);
	}
	quic_state_destroy(q);
}

static void run_ssh(struct fuzz_in *in)
{
	struct ssh_state *s = ssh_state_create();
	const uint8_t *seg;
	size_t len;
	struct jw w;

	if (!s)
		return;
	while (in->n && !ssh_done(s)) {
		int dir = fuzz_u8(in, 0) & 1;

		if (!fuzz_piece(in, &seg, &len))
			break;
		ssh_looks_like_banner(seg, len);
		ssh_feed(s, dir, seg, len);
	}
	fuzz_jw_open(&w);
	ssh_write_eve(&w, s);
	fuzz_jw_check(&w);
	ssh_state_destroy(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };

	switch (fuzz_u8(&in, 0) & 3) {
	case 0: run_tls(&in, false); break;
	case 1: run_tls(&in, true); break;
	case 2: run_quic(&in); break;
	default: run_ssh(&in); break;
	}
	/* the per-thread certificate cache would keep decoded certificates
	 * from one input to the next: start every input afresh */
	tls_cert_cache_flush();
	return 0;
}
