/*
 * Unit tests of kc-audit's solvers: one hand-made record per solver,
 * written so that the solver must find the real question (or must not)
 * for the reason it exists, while the solvers it could be confused with
 * tie.  The expected credits are worked out by hand beside each record;
 * none comes from running the code.  Then the reading of the formats
 * and of odd prompts.
 */
#include <math.h>
#include <stdlib.h>
#include "kc.h"
#include "audit/private.h"
#include "harness.h"

static struct kc_audit_result res;
static struct kc_error err;

/* Audit a text-format record: prompt, real question, answers (may be
 * NULL).  Returns the status. */
static kc_status audit_text(const char *prompt, const char *question,
                            const char *answer)
{
	kc_auditor *a;
	json_t *rec = json_pack("{s:s,s:s,s:s}", "id", "t", "prompt", prompt,
	                        "question", question);
	kc_status st;

	if (answer)
		json_object_set_new(rec, "answers", json_pack("[s]", answer));
	kc_error_clear(&err);
	CHECK(kc_auditor_new(&a, NULL, &err) == KC_OK);
	st = kc_audit(a, rec, &res, &err);
	kc_auditor_free(a);
	json_decref(rec);
	return st;
}

#define CREDIT(s) (res.solver[KC_AUDIT_##s].credit)
#define NEAR(x, y) (fabs((x) - (y)) < 1e-9)

/*
 * lex and lex-idf.  Passages: film in all three, zebra in one.
 * Real "zebra quokka?": zebra found, quokka not: lex 1/2.
 * Other "film wombat?": film found, wombat not: lex 1/2, a tie.
 * idf over N = 3 passages: zebra ln(4/1.5) = 0.98, film ln(4/3.5) = 0.13,
 * absent ln(4/0.5) = 2.08: real 0.98/3.06 = 0.32 > other 0.13/2.21.
 */
TEST(lex_and_idf)
{
	const char *p =
	    "Passage 1:\nOne\nA film here. {\"aaaa0001\": \"zebra quokka?\"}.\n\n"
	    "Passage 2:\nTwo\nA film there. {\"aaaa0002\": \"film wombat?\"}.\n\n"
	    "Passage 3:\nThree\nA film with a zebra.";

	CHECK(audit_text(p, "zebra quokka?", NULL) == KC_OK);
	CHECK_EQ_INT(res.questions, 2);
	CHECK_EQ_INT(res.passages, 3);
	CHECK(NEAR(CREDIT(LEX), 0.5));
	CHECK_EQ_INT(res.solver[KC_AUDIT_LEX].tied, 2);
	CHECK(NEAR(CREDIT(LEX_IDF), 1));
	CHECK_EQ_INT(res.solver[KC_AUDIT_LEX_IDF].rank, 1);
	/* and the other way round: the common word loses */
	CHECK(audit_text(p, "film wombat?", NULL) == KC_OK);
	CHECK(NEAR(CREDIT(LEX_IDF), 0));
	CHECK_EQ_INT(res.solver[KC_AUDIT_LEX_IDF].rank, 2);
}

/*
 * lex counts words outside the pairs only: the question's own pair
 * holds all its words, and a pair's text must not count.
 */
TEST(lex_ignores_pairs)
{
	const char *p =
	    "Passage 1:\nOne\nNothing to see. {\"aaaa0001\": \"Where is "
	    "Narnia?\"}. {\"aaaa0002\": \"Who wrote Hamlet?\"}.\n\n"
	    "Passage 2:\nTwo\nShakespeare wrote Hamlet.";

	CHECK(audit_text(p, "Where is Narnia?", NULL) == KC_OK);
	CHECK(NEAR(CREDIT(LEX), 0));
	CHECK(audit_text(p, "Who wrote Hamlet?", NULL) == KC_OK);
	CHECK(NEAR(CREDIT(LEX), 1));
}

/*
 * evidence.  Every word of both questions is in the context (lex and
 * lex-idf tie at 1), but the real one's four words sit in two passages
 * and the other's in four, one each: the two best passages cover all
 * of the real question and half of the other.
 */
TEST(evidence)
{
	const char *p =
	    "Passage 1:\nP1\nApple and banana. {\"aaaa0001\": \"apple banana "
	    "cherry damson?\"}.\n\n"
	    "Passage 2:\nP2\nCherry and damson.\n\n"
	    "Passage 3:\nP3\nEggplant grows. {\"aaaa0002\": \"eggplant fennel "
	    "grape hazel?\"}.\n\n"
	    "Passage 4:\nP4\nFennel grows.\n\n"
	    "Passage 5:\nP5\nGrape grows.\n\n"
	    "Passage 6:\nP6\nHazel grows.";

	CHECK(audit_text(p, "apple banana cherry damson?", NULL) == KC_OK);
	CHECK(NEAR(CREDIT(LEX), 0.5));
	CHECK(NEAR(CREDIT(LEX_IDF), 0.5));
	CHECK(NEAR(CREDIT(EVIDENCE), 1));
	CHECK(audit_text(p, "eggplant fennel grape hazel?", NULL) == KC_OK);
	CHECK(NEAR(CREDIT(EVIDENCE), 0));
}

/*
 * entity.  Both questions' words are all in the context (lex ties), but
 * only the real one names "Ada Lovelace" and "Charles Babbage" as the
 * context writes them; the other's names, "Lovelace Ada" and "Babbage
 * Charles", are not runs of the context.  "Did" starts the question and
 * is no name.  A name with a connector, "Bank of England", is found as
 * a whole.
 */
TEST(entity)
{
	const char *p =
	    "Passage 1:\nAda\nAda Lovelace met Charles Babbage at the Bank of "
	    "England. {\"aaaa0001\": \"Did Ada Lovelace meet Charles "
	    "Babbage?\"}.\n\n"
	    "Passage 2:\nOther\nNothing else. {\"aaaa0002\": \"Did Lovelace Ada "
	    "meet Babbage Charles?\"}. {\"aaaa0003\": \"Was the Bank of England "
	    "meeting?\"}.";

	CHECK(audit_text(p, "Did Ada Lovelace meet Charles Babbage?", NULL) ==
	      KC_OK);
	CHECK_EQ_INT(res.questions, 3);
	/* "meet" is not in the context ("met" is): lex 4/5 for both */
	CHECK(NEAR(CREDIT(LEX), 0.5));
	/* the real one and the bank both find all their names; the bank's
	 * lex is 2/3 ("meeting" is not in the context) */
	CHECK(NEAR(CREDIT(ENTITY), 0.5));
	CHECK_EQ_INT(res.solver[KC_AUDIT_ENTITY].tied, 2);
	CHECK(audit_text(p, "Did Lovelace Ada meet Babbage Charles?", NULL) ==
	      KC_OK);
	CHECK(NEAR(CREDIT(ENTITY), 0));
	CHECK_EQ_INT(res.solver[KC_AUDIT_ENTITY].rank, 3);
}

/*
 * proximity.  Each question is fully matched by one passage; the real
 * one's pair sits in its passage (distance 0), the other's two passages
 * away from its own (distance 2).
 */
TEST(proximity)
{
	const char *p =
	    "Passage 1:\nP1\nThe walrus sings. {\"aaaa0001\": \"walrus "
	    "sings?\"}.\n\n"
	    "Passage 2:\nP2\nThe otter dances.\n\n"
	    "Passage 3:\nP3\nFiller here.\n\n"
	    "Passage 4:\nP4\nMore filler. {\"aaaa0002\": \"otter dances?\"}.";

	CHECK(audit_text(p, "walrus sings?", NULL) == KC_OK);
	CHECK(NEAR(CREDIT(LEX), 0.5));
	CHECK(NEAR(CREDIT(PROXIMITY), 1));
	CHECK(audit_text(p, "otter dances?", NULL) == KC_OK);
	CHECK(NEAR(CREDIT(PROXIMITY), 0));
}

/*
 * first, last, center: three questions no passage matches (the lexical
 * solvers tie three ways), their pairs at the start, the middle and the
 * end of five passages.
 */
TEST(position)
{
	const char *p =
	    "Passage 1:\nP1\nText one. {\"aaaa0001\": \"q one?\"}.\n\n"
	    "Passage 2:\nP2\nText two.\n\n"
	    "Passage 3:\nP3\nText three. {\"aaaa0002\": \"q two?\"}.\n\n"
	    "Passage 4:\nP4\nText four.\n\n"
	    "Passage 5:\nP5\nText five. {\"aaaa0003\": \"q three?\"}.";

	CHECK(audit_text(p, "q two?", NULL) == KC_OK);
	CHECK(NEAR(CREDIT(LEX), 1.0 / 3));
	CHECK(NEAR(CREDIT(FIRST), 0));
	CHECK_EQ_INT(res.solver[KC_AUDIT_FIRST].rank, 2);
	CHECK(NEAR(CREDIT(LAST), 0));
	CHECK(NEAR(CREDIT(CENTER), 1));
	CHECK(audit_text(p, "q one?", NULL) == KC_OK);
	CHECK(NEAR(CREDIT(FIRST), 1));
	CHECK_EQ_INT(res.solver[KC_AUDIT_LAST].rank, 3);
	CHECK(audit_text(p, "q three?", NULL) == KC_OK);
	CHECK(NEAR(CREDIT(LAST), 1));
}

/*
 * answer.  Both questions' words are all in the context, the real
 * one's in passage 1, the other's "pepper" in passage 2; the
 * gold answer "the Zanzibar Archipelago" (an article dropped, in another
 * case) is in the real question's passage only.  Without the answer in
 * the context every question scores 0: chance.
 */
TEST(answer)
{
	const char *p =
	    "Passage 1:\nP1\nCloves grow in zanzibar archipelago. {\"aaaa0001\": "
	    "\"Where do cloves grow?\"}.\n\n"
	    "Passage 2:\nP2\nPepper grows in Kerala. {\"aaaa0002\": \"Where "
	    "does pepper grow?\"}.";

	CHECK(audit_text(p, "Where do cloves grow?", "the Zanzibar "
	                 "Archipelago") == KC_OK);
	CHECK(res.answers && res.answer_found);
	CHECK(NEAR(CREDIT(LEX), 0.5));   /* "grow" is in passage 1 */
	CHECK(NEAR(CREDIT(ANSWER), 1));
	CHECK(audit_text(p, "Where do cloves grow?", "Madagascar") == KC_OK);
	CHECK(!res.answer_found);
	CHECK(NEAR(CREDIT(ANSWER), 0.5));
	/* no answers: the oracle does not run */
	CHECK(audit_text(p, "Where do cloves grow?", NULL) == KC_OK);
	CHECK(!res.solver[KC_AUDIT_ANSWER].scored);
}

/* ---- reading records ---- */

/* Chains of two keys, a question holding double quotes, a brace in the
 * text shaped like a pair with a key of another length, a head named by
 * the template after the context. */
#define CHAINS "Passage 1:\nT\nIt is {\"x\": \"y\"}. here. {\"bbbb0001\": " \
	"\"bbbb0002\"}. Then. {\"aaaa0002\": \"Who wrote \"Ulysses\"?\"}.\n\n" \
	"Passage 2:\nU\nMore. {\"aaaa0001\": \"aaaa0002\"}. And. " \
	"{\"bbbb0002\": \"What is X?\"}.\n\nStart from aaaa0001."

TEST(pairs_and_candidates)
{
	CHECK(audit_text(CHAINS, "Who wrote \"Ulysses\"?", NULL) == KC_OK);
	CHECK_EQ_INT(res.pairs, 4);
	CHECK_EQ_INT(res.questions, 2);
	CHECK_EQ_STR(res.format, "text");
	CHECK(audit_text(CHAINS, "Who wrote Ulysses?", NULL) == KC_EFIELD);
	CHECK(strstr(err.text, "at the end of no chain") != NULL);
	CHECK(audit_text("Passage 1:\nT\nNo pairs.", "Q?", NULL) == KC_EFIELD);
	CHECK(strstr(err.text, "no {") != NULL);
}

static kc_status audit_json(json_t *rec)
{
	kc_auditor *a;
	kc_status st;

	kc_error_clear(&err);
	CHECK(kc_auditor_new(&a, NULL, &err) == KC_OK);
	st = kc_audit(a, rec, &res, &err);
	kc_auditor_free(a);
	json_decref(rec);
	return st;
}

/* swift rows carry no question: the one the named head reaches is
 * real; with a tree, every branch is followed. */
TEST(swift_follows_the_head)
{
	json_t *rec = json_pack("{s:[{s:s,s:s}],s:[s],s:s}", "messages", "role",
	                        "user", "content", CHAINS, "answers", "Joyce",
	                        "id", "s1");
	const char *tree =
	    "Passage 1:\nT\nA. {\"cccc0001\": \"cccc0002\"}. B. {\"cccc0001\": "
	    "\"cccc0003\"}. C. {\"cccc0002\": \"dddd0009\"}.\n\n"
	    "Passage 2:\nU\nD. {\"cccc0003\": \"The real one?\"}. E. "
	    "{\"eeee0001\": \"Another one?\"}.\n\nFrom cccc0001 on.";

	CHECK(audit_json(rec) == KC_OK);
	CHECK_EQ_STR(res.format, "swift");
	CHECK_EQ_STR(res.id, "s1");
	/* "Ulysses" is in no passage, "X" neither: lex ties */
	CHECK_EQ_INT(res.questions, 2);
	CHECK(NEAR(CREDIT(LEX), 0.5));
	rec = json_pack("{s:[{s:s,s:s}],s:[s]}", "messages", "role", "user",
	                "content", tree, "answers", "x");
	CHECK(audit_json(rec) == KC_OK);
	/* the dead end dddd0009 is no question */
	CHECK_EQ_INT(res.questions, 2);
	CHECK(NEAR(CREDIT(LAST), 0));   /* "Another one?" is last */
	CHECK(NEAR(CREDIT(FIRST), 1));
	/* a cycle through a key of many pairs (found by fuzz-audit): the
	 * walk ends, and the one question reached is the real one */
	rec = json_pack("{s:[{s:s,s:s}]}", "messages", "role", "user", "content",
	    "Passage 1:\nT\nA. {\"cccc0001\": \"cccc0002\"}. B. {\"cccc0002\": "
	    "\"cccc0002\"}. C. {\"cccc0002\": \"cccc0002\"}. D. {\"cccc0002\": "
	    "\"cccc0002\"}. G. {\"cccc0002\": \"cccc0002\"}. H. {\"cccc0002\": "
	    "\"cccc0002\"}. E. {\"cccc0002\": \"Q?\"}. F. {\"dddd0001\": "
	    "\"R?\"}.\n\nFrom cccc0001.");
	CHECK(audit_json(rec) == KC_OK);
	CHECK_EQ_INT(res.questions, 2);
	CHECK(NEAR(CREDIT(FIRST), 1));
	/* no head named: nothing to score against */
	rec = json_pack("{s:[{s:s,s:s}]}", "messages", "role", "user",
	                "content", "Passage 1:\nT\nA. {\"aaaa0001\": \"Q?\"}.");
	CHECK(audit_json(rec) == KC_EFIELD);
	CHECK(strstr(err.text, "no chain head") != NULL);
}

/* verl and keychain: where the question, answers, id and labels are. */
TEST(formats)
{
	json_t *rec = json_pack(
	    "{s:s,s:[{s:s,s:s}],s:{s:[s]},s:{s:s,s:s,s:{s:i,s:s}}}",
	    "data_source", "custom_longcontext_needle_qa_musique",
	    "prompt", "role", "user", "content", CHAINS,
	    "reward_model", "ground_truth", "Joyce",
	    "extra_info", "index", "v1", "input_question", "What is X?",
	    "kc", "budget", 8064, "head", "aaaa0001");

	CHECK(audit_json(rec) == KC_OK);
	CHECK_EQ_STR(res.format, "verl");
	CHECK_EQ_STR(res.id, "v1");
	CHECK_EQ_STR(res.source, "musique");
	CHECK_EQ_STR(res.length, "8k");
	CHECK(res.answers);
	rec = json_pack("{s:s,s:s,s:s,s:s,s:[s]}", "index", "k1", "input",
	                "What is X?", "context", "bare", "distractor_context",
	                CHAINS, "answers", "y");
	CHECK(audit_json(rec) == KC_OK);
	CHECK_EQ_STR(res.format, "keychain");
	CHECK_EQ_STR(res.length, "-");
	rec = json_pack("{s:s,s:i}", "id", "bad", "question", 3);
	CHECK(audit_json(rec) == KC_EFIELD);
	CHECK_EQ_STR(res.id, "bad");
}

/* Words: content, capitals, numbers, what joins them. */
struct seen { struct audit_qword w[16]; size_t n; };

static int keep(void *ctx, const struct audit_qword *w, size_t at)
{
	struct seen *s = ctx;

	(void)at;
	if (s->n < 16)
		s->w[s->n++] = *w;
	return 0;
}

TEST(words)
{
	struct seen s = { .n = 0 };

	const char *q = "What did Émile Zola's J. K. write in 1880, of all?";

	audit_words(q, strlen(q), keep, &s);
	/* What did Émile Zola s J K write in 1880 of all */
	CHECK_EQ_INT(s.n, 12);
	CHECK(!s.w[0].content && s.w[0].capital);       /* What */
	CHECK(s.w[2].content && s.w[2].capital);        /* Émile */
	CHECK(s.w[3].joined && !s.w[4].joined);         /* Zola, 's */
	CHECK(!s.w[4].content);                         /* s */
	CHECK(s.w[6].joined && !s.w[6].content);        /* K. */
	CHECK(s.w[9].number && s.w[9].content);         /* 1880 */
	CHECK(s.w[10].connector && !s.w[10].joined);    /* , of */
	s.n = 0;
	audit_words("ÉMILE émile", strlen("ÉMILE émile"), keep, &s);
	CHECK_EQ_INT(s.n, 2);
	CHECK(s.w[0].lower == s.w[1].lower && s.w[0].exact != s.w[1].exact);
}

int main(void)
{
	RUN(lex_and_idf);
	RUN(lex_ignores_pairs);
	RUN(evidence);
	RUN(entity);
	RUN(proximity);
	RUN(position);
	RUN(answer);
	RUN(pairs_and_candidates);
	RUN(swift_follows_the_head);
	RUN(formats);
	RUN(words);
	return DONE();
}
