/*
 * kc-tok - count or list the tokens of texts with a real model tokenizer.
 *
 *     kc-tok [-t SPEC] [--ids | --offsets | --tokens] [--chat[=NAME]]
 *            [--raw | --lines] [--field KEY] [FILE...]
 *     kc-tok [-t SPEC] --info
 *
 * One output line per text: its token count, or with --ids its ids
 * separated by single spaces (an empty line for an empty text).  Texts
 * are JSON-lines records (the string field KEY, default "text"), whole
 * files (--raw) or lines (--lines).  See kc-tok(1).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum mode { M_COUNT, M_IDS, M_OFFSETS, M_TOKENS };
enum input { IN_JSON, IN_RAW, IN_LINES };

static struct {
	kc_tokenizer *tok;
	int mode;
	const char *field;       /* NULL: "text" and its fallbacks */
	const char *chat;        /* NULL: none; "": the default template */
	const char *chat_before, *chat_after;
	kc_tokens toks;
	kc_buf line;
} g;

static const char usage_text[] =
"Usage: kc-tok [-t SPEC] [--ids | --offsets | --tokens] "
"[--chat[=NAME]]\n"
"              [--raw | --lines] [--field KEY] [FILE...]\n"
"       kc-tok [-t SPEC] --info\n"
"\n"
"Print the token count of each text, or its tokens.\n"
"\n"
"  -t, --tokenizer SPEC  qwen (default, or $KC_TOKENIZER), llama3, "
"cl100k,\n"
"                        o200k, approx, a tokenizer.json, a "
"directory, a\n"
"                        .tiktoken file, or a Hugging Face repo id "
"in the cache\n"
"  -i, --ids             print the ids, separated by spaces\n"
"      --offsets         print ID@BYTE-OFFSET for each token\n"
"      --tokens          print each token's bytes, escaped\n"
"  -c, --chat[=NAME]     count the text as one user message of "
"the chat\n"
"                        template NAME (chatml, qwen2.5, llama3, "
"llama3.1;\n"
"                        default: the tokenizer's own)\n"
"  -r, --raw             each FILE (or stdin) as a whole is one "
"text\n"
"  -l, --lines           each line, without its newline, is one "
"text\n"
"  -f, --field KEY       JSON lines: the text is the string field "
"KEY\n"
"                        (default \"text\", else \"prompt\" or "
"prompt[0].content)\n"
"      --info            describe the tokenizer as one JSON line\n"
"  -h, --help            show this help and exit\n"
"  -V, --version         show the version and exit\n";

/* ------------------------------------------------------------------ */
/* Output. */

static void put_u32(kc_buf *b, uint32_t v)
{
	char tmp[12];
	int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	if (kc_buf_reserve(b, (size_t)n))
		return;
	while (n > 0)
		b->data[b->len++] = tmp[--n];
	b->data[b->len] = 0;
}

/* A token's bytes, readable: printable UTF-8 as is, the rest \xNN. */
static void put_token(kc_buf *b, const char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		unsigned char c = (unsigned char)s[i];
		size_t k = kc_utf8_valid_prefix(s + i, len - i) > 0 ?
		           (c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4) : 0;

		if (k > 1) {
			kc_buf_append(b, s + i, k);
			i += k;
			continue;
		}
		if (c == '\\')
			kc_buf_puts(b, "\\\\");
		else if (c == '\n')
			kc_buf_puts(b, "\\n");
		else if (c == '\t')
			kc_buf_puts(b, "\\t");
		else if (c == ' ')
			kc_buf_puts(b, "\\s");
		else if (c > 0x20 && c < 0x7F)
			kc_buf_append(b, s + i, 1);
		else
			kc_buf_printf(b, "\\x%02x", c);
		i++;
	}
}

static void write_line(const kc_buf *b)
{
	if (b->len)
		fwrite(b->data, 1, b->len, stdout);
	putchar('\n');
}

/* Tokenize one text and print its line; 0, or CLI_DATA after a report. */
static int one(const char *text, size_t len, const struct kc_error *where)
{
	struct kc_error err;
	kc_buf *b = &g.line;

	kc_error_clear(&err);
	b->len = 0;
	if (g.mode == M_COUNT) {
		size_t n;
		kc_status st;

		if (g.chat) {
			struct kc_strref p[3] = {
				{ g.chat_before, strlen(g.chat_before) },
				{ text, len },
				{ g.chat_after, strlen(g.chat_after) },
			};
			st = kc_tokenizer_count_concat(g.tok, p, 3, &n, &err);
		} else {
			st = kc_tokenizer_count(g.tok, text, len, &n, &err);
		}
		if (st)
			return where ? cli_record_error(where, &err) :
			               (cli_report(&err), CLI_DATA);
		printf("%zu\n", n);
		return CLI_OK;
	}
	if (g.chat) {
		kc_buf all;
		kc_status st;

		kc_buf_init(&all, 0);
		st = kc_buf_puts(&all, g.chat_before);
		if (!st)
			st = kc_buf_append(&all, text, len);
		if (!st)
			st = kc_buf_puts(&all, g.chat_after);
		if (!st)
			st = kc_tokenizer_encode(g.tok, all.data, all.len, &g.toks,
			                         g.mode == M_OFFSETS, &err);
		else
			kc_error_set(&err, st, "out of memory");
		kc_buf_release(&all);
		if (st)
			return where ? cli_record_error(where, &err) :
			               (cli_report(&err), CLI_DATA);
	} else if (kc_tokenizer_encode(g.tok, text, len, &g.toks,
	                               g.mode == M_OFFSETS, &err)) {
		return where ? cli_record_error(where, &err) :
		               (cli_report(&err), CLI_DATA);
	}
	for (size_t i = 0; i < g.toks.n; i++) {
		if (i && !kc_buf_reserve(b, 1)) {
			b->data[b->len++] = ' ';
			b->data[b->len] = 0;
		}
		if (g.mode == M_TOKENS) {
			size_t toklen = 0;
			const char *t = kc_tokenizer_token(g.tok, g.toks.ids[i], &toklen);

			if (t)
				put_token(b, t, toklen);
			else
				kc_buf_puts(b, "?");
			continue;
		}
		put_u32(b, g.toks.ids[i]);
		if (g.mode == M_OFFSETS) {
			kc_buf_append(b, "@", 1);
			put_u32(b, g.toks.offsets[i]);
		}
	}
	write_line(b);
	return CLI_OK;
}

/* ------------------------------------------------------------------ */
/* Inputs. */

static int each_json(json_t *rec, const struct kc_error *where, void *ctx)
{
	struct kc_error err;
	const char *s;
	size_t len;
	json_t *p;

	(void)ctx;
	kc_error_clear(&err);
	if (g.field) {
		if (kc_get_string(rec, g.field, &s, &len, &err))
			return cli_record_error(where, &err);
		return one(s, len, where);
	}
	/* "text", else "prompt" as a string, else verl's prompt[0].content */
	if (json_is_string(json_object_get(rec, "text")) ||
	    !(p = json_object_get(rec, "prompt"))) {
		if (kc_get_string(rec, "text", &s, &len, &err))
			return cli_record_error(where, &err);
		return one(s, len, where);
	}
	if (json_is_array(p))
		p = json_object_get(json_array_get(p, 0), "content");
	if (!json_is_string(p)) {
		kc_error_set(&err, KC_EFIELD, "missing \"text\" (and \"prompt\" "
		             "is neither a string nor a list of messages)");
		return cli_record_error(where, &err);
	}
	return one(json_string_value(p), json_string_length(p), where);
}

static FILE *open_in(const char *name)
{
	FILE *f = strcmp(name, "-") ? fopen(name, "rb") : stdin;

	if (!f)
		cli_warn("%s: %s", name, strerror(errno));
	return f;
}

static int each_raw(const char *name)
{
	FILE *f = open_in(name);
	kc_buf all;
	char chunk[1 << 16];
	size_t n;
	int rc;

	if (!f)
		return CLI_DATA;
	kc_buf_init(&all, 0);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		if (kc_buf_append(&all, chunk, n)) {
			cli_warn("%s: too large", name);
			kc_buf_release(&all);
			if (f != stdin)
				fclose(f);
			return CLI_DATA;
		}
	}
	if (ferror(f)) {
		cli_warn("%s: read error: %s", name, strerror(errno));
		rc = CLI_DATA;
	} else {
		struct kc_error where;

		kc_error_clear(&where);
		where.source = name;
		rc = one(all.data ? all.data : "", all.len, &where);
	}
	kc_buf_release(&all);
	if (f != stdin)
		fclose(f);
	return rc;
}

static int each_lines(const char *name)
{
	FILE *f = open_in(name);
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int worst = CLI_OK;
	struct kc_error where;

	if (!f)
		return CLI_DATA;
	kc_error_clear(&where);
	where.source = name;
	while ((n = getline(&line, &cap, f)) >= 0) {
		int rc;

		where.line++;
		if (n > 0 && line[n - 1] == '\n')
			n--;
		rc = one(line, (size_t)n, &where);
		if (rc > worst)
			worst = rc;
	}
	if (ferror(f)) {
		cli_warn("%s: read error: %s", name, strerror(errno));
		worst = CLI_DATA;
	}
	free(line);
	if (f != stdin)
		fclose(f);
	return worst;
}

static void info(void)
{
	json_t *o = json_object();
	const char *chat = kc_tokenizer_chat_default(g.tok);
	size_t before, after;
	struct kc_error err;

	json_object_set_new(o, "tokenizer", json_string(kc_tokenizer_name(g.tok)));
	json_object_set_new(o, "exact", json_boolean(kc_tokenizer_exact(g.tok)));
	json_object_set_new(o, "chat_template", chat ? json_string(chat) :
	                                                json_null());
	if (chat && !kc_tokenizer_chat_overhead(g.tok, &before, &after, &err)) {
		json_object_set_new(o, "chat_before", json_integer((json_int_t)before));
		json_object_set_new(o, "chat_after", json_integer((json_int_t)after));
	}
	cli_write(o);
	json_decref(o);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "chat", optional_argument, NULL, 'c' },
		{ "field", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ "ids", no_argument, NULL, 'i' },
		{ "info", no_argument, NULL, 'I' },
		{ "lines", no_argument, NULL, 'l' },
		{ "offsets", no_argument, NULL, 'O' },
		{ "raw", no_argument, NULL, 'r' },
		{ "tokenizer", required_argument, NULL, 't' },
		{ "tokens", no_argument, NULL, 'T' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	static const struct cli_tool tool = { usage_text, "c::f:hilrt:V", opts };
	const char *spec = NULL;
	int input = IN_JSON, do_info = 0, c, worst = CLI_OK;
	struct kc_error err;

	cli_init(argc, argv);
	kc_json_fast_alloc();
	while ((c = cli_getopt(argc, argv, &tool)) != -1) {
		switch (c) {
		case 'c': g.chat = optarg ? optarg : ""; break;
		case 'f': g.field = optarg; break;
		case 'i': g.mode = M_IDS; break;
		case 'I': do_info = 1; break;
		case 'l': input = IN_LINES; break;
		case 'O': g.mode = M_OFFSETS; break;
		case 'r': input = IN_RAW; break;
		case 't': spec = optarg; break;
		case 'T': g.mode = M_TOKENS; break;
		}
	}
	if (g.field && input != IN_JSON)
		cli_usage_error("--field applies to JSON lines, not --raw or "
		                "--lines");
	if (do_info && optind < argc)
		cli_usage_error("--info takes no FILE");

	kc_error_clear(&err);
	if (kc_tokenizer_open(&g.tok, spec, &err)) {
		cli_report(&err);
		return CLI_FATAL;
	}
	if (do_info) {
		info();
		kc_tokenizer_free(g.tok);
		cli_close_stdout();
		return CLI_OK;
	}
	if (g.chat && kc_tokenizer_chat_template(g.tok, *g.chat ? g.chat : NULL,
	                                         &g.chat_before, &g.chat_after,
	                                         &err)) {
		if (err.status == KC_EINVAL)
			cli_usage_error("%s", err.text);
		cli_report(&err);
		return CLI_FATAL;
	}
	if (g.mode != M_COUNT && !kc_tokenizer_exact(g.tok))
		cli_usage_error("the approximate counter has no tokens: only "
		                "counts");
	if (!kc_tokenizer_exact(g.tok))
		cli_warn("counts are approximate (%s): no model's tokenizer",
		         kc_tokenizer_name(g.tok));
	kc_buf_init(&g.line, 0);

	if (input == IN_JSON) {
		worst = cli_each_record(argv + optind, argc - optind,
		                        &(struct cli_walk){ .record = each_json });
	} else {
		char *dash[] = { "-" };
		char **files = optind < argc ? argv + optind : dash;
		int n = optind < argc ? argc - optind : 1;

		for (int i = 0; i < n; i++) {
			int rc = input == IN_RAW ? each_raw(files[i]) :
			                           each_lines(files[i]);
			if (rc > worst)
				worst = rc;
		}
	}
	kc_tokens_release(&g.toks);
	kc_buf_release(&g.line);
	kc_tokenizer_free(g.tok);
	cli_close_stdout();
	return worst;
}
