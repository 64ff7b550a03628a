/*
 * test_proto_dns.c - unit test for sensor/proto_dns.c: real DNS messages
 * parsed and written as EVE, checked field by field and against the JSON
 * text Suricata 8 writes for them, then crafted hostile messages that must
 * be rejected (or kept and flagged) without a read outside the buffer.
 *
 * Real messages (UDP payloads, extracted with tshark):
 *   dig_req, dig_resp   suricata-verify dns__dns-udp-eve-dig (cond-log-dns-dig), frames 1-2
 *   teredo_aaaa/_soa    suricata-verify decode-teredo-01, frames 22 and 24
 *   iodine_txt          suricata-verify dns__bug-1158, frame 2
 *   null_resp           suricata-verify dns__dns-udp-null, frame 2
 *   srv_req, srv_resp   suricata-verify dns__dns-udp-eve-log-srv, frames 1-2
 *   whatsapp            nDPI tests/cfgs/default/pcap/dns.pcap, frame 5
 * (suricata-verify is MIT; nDPI's pcaps come with its LGPL-3.0 repository.)
 * The expected strings are the values those suricata-verify tests expect.
 *
 * Every message is parsed from an exact-size heap copy, so that under
 * -fsanitize=address any read past the end is reported.
 *
 * Exit status 0 when every check passes; otherwise each failure is printed
 * to stderr and the status is 1.
 */
#include "proto_dns.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"
#include "util.h"

#include "banned.h"

#include "check.h"

/* The JSON text contains (or lacks) a fragment. */
#define CHECK_JSON(json, frag) check_json(__LINE__, json, frag, true)
#define CHECK_NO_JSON(json, frag) check_json(__LINE__, json, frag, false)

static void check_json(int line, const char *json, const char *frag,
		       bool want)
{
	if ((strstr(json, frag) != NULL) != want) {
		fprintf(stderr, "%s:%d: JSON %s %s\n  JSON: %s\n", __FILE__,
			line, want ? "lacks" : "has", frag, json);
		check_failures++;
	}
}

/* struct dns_msg is large: one static instance. */
static struct dns_msg msg;
static struct jw jw;

/* Parses from an exact-size heap copy, so ASan sees any overread. */
static int parse(const uint8_t *p, size_t n, struct dns_msg *m)
{
	uint8_t *copy = malloc(n ? n : 1);
	int rc;

	if (!copy) {
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	memcpy(copy, p, n);
	rc = dns_parse(copy, n, m);
	free(copy);
	return rc;
}

/* The event text for m: {"dns":{...}}, NUL-terminated. */
static const char *eve(const struct dns_msg *m)
{
	jw_reset(&jw);
	jw_obj_open(&jw, NULL);
	dns_write_eve(&jw, m);
	jw_obj_close(&jw);
	jw_raw(&jw, "", 1);
	CHECK(!jw.overflow);
	return jw.overflow ? "" : jw.buf;
}

/* ------------------------------------------------------ real messages */

static const uint8_t dig_req[] = {
	0x8d, 0x32, 0x01, 0x20, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x03, 0x77, 0x77, 0x77, 0x0c, 0x73, 0x75, 0x72, 0x69, 0x63, 0x61, 0x74,
	0x61, 0x2d, 0x69, 0x64, 0x73, 0x03, 0x6f, 0x72, 0x67, 0x00, 0x00, 0x01,
	0x00, 0x01, 0x00, 0x00, 0x29, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00,
};

static const uint8_t dig_resp[] = {
	0x8d, 0x32, 0x81, 0xa0, 0x00, 0x01, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00,
	0x03, 0x77, 0x77, 0x77, 0x0c, 0x73, 0x75, 0x72, 0x69, 0x63, 0x61, 0x74,
	0x61, 0x2d, 0x69, 0x64, 0x73, 0x03, 0x6f, 0x72, 0x67, 0x00, 0x00, 0x01,
	0x00, 0x01, 0xc0, 0x0c, 0x00, 0x05, 0x00, 0x01, 0x00, 0x00, 0x0d, 0xd8,
	0x00, 0x12, 0x0c, 0x73, 0x75, 0x72, 0x69, 0x63, 0x61, 0x74, 0x61, 0x2d,
	0x69, 0x64, 0x73, 0x03, 0x6f, 0x72, 0x67, 0x00, 0xc0, 0x32, 0x00, 0x01,
	0x00, 0x01, 0x00, 0x00, 0x00, 0xf4, 0x00, 0x04, 0xc0, 0x00, 0x4e, 0x18,
	0xc0, 0x32, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0xf4, 0x00, 0x04,
	0xc0, 0x00, 0x4e, 0x19,
};

static const uint8_t teredo_aaaa[] = {
	0x42, 0x63, 0x81, 0x80, 0x00, 0x01, 0x00, 0x02, 0x00, 0x07, 0x00, 0x07,
	0x04, 0x69, 0x70, 0x76, 0x36, 0x06, 0x67, 0x6f, 0x6f, 0x67, 0x6c, 0x65,
	0x03, 0x63, 0x6f, 0x6d, 0x00, 0x00, 0x1c, 0x00, 0x01, 0x04, 0x69, 0x70,
	0x76, 0x36, 0x06, 0x67, 0x6f, 0x6f, 0x67, 0x6c, 0x65, 0x03, 0x63, 0x6f,
	0x6d, 0x00, 0x00, 0x05, 0x00, 0x01, 0x00, 0x00, 0x21, 0xcf, 0x00, 0x09,
	0x04, 0x69, 0x70, 0x76, 0x36, 0x01, 0x6c, 0xc0, 0x26, 0xc0, 0x3c, 0x00,
	0x1c, 0x00, 0x01, 0x00, 0x00, 0x01, 0x2c, 0x00, 0x10, 0x20, 0x01, 0x48,
	0x60, 0x00, 0x00, 0x20, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x68, 0xc0, 0x41, 0x00, 0x02, 0x00, 0x01, 0x00, 0x01, 0x30, 0x63, 0x00,
	0x04, 0x01, 0x61, 0xc0, 0x41, 0xc0, 0x41, 0x00, 0x02, 0x00, 0x01, 0x00,
	0x01, 0x30, 0x63, 0x00, 0x04, 0x01, 0x62, 0xc0, 0x41, 0xc0, 0x41, 0x00,
	0x02, 0x00, 0x01, 0x00, 0x01, 0x30, 0x63, 0x00, 0x04, 0x01, 0x63, 0xc0,
	0x41, 0xc0, 0x41, 0x00, 0x02, 0x00, 0x01, 0x00, 0x01, 0x30, 0x63, 0x00,
	0x04, 0x01, 0x64, 0xc0, 0x41, 0xc0, 0x41, 0x00, 0x02, 0x00, 0x01, 0x00,
	0x01, 0x30, 0x63, 0x00, 0x04, 0x01, 0x65, 0xc0, 0x41, 0xc0, 0x41, 0x00,
	0x02, 0x00, 0x01, 0x00, 0x01, 0x30, 0x63, 0x00, 0x04, 0x01, 0x66, 0xc0,
	0x41, 0xc0, 0x41, 0x00, 0x02, 0x00, 0x01, 0x00, 0x01, 0x30, 0x63, 0x00,
	0x04, 0x01, 0x67, 0xc0, 0x41, 0xc0, 0x6d, 0x00, 0x01, 0x00, 0x01, 0x00,
	0x00, 0x25, 0x8f, 0x00, 0x04, 0xd1, 0x55, 0x8b, 0x09, 0xc0, 0x7d, 0x00,
	0x01, 0x00, 0x01, 0x00, 0x00, 0x26, 0x6c, 0x00, 0x04, 0x40, 0xe9, 0xb3,
	0x09, 0xc0, 0x8d, 0x00, 0x01, 0x00, 0x01, 0x00, 0x01, 0x24, 0x8f, 0x00,
	0x04, 0x40, 0xe9, 0xa1, 0x09, 0xc0, 0x9d, 0x00, 0x01, 0x00, 0x01, 0x00,
	0x01, 0x26, 0x49, 0x00, 0x04, 0x42, 0xf9, 0x5d, 0x09, 0xc0, 0xad, 0x00,
	0x01, 0x00, 0x01, 0x00, 0x00, 0x26, 0x69, 0x00, 0x04, 0xd1, 0x55, 0x89,
	0x09, 0xc0, 0xbd, 0x00, 0x01, 0x00, 0x01, 0x00, 0x01, 0x26, 0x49, 0x00,
	0x04, 0x48, 0x0e, 0xeb, 0x09, 0xc0, 0xcd, 0x00, 0x01, 0x00, 0x01, 0x00,
	0x01, 0x0a, 0x56, 0x00, 0x04, 0x40, 0xe9, 0xa7, 0x09,
};

static const uint8_t teredo_soa[] = {
	0x4e, 0x1b, 0x81, 0x80, 0x00, 0x01, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00,
	0x04, 0x69, 0x70, 0x76, 0x36, 0x06, 0x67, 0x6f, 0x6f, 0x67, 0x6c, 0x65,
	0x03, 0x63, 0x6f, 0x6d, 0x00, 0x00, 0x01, 0x00, 0x01, 0x04, 0x69, 0x70,
	0x76, 0x36, 0x06, 0x67, 0x6f, 0x6f, 0x67, 0x6c, 0x65, 0x03, 0x63, 0x6f,
	0x6d, 0x00, 0x00, 0x05, 0x00, 0x01, 0x00, 0x00, 0x21, 0xcf, 0x00, 0x09,
	0x04, 0x69, 0x70, 0x76, 0x36, 0x01, 0x6c, 0xc0, 0x26, 0xc0, 0x41, 0x00,
	0x06, 0x00, 0x01, 0x00, 0x00, 0x00, 0x3c, 0x00, 0x24, 0x01, 0x63, 0xc0,
	0x41, 0x09, 0x64, 0x6e, 0x73, 0x2d, 0x61, 0x64, 0x6d, 0x69, 0x6e, 0xc0,
	0x26, 0x00, 0x14, 0x87, 0xdf, 0x00, 0x00, 0x03, 0x84, 0x00, 0x00, 0x03,
	0x84, 0x00, 0x00, 0x07, 0x08, 0x00, 0x00, 0x00, 0x3c,
};

static const uint8_t iodine_txt[] = {
	0xc2, 0x2f, 0x81, 0x80, 0x00, 0x01, 0x00, 0x01, 0x00, 0x01, 0x00, 0x01,
	0x0a, 0x41, 0x41, 0x41, 0x41, 0x41, 0x4f, 0x31, 0x6b, 0x51, 0x41, 0x05,
	0x3d, 0x61, 0x75, 0x74, 0x68, 0x03, 0x73, 0x72, 0x76, 0x06, 0x74, 0x75,
	0x6e, 0x6e, 0x65, 0x6c, 0x03, 0x63, 0x6f, 0x6d, 0x00, 0x00, 0x10, 0x00,
	0x01, 0xc0, 0x0c, 0x00, 0x10, 0x00, 0x01, 0x00, 0x00, 0x00, 0x03, 0x00,
	0x22, 0x20, 0x41, 0x68, 0x76, 0x4d, 0x41, 0x41, 0x4f, 0x31, 0x6b, 0x41,
	0x46, 0x45, 0x35, 0x54, 0x45, 0x39, 0x51, 0x54, 0x6a, 0x46, 0x46, 0x4e,
	0x30, 0x39, 0x52, 0x4e, 0x31, 0x6c, 0x59, 0x53, 0x44, 0x6b, 0x00, 0xc0,
	0x1d, 0x00, 0x02, 0x00, 0x01, 0x00, 0x09, 0x3a, 0x80, 0x00, 0x09, 0x06,
	0x69, 0x6f, 0x64, 0x69, 0x6e, 0x65, 0xc0, 0x21, 0xc0, 0x6b, 0x00, 0x01,
	0x00, 0x01, 0x00, 0x09, 0x3a, 0x80, 0x00, 0x04, 0x0a, 0x1e, 0x1c, 0x5f,
};

static const uint8_t null_resp[] = {
	0x12, 0xb0, 0x84, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
	0x0b, 0x76, 0x61, 0x61, 0x61, 0x61, 0x6b, 0x61, 0x72, 0x64, 0x6c, 0x69,
	0x06, 0x70, 0x69, 0x72, 0x61, 0x74, 0x65, 0x03, 0x73, 0x65, 0x61, 0x00,
	0x00, 0x0a, 0x00, 0x01, 0xc0, 0x0c, 0x00, 0x0a, 0x00, 0x01, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x09, 0x56, 0x41, 0x43, 0x4b, 0x44, 0x03, 0xc5, 0xe9,
	0x01,
};

static const uint8_t srv_req[] = {
	0xeb, 0x56, 0x01, 0x20, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x04, 0x5f, 0x73, 0x69, 0x70, 0x04, 0x5f, 0x75, 0x64, 0x70, 0x03, 0x73,
	0x69, 0x70, 0x05, 0x76, 0x6f, 0x69, 0x63, 0x65, 0x06, 0x67, 0x6f, 0x6f,
	0x67, 0x6c, 0x65, 0x03, 0x63, 0x6f, 0x6d, 0x00, 0x00, 0x21, 0x00, 0x01,
	0x00, 0x00, 0x29, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x00,
	0x0a, 0x00, 0x08, 0x51, 0x67, 0xb8, 0x38, 0x13, 0x98, 0x82, 0x4f,
};

static const uint8_t srv_resp[] = {
	0xeb, 0x56, 0x81, 0x80, 0x00, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01,
	0x04, 0x5f, 0x73, 0x69, 0x70, 0x04, 0x5f, 0x75, 0x64, 0x70, 0x03, 0x73,
	0x69, 0x70, 0x05, 0x76, 0x6f, 0x69, 0x63, 0x65, 0x06, 0x67, 0x6f, 0x6f,
	0x67, 0x6c, 0x65, 0x03, 0x63, 0x6f, 0x6d, 0x00, 0x00, 0x21, 0x00, 0x01,
	0xc0, 0x0c, 0x00, 0x21, 0x00, 0x01, 0x00, 0x00, 0x01, 0x13, 0x00, 0x26,
	0x00, 0x14, 0x00, 0x01, 0x13, 0xc4, 0x0d, 0x73, 0x69, 0x70, 0x2d, 0x61,
	0x6e, 0x79, 0x63, 0x61, 0x73, 0x74, 0x2d, 0x32, 0x05, 0x76, 0x6f, 0x69,
	0x63, 0x65, 0x06, 0x67, 0x6f, 0x6f, 0x67, 0x6c, 0x65, 0x03, 0x63, 0x6f,
	0x6d, 0x00, 0xc0, 0x0c, 0x00, 0x21, 0x00, 0x01, 0x00, 0x00, 0x01, 0x13,
	0x00, 0x26, 0x00, 0x0a, 0x00, 0x01, 0x13, 0xc4, 0x0d, 0x73, 0x69, 0x70,
	0x2d, 0x61, 0x6e, 0x79, 0x63, 0x61, 0x73, 0x74, 0x2d, 0x31, 0x05, 0x76,
	0x6f, 0x69, 0x63, 0x65, 0x06, 0x67, 0x6f, 0x6f, 0x67, 0x6c, 0x65, 0x03,
	0x63, 0x6f, 0x6d, 0x00, 0x00, 0x00, 0x29, 0x10, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00,
};

static const uint8_t whatsapp[] = {
	0x78, 0x43, 0x81, 0x80, 0x00, 0x01, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00,
	0x02, 0x65, 0x37, 0x08, 0x77, 0x68, 0x61, 0x74, 0x73, 0x61, 0x70, 0x70,
	0x03, 0x6e, 0x65, 0x74, 0x00, 0x00, 0x01, 0x00, 0x01, 0xc0, 0x0c, 0x00,
	0x01, 0x00, 0x01, 0x00, 0x00, 0x01, 0xeb, 0x00, 0x04, 0xa9, 0x2d, 0xdb,
	0xeb, 0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x01, 0xeb, 0x00,
	0x04, 0xa9, 0x2f, 0x28, 0x8e, 0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01, 0x00,
	0x00, 0x01, 0xeb, 0x00, 0x04, 0xa9, 0x2d, 0xf8, 0x79, 0xc0, 0x0c, 0x00,
	0x01, 0x00, 0x01, 0x00, 0x00, 0x01, 0xeb, 0x00, 0x04, 0x6c, 0xa8, 0xb0,
	0xea, 0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x01, 0xeb, 0x00,
	0x04, 0xa9, 0x2d, 0xf8, 0xbd, 0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01, 0x00,
	0x00, 0x01, 0xeb, 0x00, 0x04, 0xa9, 0x2d, 0xf8, 0xb4, 0xc0, 0x0c, 0x00,
	0x01, 0x00, 0x01, 0x00, 0x00, 0x01, 0xeb, 0x00, 0x04, 0xa9, 0x35, 0x51,
	0x4f, 0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x01, 0xeb, 0x00,
	0x04, 0xa9, 0x2d, 0xdb, 0xe8,
};

static void test_dig(void)
{
	const char *j;

	CHECK(parse(dig_req, sizeof(dig_req), &msg) == 0);
	CHECK(msg.id == 36146);
	CHECK(!msg.qr && msg.rd && msg.ad && !msg.cd && msg.opcode == 0);
	CHECK(msg.qdcount == 1 && msg.nq == 1);
	CHECK_STR(msg.q[0].rrname, "www.suricata-ids.org");
	CHECK(msg.q[0].rrname_len == 20);
	CHECK(msg.q[0].rrtype == DNS_TYPE_A && msg.q[0].rrclass == 1);
	j = eve(&msg);
	CHECK_JSON(j, "{\"dns\":{\"version\":3,\"type\":\"request\",\"id\":36146,"
		      "\"flags\":\"120\",\"rd\":true,\"opcode\":0,"
		      "\"rcode\":\"NOERROR\",");
	CHECK_JSON(j, "\"queries\":[{\"rrname\":\"www.suricata-ids.org\","
		      "\"rrtype\":\"A\"}]");
	/* Suricata writes no "ad"/"cd", and no false booleans. */
	CHECK_NO_JSON(j, "\"ad\"");
	CHECK_NO_JSON(j, "\"qr\"");
	CHECK_NO_JSON(j, "answers");

	CHECK(parse(dig_resp, sizeof(dig_resp), &msg) == 0);
	CHECK(msg.qr && msg.rd && msg.ra && msg.ad && msg.rcode == 0);
	CHECK(msg.ancount == 3 && msg.nan == 3 && msg.nns == 0);
	CHECK(msg.an[0].rrtype == DNS_TYPE_CNAME && msg.an[0].ttl == 3544);
	CHECK(msg.an[0].kind == DNS_RD_NAME);
	CHECK_STR(msg.an[0].rrname, "www.suricata-ids.org");
	CHECK_STR(msg.an[0].rdata, "suricata-ids.org");
	CHECK_STR(msg.an[1].rrname, "suricata-ids.org");
	CHECK_STR(msg.an[1].rdata, "192.0.78.24");
	CHECK(msg.an[1].addr.family == 4 && msg.an[1].addr.a[3] == 24);
	CHECK(!msg.truncated_lists);
	j = eve(&msg);
	CHECK_JSON(j, "\"type\":\"response\",\"id\":36146,\"flags\":\"81a0\","
		      "\"qr\":true,\"rd\":true,\"ra\":true,\"opcode\":0,"
		      "\"rcode\":\"NOERROR\"");
	CHECK_JSON(j, "\"answers\":[{\"rrname\":\"www.suricata-ids.org\","
		      "\"rrtype\":\"CNAME\",\"ttl\":3544,"
		      "\"rdata\":\"suricata-ids.org\"},{\"rrname\":"
		      "\"suricata-ids.org\",\"rrtype\":\"A\",\"ttl\":244,"
		      "\"rdata\":\"192.0.78.24\"}");
	CHECK_JSON(j, "\"grouped\":{\"CNAME\":[\"suricata-ids.org\"],"
		      "\"A\":[\"192.0.78.24\",\"192.0.78.25\"]}");
}

static void test_teredo(void)
{
	const char *j;

	CHECK(parse(teredo_aaaa, sizeof(teredo_aaaa), &msg) == 0);
	CHECK(msg.nan == 2 && msg.nns == 7 && msg.nar == 7);
	CHECK(msg.an[1].rrtype == DNS_TYPE_AAAA && msg.an[1].ttl == 300);
	CHECK_STR(msg.an[1].rdata, "2001:4860:0000:2001:0000:0000:0000:0068");
	CHECK(msg.an[1].addr.family == 6 && msg.an[1].addr.a[15] == 0x68);
	CHECK_STR(msg.ns[6].rrname, "l.google.com");
	CHECK_STR(msg.ns[6].rdata, "g.l.google.com");
	CHECK(msg.ns[6].ttl == 77923);
	j = eve(&msg);
	CHECK_JSON(j, "\"grouped\":{\"CNAME\":[\"ipv6.l.google.com\"],"
		      "\"AAAA\":[\"2001:4860:0000:2001:0000:0000:0000:0068\"]}");
	CHECK_JSON(j, "\"authorities\":[{\"rrname\":\"l.google.com\","
		      "\"rrtype\":\"NS\",\"ttl\":77923,"
		      "\"rdata\":\"a.l.google.com\"},");
	CHECK_JSON(j, "\"additionals\":[{\"rrname\":\"a.l.google.com\","
		      "\"rrtype\":\"A\",\"ttl\":9615,"
		      "\"rdata\":\"209.85.139.9\"}");

	CHECK(parse(teredo_soa, sizeof(teredo_soa), &msg) == 0);
	CHECK(msg.nan == 1 && msg.nns == 1 && msg.nar == 0);
	CHECK(msg.ns[0].kind == DNS_RD_SOA && msg.ns[0].ttl == 60);
	CHECK_STR(msg.ns[0].rdata, "c.l.google.com");
	CHECK_STR(msg.ns[0].u.soa.rname, "dns-admin.google.com");
	CHECK(msg.ns[0].u.soa.serial == 1345503);
	CHECK(msg.ns[0].u.soa.minimum == 60);
	j = eve(&msg);
	CHECK_JSON(j, "\"authorities\":[{\"rrname\":\"l.google.com\","
		      "\"rrtype\":\"SOA\",\"ttl\":60,\"soa\":{"
		      "\"mname\":\"c.l.google.com\","
		      "\"rname\":\"dns-admin.google.com\",\"serial\":1345503,"
		      "\"refresh\":900,\"retry\":900,\"expire\":1800,"
		      "\"minimum\":60}}]");
	CHECK_NO_JSON(j, "\"grouped\":{\"SOA\"");
}

static void test_txt(void)
{
	const char *j;

	/* One TXT record holding two strings, the second empty: Suricata
	 * logs each string as an answer of its own. */
	CHECK(parse(iodine_txt, sizeof(iodine_txt), &msg) == 0);
	CHECK(msg.ancount == 1 && msg.nan == 2);
	CHECK(msg.an[0].kind == DNS_RD_TEXT && msg.an[1].kind == DNS_RD_TEXT);
	CHECK_STR(msg.an[0].rdata, "AhvMAAO1kAFE5TE9QTjFFN09RN1lYSDk");
	CHECK(msg.an[1].rdata_len == 0);
	CHECK(msg.an[0].rdlength == 34 && msg.an[1].rdlength == 34);
	CHECK_STR(msg.q[0].rrname, "AAAAAO1kQA.=auth.srv.tunnel.com");
	j = eve(&msg);
	CHECK_JSON(j, "\"grouped\":{\"TXT\":[\"AhvMAAO1kAFE5TE9QTjFFN09RN1lYSDk\","
		      "\"\"]}");
	CHECK_JSON(j, "{\"rrname\":\"AAAAAO1kQA.=auth.srv.tunnel.com\","
		      "\"rrtype\":\"TXT\",\"ttl\":3,\"rdata\":\"\"}");
	CHECK_JSON(j, "\"authorities\":[{\"rrname\":\"srv.tunnel.com\","
		      "\"rrtype\":\"NS\",\"ttl\":604800,"
		      "\"rdata\":\"iodine.tunnel.com\"}]");
}

static void test_null(void)
{
	const char *j;

	/* Raw bytes: ASCII kept (controls JSON-escaped), bytes >= 0x80
	 * spelled \xNN because the whole is not valid UTF-8. */
	CHECK(parse(null_resp, sizeof(null_resp), &msg) == 0);
	CHECK(msg.aa && msg.nan == 1 && msg.an[0].kind == DNS_RD_BYTES);
	CHECK(msg.an[0].rdata_len == 9 && msg.an[0].rdlength == 9);
	j = eve(&msg);
	CHECK_JSON(j, "\"flags\":\"8400\",\"qr\":true,\"aa\":true,");
	CHECK_JSON(j, "\"queries\":[{\"rrname\":\"vaaaakardli.pirate.sea\","
		      "\"rrtype\":\"NULL\"}]");
	CHECK_JSON(j, "\"rdata\":\"VACKD\\u0003\\\\xc5\\\\xe9\\u0001\"");
}

static void test_srv(void)
{
	const char *j;

	/* EDNS cookie: Suricata 8 logs OPT records that carry options. */
	CHECK(parse(srv_req, sizeof(srv_req), &msg) == 0);
	CHECK(msg.nq == 1 && msg.q[0].rrtype == DNS_TYPE_SRV && msg.nar == 1);
	CHECK(msg.ar[0].kind == DNS_RD_OPT && msg.ar[0].rdata_len == 12);
	j = eve(&msg);
	CHECK_JSON(j, "\"additionals\":[{\"rrname\":\"\",\"rrtype\":\"OPT\","
		      "\"ttl\":0,\"opt\":[{\"code\":10,"
		      "\"data\":\"5167b8381398824f\"}]}]");

	/* A bare OPT record (no option) is not logged. */
	CHECK(parse(srv_resp, sizeof(srv_resp), &msg) == 0);
	CHECK(msg.nan == 2 && msg.nar == 1 && msg.ar[0].rdata_len == 0);
	CHECK(msg.an[0].kind == DNS_RD_SRV);
	CHECK(msg.an[0].u.srv.priority == 20 && msg.an[0].u.srv.port == 5060);
	CHECK_STR(msg.an[1].rdata, "sip-anycast-1.voice.google.com");
	j = eve(&msg);
	CHECK_JSON(j, "{\"rrname\":\"_sip._udp.sip.voice.google.com\","
		      "\"rrtype\":\"SRV\",\"ttl\":275,\"srv\":{\"priority\":20,"
		      "\"weight\":1,\"port\":5060,"
		      "\"name\":\"sip-anycast-2.voice.google.com\"}}");
	CHECK_JSON(j, "\"grouped\":{\"SRV\":[{\"priority\":20,");
	CHECK_NO_JSON(j, "additionals");
}

static void test_whatsapp(void)
{
	const char *j;

	CHECK(parse(whatsapp, sizeof(whatsapp), &msg) == 0);
	CHECK(msg.id == 30787 && msg.nan == 8);
	for (unsigned i = 0; i < msg.nan; i++) {
		CHECK_STR(msg.an[i].rrname, "e7.whatsapp.net");
		CHECK(msg.an[i].ttl == 491 && msg.an[i].addr.family == 4);
	}
	CHECK_STR(msg.an[7].rdata, "169.45.219.232");
	j = eve(&msg);
	CHECK_JSON(j, "\"grouped\":{\"A\":[\"169.45.219.235\",\"169.47.40.142\","
		      "\"169.45.248.121\",\"108.168.176.234\","
		      "\"169.45.248.189\",\"169.45.248.180\",\"169.53.81.79\","
		      "\"169.45.219.232\"]}");
}

/* ------------------------------------------------------------ names */

static void test_names(void)
{
	char b[16];

	CHECK_STR(dns_type_name(1, b, sizeof(b)), "A");
	CHECK_STR(dns_type_name(28, b, sizeof(b)), "AAAA");
	CHECK_STR(dns_type_name(23, b, sizeof(b)), "NSAPPTR");
	CHECK_STR(dns_type_name(65, b, sizeof(b)), "HTTPS");
	CHECK_STR(dns_type_name(65280, b, sizeof(b)), "TYPE65280");
	CHECK_STR(dns_rcode_name(0, b, sizeof(b)), "NOERROR");
	CHECK_STR(dns_rcode_name(3, b, sizeof(b)), "NXDOMAIN");
	CHECK_STR(dns_rcode_name(5, b, sizeof(b)), "REFUSED");
	CHECK_STR(dns_rcode_name(12, b, sizeof(b)), "12");
	CHECK_STR(dns_rcode_name(16, b, sizeof(b)), "BADVERS/BADSIG");
}

/* --------------------------------------------------------- crafted */

#define HDR(id, flags, qd, an, ns, ar)                                       \
	(id) >> 8, (id) & 0xff, (flags) >> 8, (flags) & 0xff, 0, (qd), 0, (an), \
		0, (ns), 0, (ar)

static void test_header(void)
{
	static const uint8_t short_hdr[] = {0x12, 0x34, 0x01, 0x00, 0x00};
	static const uint8_t huge_qd[] = {0x12, 0x34, 0x01, 0x00, 0xff, 0xff,
					  0, 0, 0, 0, 0, 0, 0x01, 'a', 0,
					  0, 1, 0, 1};
	static const uint8_t huge_an[] = {HDR(1, 0x8180, 1, 0xff, 0, 0),
					  0x01, 'a', 0, 0, 1, 0, 1};
	static const uint8_t no_question[] = {HDR(1, 0x0100, 0, 0, 0, 0)};
	static const uint8_t empty_trailing[] = {HDR(1, 0x8180, 0, 0, 0, 0),
						 0xde, 0xad};
	static const uint8_t empty_resp[] = {HDR(1, 0x8183, 0, 0, 0, 0)};
	/* Claims one answer that is not there. */
	static const uint8_t missing_an[] = {HDR(1, 0x8180, 1, 1, 0, 0),
					     0x01, 'a', 0, 0, 1, 0, 1};

	CHECK(dns_parse(NULL, 0, &msg) == -EINVAL);
	CHECK(dns_parse(short_hdr, sizeof(short_hdr), NULL) == -EINVAL);
	CHECK(parse(short_hdr, 0, &msg) == -EBADMSG);
	CHECK(parse(short_hdr, sizeof(short_hdr), &msg) == -EBADMSG);
	CHECK(parse(huge_qd, sizeof(huge_qd), &msg) == -EBADMSG);
	CHECK(parse(huge_an, sizeof(huge_an), &msg) == -EBADMSG);
	CHECK(parse(no_question, sizeof(no_question), &msg) == -EBADMSG);
	CHECK(parse(empty_trailing, sizeof(empty_trailing), &msg) == -EBADMSG);
	CHECK(parse(missing_an, sizeof(missing_an), &msg) == -EBADMSG);

	CHECK(parse(empty_resp, sizeof(empty_resp), &msg) == 0);
	CHECK(msg.rcode == 3 && msg.nq == 0);
	CHECK_JSON(eve(&msg), "\"flags\":\"8183\",\"qr\":true,\"rd\":true,"
			      "\"ra\":true,\"opcode\":0,\"rcode\":\"NXDOMAIN\"}}");
}

static void test_hostile_names(void)
{
	/* Pointer past the end of the message. */
	static const uint8_t ptr_out[] = {HDR(1, 0x0100, 1, 0, 0, 0),
					  0xc0, 0xff, 0, 1, 0, 1};
	/* Pointer at itself, before any other pointer: a loop we cannot
	 * step past. */
	static const uint8_t ptr_self[] = {HDR(1, 0x0100, 1, 0, 0, 0),
					   0xc0, 0x0c, 0, 1, 0, 1};
	/* 12 -> 14 -> 16 -> 14 -> ...: a loop after a pointer; Suricata 8
	 * keeps the (empty, cut) name and goes on after the first pointer,
	 * whose next four bytes are then the type and class. */
	static const uint8_t ptr_loop[] = {HDR(1, 0x0100, 1, 0, 0, 0),
					   0xc0, 0x0e, 0xc0, 0x10, 0xc0, 0x0e};
	/* "a" then a pointer back to itself: a.a.a.a... until cut. */
	static const uint8_t label_loop[] = {HDR(1, 0x0100, 1, 0, 0, 0),
					     0x01, 'a', 0xc0, 0x0c,
					     0, 1, 0, 1};
	/* Label type 0x40 (extended label) and length 64: not allowed. */
	static const uint8_t label_64[] = {HDR(1, 0x0100, 1, 0, 0, 0),
					   0x40, 'a', 0, 0, 1, 0, 1};
	/* Label of 63 bytes with 3 left. */
	static const uint8_t label_past[] = {HDR(1, 0x0100, 1, 0, 0, 0),
					     0x3f, 'a', 'b', 'c'};
	/* Name without its terminating zero at the end of the message. */
	static const uint8_t no_end[] = {HDR(1, 0x0100, 1, 0, 0, 0),
					 0x03, 'c', 'o', 'm'};
	/* Invalid UTF-8 (latin-1 e acute) and valid UTF-8 names. */
	static const uint8_t latin1[] = {HDR(1, 0x0100, 1, 0, 0, 0),
					 0x04, 'c', 'a', 'f', 0xe9, 0,
					 0, 1, 0, 1};
	static const uint8_t utf8[] = {HDR(1, 0x0100, 1, 0, 0, 0),
				       0x05, 'c', 'a', 'f', 0xc3, 0xa9, 0,
				       0, 1, 0, 1};
	/* 300 labels "a": more steps than any name may take, no pointer. */
	uint8_t many[12 + 600 + 5] = {HDR(1, 0x0100, 1, 0, 0, 0)};
	size_t n = 12;

	CHECK(parse(ptr_out, sizeof(ptr_out), &msg) == -EBADMSG);
	CHECK(parse(ptr_self, sizeof(ptr_self), &msg) == -EBADMSG);
	CHECK(parse(label_64, sizeof(label_64), &msg) == -EBADMSG);
	CHECK(parse(label_past, sizeof(label_past), &msg) == -EBADMSG);
	CHECK(parse(no_end, sizeof(no_end), &msg) == -EBADMSG);

	CHECK(parse(ptr_loop, sizeof(ptr_loop), &msg) == 0);
	CHECK(msg.nq == 1 && msg.q[0].rrname_len == 0);
	CHECK(msg.q[0].flags & DNS_RR_NAME_TRUNC);
	CHECK(msg.anomalies & DNS_ANOM_NAME_LOOP);
	CHECK(msg.q[0].rrtype == 0xc010);
	CHECK_JSON(eve(&msg), "\"queries\":[{\"rrname\":\"\","
			      "\"rrtype\":\"49168\",\"rrname_truncated\":true}]");

	CHECK(parse(label_loop, sizeof(label_loop), &msg) == 0);
	CHECK(msg.q[0].rrname_len == DNS_NAME_MAX - 1);
	CHECK(strlen(msg.q[0].rrname) == DNS_NAME_MAX - 1);
	CHECK(strncmp(msg.q[0].rrname, "a.a.a.a.", 8) == 0);
	CHECK(msg.q[0].flags & DNS_RR_NAME_TRUNC);
	CHECK(msg.anomalies & DNS_ANOM_NAME_LOOP);
	CHECK(msg.q[0].rrtype == DNS_TYPE_A);

	/* Five labels of 63 bytes: 319 characters, more than a name may
	 * have; kept cut to 255 and flagged, the message goes on. */
	n = 12;
	for (int i = 0; i < 5; i++) {
		many[n++] = 63;
		memset(many + n, 'a' + i, 63);
		n += 63;
	}
	many[n++] = 0;
	many[n++] = 0;
	many[n++] = 16;
	many[n++] = 0;
	many[n++] = 1;
	CHECK(parse(many, n, &msg) == 0);
	CHECK(msg.q[0].rrname_len == DNS_NAME_MAX - 1);
	CHECK(msg.q[0].rrname[DNS_NAME_MAX - 2] == 'd');
	CHECK(msg.q[0].rrtype == DNS_TYPE_TXT);
	CHECK(msg.anomalies == DNS_ANOM_NAME_TOO_LONG);
	CHECK_JSON(eve(&msg), "\"rrtype\":\"TXT\",\"rrname_truncated\":true}");
	n = 12;

	for (int i = 0; i < 300; i++) {
		many[n++] = 1;
		many[n++] = 'a';
	}
	many[n++] = 0;
	many[n++] = 0;
	many[n++] = 1;
	many[n++] = 0;
	many[n++] = 1;
	CHECK(parse(many, n, &msg) == -EBADMSG);
	CHECK(parse(many, 12 + 2 * 200, &msg) == -EBADMSG); /* cut short */

	CHECK(parse(latin1, sizeof(latin1), &msg) == 0);
	CHECK(msg.q[0].rrname_len == 4);
	CHECK_JSON(eve(&msg), "\"rrname\":\"caf\\\\xe9\"");
	CHECK(parse(utf8, sizeof(utf8), &msg) == 0);
	CHECK_JSON(eve(&msg), "\"rrname\":\"caf\xc3\xa9\"");
}

static void test_hostile_records(void)
{
	/* rdlength runs past the end. */
	static const uint8_t rdlen_past[] = {HDR(1, 0x8180, 1, 1, 0, 0),
					     0x01, 'a', 0, 0, 1, 0, 1,
					     0xc0, 0x0c, 0, 1, 0, 1,
					     0, 0, 0, 60, 0, 8, 1, 2, 3, 4};
	/* A with 3 bytes: Suricata writes "" ; unknown type: no rdata. */
	static const uint8_t odd_rdata[] = {HDR(1, 0x8180, 1, 2, 0, 0),
					    0x01, 'a', 0, 0, 1, 0, 1,
					    0xc0, 0x0c, 0, 1, 0, 1,
					    0, 0, 0, 60, 0, 3, 1, 2, 3,
					    0xc0, 0x0c, 0xff, 0x00, 0, 1,
					    0, 0, 0, 60, 0, 2, 0xab, 0xcd};
	/* Good answer, authority NS whose name points past the end: the
	 * authorities are dropped, the message stands. */
	static const uint8_t bad_ns[] = {HDR(1, 0x8180, 1, 1, 1, 0),
					 0x01, 'a', 0, 0, 1, 0, 1,
					 0xc0, 0x0c, 0, 1, 0, 1,
					 0, 0, 0, 60, 0, 4, 10, 0, 0, 1,
					 0xc0, 0x0c, 0, 2, 0, 1,
					 0, 0, 0, 60, 0, 2, 0xc0, 0xfe};
	/* OPT whose option says 8 bytes and has 2. */
	static const uint8_t bad_opt[] = {HDR(1, 0x0100, 1, 0, 0, 1),
					  0x01, 'a', 0, 0, 1, 0, 1,
					  0, 0, 41, 0x10, 0, 0, 0, 0, 0,
					  0, 6, 0, 10, 0, 8, 1, 2};
	/* TXT whose string length runs past the rdata. */
	static const uint8_t bad_txt[] = {HDR(1, 0x8180, 1, 1, 0, 0),
					  0x01, 'a', 0, 0, 16, 0, 1,
					  0xc0, 0x0c, 0, 16, 0, 1,
					  0, 0, 0, 60, 0, 3, 5, 'x', 'y'};
	/* Z flag on a request. */
	static const uint8_t zflag[] = {HDR(7, 0x0140, 1, 0, 0, 0),
					0x01, 'a', 0, 0, 1, 0, 1};
	const char *j;

	CHECK(parse(rdlen_past, sizeof(rdlen_past), &msg) == -EBADMSG);
	CHECK(parse(bad_txt, sizeof(bad_txt), &msg) == -EBADMSG);

	CHECK(parse(odd_rdata, sizeof(odd_rdata), &msg) == 0);
	CHECK(msg.nan == 2 && msg.an[0].addr.family == 0);
	CHECK(msg.an[1].kind == DNS_RD_NONE);
	j = eve(&msg);
	CHECK_JSON(j, "\"rrtype\":\"A\",\"ttl\":60,\"rdata\":\"\"}");
	CHECK_JSON(j, "{\"rrname\":\"a\",\"rrtype\":\"65280\",\"ttl\":60}");
	CHECK_JSON(j, "\"grouped\":{\"A\":[\"\"]}");

	CHECK(parse(bad_ns, sizeof(bad_ns), &msg) == 0);
	CHECK(msg.invalid_authorities && msg.nns == 0 && msg.nan == 1);
	CHECK_STR(msg.an[0].rdata, "10.0.0.1");
	CHECK_NO_JSON(eve(&msg), "authorities");

	CHECK(parse(bad_opt, sizeof(bad_opt), &msg) == 0);
	CHECK(msg.invalid_additionals && msg.nar == 0);

	CHECK(parse(zflag, sizeof(zflag), &msg) == 0);
	CHECK(msg.z);
	CHECK_JSON(eve(&msg), "\"flags\":\"140\",\"rd\":true,\"z\":true,");
}

/* More questions and records than the lists hold. */
static void test_limits(void)
{
	uint8_t b[12 + 7 + 40 * 16];
	size_t n = 0;
	const char *j;

	memset(b, 0, sizeof(b));
	b[0] = 0xbe, b[1] = 0xef, b[2] = 0x81, b[3] = 0x80;
	b[5] = 1, b[7] = 40;
	n = 12;
	memcpy(b + n, "\x01" "a\0\0\x01\0\x01", 7);
	n += 7;
	for (int i = 0; i < 40; i++) {
		static const uint8_t rr[] = {0xc0, 0x0c, 0, 1, 0, 1, 0, 0,
					     0, 60, 0, 4, 10, 0, 0};
		memcpy(b + n, rr, sizeof(rr));
		b[n + sizeof(rr)] = (uint8_t)i;
		n += 16;
	}
	CHECK(parse(b, n, &msg) == 0);
	CHECK(msg.ancount == 40 && msg.nan == DNS_MAX_RR);
	CHECK(msg.truncated_lists);
	CHECK_STR(msg.an[DNS_MAX_RR - 1].rdata, "10.0.0.31");
	j = eve(&msg);
	CHECK_JSON(j, "\"10.0.0.31\"]}");
	CHECK_NO_JSON(j, "10.0.0.32");

	/* 10 questions */
	memset(b, 0, sizeof(b));
	b[2] = 0x01, b[5] = 10;
	n = 12;
	for (int i = 0; i < 10; i++) {
		memcpy(b + n, "\x01" "a\0\0\x01\0\x01", 7);
		b[n + 1] = (uint8_t)('a' + i);
		n += 7;
	}
	CHECK(parse(b, n, &msg) == 0);
	CHECK(msg.qdcount == 10 && msg.nq == DNS_MAX_Q);
	CHECK(msg.truncated_lists);
	CHECK_STR(msg.q[DNS_MAX_Q - 1].rrname, "h");
}

/* Every prefix of every real message: no crash, no overread. */
static void test_prefixes(void)
{
	static const struct {
		const uint8_t *p;
		size_t n;
	} all[] = {
		{dig_req, sizeof(dig_req)},         {dig_resp, sizeof(dig_resp)},
		{teredo_aaaa, sizeof(teredo_aaaa)}, {teredo_soa, sizeof(teredo_soa)},
		{iodine_txt, sizeof(iodine_txt)},   {null_resp, sizeof(null_resp)},
		{srv_req, sizeof(srv_req)},         {srv_resp, sizeof(srv_resp)},
		{whatsapp, sizeof(whatsapp)},
	};

	for (size_t i = 0; i < ARRAY_SIZE(all); i++) {
		for (size_t n = 0; n < all[i].n; n++) {
			int rc = parse(all[i].p, n, &msg);

			CHECK(rc == 0 || rc == -EBADMSG);
			if (rc == 0)
				(void)eve(&msg);
		}
	}
	/* The header without its questions is an error for all of them. */
	CHECK(parse(whatsapp, 20, &msg) == -EBADMSG);
}

int main(void)
{
	jw_init(&jw, 1 << 20);
	test_dig();
	test_teredo();
	test_txt();
	test_null();
	test_srv();
	test_whatsapp();
	test_names();
	test_header();
	test_hostile_names();
	test_hostile_records();
	test_limits();
	test_prefixes();
	jw_finish(&jw);
	if (check_failures) {
		fprintf(stderr, "test_proto_dns: %d check(s) failed\n", check_failures);
		return 1;
	}
	printf("test_proto_dns: all checks passed\n");
	return 0;
}
