/*
 * kc-parquet - JSON lines to one Parquet file, and Parquet back to JSON
 * lines, for trainers that load Parquet (verl, LoongRL) and for the
 * datasets Hugging Face ships as Parquet.
 *
 * Writing: every record read is written, or reported (file, line, the
 * field that does not fit the schema) and counted; exit 1 when any was
 * reported.  The file appears under its name only when it is complete.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

static const char usage_text[] =
"Usage: kc-parquet -o FILE.parquet [OPTION]... [FILE]...\n"
"  or:  kc-parquet -d [FILE.parquet]...\n"
"  or:  kc-parquet --schema FILE.parquet...\n"
"Write JSON lines (the records of any kc tool) as one Parquet file, for\n"
"trainers that load Parquet; or write the rows of Parquet files back as\n"
"JSON lines.  The schema is inferred from the records of the first row\n"
"group: strings, integers, floats, booleans, lists and objects, nested to\n"
"any depth.\n"
"\n"
"  -o, --output FILE        write FILE; not standard output: a Parquet\n"
"                           file ends with the footer that says where\n"
"                           everything is, so it cannot be streamed\n"
"  -c, --compression NAME   zstd (default), snappy, gzip or none\n"
"      --level N            the zstd (1..19) or gzip (1..9) level\n"
"  -r, --row-group-size N   bytes of values per row group (default 64M;\n"
"                           K and M suffixes); memory grows with it\n"
"      --no-dictionary      no dictionary encoding (default: for strings\n"
"                           where it makes the column smaller)\n"
"  -d, --decode             read Parquet files (\"-\": standard input) and\n"
"                           write their rows as JSON lines\n"
"      --schema             print the schema of each Parquet file\n"
"  -h, --help               show this help and exit\n"
"  -V, --version            show the version and exit\n"
"\n"
"See kc-parquet(1) and kc(7).\n";

enum { OPT_LEVEL = 256, OPT_NO_DICT, OPT_SCHEMA };

static const struct option longopts[] = {
	{ "compression", required_argument, NULL, 'c' },
	{ "decode", no_argument, NULL, 'd' },
	{ "help", no_argument, NULL, 'h' },
	{ "level", required_argument, NULL, OPT_LEVEL },
	{ "no-dictionary", no_argument, NULL, OPT_NO_DICT },
	{ "output", required_argument, NULL, 'o' },
	{ "row-group-size", required_argument, NULL, 'r' },
	{ "schema", no_argument, NULL, OPT_SCHEMA },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static const struct cli_tool tool = { usage_text, "c:dho:r:V", longopts };

static const char stream_why[] = "a Parquet file ends with the footer that "
	"says where everything is, so it cannot be streamed; write a file "
	"(-o train.parquet)";

static int write_one(json_t *rec, const struct kc_error *where, void *ctx)
{
	kc_parquet_writer **w = ctx;
	struct kc_error err;
	kc_status st;

	kc_error_clear(&err);
	st = kc_parquet_writer_add(*w, rec, &err);
	if (st == KC_EFIELD)
		return cli_record_error(where, &err);
	if (st) {
		err.source = where->source;
		err.line = where->line;
		cli_report(&err);
		kc_parquet_writer_free(*w);
		*w = NULL;
		return CLI_FATAL;
	}
	return CLI_OK;
}

static int encode(const char *out, const struct kc_parquet_opts *o,
                  char **files, int n)
{
	kc_parquet_writer *w;
	struct kc_error err;
	struct stat sb, so;
	int rc;

	if (!strcmp(out, "-") || (stat(out, &sb) == 0 &&
	    (!S_ISREG(sb.st_mode) || (fstat(STDOUT_FILENO, &so) == 0 &&
	                              so.st_dev == sb.st_dev &&
	                              so.st_ino == sb.st_ino))))
		cli_usage_error("-o %s: %s", out, stream_why);
	kc_error_clear(&err);
	if (kc_parquet_writer_open(&w, out, o, &err)) {
		cli_report(&err);
		return CLI_FATAL;
	}
	rc = cli_each_record(files, n, &(struct cli_walk){ .record = write_one,
	                     .ctx = &w, .open_fatal = 1 });
	if (rc >= CLI_FATAL) {
		kc_parquet_writer_free(w);
		return rc;
	}
	kc_error_clear(&err);
	if (kc_parquet_writer_close(w, &err)) {
		err.source = out;
		cli_report(&err);
		return err.status == KC_EINVAL ? (rc > CLI_DATA ? rc : CLI_DATA)
		                               : CLI_FATAL;
	}
	return rc;
}

/* All of standard input, for a reader that needs the end first. */
static char *slurp_stdin(size_t *len)
{
	size_t cap = 1 << 20;
	char *buf = malloc(cap);

	*len = 0;
	while (buf) {
		size_t got = fread(buf + *len, 1, cap - *len, stdin);
		*len += got;
		if (got == 0)
			break;
		if (*len == cap) {
			char *b = realloc(buf, cap * 2);
			if (!b)
				free(buf);
			buf = b;
			cap *= 2;
		}
	}
	if (!buf)
		cli_die("out of memory reading standard input");
	if (ferror(stdin))
		cli_die("standard input: %s", strerror(errno));
	return buf;
}

static int decode_one(const char *path, int schema)
{
	kc_parquet_reader *r;
	struct kc_error err;
	char *mem = NULL;
	size_t len;
	json_t *rec;
	kc_status st;
	unsigned long rows = 0;

	kc_error_clear(&err);
	if (!strcmp(path, "-")) {
		mem = slurp_stdin(&len);
		st = kc_parquet_reader_open_mem(&r, mem, len, &err);
	} else {
		st = kc_parquet_reader_open(&r, path, &err);
	}
	err.source = path;
	if (st) {
		cli_report(&err);
		free(mem);
		return CLI_DATA;
	}
	if (schema) {
		kc_buf b;
		kc_buf_init(&b, 0);
		if (kc_parquet_reader_schema(r, &b, &err) == KC_OK)
			fwrite(b.data, 1, b.len, stdout);
		kc_buf_release(&b);
		kc_parquet_reader_free(r);
		free(mem);
		return CLI_OK;
	}
	while ((st = kc_parquet_reader_next(r, &rec, &err)) == KC_OK) {
		cli_write(rec);
		json_decref(rec);
		cli_progress(++rows, (unsigned long)kc_parquet_reader_rows(r), NULL);
	}
	cli_progress_end();
	kc_parquet_reader_free(r);
	free(mem);
	if (st != KC_EOF) {
		err.source = path;
		cli_report(&err);
		return CLI_DATA;
	}
	return CLI_OK;
}

int main(int argc, char **argv)
{
	struct kc_parquet_opts o;
	struct kc_error err;
	const char *out = NULL;
	int c, decode = 0, schema = 0, rc = CLI_OK;
	long v;

	cli_init(argc, argv);
	kc_json_fast_alloc();
	kc_parquet_opts_init(&o);
	while ((c = cli_getopt(argc, argv, &tool)) != -1) {
		switch (c) {
		case 'c':
			kc_error_clear(&err);
			if (kc_parquet_codec_parse(optarg, &o.codec, &err))
				cli_usage_error("%s", err.text);
			break;
		case 'd': decode = 1; break;
		case 'o': out = optarg; break;
		case 'r':
			if (kc_parse_length(optarg, &v))
				cli_usage_error("invalid --row-group-size '%s' (bytes, "
				                "such as 65536, 512K or 64M)", optarg);
			o.row_group_size = (size_t)v;
			break;
		case OPT_LEVEL: o.level = (int)cli_long("--level", optarg, 1, 19); break;
		case OPT_NO_DICT: o.no_dictionary = 1; break;
		case OPT_SCHEMA: schema = 1; break;
		}
	}
	if ((decode || schema) && out)
		cli_usage_error("-o writes Parquet; -d and --schema read it");
	if (decode || schema) {
		if (optind == argc && schema)
			cli_usage_error("--schema needs a Parquet file");
		if (optind == argc)
			rc = decode_one("-", 0);
		for (int i = optind; i < argc; i++) {
			int r = decode_one(argv[i], schema);
			rc = r > rc ? r : rc;
		}
	} else if (!out) {
		cli_usage_error("no output file (-o FILE.parquet): %s", stream_why);
	} else {
		if (o.codec == KC_PARQUET_GZIP && o.level > 9)
			cli_usage_error("invalid --level '%d' for gzip (1 to 9)",
			                o.level);
		rc = encode(out, &o, argv + optind, argc - optind);
	}
	cli_close_stdout();
	return rc;
}
