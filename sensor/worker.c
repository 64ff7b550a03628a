/*
 * worker.c - the per-flow stages and the hand-off to worker threads (see
 * worker.h).
 *
 * Hand-off: packets are copied into 256 KiB batches, one being filled per
 * worker; a full batch goes onto the worker's queue (a small ring guarded
 * by a mutex and two condition variables) and an empty one is taken from
 * its free list. A worker that falls behind makes the capture thread wait
 * once all its batches are in use, which bounds memory; on a live
 * interface the kernel buffer absorbs the wait and pcap_stats counts any
 * drop. Pointers inside a copied struct pkt are rebased onto the copy.
 */
#include "worker.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "match.h"
#include "ruleset.h"
#include "yararules.h"
#include "banned.h"

#define BATCH_BYTES (256u * 1024)
#define BATCHES 16
#define REC_ALIGN 8

struct batch {
	size_t used;
	uint8_t buf[BATCH_BYTES];
};

struct rec {
	uint32_t size;      /* whole record, aligned */
	uint32_t datalen;
	bool tick;
	struct pkt p;
	uint8_t data[];
};

struct queue {
	pthread_mutex_t mu;
	pthread_cond_t nonempty, nonfull;
	struct batch *ring[BATCHES + 1];
	unsigned head, tail;      /* ring of full batches, and NULL = stop */
	struct batch *free[BATCHES];
	unsigned nfree;
	pthread_cond_t idle;
	uint64_t pushed, done;    /* batches handed over, batches processed */
};

struct worker {
	unsigned index;
	struct flowtab *flows;
	struct dpi *dpi;
	struct extract *extract;
	struct eve *eve;
	struct timeval now;
	time_t last_expire;
	struct worker_stats st;
	struct worker_detect det;
	struct ruleset *rules;      /* this worker's reference */
	struct match match;
	/* threaded mode */
	bool threaded;
	bool stopping;              /* told to stop, not yet joined */
	pthread_t thread;
	struct queue q;
	struct batch *cur;
};

static void on_flow_end(void *arg, struct flow *f, enum flow_end why)
{
	struct worker *w = arg;

	if (why != FLOW_END_ACTIVE_TIMEOUT) {
		if (dpi_conclude(w->dpi, f))
			extract_dpi_done(w->extract, f, &f->last);
		dpi_release(f);
		extract_flow_end(w->extract, f, &f->last);
		match_flow_risks(&w->match, f);
		match_behave_flow(&w->match, f);
	}
	eve_flow(w->eve, w->dpi, f, why, &w->now);
}

/* A new ruleset: its YARA rules need a scanner of this thread's own. */
static void use_rules(struct worker *w)
{
	yrr_scanner_destroy(w->match.scanner);
	w->match.scanner = NULL;
	w->match.rules = w->rules;
	w->match.scan_timeout_s = w->det.yara_timeout ? w->det.yara_timeout : 5;
	if (w->rules && w->rules->yara)
		w->match.scanner = yrr_scanner_create(w->rules->yara, w->match.scan_timeout_s);
}

struct worker *worker_create(unsigned index, const struct flowtab_config *fc,
			     struct eve *eve, const struct worker_detect *det,
			     struct dpi *dpi, char *err, size_t errlen)
{
	struct worker *w = calloc(1, sizeof(*w));
	struct flowtab_config c = *fc;

	if (!w) {
		dpi_destroy(dpi);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	w->dpi = dpi;
	w->index = index;
	if (det)
		w->det = *det;
	if (w->det.rules)
		ruleset_unref(ruleset_slot_refresh(w->det.rules, &w->rules)); /* was NULL */
	use_rules(w);
	w->match.incidents = w->det.incidents;
	w->match.home = w->det.home;
	w->match.nhome = w->det.nhome;
	w->match.behave = w->det.behave;
	w->eve = eve_clone(eve);
	if (!w->dpi)
		w->dpi = dpi_create(err, errlen);
	if (!w->eve || !w->dpi)
		goto fail;
	w->match.dpi = w->dpi;
	w->extract = extract_create(w->eve, w->dpi, w->det.incidents ? &w->match : NULL);
	c.id_seed ^= (uint64_t)index << 56;
	w->flows = flowtab_create(&c, on_flow_end, w);
	if (!w->extract || !w->flows) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	return w;
fail:
	worker_destroy(w);
	return NULL;
}

void worker_stream_limits(struct worker *w, uint64_t depth, uint64_t memcap)
{
	extract_stream_limits(w->extract, depth, memcap);
}

void worker_destroy(struct worker *w)
{
	if (!w)
		return;
	flowtab_destroy(w->flows);
	extract_destroy(w->extract);
	dpi_destroy(w->dpi);
	eve_close(w->eve);
	yrr_scanner_destroy(w->match.scanner);
	match_release(&w->match);
	ruleset_unref(w->rules);
	if (w->cur)
		free(w->cur);
	for (unsigned i = 0; i < w->q.nfree; i++)
		free(w->q.free[i]);
	free(w);
}

static void count(struct worker *w, const struct pkt *p)
{
	w->st.pkts++;
	if (p->ipver == 4)
		w->st.ipv4++;
	else
		w->st.ipv6++;
	switch (p->proto) {
	case 6: w->st.tcp++; break;
	case 17: w->st.udp++; break;
	case 1: case 58: w->st.icmp++; break;
	default: w->st.other++; break;
	}
	if (p->tunnel)
		w->st.tunnelled++;
}

void worker_tick(struct worker *w, const struct timeval *now)
{
	if (timercmp(now, &w->now, >))
		w->now = *now;
	if (w->now.tv_sec != w->last_expire) {
		w->last_expire = w->now.tv_sec;
		flowtab_expire(w->flows, &w->now);
	}
}

void worker_packet(struct worker *w, const struct pkt *p)
{
	struct flow *f;
	int dir;

	count(w, p);
	worker_tick(w, &p->ts);
	if (w->det.rules) {
		struct ruleset *old = ruleset_slot_refresh(w->det.rules, &w->rules);

		/* new rules: the scanner made from the old ones goes before they can */
		if (old) {
			use_rules(w);
			ruleset_unref(old);
		}
	}
	f = flowtab_packet(w->flows, p, &dir);
	if (!f)
		return;
	if (f->pkts[0] + f->pkts[1] == 1)
		match_flow_start(&w->match, f, &p->ts);
	extract_packet(w->extract, f, p, dir);
	if (!f->dpi.done && dpi_packet(w->dpi, f, p)) {
		extract_dpi_done(w->extract, f, &p->ts);
		dpi_release(f);
	}
}

void worker_flush(struct worker *w)
{
	flowtab_flush(w->flows);
}

/* --- threaded mode --- */

static struct batch *batch_get(struct worker *w)
{
	struct batch *b;

	pthread_mutex_lock(&w->q.mu);
	while (w->q.nfree == 0)
		pthread_cond_wait(&w->q.nonfull, &w->q.mu);
	b = w->q.free[--w->q.nfree];
	pthread_mutex_unlock(&w->q.mu);
	b->used = 0;
	return b;
}

static void batch_put_free(struct worker *w, struct batch *b)
{
	pthread_mutex_lock(&w->q.mu);
	w->q.free[w->q.nfree++] = b;
	pthread_cond_signal(&w->q.nonfull);
	pthread_mutex_unlock(&w->q.mu);
}

/* A processed batch: count it, wake whoever waits for the worker to be
 * idle. */
static void batch_done(struct worker *w, struct batch *b)
{
	pthread_mutex_lock(&w->q.mu);
	w->q.free[w->q.nfree++] = b;
	w->q.done++;
	pthread_cond_signal(&w->q.nonfull);
	pthread_cond_broadcast(&w->q.idle);
	pthread_mutex_unlock(&w->q.mu);
}

void worker_sync(struct worker *w)
{
	if (!w || !w->threaded)
		return;
	worker_push(w);
	pthread_mutex_lock(&w->q.mu);
	while (w->q.done != w->q.pushed)
		pthread_cond_wait(&w->q.idle, &w->q.mu);
	pthread_mutex_unlock(&w->q.mu);
}

static void queue_push(struct worker *w, struct batch *b)
{
	pthread_mutex_lock(&w->q.mu);
	w->q.ring[w->q.tail] = b;
	w->q.tail = (w->q.tail + 1) % (BATCHES + 1);
	w->q.pushed++;
	pthread_cond_signal(&w->q.nonempty);
	pthread_mutex_unlock(&w->q.mu);
}

static struct batch *queue_pop(struct worker *w)
{
	struct batch *b;

	pthread_mutex_lock(&w->q.mu);
	while (w->q.head == w->q.tail)
		pthread_cond_wait(&w->q.nonempty, &w->q.mu);
	b = w->q.ring[w->q.head];
	w->q.head = (w->q.head + 1) % (BATCHES + 1);
	pthread_mutex_unlock(&w->q.mu);
	return b;
}

static void rebase(struct pkt *p, const uint8_t *from, const uint8_t *to)
{
#define REBASE(field) do { if (p->field) p->field = to + (p->field - from); } while (0)
	REBASE(l3);
	REBASE(l4);
	REBASE(payload);
#undef REBASE
	p->data = to;
	p->frag_data = NULL;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct batch *b;

	while ((b = queue_pop(w)) != NULL) {
		size_t off = 0;
		while (off < b->used) {
			struct rec *r = (struct rec *)(void *)(b->buf + off);
			if (r->tick)
				worker_tick(w, &r->p.ts);
			else
				worker_packet(w, &r->p);
			off += r->size;
		}
		batch_done(w, b);
	}
	worker_flush(w);
	return NULL;
}

int worker_start(struct worker *w)
{
	sigset_t all, old;
	char name[16];
	int r;

	pthread_mutex_init(&w->q.mu, NULL);
	pthread_cond_init(&w->q.nonempty, NULL);
	pthread_cond_init(&w->q.nonfull, NULL);
	pthread_cond_init(&w->q.idle, NULL);
	for (unsigned i = 0; i < BATCHES; i++) {
		struct batch *b = malloc(sizeof(*b));
		if (!b)
			return -ENOMEM;
		w->q.free[w->q.nfree++] = b;
	}
	w->cur = batch_get(w);
	/* signals are for the capture thread, whose reads they must break */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	r = pthread_create(&w->thread, NULL, worker_main, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r)
		return -r;
	snprintf(name, sizeof(name), "hd-worker/%u", w->index);
	hd_thread_name(w->thread, name);
	w->threaded = true;
	return 0;
}

static struct rec *rec_alloc(struct worker *w, size_t datalen)
{
	size_t size = (sizeof(struct rec) + datalen + REC_ALIGN - 1) & ~(size_t)(REC_ALIGN - 1);
	struct rec *r;

	if (size > BATCH_BYTES)
		return NULL;
	if (w->cur->used + size > BATCH_BYTES) {
		queue_push(w, w->cur);
		w->cur = batch_get(w);
	}
	r = (struct rec *)(void *)(w->cur->buf + w->cur->used);
	w->cur->used += size;
	r->size = (uint32_t)size;
	r->datalen = (uint32_t)datalen;
	return r;
}

void worker_enqueue(struct worker *w, const struct pkt *p)
{
	/* copy from the start of what the pointers reach: the frame, or the
	 * reassembled datagram */
	const uint8_t *base = p->reassembled ? p->l3 : p->data;
	size_t len = p->reassembled ? p->l3len : p->caplen;
	struct rec *r = rec_alloc(w, len);

	if (!r)
		return;
	r->tick = false;
	r->p = *p;
	memcpy(r->data, base, len);
	rebase(&r->p, base, r->data);
}

void worker_enqueue_tick(struct worker *w, const struct timeval *now)
{
	struct rec *r = rec_alloc(w, 0);

	if (!r)
		return;
	r->tick = true;
	memset(&r->p, 0, sizeof(r->p));
	r->p.ts = *now;
}

void worker_push(struct worker *w)
{
	if (w->threaded && w->cur->used) {
		queue_push(w, w->cur);
		w->cur = batch_get(w);
	}
}

void worker_stop_begin(struct worker *w)
{
	if (!w || !w->threaded || w->stopping)
		return;
	worker_push(w);
	queue_push(w, NULL);
	w->stopping = true;
}

void worker_stop(struct worker *w)
{
	if (!w || !w->threaded)
		return;
	worker_stop_begin(w);
	pthread_join(w->thread, NULL);
	w->stopping = false;
	w->threaded = false;
	batch_put_free(w, w->cur);
	w->cur = NULL;
	pthread_mutex_destroy(&w->q.mu);
	pthread_cond_destroy(&w->q.nonempty);
	pthread_cond_destroy(&w->q.nonfull);
	pthread_cond_destroy(&w->q.idle);
}

void worker_stats_add(const struct worker *w, struct worker_stats *sum)
{
	const struct flowtab_stats *fs = flowtab_stats(w->flows);
	const struct dpi_stats *ds = dpi_stats(w->dpi);
	const struct extract_stats *xs = extract_stats(w->extract);

	sum->pkts += w->st.pkts;
	sum->ipv4 += w->st.ipv4;
	sum->ipv6 += w->st.ipv6;
	sum->tcp += w->st.tcp;
	sum->udp += w->st.udp;
	sum->icmp += w->st.icmp;
	sum->other += w->st.other;
	sum->tunnelled += w->st.tunnelled;
	sum->flow.created += fs->created;
	sum->flow.ended += fs->ended;
	sum->flow.evicted += fs->evicted;
	sum->flow.active_reports += fs->active_reports;
	sum->flow.max_active += fs->max_active;
	sum->flow.active += fs->active;
	sum->flow_limit += flowtab_max_flows(w->flows);
	sum->dpi.packets += ds->packets;
	sum->dpi.detected += ds->detected;
	sum->dpi.guessed += ds->guessed;
	sum->dpi.unknown += ds->unknown;
	sum->app.dns += xs->dns;
	sum->app.dns_malformed += xs->dns_malformed;
	sum->app.http += xs->http;
	sum->app.tls += xs->tls;
	sum->app.ssh += xs->ssh;
	sum->app.quic += xs->quic;
	sum->app.files += xs->files;
	sum->app.decode.decoded += xs->decode.decoded;
	sum->app.decode.bombs += xs->decode.bombs;
	sum->app.decode.errors += xs->decode.errors;
	sum->app.decode.unsupported += xs->decode.unsupported;
	eve_stats_add(w->eve, &sum->eve);
	sum->ioc_hits += w->match.hits;
	sum->allow_suppressed += w->match.suppressed;
	{
		const struct stream_stats *ss = extract_stream_stats(w->extract);
		sum->stream.segments += ss->segments;
		sum->stream.bytes_delivered += ss->bytes_delivered;
		sum->stream.retransmissions += ss->retransmissions;
		sum->stream.overlaps += ss->overlaps;
		sum->stream.out_of_order += ss->out_of_order;
		sum->stream.gaps += ss->gaps;
		sum->stream.gap_bytes += ss->gap_bytes;
		sum->stream.depth_reached += ss->depth_reached;
		sum->stream.memcap_drops += ss->memcap_drops;
		sum->stream.out_of_window += ss->out_of_window;
		sum->stream.overlap_diffs += ss->overlap_diffs;
	}
	sum->yara_scans += w->match.scans;
	sum->yara_bytes += w->match.scan_bytes;
	sum->yara_timeouts += w->match.scan_timeouts;
	sum->yara_known_clean += w->match.scans_known_clean;
}
