/*
 * fuzz_dns.c - libFuzzer target: one DNS message through dns_parse() and,
 * when it parses, dns_write_eve_ex() (proto_dns.c), whose JSON must stay
 * valid whatever the names and rdata hold.
 *
 * Input: one flag byte (bit 0: log as a response, bit 1: with a tx_id),
 * then the message as a UDP payload carries it.
 */
#include <stdlib.h>

#include "fuzz.h"
#include "jsonw.h"
#include "proto_dns.h"

#include "banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	uint8_t flags = fuzz_u8(&in, 0);
	struct dns_msg *m = malloc(sizeof(*m));
	char buf[32];
	struct jw w;

	if (!m)
		return 0;
	if (!dns_parse(in.p, in.n, m)) {
		fuzz_jw_open(&w);
		dns_write_eve_ex(&w, m, flags & 1, flags & 2 ? (int64_t)m->id : -1);
		fuzz_jw_check(&w);
		for (unsigned i = 0; i < m->nan; i++)
			dns_type_name(m->an[i].rrtype, buf, sizeof(buf));
	}
	dns_rcode_name(m->rcode, buf, sizeof(buf));
	free(m);
	return 0;
}
