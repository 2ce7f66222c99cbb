/* Unit tests of kc-ask's pure parts: bodies, responses, usage, retries,
 * Retry-After, redaction, the id set and the resume file. */
#include <math.h>
#include <stdlib.h>
#include <unistd.h>
#include "kc.h"
#include "ask/private.h"
#include "harness.h"

static json_t *J(const char *text)
{
	json_t *v = json_loads(text, JSON_DECODE_ANY, NULL);

	if (!v)
		printf("#   bad test JSON: %s\n", text);
	return v;
}

/* The body a record gets, closed, parsed back. */
static json_t *body_of(const struct kc_ask_opts *o, const char *rec,
                       kc_status *st, struct kc_error *err)
{
	kc_buf b;
	json_t *r = J(rec), *v = NULL;

	kc_buf_init(&b, 0);
	*st = kc_ask_body(o, r, &b, err);
	if (!*st) {
		kc_buf_append(&b, "}", 1);
		v = J(b.data);
	}
	kc_buf_release(&b);
	json_decref(r);
	return v;
}

TEST(body_from_prompt_and_options)
{
	struct kc_ask_opts o;
	struct kc_error err;
	kc_status st;
	json_t *b, *want;

	kc_ask_opts_init(&o);
	b = body_of(&o, "{\"id\":\"a\",\"prompt\":\"hi\"}", &st, &err);
	CHECK(st == KC_OK);
	want = J("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
	CHECK(json_equal(b, want));
	json_decref(b);
	json_decref(want);

	o.model = "m";
	o.temperature = 0.5;
	o.top_p = 0.25;
	o.max_tokens = 10;
	o.extra = J("{\"top_k\":5,\"temperature\":1.0}");
	b = body_of(&o, "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],"
	            "\"prompt\":\"ignored\"}", &st, &err);
	want = J("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":"
	         "\"x\"}],\"temperature\":1.0,\"top_p\":0.25,\"max_tokens\":10,"
	         "\"top_k\":5}");
	CHECK(st == KC_OK);
	CHECK(json_equal(b, want));
	json_decref(b);
	json_decref(want);
	json_decref((json_t *)o.extra);
}

TEST(body_errors)
{
	struct kc_ask_opts o;
	struct kc_error err;
	kc_status st;

	kc_ask_opts_init(&o);
	CHECK(!body_of(&o, "{\"id\":1}", &st, &err));
	CHECK(st == KC_EFIELD);
	CHECK_EQ_STR(err.text, "missing \"messages\" or \"prompt\"");
	CHECK(!body_of(&o, "{\"prompt\":3}", &st, &err));
	CHECK_EQ_STR(err.text, "\"prompt\" is not a string");
	CHECK(!body_of(&o, "{\"messages\":[]}", &st, &err));
	CHECK_EQ_STR(err.text, "\"messages\" is empty");
	CHECK(!body_of(&o, "{\"messages\":[{\"role\":\"user\"},3]}", &st, &err));
	CHECK_EQ_STR(err.text, "\"messages\"[1] is not an object");
	CHECK(!body_of(&o, "[1]", &st, &err));
	CHECK_EQ_STR(err.text, "record is not an object");
}

TEST(parts_split_n)
{
	struct kc_ask_opts o;

	kc_ask_opts_init(&o);
	o.n = 8;
	CHECK_EQ_INT(kc_ask_parts(&o), 1);
	CHECK_EQ_INT(kc_ask_part_n(&o, 0), 8);
	o.n_per_request = 3;
	CHECK_EQ_INT(kc_ask_parts(&o), 3);
	CHECK_EQ_INT(kc_ask_part_n(&o, 0), 3);
	CHECK_EQ_INT(kc_ask_part_n(&o, 2), 2);
	o.n_per_request = 1;
	CHECK_EQ_INT(kc_ask_parts(&o), 8);
	o.n_per_request = 20;
	CHECK_EQ_INT(kc_ask_parts(&o), 1);
	CHECK_EQ_INT(kc_ask_part_n(&o, 0), 8);
}

TEST(seed_depends_on_seed_key_part)
{
	long a = kc_ask_seed(1, "id1", 3, 0);

	CHECK(a == kc_ask_seed(1, "id1", 3, 0));
	CHECK(a != kc_ask_seed(2, "id1", 3, 0));
	CHECK(a != kc_ask_seed(1, "id2", 3, 0));
	CHECK(a != kc_ask_seed(1, "id1", 3, 1));
	CHECK(a >= 0 && a < 2147483648L);
}

static const char resp3[] =
	"{\"choices\":[{\"index\":2,\"message\":{\"content\":\"c\"},"
	"\"finish_reason\":\"length\"},{\"index\":0,\"message\":{\"content\":"
	"\"a\"},\"finish_reason\":\"stop\"},{\"index\":1,\"message\":"
	"{\"content\":null}}],\"usage\":{\"prompt_tokens\":5,"
	"\"completion_tokens\":7,\"details\":{\"x\":1},\"note\":\"n\"}}";

TEST(parse_response_orders_choices)
{
	json_t *r = json_array(), *f = json_array(), *u = NULL, *want;
	struct kc_error err;

	CHECK(kc_ask_parse_response(resp3, sizeof resp3 - 1, 3, r, f, &u,
	                            &err) == KC_OK);
	want = J("[\"a\",\"\",\"c\"]");
	CHECK(json_equal(r, want));
	json_decref(want);
	want = J("[\"stop\",null,\"length\"]");
	CHECK(json_equal(f, want));
	json_decref(want);
	/* a second request: usage is summed */
	CHECK(kc_ask_parse_response(resp3, sizeof resp3 - 1, 3, r, f, &u,
	                            &err) == KC_OK);
	CHECK_EQ_INT(json_array_size(r), 6);
	want = J("{\"prompt_tokens\":10,\"completion_tokens\":14,"
	         "\"details\":{\"x\":2},\"note\":\"n\"}");
	CHECK(json_equal(u, want));
	json_decref(want);
	json_decref(r);
	json_decref(f);
	json_decref(u);
}

static kc_status parse(const char *body, int want, struct kc_error *err)
{
	json_t *r = json_array(), *f = json_array(), *u = NULL;
	kc_status st = kc_ask_parse_response(body, strlen(body), want, r, f,
	                                     &u, err);

	/* nothing is added by a response that is refused */
	if (st && (json_array_size(r) || json_array_size(f) || u))
		st = KC_ESTATUS_MAX;
	json_decref(r);
	json_decref(f);
	json_decref(u);
	return st;
}

TEST(parse_response_errors)
{
	struct kc_error err;

	CHECK(parse("{\"choices\":[{\"message\"", 1, &err) == KC_EJSON);
	CHECK(parse("", 1, &err) == KC_EJSON);
	CHECK(parse("[]", 1, &err) == KC_EJSON);
	CHECK(parse("{\"object\":\"x\"}", 1, &err) == KC_EJSON);
	CHECK(parse("{\"error\":{\"message\":\"boom\"}}", 1, &err) == KC_ESERVER);
	CHECK_EQ_STR(err.text, "server error: boom");
	CHECK(parse(resp3, 4, &err) == KC_ESERVER);
	CHECK_EQ_STR(err.text, "server returned 3 choices for n=4 (does it cap "
	             "n? see --n-per-request)");
	CHECK(parse("{\"choices\":[{\"index\":0,\"message\":{\"content\":\"a\"}},"
	            "{\"index\":0,\"message\":{\"content\":\"b\"}}]}", 2, &err)
	      == KC_ESERVER);
	CHECK(parse("{\"choices\":[{\"index\":0}]}", 1, &err) == KC_EJSON);
	CHECK(parse("{\"choices\":[{\"index\":0,\"message\":{\"content\":3}}]}",
	            1, &err) == KC_EJSON);
	/* no index at all: array order */
	CHECK(parse("{\"choices\":[{\"message\":{\"content\":\"a\"}}]}", 1,
	            &err) == KC_OK);
}

TEST(error_text)
{
	char buf[64];
	const char *b;

	b = "{\"error\":{\"message\":\"model not found\",\"code\":404}}";
	kc_ask_error_text(b, strlen(b), buf, sizeof buf);
	CHECK_EQ_STR(buf, "model not found");
	b = "{\"object\":\"error\",\"message\":\"vllm says\"}";
	kc_ask_error_text(b, strlen(b), buf, sizeof buf);
	CHECK_EQ_STR(buf, "vllm says");
	b = "{\"detail\":\"Not Found\"}";
	kc_ask_error_text(b, strlen(b), buf, sizeof buf);
	CHECK_EQ_STR(buf, "Not Found");
	b = "<html>\n<b>Bad Gateway</b>\n</html>\n";
	kc_ask_error_text(b, strlen(b), buf, sizeof buf);
	CHECK_EQ_STR(buf, "<html> <b>Bad Gateway</b> </html>");
	kc_ask_error_text("", 0, buf, sizeof buf);
	CHECK_EQ_STR(buf, "(empty body)");
	b = "\xc3\xa9\xc3\xa9\xc3\xa9";   /* never cut inside a character */
	kc_ask_error_text(b, strlen(b), buf, 6);
	CHECK_EQ_STR(buf, "\xc3\xa9\xc3\xa9");
}

TEST(n_limit_from_the_refusal)
{
	/* llama.cpp's server (tools/server), as it answers n=8 with 4 slots */
	CHECK(kc_ask_n_limit(400, "Field 'n': Value must be between 1 <= "
	                     "value <= 4, but got 8") == 4);
	/* OpenAI's words for its own bound */
	CHECK(kc_ask_n_limit(400, "Invalid 'n': integer above maximum value. "
	                     "Expected a value <= 128, but got 200 "
	                     "instead.") == 128);
	CHECK(kc_ask_n_limit(400, "\"n\" must be <= 16") == 16);
	/* not a 400, not about n, no bound */
	CHECK(kc_ask_n_limit(500, "Field 'n': Value must be between 1 <= "
	                     "value <= 4, but got 8") == 0);
	CHECK(kc_ask_n_limit(400, "Field 'max_tokens': Value must be "
	                     "between 1 <= value <= 4") == 0);
	CHECK(kc_ask_n_limit(400, "Field 'n': must be positive") == 0);
	CHECK(kc_ask_n_limit(400, "Field 'n': Value must be <= 0") == 0);
	CHECK(kc_ask_n_limit(400, "") == 0);
}

TEST(redact)
{
	char t[64] = "key sk-123456 and sk-123456.";
	char cut[20] = "header Bearer sk-12";

	kc_ask_redact(t, sizeof t, "sk-123456");
	CHECK_EQ_STR(t, "key [REDACTED] and [REDACTED].");
	kc_ask_redact(t, sizeof t, NULL);
	CHECK_EQ_STR(t, "key [REDACTED] and [REDACTED].");
	/* a message cut inside the key loses the piece too */
	kc_ask_redact(cut, sizeof cut, "sk-123456");
	CHECK(!strstr(cut, "sk-12"));
}

TEST(retryable_statuses)
{
	CHECK(kc_ask_status_retryable(429));
	CHECK(kc_ask_status_retryable(500));
	CHECK(kc_ask_status_retryable(503));
	CHECK(kc_ask_status_retryable(408));
	CHECK(!kc_ask_status_retryable(400));
	CHECK(!kc_ask_status_retryable(401));
	CHECK(!kc_ask_status_retryable(404));
	CHECK(!kc_ask_status_retryable(200));
}

TEST(retry_after)
{
	/* 1994-11-06 08:49:37 UTC, RFC 9110's example date */
	time_t t0 = 784111777;

	CHECK_EQ_INT(kc_ask_retry_after("3", t0), 3000);
	CHECK_EQ_INT(kc_ask_retry_after(" 0 \r\n", t0), 0);
	CHECK_EQ_INT(kc_ask_retry_after("99999999999999", t0),
	             KC_ASK_RETRY_AFTER_MAX_MS);
	CHECK_EQ_INT(kc_ask_retry_after("Sun, 06 Nov 1994 08:49:47 GMT", t0),
	             10000);
	CHECK_EQ_INT(kc_ask_retry_after("Sunday, 06-Nov-94 08:49:39 GMT", t0),
	             2000);
	CHECK_EQ_INT(kc_ask_retry_after("Sun Nov  6 08:49:41 1994", t0), 4000);
	CHECK_EQ_INT(kc_ask_retry_after("Sun, 06 Nov 1994 08:49:00 GMT", t0), 0);
	CHECK_EQ_INT(kc_ask_retry_after("Sun, 06 Nov 1995 08:49:00 GMT", t0),
	             KC_ASK_RETRY_AFTER_MAX_MS);
	CHECK_EQ_INT(kc_ask_retry_after("1.5", t0), -1);
	CHECK_EQ_INT(kc_ask_retry_after("-1", t0), -1);
	CHECK_EQ_INT(kc_ask_retry_after("soon", t0), -1);
	CHECK_EQ_INT(kc_ask_retry_after("", t0), -1);
}

TEST(backoff_doubles_with_jitter_and_cap)
{
	kc_rng r;

	kc_rng_seed(&r, 1, "x", 1, "t");
	for (int i = 0; i < 200; i++) {
		long d1 = kc_ask_backoff(1000, 1, &r);
		long d3 = kc_ask_backoff(1000, 3, &r);
		long d20 = kc_ask_backoff(1000, 20, &r);

		CHECK(d1 >= 500 && d1 <= 1000);
		CHECK(d3 >= 2000 && d3 <= 4000);
		CHECK(d20 >= KC_ASK_BACKOFF_MAX_MS / 2 &&
		      d20 <= KC_ASK_BACKOFF_MAX_MS);
	}
	CHECK_EQ_INT(kc_ask_backoff(0, 3, &r), 0);
	/* a base over the cap is kept as given */
	CHECK(kc_ask_backoff(100000, 1, &r) >= 50000);
}

TEST(idset)
{
	kc_idset *s;
	char id[32];

	CHECK(kc_idset_new(&s) == KC_OK);
	for (int i = 0; i < 5000; i++) {
		int n = snprintf(id, sizeof id, "id-%d", i);
		CHECK(kc_idset_add(s, id, (size_t)n) == KC_OK);
	}
	CHECK(kc_idset_add(s, "id-7", 4) == KC_OK);
	CHECK_EQ_INT(kc_idset_count(s), 5000);
	CHECK(kc_idset_has(s, "id-4999", 7));
	CHECK(kc_idset_has(s, "id-0", 4));
	CHECK(!kc_idset_has(s, "id-5000", 7));
	CHECK(!kc_idset_has(s, "id-", 3));
	CHECK(!kc_idset_has(NULL, "id-0", 4));
	kc_idset_free(s);
	kc_idset_free(NULL);
}

TEST(record_key)
{
	json_t *a = J("{\"id\":\"x7\"}"), *b = J("{\"id\":-42}"),
	       *c = J("{\"id\":1.5}"), *d = J("{}");
	char buf[32];
	const char *k;
	size_t n;

	CHECK(kc_ask_record_key(a, buf, sizeof buf, &k, &n) == 0);
	CHECK(n == 2 && !memcmp(k, "x7", 2));
	CHECK(kc_ask_record_key(b, buf, sizeof buf, &k, &n) == 0);
	CHECK(n == 3 && !memcmp(k, "-42", 3));
	CHECK(kc_ask_record_key(c, buf, sizeof buf, &k, &n) == -1);
	CHECK(kc_ask_record_key(d, buf, sizeof buf, &k, &n) == -1);
	json_decref(a);
	json_decref(b);
	json_decref(c);
	json_decref(d);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
}

TEST(resume_load)
{
	kc_idset *s;
	struct kc_ask_resume info;
	struct kc_error err;

	CHECK(kc_idset_new(&s) == KC_OK);
	static const char text[] =
	           "{\"id\":\"a\",\"responses\":[\"x\"]}\n"
	           "{\"id\":\"b\",\"responses\":[\"x\"],\"ask_error\":{}}\n"
	           "{broken\n"
	           "\n"
	           "{\"id\":3,\"responses\":[]}\n"
	           "{\"id\":\"c\"}\n"
	           "{\"id\":\"d\",\"responses\":[\"x\"]}";

	write_file("resume-test.jsonl", text);
	CHECK(kc_ask_resume_load(s, "resume-test.jsonl", &info, &err) == KC_OK);
	CHECK(kc_idset_has(s, "a", 1));
	CHECK(!kc_idset_has(s, "b", 1));
	CHECK(kc_idset_has(s, "3", 1));
	CHECK(!kc_idset_has(s, "c", 1));
	CHECK(!kc_idset_has(s, "d", 1));   /* on the partial last line */
	CHECK_EQ_INT(info.answered, 2);
	CHECK_EQ_INT(info.failed, 1);
	CHECK_EQ_INT(info.bad, 1);
	CHECK_EQ_INT(info.first_bad, 3);
	CHECK_EQ_INT(info.partial, 1);
	CHECK_EQ_INT(info.lines, 5);
	CHECK_EQ_INT(info.complete, strrchr(text, '\n') + 1 - text);

	/* the same file ending in a newline: d counts */
	write_file("resume-test.jsonl",
	           "{\"id\":\"d\",\"responses\":[\"x\"]}\n  ");
	CHECK(kc_ask_resume_load(s, "resume-test.jsonl", &info, &err) == KC_OK);
	CHECK(kc_idset_has(s, "d", 1));
	CHECK_EQ_INT(info.partial, 1);      /* the blank tail */
	CHECK_EQ_INT(info.answered, 1);
	remove("resume-test.jsonl");
	CHECK(kc_ask_resume_load(s, "resume-test.jsonl", &info, &err)
	      == KC_ENOTFOUND);
	kc_idset_free(s);
}

TEST(resume_output_protects_the_file)
{
	struct kc_ask_resume info;
	struct kc_error err;
	kc_idset *s;
	FILE *f;
	off_t cut;

	CHECK(kc_idset_new(&s) == KC_OK);
	static const char line1[] = "{\"id\":\"a\",\"responses\":[]}\n";

	write_file("resume-out.jsonl", line1);
	f = fopen("resume-out.jsonl", "a");
	fputs("{\"id\"", f);
	fclose(f);
	CHECK(kc_ask_resume_load(s, "resume-out.jsonl", &info, &err) == KC_OK);
	f = fopen("resume-out.jsonl", "r+");
	CHECK(kc_ask_resume_output(fileno(f), "resume-out.jsonl", &info, &cut,
	                           &err) == KC_EINVAL);
	fclose(f);
	f = fopen("resume-out.jsonl", "a");
	CHECK(kc_ask_resume_output(fileno(f), "resume-out.jsonl", &info, &cut,
	                           &err) == KC_OK);
	CHECK_EQ_INT(cut, 5);
	fclose(f);
	f = fopen("other.jsonl", "w");
	CHECK(kc_ask_resume_output(fileno(f), "resume-out.jsonl", &info, &cut,
	                           &err) == KC_OK);
	CHECK_EQ_INT(cut, 0);
	fclose(f);
	f = fopen("resume-out.jsonl", "r");
	CHECK_EQ_INT(fseek(f, 0, SEEK_END), 0);
	CHECK_EQ_INT(ftell(f), (long)strlen(line1));
	fclose(f);
	remove("resume-out.jsonl");
	remove("other.jsonl");
	kc_idset_free(s);
}

TEST(engine_options_checked)
{
	struct kc_ask_opts o;
	struct kc_error err;
	kc_ask *a;

	kc_ask_opts_init(&o);
	CHECK(kc_ask_new(&a, &o, &err) == KC_EINVAL);
	o.url = "ftp://x";
	CHECK(kc_ask_new(&a, &o, &err) == KC_EINVAL);
	o.url = "http://127.0.0.1:1/v1";
	o.n = 0;
	CHECK(kc_ask_new(&a, &o, &err) == KC_EINVAL);
	o.n = 1;
	o.concurrency = 3;
	CHECK(kc_ask_new(&a, &o, &err) == KC_OK);
	kc_ask_free(a);
	kc_ask_free(NULL);
}

int main(void)
{
	RUN(body_from_prompt_and_options);
	RUN(body_errors);
	RUN(parts_split_n);
	RUN(seed_depends_on_seed_key_part);
	RUN(parse_response_orders_choices);
	RUN(parse_response_errors);
	RUN(error_text);
	RUN(n_limit_from_the_refusal);
	RUN(redact);
	RUN(retryable_statuses);
	RUN(retry_after);
	RUN(backoff_doubles_with_jitter_and_cap);
	RUN(idset);
	RUN(record_key);
	RUN(resume_load);
	RUN(resume_output_protects_the_file);
	RUN(engine_options_checked);
	return DONE();
}
