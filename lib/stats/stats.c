/*
 * stats.c - the kc_stats handle: the whole, the groups of --by, and the
 * ids seen.
 *
 * The ids are kept as 64-bit FNV-1a hashes in an open-addressing table,
 * 8 bytes a record (90,000 records: 1 MB with the table's slack); two
 * different ids share a hash with odds of about n^2 / 2^65, one in 4
 * billion at 90,000.  It is the only memory that grows with the input.
 */
#include <stdlib.h>
#include <string.h>

#include "core/private.h"
#include "stats/private.h"

#define GROUPS_MAX 64

struct kc_stats {
	int by;
	unsigned long unreadable;
	struct stats_acc all;
	struct stats_acc *groups;
	size_t ngroups, capgroups;
	uint64_t *ids;               /* 0: empty (a hash of 0 becomes 1) */
	size_t nids, capids;
};

static const char *const by_names[] = { "none", "source", "length", "type" };

void kc_stats_opts_init(struct kc_stats_opts *o)
{
	memset(o, 0, sizeof *o);
	o->by = KC_STATS_BY_NONE;
}

kc_status kc_stats_by_parse(const char *name, int *by, struct kc_error *err)
{
	return kc_name_parse(KC_NAMES(by_names), "field", name, by, err);
}

kc_status kc_stats_new(kc_stats **out, const struct kc_stats_opts *o,
                       struct kc_error *err)
{
	kc_stats *s = calloc(1, sizeof *s);

	*out = NULL;
	if (!s)
		return kc_error_nomem(err);
	s->by = o ? o->by : KC_STATS_BY_NONE;
	stats_acc_init(&s->all, "all");
	*out = s;
	return KC_OK;
}

void kc_stats_free(kc_stats *s)
{
	if (!s)
		return;
	stats_acc_release(&s->all);
	for (size_t i = 0; i < s->ngroups; i++)
		stats_acc_release(&s->groups[i]);
	free(s->groups);
	free(s->ids);
	free(s);
}

void kc_stats_unreadable(kc_stats *s)
{
	s->unreadable++;
}

unsigned long kc_stats_records(const kc_stats *s)
{
	return s->all.records;
}

/* An id's slot value: kc_hash64, never 0 (an empty slot). */
static uint64_t id_hash(const char *id)
{
	uint64_t h = kc_hash64(id, strlen(id), 0x6964);

	return h ? h : 1;
}

void stats_put(kc_buf *b, kc_status *st, const char *fmt, ...)
{
	va_list ap;

	if (*st)
		return;
	va_start(ap, fmt);
	*st = kc_buf_vprintf(b, fmt, ap);
	va_end(ap);
}

static int id_slot_insert(uint64_t *tab, size_t cap, uint64_t h)
{
	size_t i = (size_t)(h & (cap - 1));

	while (tab[i] && tab[i] != h)
		i = (i + 1) & (cap - 1);
	if (tab[i])
		return 1;
	tab[i] = h;
	return 0;
}

/* 1 when the id was seen before, 0 when new, -1 when out of memory. */
static int seen(kc_stats *s, const char *id)
{
	if (2 * (s->nids + 1) > s->capids) {
		size_t cap = s->capids ? s->capids * 2 : 1024;
		uint64_t *tab = calloc(cap, sizeof *tab);
		if (!tab)
			return -1;
		for (size_t i = 0; i < s->capids; i++)
			if (s->ids[i])
				id_slot_insert(tab, cap, s->ids[i]);
		free(s->ids);
		s->ids = tab;
		s->capids = cap;
	}
	if (id_slot_insert(s->ids, s->capids, id_hash(id)))
		return 1;
	s->nids++;
	return 0;
}

static const char *group_name(const kc_stats *s, const struct stats_rec *r)
{
	switch (s->by) {
	case KC_STATS_BY_SOURCE: return r->source ? r->source : "-";
	case KC_STATS_BY_LENGTH: return r->length;
	case KC_STATS_BY_TYPE: return r->type ? r->type : "-";
	}
	return NULL;
}

static struct stats_acc *group(kc_stats *s, const char *name)
{
	for (size_t i = 0; i < s->ngroups; i++)
		if (!strcmp(s->groups[i].name, name))
			return &s->groups[i];
	if (s->ngroups >= GROUPS_MAX - 1 && strcmp(name, "other"))
		return group(s, "other");
	if (s->ngroups == s->capgroups) {
		size_t cap = s->capgroups ? s->capgroups * 2 : 4;
		struct stats_acc *g = realloc(s->groups, cap * sizeof *g);
		if (!g)
			return NULL;
		s->groups = g;
		s->capgroups = cap;
	}
	stats_acc_init(&s->groups[s->ngroups], name);
	return &s->groups[s->ngroups++];
}

kc_status kc_stats_add(kc_stats *s, const json_t *rec, struct kc_error *err)
{
	struct stats_rec r;
	struct stats_acc *g = NULL;
	const char *name;
	int dup = 0;

	if (!json_is_object(rec)) {
		s->unreadable++;
		return kc_error_set(err, KC_EFIELD, "not a record (%s)",
		                    kc_json_type_name(rec));
	}
	stats_read_record(&r, rec);
	if (r.id && (dup = seen(s, r.id)) < 0)
		return kc_error_nomem(err);
	if ((name = group_name(s, &r)) && !(g = group(s, name)))
		return kc_error_nomem(err);
	if (stats_acc_add(&s->all, &r, dup) || (g && stats_acc_add(g, &r, dup)))
		return kc_error_nomem(err);
	return KC_OK;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct stats_acc *)a)->name,
	              ((const struct stats_acc *)b)->name);
}

static int by_length(const void *a, const void *b)
{
	return kc_length_label_cmp(((const struct stats_acc *)a)->name,
	                           ((const struct stats_acc *)b)->name);
}

json_t *kc_stats_summary(const kc_stats *s)
{
	json_t *o = json_object(), *groups = NULL;

	if (!o)
		return NULL;
	json_object_set_new(o, "records", json_integer((json_int_t)s->all.records));
	json_object_set_new(o, "unreadable", json_integer((json_int_t)s->unreadable));
	json_object_set_new(o, "by", s->by ? json_string(by_names[s->by])
	                                   : json_null());
	json_object_set_new(o, "all", stats_acc_json(&s->all));
	if (s->by) {
		struct stats_acc *sorted = malloc((s->ngroups + 1) * sizeof *sorted);
		if (!sorted) {
			json_decref(o);
			return NULL;
		}
		if (s->ngroups)
			memcpy(sorted, s->groups, s->ngroups * sizeof *sorted);
		qsort(sorted, s->ngroups, sizeof *sorted,
		      s->by == KC_STATS_BY_LENGTH ? by_length : by_name);
		groups = json_array();
		for (size_t i = 0; i < s->ngroups; i++)
			json_array_append_new(groups, stats_acc_json(&sorted[i]));
		free(sorted);
		json_object_set_new(o, "groups", groups);
	}
	return o;
}
