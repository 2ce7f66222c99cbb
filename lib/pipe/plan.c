/*
 * plan.c - the budget plan that kc-fill writes and the later steps read.
 *
 * The reference fills the context first and adds chains afterwards, so
 * its prompts overshoot by a third.  Here kc-fill decides every
 * parameter that costs tokens (chains, hops, UUID form, distractors,
 * prompt preset, chat template) and stores them as rec["plan"]; kc-chain
 * and kc-render use them unless told otherwise, so what was reserved is
 * what gets spent.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kc.h"
#include "pipe/private.h"

void kc_plan_defaults(struct kc_plan *plan, long length)
{
	long k = length / 1024 > 0 ? length / 1024 : 1;

	memset(plan, 0, sizeof *plan);
	plan->length = length;
	plan->generate = 128;
	plan->chains = 4 * k;
	plan->hops = 4;
	plan->distractors = 16 * k;
	plan->uuid.kind = KC_UUID_HEX;
	plan->uuid.len = 8;
	plan->seed = 42;
	snprintf(plan->preset, sizeof plan->preset, "keychain-rl");
	snprintf(plan->chat, sizeof plan->chat, "auto");
}

void kc_plan_opts_init(struct kc_plan_opts *o)
{
	memset(o, 0, sizeof *o);
	o->generate = o->chains = o->hops = o->distractors = -1;
	o->decoys = o->near_miss = -1;
	o->tree = -1;
}

long kc_plan_budget(const struct kc_plan *plan)
{
	return plan->length - plan->generate;
}

/* Lay the options that are set over the plan. */
static void apply_opts(struct kc_plan *plan, const struct kc_plan_opts *o)
{
	if (o->generate >= 0)
		plan->generate = o->generate;
	if (o->chains >= 0)
		plan->chains = o->chains;
	if (o->hops > 0)
		plan->hops = o->hops;
	if (o->distractors >= 0)
		plan->distractors = o->distractors;
	if (o->tree >= 0)
		plan->tree = o->tree;
	if (o->decoys >= 0)
		plan->decoys = o->decoys;
	if (o->near_miss >= 0)
		plan->near_miss = o->near_miss;
	if (o->uuid.len > 0)
		plan->uuid = o->uuid;
	if (o->preset)
		snprintf(plan->preset, sizeof plan->preset, "%s", o->preset);
	if (o->chat)
		snprintf(plan->chat, sizeof plan->chat, "%s", o->chat);
	if (o->seed_set)
		plan->seed = o->seed;
}

kc_status kc_plan_resolve(struct kc_plan *plan, const json_t *rec,
                          const struct kc_plan_opts *o, struct kc_error *err)
{
	json_t *jp = rec ? json_object_get(rec, "plan") : NULL;
	long length = o->length > 0 ? o->length : 0;
	kc_status st;

	if (jp && json_is_integer(json_object_get(jp, "length")))
		length = (long)json_integer_value(json_object_get(jp, "length"));
	kc_plan_defaults(plan, length);
	if (rec && (st = kc_plan_load(plan, rec, err)))
		return st;
	apply_opts(plan, o);
	if (plan->tree && plan->hops > 16)
		return kc_error_set(err, KC_EINVAL, "a tree of %ld levels is too "
		                    "large (16 at most)", plan->hops);
	if (plan->decoys && (plan->tree || plan->hops < 2))
		return kc_error_set(err, KC_EINVAL, "decoys branch off a chain "
		                    "of 2 hops or more, not a tree");
	if (plan->length > 0 && plan->generate >= plan->length)
		return kc_error_set(err, KC_EINVAL, "generate %ld leaves nothing "
		                    "of length %ld", plan->generate, plan->length);
	return KC_OK;
}

kc_status kc_uuid_format_parse(const char *s, struct kc_uuid_format *fmt)
{
	char *end;
	long n;

	if (!strcmp(s, "default")) {
		fmt->kind = KC_UUID_DEFAULT;
		fmt->len = 36;
		return KC_OK;
	}
	if (!strcmp(s, "nano")) {
		fmt->kind = KC_UUID_NANO;
		fmt->len = 21;
		return KC_OK;
	}
	if (!strncmp(s, "default_", 8)) {
		n = strtol(s + 8, &end, 10);
		if (end == s + 8 || *end || n < 1 || n > 32)
			return KC_EINVAL;
		fmt->kind = KC_UUID_HEX;
		fmt->len = (int)n;
		return KC_OK;
	}
	if (!strncmp(s, "nano_", 5)) {
		n = strtol(s + 5, &end, 10);
		if (end == s + 5 || *end || n < 1 || n > 64)
			return KC_EINVAL;
		fmt->kind = KC_UUID_NANO;
		fmt->len = (int)n;
		return KC_OK;
	}
	return KC_EINVAL;
}

void kc_uuid_format_name(const struct kc_uuid_format *fmt, char *buf,
                         size_t size)
{
	if (fmt->kind == KC_UUID_DEFAULT)
		snprintf(buf, size, "default");
	else
		snprintf(buf, size, "%s_%d",
		         fmt->kind == KC_UUID_HEX ? "default" : "nano", fmt->len);
}

kc_status kc_plan_store(const struct kc_plan *plan, json_t *rec)
{
	char uuid[32];
	json_t *o;

	kc_uuid_format_name(&plan->uuid, uuid, sizeof uuid);
	o = json_pack("{s:I,s:I,s:I,s:I,s:I,s:b,s:I,s:I,s:s,s:s,s:s,s:I}",
	              "length", (json_int_t)plan->length,
	              "generate", (json_int_t)plan->generate,
	              "chains", (json_int_t)plan->chains,
	              "hops", (json_int_t)plan->hops,
	              "distractors", (json_int_t)plan->distractors,
	              "tree", plan->tree,
	              "decoys", (json_int_t)plan->decoys,
	              "near_miss", (json_int_t)plan->near_miss,
	              "uuid", uuid,
	              "preset", plan->preset,
	              "chat", plan->chat,
	              "seed", (json_int_t)plan->seed);
	if (!o || json_object_set_new(rec, "plan", o))
		return KC_ENOMEM;
	return KC_OK;
}

static kc_status get_long(json_t *o, const char *key, long min, long *out,
                          struct kc_error *err)
{
	json_t *v = json_object_get(o, key);

	if (!v)
		return KC_OK;
	if (!json_is_integer(v) || json_integer_value(v) < min)
		return kc_error_set(err, KC_EFIELD,
		                    "\"plan\".\"%s\" is not an integer >= %ld",
		                    key, min);
	*out = (long)json_integer_value(v);
	return KC_OK;
}

static kc_status get_name(json_t *o, const char *key, char *out, size_t size,
                          struct kc_error *err)
{
	json_t *v = json_object_get(o, key);

	if (!v)
		return KC_OK;
	if (!json_is_string(v) || json_string_length(v) >= size)
		return kc_error_set(err, KC_EFIELD,
		                    "\"plan\".\"%s\" is not a short string", key);
	memcpy(out, json_string_value(v), json_string_length(v) + 1);
	return KC_OK;
}

kc_status kc_plan_load(struct kc_plan *plan, const json_t *rec,
                       struct kc_error *err)
{
	json_t *o = json_object_get(rec, "plan"), *v;
	kc_status st;
	long seed = -1;

	if (!o)
		return KC_OK;
	if (!json_is_object(o))
		return kc_error_set(err, KC_EFIELD, "\"plan\" is not an object");
	if ((st = get_long(o, "length", 1, &plan->length, err)) ||
	    (st = get_long(o, "generate", 0, &plan->generate, err)) ||
	    (st = get_long(o, "chains", 0, &plan->chains, err)) ||
	    (st = get_long(o, "hops", 1, &plan->hops, err)) ||
	    (st = get_long(o, "distractors", 0, &plan->distractors, err)) ||
	    (st = get_long(o, "decoys", 0, &plan->decoys, err)) ||
	    (st = get_long(o, "near_miss", 0, &plan->near_miss, err)) ||
	    (st = get_long(o, "seed", 0, &seed, err)) ||
	    (st = get_name(o, "preset", plan->preset, sizeof plan->preset, err)) ||
	    (st = get_name(o, "chat", plan->chat, sizeof plan->chat, err)))
		return st;
	if (seed >= 0)
		plan->seed = (uint64_t)seed;
	if ((v = json_object_get(o, "tree")))
		plan->tree = json_is_true(v);
	if ((v = json_object_get(o, "uuid")) &&
	    (!json_is_string(v) ||
	     kc_uuid_format_parse(json_string_value(v), &plan->uuid)))
		return kc_error_set(err, KC_EFIELD,
		                    "\"plan\".\"uuid\" is not a UUID format");
	return KC_OK;
}

kc_status kc_chat_tokens(kc_tokenizer *tok, const char *chat, size_t *n,
                         const char **name, struct kc_error *err)
{
	size_t before = 0, after = 0;
	const char *t = chat;
	char *end;
	long v;
	kc_status st;

	*n = 0;
	*name = "none";
	if (!strcmp(chat, "none"))
		return KC_OK;
	v = strtol(chat, &end, 10);
	if (end != chat && !*end) {
		if (v < 0)
			return kc_error_set(err, KC_EINVAL, "negative chat tokens");
		*n = (size_t)v;
		*name = "stated";
		return KC_OK;
	}
	if (!strcmp(chat, "auto")) {
		t = kc_tokenizer_chat_default(tok);
		if (!t)
			return KC_OK;
		if (!strcmp(t, "chatml"))
			t = "qwen2.5";
		else if (!strcmp(t, "llama3"))
			t = "llama3.1";
	}
	st = kc_tokenizer_chat_overhead_for(tok, t, &before, &after, err);
	if (st)
		return st;
	*n = before + after;
	*name = t;
	return KC_OK;
}
