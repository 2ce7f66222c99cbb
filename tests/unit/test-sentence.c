/* Where chain pairs may go: kc_sentence_ends on the cases the reference
 * gets wrong and the ones it must keep. */
#include <string.h>
#include "kc.h"
#include "pipe/private.h"
#include "harness.h"

/* The text with a '|' at every sentence end found. */
static const char *marked(const char *text)
{
	static char out[512];
	uint32_t ends[64];
	size_t o = 0, k = 0;
	size_t n = kc_sentence_ends(text, strlen(text), ends, 64, NULL);

	for (size_t i = 0; i <= strlen(text); i++) {
		while (k < n && ends[k] == i) {
			out[o++] = '|';
			k++;
		}
		if (text[i])
			out[o++] = text[i];
	}
	out[o] = '\0';
	return out;
}

TEST(plain_sentences)
{
	CHECK_EQ_STR(marked("He left. She came? Yes! End."),
	             "He left.| She came?| Yes!| End.|");
}

TEST(numbers_are_not_ends)
{
	CHECK_EQ_STR(marked("It is 3.5 cm long. It grew by 1. 2 more."),
	             "It is 3.5 cm long.| It grew by 1.| 2 more.|");
}

TEST(abbreviations_and_initials)
{
	CHECK_EQ_STR(marked("The U.S. Army met Dr. Smith and J. R. R. Tolkien, "
	                    "e.g. here. Then"),
	             "The U.S. Army met Dr. Smith and J. R. R. Tolkien, "
	             "e.g. here.| Then");
	CHECK_EQ_STR(marked("He has a Ph.D. from MIT. She has a Ph. D. too."),
	             "He has a Ph.D. from MIT.| She has a Ph. D. too.|");
	CHECK_EQ_STR(marked("They sold 5 units etc. and left."),
	             "They sold 5 units etc. and left.|");
}

TEST(lower_case_continues)
{
	CHECK_EQ_STR(marked("Who's Who? is an album. Done."),
	             "Who's Who? is an album.| Done.|");
}

TEST(closing_quotes_and_brackets)
{
	CHECK_EQ_STR(marked("He said \"Go.\" Then (born 1950.) Next."),
	             "He said \"Go.\"| Then (born 1950.)| Next.|");
	CHECK_EQ_STR(marked("\xe2\x80\x9cYes.\xe2\x80\x9d It"),
	             "\xe2\x80\x9cYes.\xe2\x80\x9d| It");
}

TEST(glued_sentences_of_2wiki)
{
	CHECK_EQ_STR(marked("Fatal Lady is a 1936 film.It recorded a loss."),
	             "Fatal Lady is a 1936 film.|It recorded a loss.|");
	CHECK_EQ_STR(marked("A U.S.A.Tour and x.Y z"), "A U.S.A.Tour and x.Y z");
}

TEST(newlines_and_ellipses)
{
	CHECK_EQ_STR(marked("One\nTwo... Three"), "One\n|Two... Three");
	CHECK_EQ_STR(marked("By iHeartMedia, Inc.. The"), "By iHeartMedia, Inc.. The");
	CHECK_EQ_STR(marked("End.\nNext"), "End.\n|Next");
}

/* Issue 7, item 8: seen on the real samples. */
TEST(nothing_ends_inside_open_brackets_or_quotes)
{
	CHECK_EQ_STR(marked("Eritrea (/ \xcb\x8c\xc9\x9br\xc9\xaa\xcb\x88tre\xc9\xaa. "
	                    "\xc9\x99/; Tigrinya) is a country. Its"),
	             "Eritrea (/ \xcb\x8c\xc9\x9br\xc9\xaa\xcb\x88tre\xc9\xaa. "
	             "\xc9\x99/; Tigrinya) is a country.| Its");
	CHECK_EQ_STR(marked("It passed (Public Law 91-572, 84 Stat. 1504, Dec. "
	                    "24. 1970). Then"),
	             "It passed (Public Law 91-572, 84 Stat. 1504, Dec. "
	             "24. 1970).| Then");
	CHECK_EQ_STR(marked("A [note. See] here. He said \"Go home. Now.\" Then"),
	             "A [note. See] here.| He said \"Go home. Now.\"| Then");
	CHECK_EQ_STR(marked("\xe2\x80\x9cOne. Two.\xe2\x80\x9d Three."),
	             "\xe2\x80\x9cOne. Two.\xe2\x80\x9d| Three.|");
	/* a 12" record is not a quotation; a newline closes what is open */
	CHECK_EQ_STR(marked("A 12\" single. It (open. X\nNew. Y"),
	             "A 12\" single.| It (open. X\n|New.| Y");
}

TEST(stackable)
{
	const char *t = "One.\nTwo. Three.Four";

	CHECK(!kc_sentence_stackable(t, strlen(t), 5));   /* after \n */
	CHECK(kc_sentence_stackable(t, strlen(t), 9));    /* "Two." */
	CHECK(!kc_sentence_stackable(t, strlen(t), 16));  /* "Three.Four" */
	CHECK(kc_sentence_stackable(t, strlen(t), strlen(t)));
}

TEST(count_only)
{
	CHECK_EQ_INT(kc_sentence_ends("A. B. C dd.", 11, NULL, 0, NULL), 1);
}

/* The marks the reference would put a pair after and kc does not. */
TEST(refused_marks)
{
	const char *t = "Dr. J. Smith paid 3.5 U.S. dollars. (Why? No.) "
	                "Who? is an album! Wait... Yes.\nEnd";
	size_t refused;

	/* taken: "dollars." "album!" and the newline (which "Yes." comes
	 * right before: not refused); refused: "Dr." "J." "3.5" the two of
	 * "U.S." "Why?" "No." "Who?" and the three of "..." */
	CHECK_EQ_INT(kc_sentence_ends(t, strlen(t), NULL, 0, &refused), 3);
	CHECK_EQ_INT(refused, 11);
}

int main(void)
{
	RUN(plain_sentences);
	RUN(numbers_are_not_ends);
	RUN(abbreviations_and_initials);
	RUN(lower_case_continues);
	RUN(closing_quotes_and_brackets);
	RUN(glued_sentences_of_2wiki);
	RUN(nothing_ends_inside_open_brackets_or_quotes);
	RUN(newlines_and_ellipses);
	RUN(stackable);
	RUN(count_only);
	RUN(refused_marks);
	return DONE();
}
