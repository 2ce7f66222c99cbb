/*
 * kc-render - turn records into prompts, in the format a trainer reads.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage_text[] =
"Usage: kc-render [OPTION]... [FILE]...\n"
"Build each record's prompt from a preset or template, count it exactly\n"
"with the model's tokenizer and chat template, drop filler passages that\n"
"carry no chain pair until it fits, and write it in a trainer's format.\n"
"\n"
"  -p, --preset NAME      keychain-rl (default after kc-fill), filter,\n"
"                         plain, basic, normal, cot, cot-cite, mcts\n"
"      --template TEXT    a template with {context} {question} {chain_head}\n"
"                         {answer} ({{ and }} for braces)\n"
"      --template-file F  the template from a file\n"
"  -f, --format FORMAT    chat (default), verl, swift, keychain, text\n"
"  -m, --max-tokens N     the prompt's budget (default: the plan's length\n"
"                         less its generation reserve); 32k accepted\n"
"      --no-limit         no budget\n"
"      --chat NAME        chat template counted: auto, none, or N tokens\n"
"  -t, --tokenizer SPEC   qwen (default), llama3, a path, a HF repo id\n"
"      --split NAME       verl extra_info.split (train)\n"
"      --data-source S    verl data_source (custom_longcontext_needle_qa_SRC)\n"
"  -s, --seed N           seed of the drop order (default: the plan's)\n"
"      --recount          count each prompt again in one piece (a self-test)\n"
"      --json-array       write one JSON array, not JSON lines (for\n"
"                         loaders such as pandas.read_json)\n"
"      --unbuffered       write each record at once\n"
"  -h, --help             show this help and exit\n"
"  -V, --version          show the version and exit\n"
"\n"
"See kc-render(1) and kc(7).\n";

enum { OPT_TEMPLATE = 256, OPT_TEMPLATE_FILE, OPT_NOLIMIT, OPT_CHAT, OPT_SPLIT,
       OPT_DATASOURCE, OPT_UNBUF, OPT_RECOUNT, OPT_JSON_ARRAY };

static const struct option longopts[] = {
	{ "chat", required_argument, NULL, OPT_CHAT },
	{ "data-source", required_argument, NULL, OPT_DATASOURCE },
	{ "format", required_argument, NULL, 'f' },
	{ "help", no_argument, NULL, 'h' },
	{ "json-array", no_argument, NULL, OPT_JSON_ARRAY },
	{ "max-tokens", required_argument, NULL, 'm' },
	{ "no-limit", no_argument, NULL, OPT_NOLIMIT },
	{ "preset", required_argument, NULL, 'p' },
	{ "recount", no_argument, NULL, OPT_RECOUNT },
	{ "seed", required_argument, NULL, 's' },
	{ "split", required_argument, NULL, OPT_SPLIT },
	{ "template", required_argument, NULL, OPT_TEMPLATE },
	{ "template-file", required_argument, NULL, OPT_TEMPLATE_FILE },
	{ "tokenizer", required_argument, NULL, 't' },
	{ "unbuffered", no_argument, NULL, OPT_UNBUF },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static const struct cli_tool tool = { usage_text, "f:hm:p:s:t:V", longopts };

struct ctx {
	kc_renderer *r;
	int array;                 /* --json-array */
	unsigned long written;
};

/* A record as a JSON line, or an element of the one array: "[" before
 * the first, "," before the others, "]" after the last (end_output). */
static void emit(struct ctx *c, const json_t *v)
{
	if (c->array)
		fputc(c->written ? ',' : '[', stdout);
	c->written++;
	cli_write(v);
}

static void end_output(struct ctx *c)
{
	if (c->array)
		fputs(c->written ? "]\n" : "[]\n", stdout);
}

static int render_one(json_t *rec, const struct kc_error *where, void *data)
{
	struct ctx *c = data;
	struct kc_error err;
	json_t *out;

	kc_error_clear(&err);
	if (kc_render(c->r, rec, &out, &err))
		return cli_record_error(where, &err);
	if (json_is_array(out)) {
		size_t i;
		json_t *v;
		json_array_foreach(out, i, v)
			emit(c, v);
	} else {
		emit(c, out);
	}
	json_decref(out);
	return CLI_OK;
}

int main(int argc, char **argv)
{
	struct kc_render_opts o;
	struct kc_error err;
	const char *tokspec = NULL;
	char *template_text = NULL;
	kc_tokenizer *tok = NULL;
	struct ctx ctx = { 0 };
	int c, rc;

	cli_init(argc, argv);
	kc_json_fast_alloc();
	kc_render_opts_init(&o);
	while ((c = cli_getopt(argc, argv, &tool)) != -1) {
		switch (c) {
		case 'f':
			if (kc_format_parse(optarg, &o.format, &err))
				cli_usage_error("%s", err.text);
			break;
		case 'm': o.max_tokens = cli_length("--max-tokens", optarg); break;
		case 'p':
			if (!kc_preset(optarg))
				cli_unknown("preset", optarg, kc_preset_names());
			o.plan.preset = optarg;
			break;
		case 's':
			o.plan.seed = cli_u64("--seed", optarg);
			o.plan.seed_set = 1;
			break;
		case 't': tokspec = optarg; break;
		case OPT_TEMPLATE: o.template = optarg; break;
		case OPT_TEMPLATE_FILE:
			free(template_text);
			o.template = template_text = cli_slurp(optarg);
			break;
		case OPT_NOLIMIT: o.max_tokens = -1; break;
		case OPT_CHAT: o.plan.chat = optarg; break;
		case OPT_SPLIT: o.split = optarg; break;
		case OPT_DATASOURCE: o.data_source = optarg; break;
		case OPT_UNBUF: cli_unbuffered(); break;
		case OPT_RECOUNT: o.recount = 1; break;
		case OPT_JSON_ARRAY: ctx.array = 1; break;
		}
	}
	if (o.template && o.plan.preset)
		cli_usage_error("--preset and --template exclude each other");
	kc_error_clear(&err);
	rc = CLI_FATAL;
	if (kc_tokenizer_open(&tok, tokspec, &err))
		goto fail;
	if (kc_renderer_new(&ctx.r, tok, &o, &err)) {
		if (err.status == KC_EINVAL) {
			kc_tokenizer_free(tok);
			free(template_text);
			cli_usage_error("%s", err.text);
		}
		goto fail;
	}
	rc = cli_each_record(argv + optind, argc - optind,
	                     &(struct cli_walk){ .record = render_one, .ctx = &ctx });
	if (rc < CLI_FATAL)
		end_output(&ctx);
	cli_close_stdout();
	goto done;
fail:
	cli_report(&err);
done:
	kc_renderer_free(ctx.r);
	kc_tokenizer_free(tok);
	free(template_text);
	return rc;
}
