/*
 * Unit tests of the verifier: prompts written by hand, each breaking one
 * rule, and small records of each kind.  The prompts are literal text,
 * not the output of kc-chain or kc-render, so a bug shared by the
 * pipeline and the verifier cannot hide here.
 */
#include <stdlib.h>
#include "kc.h"
#include "verify/private.h"
#include "harness.h"

static struct kc_verify_result res;
static struct kc_error err;

/* A good prompt: two passages, chain aaaa0001 -> aaaa0002 -> question,
 * a distractor chain bbbb0001 -> bbbb0002 -> "What is X?" (one pair of
 * it right after a newline), a question holding double quotes. */
#define P1 "Passage 1:\nAlpha\nAlpha is a letter. {\"aaaa0001\": \"aaaa0002\"}. " \
           "It is first."
#define P2 "Passage 2:\nBeta\nBeta is second. {\"aaaa0002\": \"Who wrote " \
           "\"The Simpsons\"?\"}. It was 3.5 m tall.\n{\"bbbb0001\": " \
           "\"bbbb0002\"}.New line here! {\"bbbb0002\": \"What is X?\"}."
#define GOOD P1 "\n\n" P2
#define QUESTION "Who wrote \"The Simpsons\"?"

static char *replace(const char *s, const char *from, const char *to)
{
	const char *at = strstr(s, from);
	size_t n = strlen(s) - strlen(from) + strlen(to) + 1;
	char *out = malloc(n);

	if (!at || !out) {
		free(out);
		return NULL;
	}
	snprintf(out, n, "%.*s%s%s", (int)(at - s), s, to, at + strlen(from));
	return out;
}

static void text_init(struct kc_verify_text *in, const char *text)
{
	memset(in, 0, sizeof *in);
	in->text = text;
	in->len = strlen(text);
	in->ctx_end = in->len;
	in->numbered = 1;
	in->head = "aaaa0001";
	in->head_len = 8;
	in->question = QUESTION;
	in->question_len = strlen(QUESTION);
	in->tree = 0;
	in->npassages = -1;
	in->npairs = -1;
}

/* Check `text` with the good prompt's head and question; the reasons. */
static unsigned check_in(const struct kc_verify_text *in)
{
	kc_verify_result_init(&res);
	kc_error_clear(&err);
	if (kc_verify_text(in, &res, &err) != KC_OK)
		return ~0u;
	return res.reasons;
}

static unsigned check(const char *text)
{
	struct kc_verify_text in;

	text_init(&in, text);
	return check_in(&in);
}

/* Check the good prompt with `from` replaced by `to`. */
static unsigned check_edit(const char *from, const char *to)
{
	char *t = replace(GOOD, from, to);
	unsigned r;

	if (!t)
		return ~0u;
	r = check(t);
	free(t);
	return r;
}

#define BIT(r) (1u << (r))
#define SAYS(s) (strstr(err.text, (s)) != NULL)

TEST(good_prompt_passes)
{
	CHECK_EQ_INT(check(GOOD), 0);
	CHECK_EQ_INT(res.problems, 0);
	CHECK_EQ_INT(res.pairs, 4);
	CHECK_EQ_INT(res.passages, 2);
}

TEST(pair_inside_a_number)
{
	CHECK_EQ_INT(check_edit("3.5", "3. {\"cccc0001\": \"cccc0002\"}.5"),
	             BIT(KC_VERIFY_PLACE));
	CHECK(SAYS("inside the number \"3.5\""));
}

TEST(pair_after_abbreviations_and_initials)
{
	CHECK_EQ_INT(check_edit("is a letter.", "is in the U.S."),
	             BIT(KC_VERIFY_PLACE));
	CHECK(SAYS("after the abbreviation \"U.S.\""));
	CHECK_EQ_INT(check_edit("is a letter.", "met Dr."), BIT(KC_VERIFY_PLACE));
	CHECK(SAYS("abbreviation \"Dr.\""));
	CHECK_EQ_INT(check_edit("is a letter.", "is e.g."), BIT(KC_VERIFY_PLACE));
	CHECK_EQ_INT(check_edit("is a letter.", "was by J."),
	             BIT(KC_VERIFY_PLACE));
	CHECK(SAYS("after the initial \"J.\""));
	/* a sentence that ends in a number or a long word is fine */
	CHECK_EQ_INT(check_edit("is a letter.", "was in 1944."), 0);
	CHECK_EQ_INT(check_edit("is a letter.", "is a letter?\""), 0);
	CHECK_EQ_INT(check_edit("is a letter.", "is (a letter.)"), 0);
	CHECK_EQ_INT(check_edit("is a letter.", "is “a letter.”"), 0);
}

TEST(pair_in_a_header)
{
	CHECK_EQ_INT(check_edit("Passage 2:\nBeta\n",
	                        "Passage 2:\nBeta. {\"cccc0001\": \"x\"}.\n"),
	             BIT(KC_VERIFY_PLACE));
	CHECK(SAYS("in the header of passage 2"));
	/* right after the title line, before the first sentence */
	CHECK_EQ_INT(check_edit("Passage 2:\nBeta\n",
	                        "Passage 2:\nBeta\n{\"cccc0001\": \"x\"}."),
	             BIT(KC_VERIFY_PLACE));
	CHECK(SAYS("header"));
}

TEST(pair_not_at_a_sentence_end)
{
	CHECK_EQ_INT(check_edit("a letter. {", "a letter {"), BIT(KC_VERIFY_PLACE));
	CHECK(SAYS("does not follow a sentence end"));
	CHECK_EQ_INT(check_edit("a letter. {", "a letter.  {"),
	             BIT(KC_VERIFY_PLACE));
	CHECK_EQ_INT(check_edit("a letter. {", "a letter.{"),
	             BIT(KC_VERIFY_PLACE));
	CHECK_EQ_INT(check_edit("}. It is first", "}.it is first"),
	             BIT(KC_VERIFY_PLACE));
	CHECK(SAYS("glued"));
	/* a capitalized word glued to a word's period, as 2Wiki writes its
	 * sentences ("film.It"), may follow the pair */
	CHECK_EQ_INT(check_edit("}. It is first", "}.It is first"), 0);
	CHECK_EQ_INT(check_edit("}. It is first", "}. it is first"),
	             BIT(KC_VERIFY_PLACE));
	CHECK(SAYS("lower-case continuation"));
	CHECK_EQ_INT(check_edit("Alpha is a letter.", "Alpha\n{\"cccc0001\": "
	                        "\"cccc0002\"}.is a letter."), 0);
}

TEST(stacked_pairs)
{
	/* a pair ends in '.', so " " + pair after it is at a sentence end */
	CHECK_EQ_INT(check_edit("}. It is first", "}. {\"cccc0001\": \"x\"}. "
	                        "It is first"), 0);
	/* but glued to the previous one it is not */
	CHECK_EQ_INT(check_edit("\"bbbb0002\"}.New", "\"bbbb0002\"}.{\"cccc0001\": "
	                        "\"x\"}.New"), BIT(KC_VERIFY_PLACE));
}

TEST(keys_unique)
{
	CHECK_EQ_INT(check_edit("bbbb0001", "aaaa0001"),
	             BIT(KC_VERIFY_KEY) | BIT(KC_VERIFY_CHAIN));
	CHECK(SAYS("key aaaa0001 is the key of 2 pairs"));
	CHECK_EQ_INT(check_edit("\"bbbb0001\": \"bbbb0002\"",
	                        "\"bbbb0001\": \"aaaa0002\""),
	             BIT(KC_VERIFY_KEY));
	CHECK(SAYS("key aaaa0002 is the value of 2 pairs"));
}

TEST(keys_nowhere_else)
{
	struct kc_verify_text in;
	char *t = replace(GOOD, "It is first.", "It is first (aaaa0002).");
	const char *tpl = "Start at aaaa0001.\n" GOOD;
	size_t at = 9;

	CHECK_EQ_INT(check(t), BIT(KC_VERIFY_KEY));
	CHECK(SAYS("key aaaa0002 occurs outside the pairs"));
	free(t);
	/* inside a longer run of key characters too */
	CHECK_EQ_INT(check_edit("It is first.", "Id deadaaaa0001beef."),
	             BIT(KC_VERIFY_KEY));
	/* the head where the template names it is fine; elsewhere not */
	text_init(&in, tpl);
	in.ctx_start = strlen("Start at aaaa0001.\n");
	CHECK_EQ_INT(check_in(&in), BIT(KC_VERIFY_KEY));
	in.head_at = &at;
	in.nhead_at = 1;
	CHECK_EQ_INT(check_in(&in), 0);
}

TEST(chain_reaches_the_question)
{
	struct kc_verify_text in;
	json_t *real = json_pack("[s,s]", "aaaa0001", "aaaa0002");
	json_t *bad = json_pack("[s,s]", "aaaa0001", "bbbb0002");
	json_t *dis = json_pack("[s]", "What is X?");
	json_t *none = json_array();

	text_init(&in, GOOD);
	in.question = "What is X?";
	in.question_len = 10;
	CHECK_EQ_INT(check_in(&in), BIT(KC_VERIFY_CHAIN));
	CHECK(SAYS("reaches another question: \"Who wrote \"The Simpsons\"?\""));
	text_init(&in, GOOD);
	in.head = "bbbb0003";
	CHECK_EQ_INT(check_in(&in), BIT(KC_VERIFY_CHAIN));
	CHECK(SAYS("head bbbb0003 is not the key of any pair"));
	in.head = "not a key";
	in.head_len = 9;
	CHECK_EQ_INT(check_in(&in), BIT(KC_VERIFY_CHAIN));
	CHECK(SAYS("is not a key"));
	text_init(&in, GOOD);
	in.uuid = "default_9";
	CHECK_EQ_INT(check_in(&in), BIT(KC_VERIFY_CHAIN));
	CHECK(SAYS("not a default_9 key"));

	CHECK_EQ_INT(check_edit("\"aaaa0002\"}", "\"dddd0001\"}"),
	             BIT(KC_VERIFY_CHAIN));
	CHECK(SAYS("reaches no question: it ends at dddd0001"));
	CHECK_EQ_INT(check_edit("{\"aaaa0002\": \"Who", "{\"aaaa0002\": "
	                        "\"aaaa0001\"}. {\"eeee0002\": \"Who"),
	             BIT(KC_VERIFY_CHAIN));
	CHECK(SAYS("loops back to aaaa0001"));

	text_init(&in, GOOD);
	in.real = real;
	in.distractors = dis;
	CHECK_EQ_INT(check_in(&in), 0);
	in.real = bad;
	CHECK_EQ_INT(check_in(&in), BIT(KC_VERIFY_CHAIN));
	CHECK(SAYS("not the record's real chain"));
	in.real = real;
	in.distractors = none;
	CHECK_EQ_INT(check_in(&in), BIT(KC_VERIFY_CHAIN));
	CHECK(SAYS("neither the record's nor a distractor: \"What is X?\""));
	/* the question hidden twice */
	CHECK_EQ_INT(check_edit("\"What is X?\"", "\"" QUESTION "\""),
	             BIT(KC_VERIFY_CHAIN));
	CHECK(SAYS("the question is the value of 2 pairs"));
	json_decref(real);
	json_decref(bad);
	json_decref(dis);
	json_decref(none);
}

TEST(pairs_that_do_not_parse)
{
	CHECK_EQ_INT(check_edit("\"What is X?\"}.", "\"What is X?\"}"),
	             BIT(KC_VERIFY_PAIR));
	CHECK(SAYS("not closed"));
	CHECK_EQ_INT(check_edit("It is first.", "It is first. {\"abc\": \"x\"}."),
	             BIT(KC_VERIFY_PAIR));
	CHECK(SAYS("not of the default_8 form"));
	/* braces in the text that are not pairs are no business of ours */
	CHECK_EQ_INT(check_edit("It is first.", "It is {\"first\": 1}."), 0);
}

/* A tree of two levels: r -> a, b; a -> the question, b -> a fresh key. */
#define TREE "Passage 1:\nT\nOne. {\"00000001\": \"0000000a\"}. Two. " \
             "{\"0000000a\": \"Q?\"}. Three. {\"00000001\": \"0000000b\"}. " \
             "Four. {\"0000000b\": \"0000000f\"}."

TEST(trees)
{
	struct kc_verify_text in;
	char *t;

	text_init(&in, TREE);
	in.head = "00000001";
	in.question = "Q?";
	in.question_len = 2;
	in.tree = 1;
	CHECK_EQ_INT(check_in(&in), 0);
	in.tree = -1;   /* not said: the head's two children make it a tree */
	CHECK_EQ_INT(check_in(&in), 0);
	in.tree = 0;
	CHECK_EQ_INT(check_in(&in), BIT(KC_VERIFY_KEY) | BIT(KC_VERIFY_CHAIN));
	CHECK(SAYS("key 00000001 is the key of 2 pairs"));
	t = replace(TREE, "\"0000000f\"", "\"R?\"");
	in.text = t;
	in.len = in.ctx_end = strlen(t);
	in.tree = 1;
	CHECK_EQ_INT(check_in(&in), BIT(KC_VERIFY_CHAIN));
	CHECK(SAYS("reaches 2 questions"));
	free(t);
	t = replace(TREE, "Four.", "Four. {\"00000001\": \"0000000c\"}.");
	in.text = t;
	in.len = in.ctx_end = strlen(t);
	CHECK_EQ_INT(check_in(&in), BIT(KC_VERIFY_KEY));
	CHECK(SAYS("key 00000001 has 3 children"));
	free(t);
	t = replace(TREE, "{\"00000001\": \"0000000a\"}",
	            "{\"00000001\": \"0000000b\"}");
	in.text = t;
	in.len = in.ctx_end = strlen(t);
	CHECK(check_in(&in) & BIT(KC_VERIFY_KEY));
	CHECK(SAYS("pair {\"00000001\": \"0000000b\"} occurs twice"));
	free(t);
}

TEST(key_forms)
{
	struct kc_verify_text in;
	const char *u = "Passage 1:\nT\nOne. {\"123e4567-e89b-42d3-a456-"
	                "426614174000\": \"Q?\"}. Two.";
	const char *n = "Passage 1:\nT\nOne. {\"Ab_-0123xy\": \"Q?\"}. Two.";

	text_init(&in, u);
	in.head = "123e4567-e89b-42d3-a456-426614174000";
	in.head_len = 36;
	in.question = "Q?";
	in.question_len = 2;
	CHECK_EQ_INT(check_in(&in), 0);
	in.uuid = "default";
	CHECK_EQ_INT(check_in(&in), 0);
	text_init(&in, n);
	in.head = "Ab_-0123xy";
	in.head_len = 10;
	in.question = "Q?";
	in.question_len = 2;
	CHECK_EQ_INT(check_in(&in), 0);
	in.uuid = "nano_10";
	CHECK_EQ_INT(check_in(&in), 0);
	in.uuid = "default_10";
	CHECK_EQ_INT(check_in(&in), BIT(KC_VERIFY_CHAIN));
}

TEST(numbering)
{
	struct kc_verify_text in;

	CHECK_EQ_INT(check_edit("Passage 2:", "Passage 3:"),
	             BIT(KC_VERIFY_NUMBERING));
	CHECK(SAYS("passage 3 follows passage 1"));
	CHECK_EQ_INT(check_edit("Passage 1:", "Passage 0:"),
	             BIT(KC_VERIFY_NUMBERING));
	CHECK(SAYS("start at \"Passage 0:\""));
	/* no first header: no passages, every pair outside them */
	CHECK(check_edit("Passage 1:\n", "Intro\n") & BIT(KC_VERIFY_NUMBERING));
	CHECK(SAYS("does not start with \"Passage 1:\""));
	text_init(&in, GOOD);
	in.npassages = 3;
	CHECK_EQ_INT(check_in(&in), BIT(KC_VERIFY_NUMBERING));
	CHECK(SAYS("render.passages says 3, the prompt has 2"));
}

TEST(pair_count)
{
	struct kc_verify_text in;

	text_init(&in, GOOD);
	in.npairs = 4;
	CHECK_EQ_INT(check_in(&in), 0);
	in.npairs = 5;
	CHECK_EQ_INT(check_in(&in), BIT(KC_VERIFY_PAIR));
	CHECK(SAYS("the prompt has 4 pairs, the record's chain 5"));
}

TEST(passages_are_the_records_in_order)
{
	struct kc_verify_text in;
	json_t *docs = json_pack("[{s:s,s:s}]", "title", "Beta", "text",
	                         "Beta is second. It was 3.5 m tall.\nNew line "
	                         "here!");
	json_t *placed = json_pack("[{s:s,s:s},{s:s,s:s},{s:i}]", "title",
	                           "Alpha", "text", "Alpha is a letter. It is "
	                           "first.", "title", "Dropped", "text", "A "
	                           "filler.", "doc", 0);
	json_t *swapped = json_pack("[O,O,O]", json_array_get(placed, 2),
	                            json_array_get(placed, 1),
	                            json_array_get(placed, 0));

	text_init(&in, GOOD);
	in.docs = docs;
	in.placed = placed;
	CHECK_EQ_INT(check_in(&in), 0);
	in.placed = swapped;
	CHECK_EQ_INT(check_in(&in), BIT(KC_VERIFY_CONTEXT));
	CHECK(SAYS("passage 2 (\"Beta\") is not the record's passage that "
	           "follows"));
	in.placed = placed;
	{
		char *t = replace(GOOD, "It is first", "It is 1st");
		in.text = t;
		in.len = in.ctx_end = strlen(t);
		CHECK_EQ_INT(check_in(&in), BIT(KC_VERIFY_CONTEXT));
		CHECK(SAYS("passage 1 (\"Alpha\") is not"));
		free(t);
	}
	json_decref(docs);
	json_decref(placed);
	json_decref(swapped);
}

TEST(fnv1a64_vector)
{
	/* Computed with Python's own arithmetic (FNV-1a 64, offset basis
	 * 0xcbf29ce484222325, prime 0x100000001b3). */
	CHECK(kc_verify_fnv1a64("", 0, "", 0) == 0xaf63c74c8601c8ddULL);
	CHECK(kc_verify_fnv1a64("Alpha", 5, "Alpha is a letter.", 18) ==
	      0xdabbe61ed321e662ULL);
}

TEST(own_passages)
{
	struct kc_verify_text in;
	char fnv[17];
	json_t *own, *docs, *placed;

	snprintf(fnv, sizeof fnv, "%016llx", (unsigned long long)
	         kc_verify_fnv1a64("Alpha", 5, "Alpha is a letter. It is first.",
	                           31));
	own = json_pack("[{s:i,s:i,s:s,s:s}]", "doc", 0, "passage", 1,
	                "title", "Alpha", "fnv1a64", fnv);
	docs = json_pack("[{s:s,s:s},{s:s,s:s}]", "title", "Alpha", "text",
	                 "Alpha is a letter. It is first.", "title", "Other",
	                 "text", "Not placed.");
	placed = json_pack("[{s:i},{s:s,s:s}]", "doc", 0, "title", "Beta",
	                   "text", "Beta is second. It was 3.5 m tall.\nNew "
	                   "line here!");
	text_init(&in, GOOD);
	in.own = own;
	CHECK_EQ_INT(check_in(&in), 0);
	in.docs = docs;
	in.placed = placed;
	CHECK_EQ_INT(check_in(&in), 0);
	/* docs[1] is neither listed nor placed: fine; listed, it must be
	 * placed */
	in.placed = NULL;
	CHECK_EQ_INT(check_in(&in), BIT(KC_VERIFY_OWN));
	CHECK(SAYS("docs[1] is not in the prompt"));
	in.placed = placed;

	/* one byte changed */
	{
		char *t = replace(GOOD, "a letter", "a lettor");
		in.text = t;
		CHECK_EQ_INT(check_in(&in), BIT(KC_VERIFY_OWN) |
		             BIT(KC_VERIFY_CONTEXT));
		CHECK(SAYS("passage 1 is not docs[0] (\"Alpha\"): they differ at "
		           "byte 15 of the text: \"or. It is first.\""));
		in.docs = NULL;
		CHECK_EQ_INT(check_in(&in), BIT(KC_VERIFY_OWN));
		CHECK(SAYS("own passage 1 (\"Alpha\") was altered"));
		free(t);
	}
	/* gone: its number is another passage, or no passage */
	text_init(&in, P2);
	in.own = own;
	CHECK(check_in(&in) & BIT(KC_VERIFY_OWN));
	json_object_set_new(json_array_get(own, 0), "passage", json_integer(7));
	text_init(&in, GOOD);
	in.own = own;
	CHECK_EQ_INT(check_in(&in), BIT(KC_VERIFY_OWN));
	CHECK(SAYS("the prompt has no passage 7"));
	json_decref(own);
	json_decref(docs);
	json_decref(placed);
}

TEST(bare_context)
{
	struct kc_verify_text in;
	const char *bare = "Passage 1:\nAlpha\nAlpha is a letter. It is first."
	                   "\n\nPassage 2:\nBeta\nBeta is second. It was 3.5 m "
	                   "tall.\nNew line here!";

	text_init(&in, GOOD);
	in.bare = bare;
	in.bare_len = strlen(bare);
	CHECK_EQ_INT(check_in(&in), 0);
	in.bare_len--;
	CHECK_EQ_INT(check_in(&in), BIT(KC_VERIFY_CONTEXT));
}

/* ---- records ---- */

static kc_verifier *verifier(void)
{
	struct kc_verify_opts o;
	kc_verifier *v = NULL;

	kc_verify_opts_init(&o);
	kc_error_clear(&err);
	CHECK(kc_verifier_new(&v, &o, &err) == KC_OK);
	return v;
}

static kc_status verify_json(kc_verifier *v, const char *text)
{
	json_error_t je;
	json_t *rec = json_loads(text, 0, &je);
	kc_status st;

	if (!rec) {
		printf("#   bad test JSON: %s\n", je.text);
		return KC_EJSON;
	}
	kc_error_clear(&err);
	st = kc_verify(v, rec, &res, &err);
	json_decref(rec);
	return st;
}

TEST(chained_record)
{
	kc_verifier *v = verifier();
	/* "at" 18 is after "Alpha is a letter.", 9 inside "3.5" */
	const char *good =
	        "{\"id\":\"x1\",\"question\":\"Q?\",\"docs\":[{\"title\":\"Alpha\","
	        "\"text\":\"Alpha is a letter. It is first.\"}],"
	        "\"passages\":[{\"doc\":0},{\"title\":\"Beta\",\"text\":\"It was 3.5 m."
	        "\\nNew.\"}],\"chain\":{\"head\":\"aaaa0001\",\"question\":\"Q?\","
	        "\"real\":[\"aaaa0001\",\"aaaa0002\"],\"tree\":false,\"uuid\":"
	        "\"default_8\",\"distractors\":[],\"pairs\":["
	        "{\"key\":\"aaaa0001\",\"value\":\"aaaa0002\",\"passage\":0,\"at\":18},"
	        "{\"key\":\"aaaa0002\",\"value\":\"Q?\",\"passage\":1,\"at\":%s}]}}";
	char buf[1024];

	snprintf(buf, sizeof buf, good, "14");
	CHECK(verify_json(v, buf) == KC_OK);
	CHECK_EQ_STR(res.format, "chained");
	CHECK_EQ_STR(res.id, "x1");
	CHECK_EQ_INT(res.tokens, -1);
	CHECK_EQ_INT(res.pairs, 2);
	snprintf(buf, sizeof buf, good, "9");
	CHECK(verify_json(v, buf) == KC_EVERIFY);
	CHECK(SAYS("inside the number"));
	snprintf(buf, sizeof buf, good, "99");
	CHECK(verify_json(v, buf) == KC_EVERIFY);
	CHECK_EQ_INT(res.reasons, BIT(KC_VERIFY_RECORD));
	CHECK(verify_json(v, "{\"id\":\"y\",\"question\":\"Q\"}") == KC_EVERIFY);
	CHECK(SAYS("not a rendered or chained record"));
	kc_verifier_free(v);
}

/* A text record around GOOD with the keychain-rl preset, its render
 * counted with the default tokenizer. */
static json_t *text_record(kc_verifier *v, long budget_less)
{
	const char *tpl = kc_preset("keychain-rl");
	const char *at = strstr(tpl, "{context}"), *h = strstr(tpl, "{chain_head}");
	char prompt[4096];
	kc_tokenizer *tok;
	size_t n = 0, before = 0, after = 0;

	(void)v;
	if (!at || !h)
		return NULL;
	snprintf(prompt, sizeof prompt, "%.*s%s%.*s%s%s", (int)(at - tpl), tpl,
	         GOOD, (int)(h - at - 9), at + 9, "aaaa0001", h + 12);
	if (kc_tokenizer_open(&tok, NULL, &err))
		return NULL;
	kc_tokenizer_count(tok, prompt, strlen(prompt), &n, &err);
	if (kc_tokenizer_chat_overhead(tok, &before, &after, &err))
		before = after = 0;
	kc_tokenizer_free(tok);
	return json_pack("{s:s,s:s,s:[s],s:s,s:{s:s,s:s,s:[s,s],s:b},"
	                 "s:{s:I,s:I,s:s,s:I,s:I}}",
	                 "id", "t1", "question", QUESTION, "answers", "Matt",
	                 "prompt", prompt, "chain", "head", "aaaa0001",
	                 "uuid", "default_8", "real", "aaaa0001", "aaaa0002",
	                 "tree", 0, "render", "tokens",
	                 (json_int_t)(n + before + after), "budget",
	                 (json_int_t)(n + before + after - budget_less), "preset",
	                 "keychain-rl", "chat_tokens", (json_int_t)(before + after),
	                 "passages", (json_int_t)2);
}

TEST(text_record)
{
	kc_verifier *v = verifier();
	json_t *rec = text_record(v, 0);
	char *s;

	CHECK(rec != NULL);
	if (!rec)
		return;
	s = json_dumps(rec, 0);
	CHECK(verify_json(v, s) == KC_OK);
	CHECK_EQ_STR(res.format, "text");
	CHECK(res.tokens > 0 && res.tokens == res.budget);
	free(s);
	json_decref(rec);

	rec = text_record(v, 1);
	s = json_dumps(rec, 0);
	CHECK(verify_json(v, s) == KC_EVERIFY);
	CHECK_EQ_INT(res.reasons, BIT(KC_VERIFY_TOKENS));
	CHECK(SAYS("over the budget of"));
	free(s);

	/* a claim that is not the count */
	json_object_set_new(json_object_get(rec, "render"), "budget",
	                    json_integer(100000));
	json_object_set_new(json_object_get(rec, "render"), "tokens",
	                    json_integer(7));
	s = json_dumps(rec, 0);
	CHECK(verify_json(v, s) == KC_EVERIFY);
	CHECK_EQ_INT(res.reasons, BIT(KC_VERIFY_TOKENS));
	CHECK(SAYS("the render says 7"));
	free(s);

	/* the wrapper changed: the context cannot be found */
	json_object_set_new(rec, "prompt", json_string("Please read. " GOOD));
	s = json_dumps(rec, 0);
	CHECK(verify_json(v, s) == KC_EVERIFY);
	CHECK(res.reasons & BIT(KC_VERIFY_TEMPLATE));
	CHECK(SAYS("not the keychain-rl preset filled in"));
	free(s);

	/* a custom template cannot be told apart from its context */
	json_object_set_new(json_object_get(rec, "render"), "preset",
	                    json_string("custom"));
	s = json_dumps(rec, 0);
	CHECK(verify_json(v, s) == KC_EVERIFY);
	CHECK(SAYS("template \"custom\""));
	free(s);
	json_decref(rec);
	kc_verifier_free(v);
}

TEST(swift_record_without_question)
{
	kc_verifier *v = verifier();
	json_t *rec = text_record(v, 0), *row;
	char *s;

	if (!rec) {
		CHECK(rec != NULL);
		return;
	}
	row = json_pack("{s:[{s:s,s:O}],s:[s],s:s,s:O}", "messages", "role",
	                "user", "content", json_object_get(rec, "prompt"),
	                "answers", "Matt", "id", "t1", "kc",
	                json_object_get(rec, "render"));
	s = json_dumps(row, 0);
	CHECK(verify_json(v, s) == KC_OK);
	CHECK_EQ_STR(res.format, "swift");
	CHECK_EQ_INT(res.question_checked, 0);
	free(s);
	json_decref(row);
	json_decref(rec);
	kc_verifier_free(v);
}

int main(void)
{
	RUN(good_prompt_passes);
	RUN(pair_inside_a_number);
	RUN(pair_after_abbreviations_and_initials);
	RUN(pair_in_a_header);
	RUN(pair_not_at_a_sentence_end);
	RUN(stacked_pairs);
	RUN(keys_unique);
	RUN(keys_nowhere_else);
	RUN(chain_reaches_the_question);
	RUN(pairs_that_do_not_parse);
	RUN(trees);
	RUN(key_forms);
	RUN(numbering);
	RUN(pair_count);
	RUN(passages_are_the_records_in_order);
	RUN(fnv1a64_vector);
	RUN(own_passages);
	RUN(bare_context);
	RUN(chained_record);
	RUN(text_record);
	RUN(swift_record_without_question);
	return DONE();
}
