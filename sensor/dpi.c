/*
 * dpi.c - stage 4: nDPI protocol detection per flow (see dpi.h).
 *
 * Mirrors the detection loop of nDPI's own reader so results agree with
 * it: packets go to nDPI until the application protocol is known and no
 * extra dissection is wanted, or until the packet budget (80 TCP / 24 UDP
 * packets, nDPI's reader's defaults) is spent, when nDPI is asked for its
 * best guess. The nDPI flow is released as soon as the result is final.
 * nDPI's headers are included here and nowhere else.
 */
#include "dpi.h"

#include <stdlib.h>
#include <string.h>

#include <ndpi_api.h>

#include "banned.h"

#define DPI_BUDGET_TCP 80
#define DPI_BUDGET_UDP 24

struct dpi {
	struct ndpi_detection_module_struct *mod;
	struct dpi_stats st;
};

struct dpi_flow {
	struct ndpi_flow_struct *nf;
	ndpi_protocol proto;
	uint16_t pkts;
	bool detected; /* app protocol known; maybe waiting for extra packets */
};

struct dpi *dpi_create(char *err, size_t errlen)
{
	struct dpi *d = calloc(1, sizeof(*d));
	NDPI_PROTOCOL_BITMASK all;

	if (!d) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	d->mod = ndpi_init_detection_module(ndpi_no_prefs);
	if (!d->mod) {
		snprintf(err, errlen, "nDPI initialisation failed");
		free(d);
		return NULL;
	}
	NDPI_BITMASK_SET_ALL(all);
	ndpi_set_protocol_detection_bitmask2(d->mod, &all);
	ndpi_finalize_initialization(d->mod);
	return d;
}

void dpi_destroy(struct dpi *d)
{
	if (!d)
		return;
	ndpi_exit_detection_module(d->mod);
	free(d);
}

/* Copies nDPI's verdict into the flow; the state stays until release(). */
static void conclude(struct dpi *d, struct flow *f, bool giveup)
{
	struct dpi_flow *s = f->dpi_state;
	ndpi_protocol pr = s->proto;

	if (giveup || pr.app_protocol == NDPI_PROTOCOL_UNKNOWN) {
		uint8_t guessed = 0;
		pr = ndpi_detection_giveup(d->mod, s->nf, 1, &guessed);
		f->dpi.guessed = guessed;
		if (pr.app_protocol == NDPI_PROTOCOL_UNKNOWN &&
		    pr.master_protocol == NDPI_PROTOCOL_UNKNOWN)
			d->st.unknown++;
		else if (guessed)
			d->st.guessed++;
		else
			d->st.detected++;
	} else {
		d->st.detected++;
	}
	f->dpi.master = pr.master_protocol;
	f->dpi.app = pr.app_protocol;
	f->dpi.category = (uint16_t)(pr.category ? pr.category : s->nf->category);
	f->dpi.confidence = (uint8_t)s->nf->confidence;
	f->dpi.risk |= s->nf->risk;
	f->dpi.done = true;
}

bool dpi_packet(struct dpi *d, struct flow *f, const struct pkt *p)
{
	struct dpi_flow *s = f->dpi_state;
	uint64_t ms;
	unsigned budget = f->proto == 17 ? DPI_BUDGET_UDP : DPI_BUDGET_TCP;

	if (f->dpi.done || !p->l3)
		return false;
	/* a packet cut short by the snap length would mislead nDPI; its own
	 * reader skips such packets too */
	if (p->ipver == 4 && p->l3len >= 4 &&
	    ((uint32_t)p->l3[2] << 8 | p->l3[3]) > p->l3len && !p->reassembled)
		return false;
	if (!s) {
		s = calloc(1, sizeof(*s));
		if (!s)
			return false;
		s->nf = ndpi_flow_malloc(SIZEOF_FLOW_STRUCT);
		if (!s->nf) {
			free(s);
			return false;
		}
		memset(s->nf, 0, SIZEOF_FLOW_STRUCT);
		f->dpi_state = s;
	}
	ms = (uint64_t)p->ts.tv_sec * 1000 + (uint64_t)p->ts.tv_usec / 1000;
	s->proto = ndpi_detection_process_packet(d->mod, s->nf, p->l3,
						 (unsigned short)(p->l3len > 0xffff ? 0xffff : p->l3len),
						 ms);
	s->pkts++;
	d->st.packets++;
	/* nDPI flags DNS over IP fragments from the fragment bits, which
	 * reassembly has removed: say it ourselves */
	if (p->reassembled && (s->proto.master_protocol == NDPI_PROTOCOL_DNS ||
			       s->proto.app_protocol == NDPI_PROTOCOL_DNS))
		s->nf->risk |= (ndpi_risk)1 << NDPI_DNS_FRAGMENTED;
	if (f->proto != 6 && f->proto != 17) {
		/* nDPI's reader never gives up early on other protocols */
	} else if (s->pkts > budget) {
		conclude(d, f, s->proto.app_protocol == NDPI_PROTOCOL_UNKNOWN);
		return true;
	}
	if (s->proto.app_protocol != NDPI_PROTOCOL_UNKNOWN) {
		s->detected = true;
		if (ndpi_extra_dissection_possible(d->mod, s->nf))
			return false;
		conclude(d, f, false);
		return true;
	}
	return false;
}

bool dpi_conclude(struct dpi *d, struct flow *f)
{
	if (!f->dpi_state || f->dpi.done)
		return false;
	conclude(d, f, f->dpi_state->proto.app_protocol == NDPI_PROTOCOL_UNKNOWN);
	return true;
}

void dpi_release(struct flow *f)
{
	if (f->dpi_state) {
		ndpi_free_flow(f->dpi_state->nf);
		free(f->dpi_state);
		f->dpi_state = NULL;
	}
}

const char *dpi_host_name(const struct flow *f)
{
	return f->dpi_state ? f->dpi_state->nf->host_server_name : "";
}

const char *dpi_quic_user_agent(const struct flow *f)
{
	if (!f->dpi_state || !f->dpi_state->nf->http.user_agent)
		return "";
	return f->dpi_state->nf->http.user_agent;
}

static ndpi_protocol as_proto(const struct flow *f)
{
	ndpi_protocol pr;

	memset(&pr, 0, sizeof(pr));
	pr.master_protocol = f->dpi.master;
	pr.app_protocol = f->dpi.app;
	pr.category = (ndpi_protocol_category_t)f->dpi.category;
	return pr;
}

const char *dpi_proto_name(struct dpi *d, const struct flow *f, char *buf, size_t size)
{
	/* as ndpi_protocol2name() writes it, without its snprintf per flow */
	const char *m = ndpi_get_proto_name(d->mod, f->dpi.master);
	const char *a = ndpi_get_proto_name(d->mod, f->dpi.app);
	size_t ml, al;

	if (!f->dpi.master || f->dpi.master == f->dpi.app || !f->dpi.app) {
		str_copy(buf, f->dpi.master && !f->dpi.app ? m : a, size);
		return buf;
	}
	ml = strlen(m);
	al = strlen(a);
	if (ml + 1 + al + 1 > size)
		return ndpi_protocol2name(d->mod, as_proto(f), buf, (u_int)size);
	memcpy(buf, m, ml);
	buf[ml] = '.';
	memcpy(buf + ml + 1, a, al + 1);
	return buf;
}

const char *dpi_master_name(struct dpi *d, const struct flow *f)
{
	return ndpi_get_proto_name(d->mod, f->dpi.master);
}

const char *dpi_app_name(struct dpi *d, const struct flow *f)
{
	return ndpi_get_proto_name(d->mod, f->dpi.app);
}

const char *dpi_category_name(struct dpi *d, const struct flow *f)
{
	return ndpi_category_get_name(d->mod, (ndpi_protocol_category_t)f->dpi.category);
}

const char *dpi_confidence_name(const struct flow *f)
{
	return ndpi_confidence_get_name((ndpi_confidence_t)f->dpi.confidence);
}

bool dpi_risk_is_dga(unsigned bit)
{
	return bit == NDPI_SUSPICIOUS_DGA_DOMAIN;
}

const char *dpi_risk_name(unsigned bit)
{
	return ndpi_risk2str((ndpi_risk_enum)bit);
}

const char *dpi_risk_severity(unsigned bit)
{
	ndpi_risk_info *ri = ndpi_risk2severity((ndpi_risk_enum)bit);
	return ri ? ndpi_severity2str(ri->severity) : "";
}

unsigned dpi_risk_bit_score(unsigned bit)
{
	u_int16_t c, s;
	return ndpi_risk2score((ndpi_risk)1 << bit, &c, &s);
}

unsigned dpi_risk_score(uint64_t risk, uint16_t *client, uint16_t *server)
{
	return ndpi_risk2score((ndpi_risk)risk, client, server);
}

uint64_t dpi_validate_url(const char *url)
{
	/* nDPI stops at the first suspicious parameter: ask per parameter,
	 * so an XSS beside an SQL injection is not hidden */
	const char *q = strchr(url, '?');
	size_t plen = q ? (size_t)(q - url) : strlen(url);
	uint64_t risks = 0;
	char buf[4096];

	if (!q || plen + 2 >= sizeof(buf)) {
		unsigned r;
		str_copy(buf, url, sizeof(buf));
		r = (unsigned)ndpi_validate_url(buf);
		return r && r < 64 ? 1ULL << r : 0;
	}
	memcpy(buf, url, plen + 1);
	for (const char *p = q + 1; *p;) {
		size_t n = strcspn(p, "&");
		unsigned r;
		if (plen + 1 + n + 1 <= sizeof(buf) && n) {
			memcpy(buf + plen + 1, p, n);
			buf[plen + 1 + n] = '\0';
			r = (unsigned)ndpi_validate_url(buf);
			if (r && r < 64)
				risks |= 1ULL << r;
		}
		p += n;
		if (*p == '&')
			p++;
	}
	return risks;
}

const char *dpi_app_proto(const struct flow *f)
{
	static const struct { uint16_t id; const char *name; } map[] = {
		{ NDPI_PROTOCOL_DNS, "dns" }, { NDPI_PROTOCOL_TLS, "tls" },
		{ NDPI_PROTOCOL_HTTP, "http" }, { NDPI_PROTOCOL_SSH, "ssh" },
		{ NDPI_PROTOCOL_QUIC, "quic" }, { NDPI_PROTOCOL_FTP_CONTROL, "ftp" },
		{ NDPI_PROTOCOL_MAIL_SMTP, "smtp" }, { NDPI_PROTOCOL_MAIL_IMAP, "imap" },
		{ NDPI_PROTOCOL_MAIL_POP, "pop3" }, { NDPI_PROTOCOL_DHCP, "dhcp" },
		{ NDPI_PROTOCOL_SMBV23, "smb" }, { NDPI_PROTOCOL_SMBV1, "smb" },
		{ NDPI_PROTOCOL_NTP, "ntp" }, { NDPI_PROTOCOL_SNMP, "snmp" },
		{ NDPI_PROTOCOL_SIP, "sip" }, { NDPI_PROTOCOL_RDP, "rdp" },
		{ NDPI_PROTOCOL_KERBEROS, "krb5" }, { NDPI_PROTOCOL_NFS, "nfs" },
		{ NDPI_PROTOCOL_TFTP, "tftp" }, { NDPI_PROTOCOL_MQTT, "mqtt" },
		{ NDPI_PROTOCOL_DNP3, "dnp3" }, { NDPI_PROTOCOL_MODBUS, "modbus" },
		{ NDPI_PROTOCOL_DCERPC, "dcerpc" }, { NDPI_PROTOCOL_TELNET, "telnet" },
		{ NDPI_PROTOCOL_DHCPV6, "dhcpv6" }, { NDPI_PROTOCOL_DOH_DOT, "tls" },
		{ NDPI_PROTOCOL_HTTP_CONNECT, "http" }, { NDPI_PROTOCOL_HTTP_PROXY, "http" },
	};
	/* the master protocol (TLS in TLS.YouTube) names the wire protocol */
	uint16_t ids[2] = { f->dpi.master, f->dpi.app };

	/* Suricata names a protocol only when it parsed it: a guess by port
	 * or address is no parse */
	if (f->dpi.confidence < NDPI_CONFIDENCE_DPI_CACHE)
		return NULL;
	/* nDPI's SMBv1 on UDP is NetBIOS datagrams, not Suricata's SMB */
	if (f->proto == 17 && (f->dpi.app == NDPI_PROTOCOL_SMBV1 ||
			       f->dpi.master == NDPI_PROTOCOL_SMBV1))
		return NULL;
	/* nDPI's NFS class takes in every ONC RPC service (portmap, mountd);
	 * over UDP Suricata names only NFS proper, which nDPI cannot tell */
	if (f->proto == 17 && (f->dpi.app == NDPI_PROTOCOL_NFS || f->dpi.master == NDPI_PROTOCOL_NFS))
		return NULL;

	for (int k = 0; k < 2; k++)
		for (size_t i = 0; i < ARRAY_SIZE(map); i++)
			if (ids[k] && map[i].id == ids[k])
				return map[i].name;
	return NULL;
}

/* Content worth a YARA scan travels in web, mail, file-transfer, terminal
 * and chat protocols, and in channels nDPI cannot name (C2 and exploits on
 * odd ports; a port-only guess counts as unnamed). Everything nDPI does
 * name otherwise (databases, SMB, RPC, streaming, games, P2P) has a
 * structure of its own that the rules do not address. */
bool dpi_scan_worthy(const struct flow *f)
{
	static const uint16_t scan[] = {
		NDPI_PROTOCOL_HTTP, NDPI_PROTOCOL_HTTP_CONNECT, NDPI_PROTOCOL_HTTP_PROXY,
		NDPI_PROTOCOL_FTP_CONTROL, NDPI_PROTOCOL_FTP_DATA, NDPI_PROTOCOL_MAIL_SMTP,
		NDPI_PROTOCOL_MAIL_IMAP, NDPI_PROTOCOL_MAIL_POP, NDPI_PROTOCOL_TELNET,
		NDPI_PROTOCOL_IRC,
	};
	uint16_t ids[2] = { f->dpi.master, f->dpi.app };

	if (f->dpi.confidence < NDPI_CONFIDENCE_DPI_CACHE ||
	    (ids[0] == NDPI_PROTOCOL_UNKNOWN && ids[1] == NDPI_PROTOCOL_UNKNOWN))
		return true;
	for (int k = 0; k < 2; k++)
		for (size_t i = 0; i < ARRAY_SIZE(scan); i++)
			if (ids[k] == scan[i])
				return true;
	return false;
}

const struct dpi_stats *dpi_stats(const struct dpi *d)
{
	return &d->st;
}
