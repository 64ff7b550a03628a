/*
 * capture.c - stage 1: reading frames with libpcap (see capture.h).
 *
 * Files are opened one after another; directories are expanded into a
 * sorted list first so runs are repeatable. A file that fails to open or
 * breaks part way is reported with the packet number where it broke and
 * skipped; the caller learns at the end how many inputs failed. Live
 * capture uses pcap_create/pcap_activate so snap length, promiscuous mode
 * and the kernel buffer can be set, and a short timeout so the main loop
 * keeps its timers running on a quiet network.
 */
#define _GNU_SOURCE
#include "capture.h"

#include <dirent.h>
#include <errno.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "banned.h"

#define CAPTURE_IOBUF (1u << 20)  /* stdio buffer of an offline capture */

struct capture {
	pcap_t *pc;
	bool live;
	char **files;
	size_t nfiles, next_file;
	char *bpf;
	enum link_type link;
	uint64_t pktnum;
	uint64_t bytes_total, bytes_done; /* sizes of all files, finished ones */
	uint64_t cur_size;
	unsigned failed;
	char cur_name[1024];
	char err[1536];
	bool has_err;
	FILE *cur_fp;
	char *iobuf;                    /* offline: the stdio buffer of cur_fp */
	volatile sig_atomic_t stopping; /* set from a signal handler */
	int fd;                         /* live: what poll() waits on */
};

static enum link_type map_dlt(int dlt)
{
	switch (dlt) {
	case DLT_EN10MB: return LINK_ETHERNET;
	case DLT_LINUX_SLL: return LINK_SLL;
#ifdef DLT_LINUX_SLL2
	case DLT_LINUX_SLL2: return LINK_SLL2;
#endif
	case DLT_RAW: return LINK_RAW;
#ifdef DLT_IPV4
	case DLT_IPV4: return LINK_IPV4;
#endif
#ifdef DLT_IPV6
	case DLT_IPV6: return LINK_IPV6;
#endif
	case DLT_NULL: return LINK_NULL;
	case DLT_LOOP: return LINK_LOOP;
	case DLT_PPP: return LINK_PPP;
#ifdef DLT_PPP_SERIAL
	case DLT_PPP_SERIAL: return LINK_PPP;
#endif
	case DLT_C_HDLC: return LINK_CHDLC;
	default: return LINK_UNSUPPORTED;
	}
}

static void set_err(struct capture *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void set_err(struct capture *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
	c->has_err = true;
}

static bool is_capture_name(const char *n)
{
	static const char *ext[] = { ".pcap", ".pcapng", ".cap", ".dmp" };
	size_t l = strlen(n);

	for (size_t i = 0; i < ARRAY_SIZE(ext); i++) {
		size_t e = strlen(ext[i]);
		if (l > e && !strcasecmp(n + l - e, ext[i]))
			return true;
	}
	return false;
}

static int add_file(struct capture *c, const char *path)
{
	char **nf = realloc(c->files, (c->nfiles + 1) * sizeof(*nf));

	if (!nf)
		return -ENOMEM;
	c->files = nf;
	if (!(c->files[c->nfiles] = strdup(path)))
		return -ENOMEM;
	c->nfiles++;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int add_dir(struct capture *c, const char *dir, unsigned depth)
{
	struct dirent **ents;
	int n = scandir(dir, &ents, NULL, alphasort), r = 0;

	if (n < 0)
		return -errno;
	for (int i = 0; i < n; i++) {
		char path[4096];
		struct stat st;
		const char *nm = ents[i]->d_name;

		if (r || nm[0] == '.' ||
		    snprintf(path, sizeof(path), "%s/%s", dir, nm) >= (int)sizeof(path) ||
		    stat(path, &st)) {
			free(ents[i]);
			continue;
		}
		if (S_ISDIR(st.st_mode) && depth < 16)
			r = add_dir(c, path, depth + 1);
		else if (S_ISREG(st.st_mode) && is_capture_name(nm))
			r = add_file(c, path);
		free(ents[i]);
	}
	free(ents);
	return r;
}

struct capture *capture_open_files(char *const *paths, size_t n, const char *bpf,
				   char *err, size_t errlen)
{
	struct capture *c = calloc(1, sizeof(*c));

	if (!c) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		int r;

		if (!strcmp(paths[i], "-")) {
			r = add_file(c, "-");
		} else if (stat(paths[i], &st)) {
			snprintf(err, errlen, "%s: %s", paths[i], strerror(errno));
			capture_destroy(c);
			return NULL;
		} else if (S_ISDIR(st.st_mode)) {
			size_t before = c->nfiles;
			r = add_dir(c, paths[i], 0);
			if (!r && c->nfiles == before) {
				snprintf(err, errlen, "%s: no capture files (*.pcap, *.pcapng, *.cap) in this directory",
					 paths[i]);
				capture_destroy(c);
				return NULL;
			}
			qsort(c->files + before, c->nfiles - before, sizeof(char *), cmp_str);
		} else {
			r = add_file(c, paths[i]);
		}
		if (r) {
			snprintf(err, errlen, "%s: %s", paths[i], strerror(-r));
			capture_destroy(c);
			return NULL;
		}
	}
	for (size_t i = 0; i < c->nfiles; i++) {
		struct stat st;
		if (strcmp(c->files[i], "-") && !stat(c->files[i], &st))
			c->bytes_total += (uint64_t)st.st_size;
	}
	if (bpf && !(c->bpf = strdup(bpf))) {
		capture_destroy(c);
		return NULL;
	}
	return c;
}

static int apply_bpf(struct capture *c, const char *name)
{
	struct bpf_program prog;

	if (!c->bpf || !*c->bpf)
		return 0;
	if (pcap_compile(c->pc, &prog, c->bpf, 1, PCAP_NETMASK_UNKNOWN)) {
		snprintf(c->err, sizeof(c->err), "%s: bad filter '%s': %s", name,
			 c->bpf, pcap_geterr(c->pc));
		c->has_err = true;
		return -EINVAL;
	}
	if (pcap_setfilter(c->pc, &prog)) {
		snprintf(c->err, sizeof(c->err), "%s: cannot set filter: %s", name,
			 pcap_geterr(c->pc));
		c->has_err = true;
		pcap_freecode(&prog);
		return -EINVAL;
	}
	pcap_freecode(&prog);
	return 0;
}

struct capture *capture_open_live(const struct capture_live_opts *o, char *err,
				  size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	struct capture *c = calloc(1, sizeof(*c));
	int r;

	if (!c) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->live = true;
	str_copy(c->cur_name, o->iface, sizeof(c->cur_name));
	c->pc = pcap_create(o->iface, ebuf);
	if (!c->pc) {
		snprintf(err, errlen, "%s: %s", o->iface, ebuf);
		goto fail;
	}
	pcap_set_snaplen(c->pc, (int)(o->snaplen ? o->snaplen : 65535));
	pcap_set_promisc(c->pc, o->promisc);
	pcap_set_timeout(c->pc, 100);
	if (o->buffer_size)
		pcap_set_buffer_size(c->pc, (int)(o->buffer_size > 0x7fffffff ? 0x7fffffff : o->buffer_size));
	r = pcap_activate(c->pc);
	if (r < 0) {
		snprintf(err, errlen, "%s: cannot capture: %s", o->iface,
			 r == PCAP_ERROR ? pcap_geterr(c->pc) : pcap_statustostr(r));
		goto fail;
	}
	/* never block inside libpcap: with no traffic at all it may not
	 * return, and the loop's timers and signals must still run */
	if (pcap_setnonblock(c->pc, 1, ebuf) || (c->fd = pcap_get_selectable_fd(c->pc)) < 0) {
		snprintf(err, errlen, "%s: cannot poll the capture: %s", o->iface, ebuf);
		goto fail;
	}
	c->link = map_dlt(pcap_datalink(c->pc));
	if (c->link == LINK_UNSUPPORTED) {
		snprintf(err, errlen, "%s: link type %s is not supported", o->iface,
			 pcap_datalink_val_to_name(pcap_datalink(c->pc)));
		goto fail;
	}
	if (o->bpf && (c->bpf = strdup(o->bpf)) && apply_bpf(c, o->iface)) {
		snprintf(err, errlen, "%s", c->err);
		goto fail;
	}
	return c;
fail:
	capture_destroy(c);
	return NULL;
}

void capture_destroy(struct capture *c)
{
	if (!c)
		return;
	if (c->pc)
		pcap_close(c->pc);
	for (size_t i = 0; i < c->nfiles; i++)
		free(c->files[i]);
	free(c->files);
	free(c->bpf);
	free(c->iobuf);
	free(c);
}

/* libpcap reads a file through stdio, a packet header and a packet at a
 * time; with stdio's default 4 KiB buffer that is one read(2) per 4 KiB.
 * A 1 MiB buffer makes it one per MiB (~70 times fewer system calls on a
 * typical capture). Returns the opened stream, or NULL with ebuf set. */
static FILE *open_offline(struct capture *c, const char *path, char *ebuf)
{
	FILE *fp = strcmp(path, "-") ? fopen(path, "rb") : stdin;

	if (!fp) {
		snprintf(ebuf, PCAP_ERRBUF_SIZE, "%s", strerror(errno));
		return NULL;
	}
	/* not stdin: it outlives the capture, and so would its buffer */
	if (fp != stdin && !c->iobuf)
		c->iobuf = malloc(CAPTURE_IOBUF);
	if (fp != stdin && c->iobuf)
		setvbuf(fp, c->iobuf, _IOFBF, CAPTURE_IOBUF);
	return fp;
}

/* Opens the next file in the list; returns false when none is left. */
static bool open_next(struct capture *c)
{
	char ebuf[PCAP_ERRBUF_SIZE];

	while (c->next_file < c->nfiles) {
		const char *path = c->files[c->next_file++];
		struct stat st;
		FILE *fp;

		str_copy(c->cur_name, path, sizeof(c->cur_name));
		c->pktnum = 0;
		c->cur_size = !strcmp(path, "-") || stat(path, &st) ? 0 : (uint64_t)st.st_size;
		ebuf[0] = '\0';
		fp = open_offline(c, path, ebuf);
		c->pc = fp ? pcap_fopen_offline_with_tstamp_precision(fp,
				PCAP_TSTAMP_PRECISION_MICRO, ebuf) : NULL;
		if (!c->pc && fp && fp != stdin)
			fclose(fp); /* libpcap leaves a stream it refused to its caller */
		if (!c->pc) {
			set_err(c, "%s: cannot read capture: %s", path, ebuf);
			c->failed++;
			c->bytes_done += c->cur_size;
			return true; /* report first; caller calls again */
		}
		c->cur_fp = pcap_file(c->pc);
		c->link = map_dlt(pcap_datalink(c->pc));
		if (c->link == LINK_UNSUPPORTED) {
			snprintf(c->err, sizeof(c->err), "%s: link type %d (%s) is not supported; file skipped",
				 path, pcap_datalink(c->pc),
				 pcap_datalink_val_to_name(pcap_datalink(c->pc)) ?
				 pcap_datalink_val_to_name(pcap_datalink(c->pc)) : "unknown");
			c->has_err = true;
			c->failed++;
			pcap_close(c->pc);
			c->pc = NULL;
			c->bytes_done += c->cur_size;
			return true;
		}
		if (apply_bpf(c, path)) {
			c->failed++;
			pcap_close(c->pc);
			c->pc = NULL;
			return true;
		}
		return true;
	}
	return false;
}

enum capture_status capture_next(struct capture *c, struct pkt *p,
				 enum link_type *link)
{
	for (;;) {
		struct pcap_pkthdr *h;
		const u_char *data;
		int r;

		if (!c->pc) {
			if (c->live || !open_next(c))
				return CAPTURE_END;
			if (!c->pc)
				return CAPTURE_TIMEOUT; /* an error is waiting */
			continue;
		}
		r = pcap_next_ex(c->pc, &h, &data);
		if (r == 1) {
			c->pktnum++;
			p->data = data;
			p->caplen = h->caplen;
			p->wirelen = h->len;
			p->ts = h->ts;
			p->num = c->pktnum;
			*link = c->link;
			return CAPTURE_PACKET;
		}
		if (r == 0) {
			if (c->live) {
				struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
				/* a signal ends the wait early (EINTR): fine */
				poll(&pfd, 1, 100);
			}
			return CAPTURE_TIMEOUT;
		}
		if ((r == PCAP_ERROR_BREAK && c->live) || c->stopping)
			return CAPTURE_END; /* asked to stop: a cut read is no damage */
		if (r == PCAP_ERROR) {
			/* a broken record: report where, give up on this file */
			set_err(c, "%s: packet %llu: %s; rest of the file skipped",
				c->cur_name, (unsigned long long)c->pktnum + 1,
				pcap_geterr(c->pc));
			c->failed++;
		}
		if (c->live) {
			if (r == PCAP_ERROR)
				return CAPTURE_END;
			return CAPTURE_END;
		}
		pcap_close(c->pc);
		c->pc = NULL;
		c->bytes_done += c->cur_size;
		c->cur_size = 0;
		if (c->has_err)
			return CAPTURE_TIMEOUT;
	}
}

const char *capture_take_error(struct capture *c)
{
	if (!c->has_err)
		return NULL;
	c->has_err = false;
	return c->err;
}

unsigned capture_failed_inputs(const struct capture *c)
{
	return c->failed;
}

void capture_get_stats(struct capture *c, struct capture_stats *st)
{
	struct pcap_stat ps;

	memset(st, 0, sizeof(*st));
	if (!c->live || !c->pc || pcap_stats(c->pc, &ps))
		return;
	st->received = ps.ps_recv;
	st->dropped = ps.ps_drop;
	st->if_dropped = ps.ps_ifdrop;
	st->valid = true;
}

double capture_progress(struct capture *c)
{
	long pos;

	if (c->live || !c->bytes_total)
		return -1;
	pos = c->pc && c->cur_fp ? ftell(c->cur_fp) : 0;
	if (pos < 0)
		pos = 0;
	return (double)(c->bytes_done + (uint64_t)pos) / (double)c->bytes_total;
}

const char *capture_current_name(const struct capture *c)
{
	return c->cur_name;
}

bool capture_is_live(const struct capture *c)
{
	return c->live;
}

void capture_break(struct capture *c)
{
	if (!c)
		return;
	c->stopping = 1;
	if (c->pc)
		pcap_breakloop(c->pc);
}
