/*
 * ask.c - the kc-ask engine: many requests in flight from one thread,
 *         records out in input order, memory bounded.
 *
 * Three pieces move records along:
 *
 *   reader thread ──queue (16)──▶ window (ring of 2 × concurrency slots)
 *                                   │  each slot: one record, its body
 *                                   │  prefix and its parts (requests)
 *                                   ▼
 *                         libcurl multi: ≤ concurrency requests
 *                                   │
 *               retries ◀───────────┤ (wait list, then ready list)
 *                                   ▼
 *                 head of the window ──▶ emit, in input order
 *
 * The reader thread only reads and parses lines (kc_reader), so a slow
 * producer upstream never stalls transfers in flight, and parsing large
 * records overlaps with the network work on a second core.  It blocks
 * when the queue is full; the main thread takes from the queue only when
 * the window has room; so at most 2 × concurrency + 16 records are held.
 * It wakes the main thread with curl_multi_wakeup().
 *
 * The main thread owns everything else: the window, the parts, the curl
 * handles.  A record's n answers may need several requests (parts,
 * --n-per-request); a record is complete when every part is done, or
 * when one part failed for good (the others are then cancelled).  Slots
 * at the head of the window are emitted as soon as they are complete;
 * an incomplete head holds back the records behind it (the price of
 * input order), which is why the window is twice the concurrency.
 *
 * Which request starts next: retries that are due first, oldest record
 * first (they hold the head), then fresh parts in input order.  A curl
 * easy handle (a "conn") is kept per request in flight and reused, and
 * the multi handle keeps the connections alive between requests.
 */
#include <curl/curl.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "kc.h"
#include "ask/private.h"

#define QCAP 16
#define TICK_MS 200
#define SPLIT_CAP 64   /* parts a record may be split into on the way */

enum { IT_REC, IT_BAD, IT_FATAL, IT_END };

struct item {
	int kind;
	json_t *rec;
	const char *source;
	long line;
	struct kc_error err;
};

enum { P_FRESH, P_READY, P_WAIT, P_FLIGHT, P_DONE };

struct slot;

/* One request of a record (all of it when n is not split). */
struct part {
	struct slot *slot;
	int index, n, state, attempts;
	long seed;                  /* -1: none sent */
	int64_t due;                /* P_WAIT: when to retry (ms) */
	json_t *responses, *finish; /* this part's answers, once done */
	json_t *usage;              /* the server's usage for it, or NULL */
	struct part *prev, *next;   /* ready or wait list */
};

enum { S_FREE, S_RECORD, S_REPORT };

struct slot {
	int kind;
	unsigned long seq;
	json_t *rec;
	const char *source;
	long line;
	kc_buf prefix;              /* the body without its closing brace */
	const char *key;            /* for seeds and jitter */
	size_t keylen;
	char keybuf[32];
	int nparts, left;           /* parts not yet done */
	int cap;                    /* parts allocated (room to split) */
	struct part *parts;
	int failed;
	struct kc_error err;        /* S_REPORT, or why it failed */
	long status;                /* HTTP status of the last attempt */
	int attempts;
};

/* A curl easy handle with its buffers: one request in flight. */
struct conn {
	kc_ask *a;
	CURL *easy;
	struct part *part;
	kc_buf body, resp;
	long retry_after_ms;        /* Retry-After, or -1 */
	long retry_after_ms2;       /* retry-after-ms, or -1 */
	int too_big;
	char errbuf[CURL_ERROR_SIZE];
	struct conn *next_free;
};

struct kc_ask {
	struct kc_ask_opts o;
	char *endpoint;
	struct curl_slist *headers;
	CURLM *multi;
	struct conn *conns, *free_conns;
	int nparts;

	struct slot *ring;
	unsigned long wsize, head, tail, cursor;
	int cursor_part;
	struct part *ready, *ready_tail, *wait;

	pthread_t thread;
	int thread_started;
	pthread_mutex_t mu;
	pthread_cond_t not_full;
	struct item q[QCAP];
	unsigned qhead, qlen;
	unsigned qlen_seen;         /* qlen at the last intake (main's copy) */
	int reader_waits;           /* the reader sleeps on not_full */
	int stop;
	char **files;
	int nfiles;

	int reached;                /* the server has answered, once */
	struct kc_error dead;       /* why it seems unreachable */
	int dead_attempts;
	int input_done;
	kc_status input_status;
	struct kc_error input_err;
	struct kc_ask_stats st;
	int ran;
};

static int64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

void kc_ask_opts_init(struct kc_ask_opts *o)
{
	memset(o, 0, sizeof *o);
	o->n = 1;
	o->temperature = NAN;
	o->top_p = NAN;
	o->concurrency = 32;
	o->timeout_ms = 600000;
	o->connect_timeout_ms = 30000;
	o->retries = 5;
	o->backoff_ms = 1000;
	o->unreachable = 3;
}

/* ------------------------------------------------------------------ */
/* curl callbacks */

static size_t on_body(char *p, size_t size, size_t nmemb, void *data)
{
	struct conn *c = data;
	size_t n = size * nmemb;

	if (c->resp.len + n > c->a->o.max_response) {
		c->too_big = 1;
		return 0;   /* aborts the transfer with CURLE_WRITE_ERROR */
	}
	return kc_buf_append(&c->resp, p, n) ? 0 : n;
}

static size_t on_header(char *p, size_t size, size_t nmemb, void *data)
{
	struct conn *c = data;
	size_t n = size * nmemb, vlen;
	char val[128];

	/* A new status line starts a new response (after a 100 Continue,
	 * say): forget what an earlier one said. */
	if (n >= 5 && !strncmp(p, "HTTP/", 5)) {
		c->retry_after_ms = c->retry_after_ms2 = -1;
		return n;
	}
	if (n > 15 && !strncasecmp(p, "retry-after-ms:", 15)) {
		/* OpenAI's millisecond variant. */
		char *end;
		long ms;

		vlen = n - 15 < sizeof val - 1 ? n - 15 : sizeof val - 1;
		memcpy(val, p + 15, vlen);
		val[vlen] = '\0';
		errno = 0;
		ms = strtol(val, &end, 10);
		while (*end == ' ' || *end == '\r' || *end == '\n')
			end++;
		if (!errno && end != val && !*end && ms >= 0)
			c->retry_after_ms2 = ms < KC_ASK_RETRY_AFTER_MAX_MS
			                     ? ms : KC_ASK_RETRY_AFTER_MAX_MS;
	} else if (n > 12 && !strncasecmp(p, "retry-after:", 12)) {
		vlen = n - 12 < sizeof val - 1 ? n - 12 : sizeof val - 1;
		memcpy(val, p + 12, vlen);
		val[vlen] = '\0';
		c->retry_after_ms = kc_ask_retry_after(val, time(NULL));
	}
	return n;
}

/* ------------------------------------------------------------------ */
/* Setting up and tearing down */

static kc_status conn_init(kc_ask *a, struct conn *c, struct kc_error *err)
{
	CURL *e = curl_easy_init();
	const struct kc_ask_opts *o = &a->o;

	c->a = a;
	c->retry_after_ms = c->retry_after_ms2 = -1;
	kc_buf_init(&c->body, 0);
	kc_buf_init(&c->resp, o->max_response + 1);
	if (!e)
		return kc_error_set(err, KC_ENET, "cannot create a curl handle");
	c->easy = e;
	curl_easy_setopt(e, CURLOPT_URL, a->endpoint);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, a->headers);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "kc-ask/" KC_VERSION);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, c);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, c);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, c->errbuf);
	curl_easy_setopt(e, CURLOPT_PRIVATE, c);
	if (o->timeout_ms > 0)
		curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, o->timeout_ms);
	if (o->connect_timeout_ms > 0)
		curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
		                 o->connect_timeout_ms);
	return KC_OK;
}

kc_status kc_ask_new(kc_ask **out, const struct kc_ask_opts *opts,
                     struct kc_error *err)
{
	kc_ask *a;
	kc_buf b;
	const char *u = opts->url;
	size_t ulen;
	int bad = 0;

	*out = NULL;
	if (!u || (strncmp(u, "http://", 7) && strncmp(u, "https://", 8)))
		return kc_error_set(err, KC_EINVAL,
		                    "the URL must start with http:// or https://");
	if (opts->n < 1 || opts->concurrency < 1 || opts->retries < 0 ||
	    opts->n_per_request < 0 || opts->backoff_ms < 0)
		return kc_error_set(err, KC_EINVAL, "invalid options");
	if (curl_global_init(CURL_GLOBAL_DEFAULT))
		return kc_error_set(err, KC_ENET, "cannot initialize libcurl");
	a = calloc(1, sizeof *a);
	if (!a)
		return kc_error_set(err, KC_ENOMEM, "out of memory");
	a->o = *opts;
	if (!a->o.max_response)
		a->o.max_response = KC_ASK_MAX_RESPONSE;
	a->nparts = kc_ask_parts(&a->o);
	pthread_mutex_init(&a->mu, NULL);
	pthread_cond_init(&a->not_full, NULL);

	/* The endpoint: {url}/chat/completions, unless the URL names it. */
	ulen = strlen(u);
	while (ulen > 8 && u[ulen - 1] == '/')
		ulen--;
	kc_buf_init(&b, 0);
	if (ulen >= 17 && !strncmp(u + ulen - 17, "/chat/completions", 17))
		bad |= kc_buf_append(&b, u, ulen) != KC_OK;
	else
		bad |= kc_buf_printf(&b, "%.*s/chat/completions", (int)ulen,
		                     u) != KC_OK;
	a->endpoint = b.data;

	/* "Expect:" off: curl would otherwise wait for a 100 Continue
	 * before sending a large body, a second lost per long prompt. */
	static const char *const hdrs[] = {
		"Content-Type: application/json", "Accept: application/json",
		"Expect:",
	};
	for (size_t i = 0; i < sizeof hdrs / sizeof *hdrs && !bad; i++) {
		struct curl_slist *l = curl_slist_append(a->headers, hdrs[i]);
		bad |= !l;
		if (l)
			a->headers = l;
	}
	if (!bad && opts->api_key && *opts->api_key) {
		kc_buf h;
		struct curl_slist *l = NULL;

		kc_buf_init(&h, 0);
		if (kc_buf_printf(&h, "Authorization: Bearer %s",
		                  opts->api_key) == KC_OK)
			l = curl_slist_append(a->headers, h.data);
		if (h.data)
			memset(h.data, 0, h.len);
		kc_buf_release(&h);
		bad |= !l;
		if (l)
			a->headers = l;
	}
	a->wsize = 2 * (unsigned long)opts->concurrency;
	a->ring = calloc(a->wsize, sizeof *a->ring);
	a->conns = calloc((size_t)opts->concurrency, sizeof *a->conns);
	a->multi = curl_multi_init();
	if (bad || !a->endpoint || !a->ring || !a->conns || !a->multi) {
		kc_ask_free(a);
		return kc_error_set(err, KC_ENOMEM, "out of memory");
	}
	curl_multi_setopt(a->multi, CURLMOPT_MAXCONNECTS,
	                  (long)opts->concurrency);
	for (int i = 0; i < opts->concurrency; i++) {
		kc_status st = conn_init(a, &a->conns[i], err);

		if (st) {
			kc_ask_free(a);
			return st;
		}
		a->conns[i].next_free = a->free_conns;
		a->free_conns = &a->conns[i];
	}
	*out = a;
	return KC_OK;
}

static void slot_release(struct slot *s)
{
	if (s->parts) {
		for (int i = 0; i < s->nparts; i++) {
			json_decref(s->parts[i].responses);
			json_decref(s->parts[i].finish);
			json_decref(s->parts[i].usage);
		}
		free(s->parts);
	}
	json_decref(s->rec);
	kc_buf_release(&s->prefix);
	memset(s, 0, sizeof *s);
}

void kc_ask_free(kc_ask *a)
{
	if (!a)
		return;
	if (a->conns) {
		for (int i = 0; i < a->o.concurrency; i++) {
			struct conn *c = &a->conns[i];

			if (c->easy) {
				if (c->part && a->multi)
					curl_multi_remove_handle(a->multi,
					                         c->easy);
				curl_easy_cleanup(c->easy);
			}
			kc_buf_release(&c->body);
			kc_buf_release(&c->resp);
		}
		free(a->conns);
	}
	if (a->multi)
		curl_multi_cleanup(a->multi);
	if (a->ring) {
		for (unsigned long i = 0; i < a->wsize; i++)
			slot_release(&a->ring[i]);
		free(a->ring);
	}
	for (unsigned i = 0; i < a->qlen; i++)
		json_decref(a->q[(a->qhead + i) % QCAP].rec);
	curl_slist_free_all(a->headers);
	free(a->endpoint);
	pthread_mutex_destroy(&a->mu);
	pthread_cond_destroy(&a->not_full);
	free(a);
}

void kc_ask_get_stats(const kc_ask *a, struct kc_ask_stats *st)
{
	*st = a->st;
}

/* ------------------------------------------------------------------ */
/* The reader thread */

/* Hand one item to the main thread; 0 when the run is being stopped.
 * The main thread is woken only when the queue was empty: otherwise it
 * has items still to take and will look again. */
static int push(kc_ask *a, struct item *it)
{
	int was_empty;

	pthread_mutex_lock(&a->mu);
	while (a->qlen == QCAP && !a->stop) {
		a->reader_waits = 1;
		pthread_cond_wait(&a->not_full, &a->mu);
	}
	if (a->stop) {
		pthread_mutex_unlock(&a->mu);
		return 0;
	}
	a->q[(a->qhead + a->qlen) % QCAP] = *it;
	was_empty = a->qlen++ == 0;
	pthread_mutex_unlock(&a->mu);
	if (was_empty)
		curl_multi_wakeup(a->multi);
	return 1;
}

static void *reader_main(void *arg)
{
	static char *dash[] = { "-" };
	kc_ask *a = arg;
	char **files = a->nfiles ? a->files : dash;
	int n = a->nfiles ? a->nfiles : 1;
	struct item it;

	for (int i = 0; i < n; i++) {
		kc_reader *r;
		kc_status st;

		memset(&it, 0, sizeof it);
		if (kc_reader_open(&r, files[i], 0, &it.err)) {
			it.kind = it.err.status == KC_ENOMEM ? IT_FATAL : IT_BAD;
			it.err.source = files[i];
			if (!push(a, &it) || it.kind == IT_FATAL)
				return NULL;
			continue;
		}
		for (;;) {
			memset(&it, 0, sizeof it);
			st = kc_reader_next(r, &it.rec, &it.err);
			if (st == KC_EOF)
				break;
			it.err.source = files[i];
			if (st == KC_EIO || st == KC_ENOMEM) {
				it.kind = IT_FATAL;
			} else if (st) {
				it.kind = IT_BAD;
			} else {
				it.kind = IT_REC;
				it.source = files[i];
				it.line = kc_reader_lineno(r);
			}
			if (!push(a, &it)) {
				json_decref(it.rec);
				kc_reader_free(r);
				return NULL;
			}
			if (it.kind == IT_FATAL) {
				kc_reader_free(r);
				return NULL;
			}
		}
		kc_reader_free(r);
	}
	memset(&it, 0, sizeof it);
	it.kind = IT_END;
	push(a, &it);
	return NULL;
}

/* ------------------------------------------------------------------ */
/* The window */

static struct slot *slot_at(kc_ask *a, unsigned long seq)
{
	return &a->ring[seq % a->wsize];
}

/* Add a part of n answers to the slot (which has room for it). */
static struct part *new_part(kc_ask *a, struct slot *s, int n)
{
	struct part *p = &s->parts[s->nparts];

	p->slot = s;
	p->index = s->nparts;
	p->n = n;
	p->seed = a->o.has_seed ? kc_ask_seed(a->o.seed, s->key, s->keylen,
	                                      p->index) : -1;
	p->responses = json_array();
	p->finish = json_array();
	s->nparts++;
	s->left++;
	if (!p->responses || !p->finish)
		return NULL;
	return p;
}

/* Put a new record (or a problem to report) at the tail of the window. */
static void admit(kc_ask *a, struct item *it)
{
	struct slot *s;
	const char *key;
	size_t keylen;
	char buf[32];

	a->st.read++;
	if (it->kind == IT_REC && a->o.skip &&
	    !kc_ask_record_key(it->rec, buf, sizeof buf, &key, &keylen) &&
	    kc_idset_has(a->o.skip, key, keylen)) {
		a->st.skipped++;
		json_decref(it->rec);
		return;
	}
	s = slot_at(a, a->tail);
	memset(s, 0, sizeof *s);
	s->seq = a->tail++;
	s->source = it->err.source ? it->err.source : it->source;
	s->line = it->kind == IT_REC ? it->line : it->err.line;
	kc_buf_init(&s->prefix, 0);
	if (it->kind != IT_REC) {
		s->kind = S_REPORT;
		s->err = it->err;
		a->st.bad++;
		return;
	}
	s->kind = S_RECORD;
	s->rec = it->rec;
	kc_error_clear(&s->err);
	if (kc_ask_body(&a->o, s->rec, &s->prefix, &s->err))
		goto bad;
	if (!kc_ask_record_key(s->rec, s->keybuf, sizeof s->keybuf, &key,
	                       &keylen)) {
		s->key = key;
		s->keylen = keylen;
	} else {
		/* No id: the prompt itself keys the seed, which is just as
		 * independent of the record's position. */
		s->key = s->prefix.data;
		s->keylen = s->prefix.len;
	}
	/* Room for the parts of a smaller n per request, should the
	 * server turn out to cap n (split_part). */
	s->cap = a->o.n < SPLIT_CAP ? a->o.n : SPLIT_CAP;
	if (s->cap < a->nparts)
		s->cap = a->nparts;
	s->parts = calloc((size_t)s->cap, sizeof *s->parts);
	if (!s->parts) {
		kc_error_set(&s->err, KC_ENOMEM, "out of memory");
		goto bad;
	}
	for (int i = 0; i < a->nparts; i++)
		if (!new_part(a, s, kc_ask_part_n(&a->o, i))) {
			kc_error_set(&s->err, KC_ENOMEM, "out of memory");
			goto bad;
		}
	return;
bad:
	{
		struct kc_error e = s->err;

		e.source = it->source;
		e.line = it->line;
		slot_release(s);
		s->kind = S_REPORT;
		s->seq = a->tail - 1;
		s->err = e;
		a->st.bad++;
	}
}

/* Move records from the queue into the window while it has room. */
static void intake(kc_ask *a)
{
	struct item got[QCAP];
	unsigned n = 0;
	unsigned long room = a->wsize - (a->tail - a->head);

	if (a->input_done || !room)
		return;
	pthread_mutex_lock(&a->mu);
	while (a->qlen && n < room) {
		got[n++] = a->q[a->qhead];
		a->qhead = (a->qhead + 1) % QCAP;
		a->qlen--;
	}
	a->qlen_seen = a->qlen;
	if (n && a->reader_waits) {
		a->reader_waits = 0;
		pthread_cond_signal(&a->not_full);
	}
	pthread_mutex_unlock(&a->mu);
	for (unsigned i = 0; i < n; i++) {
		if (got[i].kind == IT_END || got[i].kind == IT_FATAL) {
			a->input_done = 1;
			if (got[i].kind == IT_FATAL) {
				a->input_status = got[i].err.status;
				a->input_err = got[i].err;
			}
			continue;
		}
		admit(a, &got[i]);
	}
}

/* ------------------------------------------------------------------ */
/* Lists of parts waiting to (re)start */

static void unlink_part(struct part **head, struct part **tail,
                        struct part *p)
{
	if (p->prev)
		p->prev->next = p->next;
	else
		*head = p->next;
	if (p->next)
		p->next->prev = p->prev;
	else if (tail)
		*tail = p->prev;
	p->prev = p->next = NULL;
}

/* The ready list is kept in (record, part) order: the oldest record's
 * retry goes first, since the head of the window waits for it. */
static void make_ready(kc_ask *a, struct part *p)
{
	struct part *q = a->ready_tail;

	while (q && (q->slot->seq > p->slot->seq ||
	             (q->slot->seq == p->slot->seq && q->index > p->index)))
		q = q->prev;
	p->prev = q;
	p->next = q ? q->next : a->ready;
	if (p->next)
		p->next->prev = p;
	else
		a->ready_tail = p;
	if (q)
		q->next = p;
	else
		a->ready = p;
	p->state = P_READY;
}

/* Move the retries that are due to the ready list; return the time the
 * next one is due, or -1. */
static int64_t promote_due(kc_ask *a, int64_t now)
{
	int64_t next = -1;
	struct part *p = a->wait, *nx;

	for (; p; p = nx) {
		nx = p->next;
		if (p->due <= now) {
			unlink_part(&a->wait, NULL, p);
			make_ready(a, p);
		} else if (next < 0 || p->due < next) {
			next = p->due;
		}
	}
	return next;
}

static struct part *next_fresh(kc_ask *a)
{
	if (a->cursor < a->head) {
		a->cursor = a->head;
		a->cursor_part = 0;
	}
	while (a->cursor < a->tail) {
		struct slot *s = slot_at(a, a->cursor);

		if (s->kind == S_RECORD && !s->failed) {
			while (a->cursor_part < s->nparts) {
				struct part *p = &s->parts[a->cursor_part++];

				if (p->state == P_FRESH)
					return p;
			}
		}
		a->cursor++;
		a->cursor_part = 0;
	}
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Requests */

static kc_status start(kc_ask *a, struct conn *c, struct part *p)
{
	struct slot *s = p->slot;
	kc_status st;

	c->body.len = 0;
	st = kc_buf_append(&c->body, s->prefix.data, s->prefix.len);
	if (!st && p->n > 1)
		st = kc_buf_printf(&c->body, ",\"n\":%d", p->n);
	if (!st && p->seed >= 0)
		st = kc_buf_printf(&c->body, ",\"seed\":%ld", p->seed);
	if (!st)
		st = kc_buf_append(&c->body, "}", 1);
	if (st)
		return st;
	c->resp.len = 0;
	c->retry_after_ms = c->retry_after_ms2 = -1;
	c->too_big = 0;
	c->errbuf[0] = '\0';
	c->part = p;
	curl_easy_setopt(c->easy, CURLOPT_POSTFIELDS, c->body.data);
	curl_easy_setopt(c->easy, CURLOPT_POSTFIELDSIZE_LARGE,
	                 (curl_off_t)c->body.len);
	if (curl_multi_add_handle(a->multi, c->easy) != CURLM_OK) {
		c->part = NULL;
		return KC_ENET;
	}
	p->state = P_FLIGHT;
	p->attempts++;
	a->st.requests++;
	if (p->attempts > 1)
		a->st.retries++;
	if (++a->st.in_flight > a->st.peak_in_flight)
		a->st.peak_in_flight = a->st.in_flight;
	return KC_OK;
}

static void part_done(struct part *p)
{
	p->state = P_DONE;
	p->slot->left--;
}

/* Give up on a record: keep why, cancel its parts not in flight. */
static void fail_slot(kc_ask *a, struct slot *s, const struct kc_error *e,
                      long status, int attempts)
{
	s->failed = 1;
	s->err = *e;
	s->status = status;
	s->attempts = attempts;
	for (int i = 0; i < s->nparts; i++) {
		struct part *q = &s->parts[i];

		if (q->state == P_READY)
			unlink_part(&a->ready, &a->ready_tail, q);
		else if (q->state == P_WAIT)
			unlink_part(&a->wait, NULL, q);
		if (q->state != P_FLIGHT && q->state != P_DONE)
			part_done(q);
	}
}

/* Fill `e` with what went wrong at the transport level; 1 when worth
 * another attempt. */
static int transport_error(struct conn *c, CURLcode rc, struct kc_error *e)
{
	long oserr = 0;
	const char *detail = c->errbuf[0] ? c->errbuf : curl_easy_strerror(rc);

	switch (rc) {
	case CURLE_COULDNT_CONNECT:
		curl_easy_getinfo(c->easy, CURLINFO_OS_ERRNO, &oserr);
		kc_error_set(e, KC_ENET, "cannot connect: %s (%s)",
		             oserr ? strerror((int)oserr) : "failed", detail);
		return 1;
	case CURLE_COULDNT_RESOLVE_HOST:
		kc_error_set(e, KC_ENET, "cannot resolve the host: %s", detail);
		return 1;
	case CURLE_OPERATION_TIMEDOUT:
		kc_error_set(e, KC_ENET, "timed out: %s", detail);
		return 1;
	case CURLE_GOT_NOTHING:
		kc_error_set(e, KC_ENET, "the server closed the connection "
		             "without a response");
		return 1;
	case CURLE_PARTIAL_FILE:
		kc_error_set(e, KC_ENET, "truncated response: %s", detail);
		return 1;
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_WEIRD_SERVER_REPLY:
	case CURLE_BAD_CONTENT_ENCODING:
		kc_error_set(e, KC_ENET, "connection failed: %s", detail);
		return 1;
	case CURLE_WRITE_ERROR:
		if (c->too_big) {
			kc_error_set(e, KC_ETOOLONG, "response larger than %zu "
			             "bytes", c->a->o.max_response);
			return 0;
		}
		/* fall through */
	default:
		kc_error_set(e, KC_ENET, "%s", detail);
		return 0;
	}
}

/* Cut part p down to k answers, the rest into new parts of at most k,
 * ready to start.  -1 when the record has no room for them. */
static int split_part(kc_ask *a, struct part *p, int k)
{
	struct slot *s = p->slot;
	int extra = p->n - k;

	if (s->nparts + (extra + k - 1) / k > s->cap)
		return -1;
	p->n = k;
	for (; extra > 0; extra -= k) {
		struct part *q = new_part(a, s, extra < k ? extra : k);

		if (!q)
			return -1;
		make_ready(a, q);
	}
	return 0;
}

/*
 * The server refused n above k (llama.cpp's server: n at most its number
 * of slots).  From now on ask at most k answers per request: for the
 * records to come, and for the parts of those in the window that have
 * not gone out yet.  Parts in flight that asked for more come back with
 * the same refusal and are split then.
 */
static void limit_n(kc_ask *a, int k)
{
	if (a->st.n_limit && a->st.n_limit <= k)
		return;
	a->st.n_limit = k;
	a->o.n_per_request = k;
	a->nparts = kc_ask_parts(&a->o);
	for (unsigned long q = a->head; q < a->tail; q++) {
		struct slot *s = slot_at(a, q);
		int n = s->nparts;

		if (s->kind != S_RECORD || s->failed)
			continue;
		for (int i = 0; i < n; i++) {
			struct part *p = &s->parts[i];

			if ((p->state == P_FRESH || p->state == P_READY ||
			     p->state == P_WAIT) && p->n > k)
				split_part(a, p, k);
		}
	}
}

/* A request that never reached the server: refused, no such host, or
 * timed out before the connection was made. */
static int unreached(struct conn *c, CURLcode rc)
{
	curl_off_t connected = 0;

	if (rc == CURLE_OPERATION_TIMEDOUT)
		return curl_easy_getinfo(c->easy, CURLINFO_CONNECT_TIME_T,
		                         &connected) == CURLE_OK &&
		       connected == 0;
	return rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ||
	       rc == CURLE_COULDNT_RESOLVE_PROXY;
}

/* A request ended: record its answers, or schedule a retry, or fail. */
static void finish(kc_ask *a, struct conn *c, CURLcode rc)
{
	struct part *p = c->part;
	struct slot *s = p->slot;
	struct kc_error e;
	long status = 0;
	int retry;

	c->part = NULL;
	a->st.in_flight--;
	if (s->failed) {            /* cancelled while in flight */
		part_done(p);
		return;
	}
	kc_error_clear(&e);
	if (rc != CURLE_OK) {
		retry = transport_error(c, rc, &e);
		/* A server never reached: stop the run early, before every
		 * record has spent its retries on it. */
		if (!a->reached && a->o.unreachable > 0 && !a->dead.status &&
		    (p->attempts >= a->o.unreachable ||
		     p->attempts > a->o.retries) && unreached(c, rc)) {
			a->dead = e;
			a->dead_attempts = p->attempts;
		}
	} else {
		curl_easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE, &status);
		a->reached = 1;
		if (status >= 200 && status < 300) {
			kc_status st;

			json_decref(p->usage);
			p->usage = NULL;
			st = kc_ask_parse_response(
				c->resp.data ? c->resp.data : "", c->resp.len,
				p->n, p->responses, p->finish, &p->usage, &e);
			if (!st) {
				part_done(p);
				return;
			}
			/* A body that is not JSON was cut or garbled on
			 * the way: worth another try.  A well-formed one
			 * that says the wrong thing is not. */
			retry = st == KC_EJSON;
		} else {
			char text[300];

			int k;

			kc_ask_error_text(c->resp.data ? c->resp.data : "",
			                  c->resp.len, text, sizeof text);
			k = kc_ask_n_limit(status, text);
			if (k > 0 && k < p->n) {
				limit_n(a, k);
				if (!split_part(a, p, k)) {
					/* Not a failed attempt: ask again,
					 * for fewer. */
					p->attempts--;
					make_ready(a, p);
					return;
				}
			}
			kc_error_set(&e, KC_ESERVER, "HTTP %ld: %s%s", status,
			             text, !a->o.model && status >= 400 &&
			             status < 500 && strstr(text, "model")
			             ? " (no --model was given: this server "
			               "needs one)" : "");
			retry = kc_ask_status_retryable(status);
		}
	}
	kc_ask_redact(e.text, sizeof e.text, a->o.api_key);
	if (retry && p->attempts <= a->o.retries) {
		kc_rng r;
		long delay, ra;

		kc_rng_seed(&r, a->o.seed ^ ((uint64_t)p->index << 32) ^
		                (uint64_t)p->attempts, s->key, s->keylen,
		            "ask-backoff");
		delay = kc_ask_backoff(a->o.backoff_ms, p->attempts, &r);
		/* The server's word is a floor: never come back sooner. */
		ra = c->retry_after_ms2 >= 0 ? c->retry_after_ms2
		                             : c->retry_after_ms;
		if (ra > delay)
			delay = ra;
		p->due = now_ms() + delay;
		p->state = P_WAIT;
		p->prev = NULL;
		p->next = a->wait;
		if (a->wait)
			a->wait->prev = p;
		a->wait = p;
		return;
	}
	part_done(p);
	fail_slot(a, s, &e, status, p->attempts);
}

/* Start what can start: due retries first, then fresh parts. */
static void start_ready(kc_ask *a)
{
	while (a->free_conns) {
		struct part *p = a->ready;
		struct conn *c = a->free_conns;

		if (p)
			unlink_part(&a->ready, &a->ready_tail, p);
		else if (!(p = next_fresh(a)))
			break;
		a->free_conns = c->next_free;
		if (start(a, c, p)) {
			struct kc_error e;

			kc_error_set(&e, KC_ENOMEM, "cannot start a request");
			c->next_free = a->free_conns;
			a->free_conns = c;
			part_done(p);
			fail_slot(a, p->slot, &e, 0, p->attempts);
		}
	}
}

static int reap(kc_ask *a)
{
	CURLMsg *m;
	int left, n = 0;

	while ((m = curl_multi_info_read(a->multi, &left))) {
		CURL *e = m->easy_handle;
		CURLcode rc = m->data.result;
		struct conn *c = NULL;

		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&c);
		curl_multi_remove_handle(a->multi, e);
		finish(a, c, rc);
		c->next_free = a->free_conns;
		a->free_conns = c;
		n++;
	}
	return n;
}

/* ------------------------------------------------------------------ */
/* Output */

/* The counts of `resp`'s answers with the tokenizer, or NULL. */
static json_t *count_answers(kc_tokenizer *tok, const json_t *resp)
{
	json_t *counts = json_array(), *r;
	size_t i;

	json_array_foreach(resp, i, r) {
		size_t n;

		if (!counts || kc_tokenizer_count(tok, json_string_value(r),
		                                  json_string_length(r), &n,
		                                  NULL) ||
		    json_array_append_new(counts, json_integer((json_int_t)n))) {
			json_decref(counts);
			return NULL;
		}
	}
	return counts;
}

static kc_status set_answers(kc_ask *a, struct slot *s)
{
	json_t *rec = s->rec, *resp, *fin, *sum = NULL, *each;
	int bad = 0, have_usage = 0;

	resp = json_array();
	fin = json_array();
	each = json_array();
	for (int i = 0; resp && fin && each && i < s->nparts; i++) {
		struct part *p = &s->parts[i];

		if (json_array_extend(resp, p->responses) ||
		    json_array_extend(fin, p->finish) ||
		    json_array_append(each, p->usage ? p->usage
		                                     : json_null())) {
			bad = 1;
			break;
		}
		if (p->usage) {
			have_usage = 1;
			if (!sum && !(sum = json_object()))
				bad = 1;
			else if (kc_ask_usage_add(sum, p->usage))
				bad = 1;
		}
	}
	json_object_del(rec, "ask_error");
	bad |= json_object_set_new(rec, "responses", resp);
	bad |= json_object_set_new(rec, "finish_reasons", fin);
	if (have_usage) {
		bad |= json_object_set_new(rec, "usage", sum);
		bad |= json_object_set_new(rec, "request_usage", each);
	} else {
		json_decref(sum);
		json_decref(each);
		json_object_del(rec, "usage");
		json_object_del(rec, "request_usage");
	}
	if (a->o.tokenizer && !bad)
		bad |= json_object_set_new(rec, "response_tokens",
		                           count_answers(a->o.tokenizer, resp));
	return bad ? KC_ENOMEM : KC_OK;
}

static kc_status set_error(struct slot *s)
{
	json_t *rec = s->rec;
	json_t *e = json_pack("{s:s,s:o,s:i}", "message", s->err.text,
	                      "status", s->status ? json_integer(s->status)
	                                          : json_null(),
	                      "attempts", s->attempts);

	json_object_del(rec, "responses");
	json_object_del(rec, "finish_reasons");
	json_object_del(rec, "usage");
	json_object_del(rec, "request_usage");
	json_object_del(rec, "response_tokens");
	return !e || json_object_set_new(rec, "ask_error", e) ? KC_ENOMEM
	                                                      : KC_OK;
}

/* Emit the complete slots at the head of the window; the number emitted,
 * or -1 when the emit hook asked to stop. */
static int emit_head(kc_ask *a, const struct kc_ask_hooks *h, void *ctx)
{
	int n = 0;

	while (a->head < a->tail) {
		struct slot *s = slot_at(a, a->head);
		int stop = 0;

		if (s->kind == S_RECORD && s->left > 0)
			break;
		if (s->kind == S_REPORT) {
			if (h->report)
				h->report(&s->err, ctx);
		} else {
			kc_status st = KC_OK;

			if (s->failed) {
				struct kc_error r = s->err;

				r.source = s->source;
				r.line = s->line;
				snprintf(r.text, sizeof r.text, "no answer after "
				         "%d attempt%s: %.450s", s->attempts,
				         s->attempts == 1 ? "" : "s", s->err.text);
				if (h->report)
					h->report(&r, ctx);
				st = set_error(s);
				a->st.failed++;
			} else {
				st = set_answers(a, s);
				a->st.answered++;
			}
			a->st.written++;
			if (st) {
				struct kc_error r;

				kc_error_set(&r, st, "out of memory");
				r.source = s->source;
				r.line = s->line;
				if (h->report)
					h->report(&r, ctx);
			}
			stop = h->emit && h->emit(s->rec, ctx);
		}
		slot_release(s);
		a->head++;
		n++;
		if (stop)
			return -1;
		if (a->o.max_failures && a->st.failed >= a->o.max_failures)
			return -2;
	}
	return n;
}

/* ------------------------------------------------------------------ */
/* The loop */

static void stop_reader(kc_ask *a)
{
	if (!a->thread_started)
		return;
	pthread_mutex_lock(&a->mu);
	a->stop = 1;
	pthread_cond_broadcast(&a->not_full);
	pthread_mutex_unlock(&a->mu);
	pthread_join(a->thread, NULL);
	a->thread_started = 0;
}

kc_status kc_ask_run(kc_ask *a, char **files, int nfiles,
                     const struct kc_ask_hooks *h, void *ctx,
                     struct kc_error *err)
{
	int64_t last_tick = 0;
	kc_status result = KC_OK;

	if (a->ran)
		return kc_error_set(err, KC_EINVAL, "kc_ask_run called twice");
	a->ran = 1;
	a->files = files;
	a->nfiles = nfiles;
	if (pthread_create(&a->thread, NULL, reader_main, a))
		return kc_error_set(err, KC_ENOMEM, "cannot start a thread");
	a->thread_started = 1;
	for (;;) {
		int running, done, emitted;
		int64_t now, next;
		long timeout = TICK_MS;

		intake(a);
		next = promote_due(a, now_ms());
		start_ready(a);
		curl_multi_perform(a->multi, &running);
		done = reap(a);
		if (a->dead.status) {
			result = kc_error_set(err, KC_ENET, "%s: no answer from "
			                      "the server yet, %d attempt%s of one "
			                      "request failed (%s); is it running? "
			                      "(--unreachable)", a->endpoint,
			                      a->dead_attempts,
			                      a->dead_attempts == 1 ? "" : "s",
			                      a->dead.text);
			break;
		}
		emitted = emit_head(a, h, ctx);
		if (emitted == -2) {
			result = kc_error_set(err, KC_ESERVER, "%lu records "
			                      "failed: giving up", a->st.failed);
			break;
		}
		if (emitted < 0) {
			result = kc_error_set(err, KC_EINVAL, "stopped");
			break;
		}
		a->st.held = (unsigned)(a->tail - a->head + a->qlen_seen);
		now = now_ms();
		if (emitted || now - last_tick >= TICK_MS) {
			last_tick = now;
			if (h->tick && h->tick(&a->st, ctx)) {
				result = kc_error_set(err, KC_EINVAL, "stopped");
				break;
			}
		}
		if (a->input_done && a->head == a->tail)
			break;
		if (done || emitted)
			continue;   /* free handles or window room: use them */
		if (next >= 0)
			timeout = next - now < 0 ? 0
			          : next - now < TICK_MS ? (long)(next - now)
			                                 : TICK_MS;
		curl_multi_poll(a->multi, NULL, 0, (int)timeout, NULL);
	}
	stop_reader(a);
	if (!result && a->input_status) {
		if (err)
			*err = a->input_err;
		result = a->input_status;
	}
	return result;
}
