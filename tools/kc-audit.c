/*
 * kc-audit - can the real question be found without following the chain?
 *
 * Runs libkc's shortcut solvers over rendered records and reports, per
 * solver, how often each finds the real question against chance.  The
 * summary goes to stdout (text, or one JSON object with --json); with
 * --per-record stdout carries one JSON line per record instead and the
 * summary goes to stderr.  A record that cannot be audited is reported
 * with its file and line.  Exit 0; 1 when a record could not be audited
 * or a line did not parse, or a solver beat --max-ratio; 2 on a usage or
 * fatal error.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage_head[] =
"Usage: kc-audit [OPTION]... [FILE]...\n"
"Run shortcut solvers over records written by kc-render (any format):\n"
"each guesses the real question among the questions at the ends of chains\n"
"without following a chain.  Report each solver's accuracy, chance\n"
"(1 / questions) and their ratio, overall, by source and by length.\n"
"\n"
"  -s, --solvers LIST     run only these solvers (comma-separated)\n"
"      --max-ratio R      exit 1 when a solver finds the question more\n"
"                         than R times as often as chance (oracles aside)\n"
"      --per-record       one JSON line per record on stdout; the summary\n"
"                         goes to stderr\n"
"      --json             the summary as one JSON object\n"
"  -h, --help             show this help and exit\n"
"  -V, --version          show the version and exit\n"
"\n"
"Solvers:\n";

/* The help: the options, then each solver as the library documents it. */
static const char *usage_text(void)
{
	static char text[4096];
	size_t n = (size_t)snprintf(text, sizeof text, "%s", usage_head);

	for (int s = 0; s < KC_AUDIT_SOLVERS && n < sizeof text; s++)
		n += (size_t)snprintf(text + n, sizeof text - n, "  %-11s %s\n",
		                      kc_audit_solver_name(s),
		                      kc_audit_solver_doc(s));
	if (n < sizeof text)
		snprintf(text + n, sizeof text - n, "\nSee kc-audit(1) and kc(7).\n");
	return text;
}

enum { OPT_MAX_RATIO = 256, OPT_PER_RECORD, OPT_JSON };

static const struct option longopts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "max-ratio", required_argument, NULL, OPT_MAX_RATIO },
	{ "per-record", no_argument, NULL, OPT_PER_RECORD },
	{ "solvers", required_argument, NULL, 's' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

struct run {
	kc_auditor *auditor;
	int per_record;
	unsigned long done;
};

/* "lex,entity" -> a bit per solver. */
static unsigned parse_solvers(const char *list)
{
	char *copy = strdup(list), *tok, *save = NULL;
	unsigned bits = 0;

	if (!copy)
		cli_die("out of memory");
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		int s = kc_audit_solver_find(tok);
		if (s < 0) {
			const char *names[KC_AUDIT_SOLVERS + 1] = { NULL };
			for (int k = 0; k < KC_AUDIT_SOLVERS; k++)
				names[k] = kc_audit_solver_name(k);
			cli_unknown("solver", tok, names);
		}
		bits |= 1u << s;
	}
	free(copy);
	if (!bits)
		cli_usage_error("invalid --solvers '%s' (a list of solvers)", list);
	return bits;
}

static int audit_one(json_t *rec, const struct kc_error *where, void *ctx)
{
	struct run *run = ctx;
	struct kc_audit_result res;
	struct kc_error err;
	kc_status st;

	kc_error_clear(&err);
	st = kc_audit(run->auditor, rec, &res, &err);
	if (st == KC_EFIELD) {
		char msg[sizeof res.id + sizeof err.text + 8];
		size_t n;
		snprintf(msg, sizeof msg, "%s%s%s%s", res.id[0] ? "id " : "",
		         res.id, res.id[0] ? ": " : "", err.text);
		n = strlen(msg) < sizeof err.text ? strlen(msg) : sizeof err.text - 1;
		memcpy(err.text, msg, n);   /* cut: one line is enough */
		err.text[n] = '\0';
		return cli_record_error(where, &err);
	}
	if (st) {
		err.source = where->source;
		err.line = where->line;
		cli_report(&err);
		return CLI_FATAL;
	}
	if (run->per_record) {
		json_t *o = kc_audit_result_json(&res);
		if (!o)
			cli_die("out of memory");
		cli_write(o);
		json_decref(o);
	}
	cli_progress(++run->done, 0, NULL);
	return CLI_OK;
}

static double num(const json_t *o, const char *key)
{
	return json_number_value(json_object_get(o, key));
}

/* "  28.1" or "     -" when the solver ran on no record. */
static void ratio_cell(FILE *f, const json_t *s, int width)
{
	const json_t *r = json_object_get(s, "ratio");

	if (json_is_number(r))
		fprintf(f, " %*.1f", width, json_number_value(r));
	else
		fprintf(f, " %*s", width, "-");
}

static void groups_text(FILE *f, const json_t *groups, const char *by,
                        const json_t *all)
{
	const char *name;
	const json_t *g, *s;

	fprintf(f, "\nratio by %-10s records  chance", by);
	json_object_foreach((json_t *)json_object_get(all, "solvers"), name, s)
		fprintf(f, " %*s", (int)(strlen(name) > 5 ? strlen(name) : 5),
		        name);
	fprintf(f, "\n");
	json_object_foreach((json_t *)groups, name, g) {
		const char *solver;
		fprintf(f, "  %-17s %7lld  %5.2f%%", name,
		        (long long)json_integer_value(json_object_get(g, "records")),
		        100 * num(g, "chance"));
		json_object_foreach((json_t *)json_object_get(g, "solvers"),
		                    solver, s)
			ratio_cell(f, s, (int)(strlen(solver) > 5 ? strlen(solver) : 5));
		fprintf(f, "\n");
	}
}

static void summary_text(FILE *f, const json_t *sum)
{
	long long n = json_integer_value(json_object_get(sum, "records"));
	long long bad = json_integer_value(json_object_get(sum, "unaudited"));
	const char *name;
	const json_t *s;
	int oracle = 0;

	fprintf(f, "%lld record%s audited", n, n == 1 ? "" : "s");
	if (n)
		fprintf(f, ", %.1f questions at chain ends on average (chance "
		        "%.2f%%)", num(sum, "questions"), 100 * num(sum, "chance"));
	fprintf(f, "\n");
	if (bad)
		fprintf(f, "%lld record%s not audited\n", bad, bad == 1 ? "" : "s");
	if (!n)
		return;
	fprintf(f, "\nsolver      accuracy   chance   ratio\n");
	json_object_foreach((json_t *)json_object_get(sum, "solvers"), name, s) {
		int o = json_is_true(json_object_get(s, "oracle"));
		fprintf(f, "  %-10s", name);
		if (json_integer_value(json_object_get(s, "records")))
			fprintf(f, " %6.1f%%  %6.2f%%  %6.1f%s\n",
			        100 * num(s, "accuracy"), 100 * num(s, "chance"),
			        num(s, "ratio"), o ? "  (oracle)" : "");
		else
			fprintf(f, "        -        -       -%s\n",
			        o ? "  (oracle: no record has answers)" : "");
		oracle |= o;
	}
	if (oracle)
		fprintf(f, "(oracle: reads the gold answer, which the prompt does "
		        "not show)\n");
	groups_text(f, json_object_get(sum, "by_source"), "source", sum);
	groups_text(f, json_object_get(sum, "by_length"), "length", sum);
}

/* Exit 1 when a judged solver's ratio is over max. */
static int check_ratio(const json_t *sum, double max, unsigned named)
{
	const char *name;
	const json_t *s;
	int rc = CLI_OK;

	json_object_foreach((json_t *)json_object_get(sum, "solvers"), name, s) {
		int k = kc_audit_solver_find(name);
		const json_t *r = json_object_get(s, "ratio");
		if (!json_is_number(r) ||
		    (kc_audit_solver_oracle(k) && !(named >> k & 1)))
			continue;
		if (json_number_value(r) > max) {
			cli_warn("%s finds the real question %.1f times as often as "
			         "chance (over --max-ratio %g)", name,
			         json_number_value(r), max);
			rc = CLI_DATA;
		}
	}
	return rc;
}

int main(int argc, char **argv)
{
	struct kc_audit_opts o;
	struct kc_error err;
	struct run run = { NULL, 0, 0 };
	json_t *sum;
	double max_ratio = -1;
	struct cli_tool tool = { NULL, "hs:V", longopts };
	int c, json = 0, rc;

	cli_init(argc, argv);
	kc_json_fast_alloc();
	kc_audit_opts_init(&o);
	tool.usage = usage_text();
	while ((c = cli_getopt(argc, argv, &tool)) != -1) {
		switch (c) {
		case 's': o.solvers = parse_solvers(optarg); break;
		case OPT_JSON: json = 1; break;
		case OPT_MAX_RATIO:
			max_ratio = cli_double("--max-ratio", optarg, 0, 1e9);
			break;
		case OPT_PER_RECORD: run.per_record = 1; break;
		}
	}
	kc_error_clear(&err);
	if (kc_auditor_new(&run.auditor, &o, &err)) {
		cli_report(&err);
		return CLI_FATAL;
	}
	rc = cli_each_record(argv + optind, argc - optind,
	                     &(struct cli_walk){ .record = audit_one, .ctx = &run });
	cli_progress_end();
	if (!(sum = kc_audit_summary(run.auditor)))
		cli_die("out of memory");
	if (run.per_record) {
		/* the records first: a closed pipe ends the run quietly */
		cli_close_stdout();
		if (json)
			kc_json_write_line(stderr, sum, NULL);
		else
			summary_text(stderr, sum);
	} else if (json) {
		cli_write(sum);
	} else {
		summary_text(stdout, sum);
	}
	if (max_ratio >= 0 && rc != CLI_FATAL) {
		int r = check_ratio(sum, max_ratio, o.solvers);
		rc = r > rc ? r : rc;
	}
	json_decref(sum);
	if (!run.per_record)
		cli_close_stdout();
	kc_auditor_free(run.auditor);
	return rc;
}
