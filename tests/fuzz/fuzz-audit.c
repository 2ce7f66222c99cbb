/*
 * fuzz-audit.c - libFuzzer target for kc-audit's reading of prompts:
 * whatever text a record's prompt holds, kc_audit() audits it or says
 * why not, never crashes, and a record it audits has its real question
 * among the candidates with every credit in [0, 1].
 *
 * The first input byte chooses the record's shape (0: text with the
 * question, 1: swift, whose question the head must give, 2: keychain
 * with its head, 3: verl); the rest is the prompt, then after a NUL the
 * real question (or the head).  Inputs that are not UTF-8 are skipped:
 * records come from JSON, which is.  Seeds: tests/fuzz/run.
 */
#include <stdlib.h>
#include <string.h>

#include "kc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static kc_auditor *a;
	struct kc_audit_result res;
	struct kc_error err;
	const char *text = (const char *)data + 1, *nul;
	size_t tl, ql;
	json_t *rec, *p, *q;

	if (size < 1)
		return 0;
	if (!a && kc_auditor_new(&a, NULL, &err))
		abort();
	nul = memchr(text, '\0', size - 1);
	tl = nul ? (size_t)(nul - text) : size - 1;
	ql = nul ? size - 2 - tl : 0;
	p = json_stringn(text, tl);
	q = json_stringn(nul ? nul + 1 : "", ql);
	if (!p || !q) {
		json_decref(p);
		json_decref(q);
		return 0;
	}
	switch (data[0] & 3) {
	case 0:
		rec = json_pack("{s:o,s:o,s:[s]}", "prompt", p, "question", q,
		                "answers", "the answer");
		break;
	case 1:
		json_decref(q);
		rec = json_pack("{s:[{s:s,s:o}],s:s}", "messages", "role", "user",
		                "content", p, "solution", "x");
		break;
	case 2:
		rec = json_pack("{s:o,s:o,s:s,s:[]}", "distractor_context", p,
		                "chain_head_with_question", q, "input", "Q?",
		                "answers");
		break;
	default:
		rec = json_pack("{s:[{s:s,s:o}],s:{s:o,s:{s:i}},s:{s:s}}", "prompt",
		                "role", "user", "content", p, "extra_info",
		                "input_question", q, "kc", "budget", 30000,
		                "reward_model", "ground_truth", "1880");
		break;
	}
	if (!rec)
		abort();
	if (kc_audit(a, rec, &res, &err) == KC_OK) {
		if (!res.questions)
			abort();
		for (int s = 0; s < KC_AUDIT_SOLVERS; s++)
			if (res.solver[s].scored &&
			    (res.solver[s].credit < 0 || res.solver[s].credit > 1 ||
			     res.solver[s].rank < 1 || res.solver[s].tied < 1 ||
			     res.solver[s].tied > res.questions))
				abort();
		json_decref(kc_audit_result_json(&res));
	}
	json_decref(rec);
	return 0;
}
