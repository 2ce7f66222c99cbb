/*
 * Unit tests of the importer: the element scanner (json/stream.c) at every
 * read size, the record building of each format (import.c), format
 * detection, kc_record_validate (canonical.c), and the importer's
 * counting and error messages.
 *
 * Expected records are written out by hand from the format descriptions
 * (SPEC section 2 and kc-import(1)), not taken from our output.
 */
#include <stdlib.h>
#include "kc.h"
#include "import/private.h"
#include "json/private.h"
#include "harness.h"

static void write_file(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "wb");

	fwrite(text, 1, len, f);
	fclose(f);
}

#define WRITE(path, s) write_file(path, s, sizeof(s) - 1)

/* The elements of `text`, joined by '|', each as "LINE:TEXT", and the
 * final status as "|=N" (N a kc_status), read with chunks of `chunk`. */
static char *elements(const char *text, size_t len, size_t max, size_t chunk)
{
	static kc_buf out;
	kc_jstream *js;
	struct kc_error err;
	const char *s;
	size_t n;
	kc_status st;

	write_file("js-test.json", text, len);
	kc_buf_release(&out);
	kc_buf_init(&out, 0);
	if ((st = kc_jstream_open(&js, "js-test.json", max, chunk, &err))) {
		kc_buf_printf(&out, "open=%d:%s", st, err.text);
		return out.data;
	}
	while ((st = kc_jstream_next(js, &s, &n, &err)) == KC_OK ||
	       st == KC_ETOOLONG) {
		if (st)
			kc_buf_printf(&out, "%ld:TOOLONG|", err.line);
		else
			kc_buf_printf(&out, "%ld:%.*s|", kc_jstream_line(js), (int)n, s);
	}
	kc_buf_printf(&out, "=%d", st);
	if (st != KC_EOF)
		kc_buf_printf(&out, ":%ld:%s", err.line, err.text);
	/* once ended, it stays ended */
	if (kc_jstream_next(js, &s, &n, &err) != KC_EOF)
		kc_buf_puts(&out, ":NOT-EOF-AFTER");
	kc_jstream_free(js);
	remove("js-test.json");
	return out.data;
}

/* The same at every chunk size from 1 to 19 and the default. */
static void check_elements(const char *text, size_t max, const char *want)
{
	static const size_t chunks[] = { 1, 2, 3, 5, 7, 11, 13, 16, 17, 19, 0 };

	for (size_t i = 0; i < sizeof chunks / sizeof *chunks; i++) {
		char *got = elements(text, strlen(text), max, chunks[i]);

		if (strcmp(got, want)) {
			printf("#   chunk %zu\n", chunks[i]);
			CHECK_EQ_STR(got, want);
			return;
		}
	}
}

TEST(scanner_finds_elements)
{
	check_elements("[{\"a\":\"x\\\"]}\"},\"s\\\\\",12 , -1.5e3,true,"
	               "null ,[1,[2]] , {\"b\":{}} ]",
	               0, "1:{\"a\":\"x\\\"]}\"}|1:\"s\\\\\"|1:12|1:-1.5e3|1:true|"
	               "1:null|1:[1,[2]]|1:{\"b\":{}}|=1");
	check_elements("[\n  {\n    \"a\": 1\n  },\n  {\"b\": \"x\"}\n]\n", 0,
	               "2:{\n    \"a\": 1\n  }|5:{\"b\": \"x\"}|=1");
	check_elements("[\"]\", \"[\", \"\\\\\", \"\\\\\\\"\"]", 0,
	               "1:\"]\"|1:\"[\"|1:\"\\\\\"|1:\"\\\\\\\"\"|=1");
	/* brackets that do not match are the parser's business */
	check_elements("[{\"a\":1], 2]", 0, "1:{\"a\":1]|1:2|=1");
	check_elements("[]", 0, "=1");
	check_elements(" \n [ \n ] \n\n", 0, "=1");
}

TEST(scanner_finds_lines)
{
	check_elements("{\"a\":1}\n\n  \r\n{\"b\":\n2}\r\n{\"c\":3}", 0,
	               "1:{\"a\":1}|4:{\"b\":|5:2}|6:{\"c\":3}|=1");
	check_elements("\n\n{\"a\":1}\n", 0, "3:{\"a\":1}|=1");
}

TEST(scanner_empty_and_foreign_files)
{
	check_elements("", 0, "=1");
	check_elements(" \n\t\r\n", 0, "=1");
	check_elements("\n\n\"text\"", 0, "open=4:not a JSON array or JSON "
	               "lines (it starts with '\"')");
	check_elements("\xef\xbb\xbf[]", 0, "open=4:not a JSON array or JSON "
	               "lines (it starts with byte 0xef)");
	{
		kc_jstream *js;
		struct kc_error err;

		CHECK(kc_jstream_open(&js, "no-such-file.json", 0, 0, &err) ==
		      KC_ENOTFOUND);
	}
}

TEST(scanner_stops_at_a_broken_array)
{
	check_elements("[1,2", 0, "1:1|1:2|=4:1:the file ends before the array "
	               "is closed");
	check_elements("[{\"a\":1}\n", 0, "1:{\"a\":1}|=4:2:the file ends before "
	               "the array is closed");
	check_elements("[{\"a\":1},\n{\"a\":\"2}\n", 0, "1:{\"a\":1}|=4:2:the file "
	               "ends inside element 1");
	check_elements("[1 2]", 0, "1:1|=4:1:'2' after element 0, where ',' or "
	               "']' should be");
	check_elements("[1,]", 0, "1:1|=4:1:a ',' before ']' (trailing comma)");
	check_elements("[,1]", 0, "=4:1:a ',' where an element should be");
	check_elements("[1]\n]", 0, "1:1|=4:2:data after the end of the array");
	check_elements("[1]\n[2]", 0, "1:1|=4:2:data after the end of the array");
	check_elements("[", 0, "=4:1:the file ends before the array is closed");
	check_elements("[1,", 0, "1:1|=4:1:the file ends after a ',' before the "
	               "array is closed");
}

TEST(scanner_skips_what_is_too_long)
{
	check_elements("[{\"a\":\"0123456789abcdef\"},\n{\"b\":1}, \"01234567\","
	               "12345678901, 1234567890]", 10,
	               "1:TOOLONG|2:{\"b\":1}|2:\"01234567\"|2:TOOLONG|"
	               "2:1234567890|=1");
	check_elements("{\"a\":\"0123456789abcdef\"}\n{\"b\":1}\n0123456789a", 10,
	               "1:TOOLONG|2:{\"b\":1}|3:TOOLONG|=1");
}

/* ------------------------------------------------------------------ */
/* Records. */

static json_t *J(const char *text)
{
	json_t *v = json_loads(text, JSON_DECODE_ANY, NULL);

	if (!v)
		printf("#   test JSON does not parse: %s\n", text);
	return v;
}

/* Build from `item` and compare with `want` (values and key order). */
static void check_record(const char *item, const char *format,
                         const char *want)
{
	json_t *in = J(item), *out = NULL, *w = want ? J(want) : NULL;
	struct kc_error err;
	kc_status st;

	kc_error_clear(&err);
	st = kc_import_record(in, format, &out, &err);
	if (st)
		printf("#   %s\n", err.text);
	CHECK(st == KC_OK);
	if (!want) {
		CHECK(out == NULL);
	} else if (out) {
		char *a = json_dumps(out, JSON_COMPACT), *b = json_dumps(w, JSON_COMPACT);
		CHECK_EQ_STR(a, b);
		free(a);
		free(b);
	}
	json_decref(in);
	json_decref(out);
	json_decref(w);
}

static void check_refused(const char *item, const char *format,
                          const char *msg)
{
	json_t *in = J(item), *out = NULL;
	struct kc_error err;

	kc_error_clear(&err);
	CHECK(kc_import_record(in, format, &out, &err) == KC_EFIELD);
	CHECK(out == NULL);
	CHECK_EQ_STR(err.text, msg);
	json_decref(in);
}

#define HOTPOT_CONTEXT \
	"\"context\":[[\"Ed Wood\",[\"Edward Davis Wood Jr.\",\" was an \"," \
	"\"American.\"]],[\"Scott Derrickson\",[\"Scott Derrickson\"," \
	"\" (born 1966) is American.\"]],[\"Other\",[]]]"

TEST(hotpotqa_records)
{
	check_record("{\"supporting_facts\":[[\"Scott Derrickson\",0],"
	             "[\"Ed Wood\",2],[\"Ed Wood\",0]],\"level\":\"hard\","
	             "\"question\":\"Same nationality?\",\"answer\":\"yes\","
	             "\"_id\":\"5a8b\",\"type\":\"comparison\",\"extra\":1,"
	             HOTPOT_CONTEXT "}", "hotpotqa",
	             "{\"id\":\"5a8b\",\"source\":\"hotpotqa\",\"question\":"
	             "\"Same nationality?\",\"answers\":[\"yes\"],\"docs\":["
	             "{\"title\":\"Ed Wood\",\"text\":\"Edward Davis Wood Jr. was "
	             "an American.\"},{\"title\":\"Scott Derrickson\",\"text\":"
	             "\"Scott Derrickson (born 1966) is American.\"},{\"title\":"
	             "\"Other\",\"text\":\"\"}],\"supporting\":[0,1],\"type\":"
	             "\"comparison\",\"level\":\"hard\"}");
	check_refused("{\"_id\":\"x\",\"question\":\"q\",\"answer\":\"a\","
	              "\"supporting_facts\":[[\"Nobody\",0]]," HOTPOT_CONTEXT "}",
	              "hotpotqa", "\"supporting_facts\"[0]: no context paragraph "
	              "is titled \"Nobody\"");
	check_refused("{\"_id\":\"x\",\"answer\":\"a\",\"supporting_facts\":[],"
	              HOTPOT_CONTEXT "}", "hotpotqa", "missing \"question\"");
	check_refused("{\"_id\":\"x\",\"question\":\"q\",\"answer\":\"\","
	              "\"supporting_facts\":[]," HOTPOT_CONTEXT "}", "hotpotqa",
	              "\"answers\"[0] is empty");
	check_refused("{\"_id\":\"x\",\"question\":\"q\",\"answer\":\"a\","
	              "\"supporting_facts\":[],\"context\":[[\"t\",\"s\"]]}",
	              "hotpotqa", "\"context\"[0] is not a [title, [sentence, "
	              "...]] pair");
	check_refused("{\"_id\":\"x\",\"question\":\"q\",\"answer\":\"a\","
	              "\"supporting_facts\":[],\"context\":[[\"t\",[\"a\",2]]]}",
	              "hotpotqa", "\"context\"[0] sentence 1 is not a string");
	check_refused("{\"_id\":7,\"question\":\"q\",\"answer\":\"a\"}", "hotpotqa",
	              "\"_id\" is an integer, not a string");
	check_refused("[1]", "hotpotqa", "record is not an object");
}

TEST(twowiki_records)
{
	/* duplicate titles: the first paragraph that has the sentence */
	check_record("{\"_id\":\"b0\",\"type\":\"compositional\",\"question\":"
	             "\"q?\",\"context\":[[\"A\",[\"a.\"]],[\"B\",[\"b.\"]],"
	             "[\"A\",[\"a.\",\" a2.\"]]],\"supporting_facts\":[[\"A\",1],"
	             "[\"B\",0]],\"evidences\":[[\"A\",\"r\",\"B\"]],\"answer\":"
	             "\"x\",\"entity_ids\":\"Q1\"}", "2wikimqa",
	             "{\"id\":\"b0\",\"source\":\"2wikimqa\",\"question\":\"q?\","
	             "\"answers\":[\"x\"],\"docs\":[{\"title\":\"A\",\"text\":"
	             "\"a.\"},{\"title\":\"B\",\"text\":\"b.\"},{\"title\":\"A\","
	             "\"text\":\"a. a2.\"}],\"supporting\":[1,2],\"type\":"
	             "\"compositional\",\"evidences\":[[\"A\",\"r\",\"B\"]]}");
}

#define MUSIQUE_PARAS \
	"\"paragraphs\":[{\"idx\":0,\"title\":\"T0\",\"paragraph_text\":\"P0\"," \
	"\"is_supporting\":false},{\"idx\":1,\"title\":\"T1\"," \
	"\"paragraph_text\":\"P1\",\"is_supporting\":true},{\"idx\":2," \
	"\"title\":\"T2\",\"paragraph_text\":\"P2\",\"is_supporting\":true}]"

TEST(musique_records)
{
	check_record("{\"id\":\"2hop__1_2\"," MUSIQUE_PARAS ",\"question\":\"q\","
	             "\"question_decomposition\":[{\"id\":1,\"paragraph_support_idx\""
	             ":2},{\"id\":2,\"paragraph_support_idx\":1}],\"answer\":\"A\","
	             "\"answer_aliases\":[\"B\",\"A\",\"\",\"B\",\"C\"],"
	             "\"answerable\":true}", "musique",
	             "{\"id\":\"2hop__1_2\",\"source\":\"musique\",\"question\":\"q\","
	             "\"answers\":[\"A\",\"B\",\"C\"],\"docs\":[{\"title\":\"T0\","
	             "\"text\":\"P0\"},{\"title\":\"T1\",\"text\":\"P1\"},{\"title\":"
	             "\"T2\",\"text\":\"P2\"}],\"supporting\":[1,2],"
	             "\"question_decomposition\":[{\"id\":1,\"paragraph_support_idx\""
	             ":2},{\"id\":2,\"paragraph_support_idx\":1}]}");
	/* unanswerable: left out, nothing else checked */
	check_record("{\"id\":\"u\",\"answerable\":false}", "musique", NULL);
	check_refused("{\"id\":\"d\"," MUSIQUE_PARAS ",\"question\":\"q\","
	              "\"question_decomposition\":[{\"paragraph_support_idx\":0},"
	              "{\"paragraph_support_idx\":1}],\"answer\":\"A\"}", "musique",
	              "\"question_decomposition\"[0] \"paragraph_support_idx\" 0 "
	              "is not a supporting paragraph");
	check_refused("{\"id\":\"d\"," MUSIQUE_PARAS ",\"question\":\"q\","
	              "\"question_decomposition\":[{\"paragraph_support_idx\":1}],"
	              "\"answer\":\"A\"}", "musique", "\"paragraphs\"[2] is "
	              "supporting but no step of \"question_decomposition\" uses it");
	check_refused("{\"id\":\"d\",\"paragraphs\":[{\"title\":\"t\","
	              "\"is_supporting\":false}],\"question\":\"q\","
	              "\"question_decomposition\":[],\"answer\":\"A\"}", "musique",
	              "\"paragraphs\"[0] has no \"paragraph_text\"");
	check_refused("{\"id\":\"d\",\"question\":\"q\",\"answer\":\"A\","
	              "\"answerable\":\"yes\"}", "musique",
	              "\"answerable\" is not a boolean");
}

TEST(canonical_records)
{
	const char *rec = "{\"id\":\"r\",\"question\":\"q\",\"answers\":[\"a\"],"
	                  "\"docs\":[{\"title\":\"t\",\"text\":\"x\"}],"
	                  "\"supporting\":[0],\"length\":32768}";

	check_record(rec, "canonical", rec);
}

static void check_invalid(const char *rec, const char *msg)
{
	json_t *v = J(rec);
	struct kc_error err;

	kc_error_clear(&err);
	CHECK(kc_record_validate(v, &err) == KC_EFIELD);
	CHECK_EQ_STR(err.text, msg);
	json_decref(v);
}

TEST(validate_names_the_field)
{
#define DOCS "\"docs\":[{\"title\":\"t\",\"text\":\"x\"},{\"title\":\"u\",\"text\":\"y\"}]"
	check_invalid("[]", "record is not an object");
	check_invalid("{\"question\":\"q\"}", "missing \"id\"");
	check_invalid("{\"id\":\"\"}", "\"id\" is empty");
	check_invalid("{\"id\":\"r\",\"source\":1}", "\"source\" is not a string");
	check_invalid("{\"id\":\"r\",\"answers\":[\"a\"]}", "missing \"question\"");
	check_invalid("{\"id\":\"r\",\"question\":\"q\",\"answers\":[]}",
	              "\"answers\" is empty");
	check_invalid("{\"id\":\"r\",\"question\":\"q\",\"answers\":\"a\"}",
	              "\"answers\" is a string, not an array");
	check_invalid("{\"id\":\"r\",\"question\":\"q\",\"answers\":[\"a\",3]}",
	              "\"answers\"[1] is not a string");
	check_invalid("{\"id\":\"r\",\"question\":\"q\",\"answers\":[\"a\"],"
	              "\"docs\":[{\"title\":\"t\",\"text\":\"x\"},1]}",
	              "\"docs\"[1] is not an object");
	check_invalid("{\"id\":\"r\",\"question\":\"q\",\"answers\":[\"a\"],"
	              "\"docs\":[{\"title\":\"t\"}]}", "\"docs\"[0] has no \"text\"");
	check_invalid("{\"id\":\"r\",\"question\":\"q\",\"answers\":[\"a\"],"
	              "\"docs\":[{\"title\":null,\"text\":\"x\"}]}",
	              "\"docs\"[0] \"title\" is not a string");
	check_invalid("{\"id\":\"r\",\"question\":\"q\",\"answers\":[\"a\"]," DOCS
	              "}", "missing \"supporting\"");
	check_invalid("{\"id\":\"r\",\"question\":\"q\",\"answers\":[\"a\"]," DOCS
	              ",\"supporting\":[2]}", "\"supporting\"[0] (2) is not an index "
	              "into \"docs\" (2 docs)");
	check_invalid("{\"id\":\"r\",\"question\":\"q\",\"answers\":[\"a\"]," DOCS
	              ",\"supporting\":[1,0]}", "\"supporting\" is not in "
	              "increasing order at [1] (0 after 1)");
	check_invalid("{\"id\":\"r\",\"question\":\"q\",\"answers\":[\"a\"]," DOCS
	              ",\"supporting\":[0,\"1\"]}",
	              "\"supporting\"[1] is not an integer");
#undef DOCS
}

TEST(detect_formats)
{
	static const struct { const char *item, *want; } cases[] = {
		{ "{\"docs\":[],\"question\":\"q\"}", "canonical" },
		{ "{\"paragraphs\":[]}", "musique" },
		{ "{\"context\":[],\"evidences\":[],\"type\":\"comparison\"}",
		  "2wikimqa" },
		{ "{\"context\":[],\"level\":\"hard\",\"type\":\"comparison\"}",
		  "hotpotqa" },
		{ "{\"context\":[],\"type\":\"bridge_comparison\"}", "2wikimqa" },
		{ "{\"context\":[],\"type\":\"inference\"}", "2wikimqa" },
		{ "{\"context\":[],\"type\":\"comparison\",\"supporting_facts\":[]}",
		  "hotpotqa" },
		{ "{\"context\":[]}", NULL },
		{ "{\"question\":\"q\"}", NULL },
		{ "[]", NULL },
	};

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		json_t *v = J(cases[i].item);
		const char *got = kc_import_detect(v);

		if (cases[i].want)
			CHECK_EQ_STR(got, cases[i].want);
		else
			CHECK(got == NULL);
		json_decref(v);
	}
}

/* ------------------------------------------------------------------ */
/* The importer. */

TEST(importer_counts_and_reports)
{
	kc_importer *im;
	struct kc_error err;
	json_t *rec;
	const char *src =
	    "[\n"
	    "{\"id\":\"a\"," MUSIQUE_PARAS ",\"question\":\"q\",\"answer\":\"A\","
	    "\"question_decomposition\":[{\"paragraph_support_idx\":1},"
	    "{\"paragraph_support_idx\":2}],\"answerable\":true},\n"
	    "{\"id\":\"b\",\"answerable\":false},\n"
	    "{\"id\":\"c\",\"paragraphs\":[]},\n"
	    "{\"id\":\"d\",\n \"x\":tru},\n"
	    "\"not an object\"\n"
	    "]\n";

	write_file("im-test.json", src, strlen(src));
	CHECK(kc_importer_open(&im, "im-test.json", NULL, &err) == KC_OK);
	CHECK(kc_importer_format(im) == NULL);
	CHECK(kc_importer_next(im, &rec, &err) == KC_OK);
	CHECK_EQ_STR(json_string_value(json_object_get(rec, "id")), "a");
	json_decref(rec);
	CHECK_EQ_STR(kc_importer_format(im), "musique");
	CHECK_EQ_STR(kc_importer_layout(im), "array");
	CHECK(kc_importer_next(im, &rec, &err) == KC_EFIELD);
	CHECK_EQ_INT(err.line, 4);
	CHECK_EQ_STR(err.source, "im-test.json");
	CHECK_EQ_STR(err.text, "element 2: missing \"question\"");
	CHECK(kc_importer_next(im, &rec, &err) == KC_EJSON);
	CHECK_EQ_INT(err.line, 5);
	CHECK_EQ_STR(err.text, "element 3: malformed JSON: invalid token near "
	             "'tru' (line 2, column 8 in the element)");
	CHECK(kc_importer_next(im, &rec, &err) == KC_EFIELD);
	CHECK_EQ_STR(err.text, "element 4: record is not an object");
	CHECK(kc_importer_next(im, &rec, &err) == KC_EOF);
	CHECK(kc_importer_next(im, &rec, &err) == KC_EOF);
	CHECK_EQ_INT(kc_importer_stats(im)->records, 1);
	CHECK_EQ_INT(kc_importer_stats(im)->unanswerable, 1);
	CHECK_EQ_INT(kc_importer_stats(im)->bad, 3);
	CHECK_EQ_INT(kc_importer_stats(im)->bytes, strlen(src));
	kc_importer_free(im);
	remove("im-test.json");
}

TEST(importer_refuses_an_unknown_format)
{
	kc_importer *im;
	struct kc_error err;
	json_t *rec;

	WRITE("im-unknown.jsonl", "\n{\"q\":1,\"a\":2}\n{\"docs\":[],\"question\":\"q\"}\n");
	CHECK(kc_importer_open(&im, "im-unknown.jsonl", NULL, &err) == KC_OK);
	CHECK(kc_importer_next(im, &rec, &err) == KC_EUNSUPPORTED);
	CHECK_EQ_INT(err.line, 2);
	CHECK_EQ_STR(err.text, "cannot tell the dataset format from the keys of "
	             "the first record (\"q\", \"a\")");
	CHECK(kc_importer_next(im, &rec, &err) == KC_EOF);
	kc_importer_free(im);
	CHECK(kc_importer_open(&im, "im-unknown.jsonl", "nope", &err) == KC_EINVAL);
	remove("im-unknown.jsonl");
}

TEST(importer_reads_canonical_lines)
{
	kc_importer *im;
	struct kc_error err;
	json_t *rec;

	WRITE("im-canon.jsonl", "{\"id\":\"r\",\"question\":\"q\",\"answers\":[\"a\"],"
	      "\"docs\":[{\"title\":\"t\",\"text\":\"x\"}],\"supporting\":[0]}\n"
	      "{\"id\":\"s\",\"question\":\"q\",\"answers\":[\"a\"],\"docs\":[]}\n");
	CHECK(kc_importer_open(&im, "im-canon.jsonl", NULL, &err) == KC_OK);
	CHECK(kc_importer_next(im, &rec, &err) == KC_OK);
	json_decref(rec);
	CHECK_EQ_STR(kc_importer_format(im), "canonical");
	CHECK_EQ_STR(kc_importer_layout(im), "lines");
	CHECK(kc_importer_next(im, &rec, &err) == KC_EFIELD);
	CHECK_EQ_INT(err.line, 2);
	CHECK_EQ_STR(err.text, "missing \"supporting\"");
	CHECK(kc_importer_next(im, &rec, &err) == KC_EOF);
	kc_importer_free(im);
	remove("im-canon.jsonl");
}

int main(void)
{
	RUN(scanner_finds_elements);
	RUN(scanner_finds_lines);
	RUN(scanner_empty_and_foreign_files);
	RUN(scanner_stops_at_a_broken_array);
	RUN(scanner_skips_what_is_too_long);
	RUN(hotpotqa_records);
	RUN(twowiki_records);
	RUN(musique_records);
	RUN(canonical_records);
	RUN(validate_names_the_field);
	RUN(detect_formats);
	RUN(importer_counts_and_reports);
	RUN(importer_refuses_an_unknown_format);
	RUN(importer_reads_canonical_lines);
	return DONE();
}
