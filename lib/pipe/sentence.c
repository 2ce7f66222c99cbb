/*
 * sentence.c - where a sentence really ends, so a chain pair can go there.
 *
 * The reference inserts after any '.', '?' or newline, which lands pairs
 * inside decimals ("3. {...}.5") and abbreviations ("U. {...}.S.").
 * Here a '.', '?' or '!' ends a sentence only when white space or the
 * end of the text follows (after any closing quotes or brackets), or a
 * capitalized word right after a word (2WikiMultihopQA's glued
 * sentences, "film.It was"; not "Ph.D."), the
 * word before it is not an abbreviation or an initial, and the next word
 * does not start in lower case, and the end is not inside an open
 * parenthesis, bracket or quotation ("Eritrea (/ˌɛrɪˈtreɪ.ə/)", "(Public
 * Law 91-572, 84 Stat. 1504, Dec. 24, 1970)", "he said \"Go home. Now.\"").
 * A newline inside the text is a paragraph end and always qualifies; it
 * also closes whatever the paragraph left open, so one stray bracket
 * costs at most its own paragraph.
 */
#include <ctype.h>
#include <string.h>

#include "kc.h"
#include "pipe/private.h"

/* Words that end in '.' without ending a sentence (compared without
 * case).  Words with an inner '.' ("U.S", "e.g", "Ph.D") and single
 * letters are caught by rule, not by this list. */
static const char *const abbrev[] = {
	"adm", "al", "approx", "apr", "assn", "aug", "ave", "blvd", "bros",
	"brig", "ca", "capt", "cf", "cmdr", "co", "col", "corp", "cpl", "dec",
	"dept", "dr", "ed", "eds", "esp", "esq", "est", "etc", "feb", "fig",
	"figs", "fl", "ft", "gen", "gov", "hon", "inc", "jan", "jr", "jul",
	"jun", "lt", "ltd", "maj", "mar", "messrs", "mlle", "mme", "mr", "mrs",
	"ms", "mt", "no", "nos", "nov", "nr", "oct", "op", "ph", "pp", "prof",
	"pvt",
	"rd", "rep", "repr", "rev", "sen", "sep", "sept", "sgt", "sr", "st", "stat",
	"trans", "univ", "vol", "vols", "vs",
};

static int is_abbrev(const char *w, size_t n)
{
	char low[8];

	if (n > 6)
		return 0;   /* longer than the longest in the list */
	for (size_t i = 0; i < n; i++)
		low[i] = (char)tolower((unsigned char)w[i]);
	low[n] = '\0';
	for (size_t i = 0; i < sizeof abbrev / sizeof *abbrev; i++)
		if (abbrev[i][0] == low[0] && !strcmp(abbrev[i], low))
			return 1;
	return 0;
}

/* Length of a closing quote or bracket at s (ASCII, ’ ” »), or 0. */
static size_t closer(const unsigned char *s, size_t left)
{
	if (left >= 1 && (s[0] == '"' || s[0] == '\'' || s[0] == ')' ||
	                  s[0] == ']'))
		return 1;
	if (left >= 3 && s[0] == 0xe2 && s[1] == 0x80 &&
	    (s[2] == 0x99 || s[2] == 0x9d))
		return 3;
	if (left >= 2 && s[0] == 0xc2 && s[1] == 0xbb)
		return 2;
	return 0;
}

/*
 * What is open at a point of a paragraph: parentheses and brackets
 * (one depth: the datasets' stripped transcriptions close "(" with "]",
 * "Don Quixote ( or ] ,"), and a double quotation.  An ASCII '"' opens
 * one after a space or a bracket and closes one elsewhere ('letter?"'),
 * except after a digit, where it is an inch or a second mark (12").
 */
struct open {
	unsigned depth;
	int quote;
};

static void open_step(struct open *o, const unsigned char *s, size_t i)
{
	switch (s[i]) {
	case '(': case '[':
		o->depth++;
		break;
	case ')': case ']':
		if (o->depth)
			o->depth--;
		break;
	case '"':   /* opens after a space or a bracket, else closes */
		if (i == 0 || isspace(s[i - 1]) || s[i - 1] == '(' ||
		    s[i - 1] == '[')
			o->quote = 1;
		else if (!isdigit(s[i - 1]))
			o->quote = 0;
		break;
	case 0x9c: case 0x9d:   /* “ opens, ” closes: e2 80 9c/9d */
		if (i >= 2 && s[i - 2] == 0xe2 && s[i - 1] == 0x80)
			o->quote = s[i] == 0x9c;
		break;
	case '\n':
		o->depth = 0;
		o->quote = 0;
		break;
	}
}

/* Does the sentence really end with the '.' at text[i]? */
static int period_ends(const char *text, size_t i)
{
	size_t start = i;
	int inner_dot = 0, letters = 0;

	/* The word before the period: letters, digits and inner periods. */
	while (start > 0) {
		unsigned char c = (unsigned char)text[start - 1];
		if (c == '.')
			inner_dot = 1;
		else if (isalpha(c))
			letters++;
		else if (!isdigit(c))
			break;
		start--;
	}
	if (i == start)
		return 1;                 /* ") ." or ". ." */
	if (inner_dot && letters)
		return 0;                 /* U.S. e.g. Ph.D. */
	if (i - start == 1 && letters == 1)
		return 0;                 /* an initial: J. R. R. */
	if (letters == (int)(i - start) && is_abbrev(text + start, i - start))
		return 0;
	return 1;
}

/* 1: a sentence may stop here; 2: open_step reads it. */
static const unsigned char cls[256] = {
	['\n'] = 3, ['.'] = 1, ['?'] = 1, ['!'] = 1,
	['('] = 2, ['['] = 2, [')'] = 2, [']'] = 2, ['"'] = 2,
	[0x9c] = 2, [0x9d] = 2,
};

size_t kc_sentence_ends(const char *text, size_t len, uint32_t *out,
                        size_t max, size_t *refused)
{
	const unsigned char *s = (const unsigned char *)text;
	struct open o = { 0, 0 }, at;
	size_t n = 0, marks = 0;

	for (size_t i = 0; i < len; i++) {
		size_t j, k;
		unsigned char c;

		while (i < len && !cls[s[i]])
			i++;
		if (i == len)
			break;
		if (cls[s[i]] & 2)
			open_step(&o, s, i);
		if (!(cls[s[i]] & 1))
			continue;
		c = s[i];
		if (c == '\n') {
			if (n < max)
				out[n] = (uint32_t)(i + 1);
			n++;
			continue;
		}
		marks++;
		j = i + 1;
		/* "?!" ends after the last one; "..." and "Inc.." are
		 * taken for no end at all (the word before has dots) */
		if (j < len && (s[j] == '.' || s[j] == '?' || s[j] == '!'))
			continue;
		at = o;
		while ((k = closer(s + j, len - j))) {
			for (size_t m = j; m < j + k; m++)
				open_step(&at, s, m);
			j += k;
		}
		if (at.depth || at.quote)
			continue;         /* inside ( ), [ ] or a quotation */
		if (j < len && s[j] != ' ' && s[j] != '\t' && s[j] != '\n') {
			/* 2WikiMultihopQA joins its sentences with no space
			 * ("a 1936 film.It recorded"): a capitalized word right
			 * after a word of two or more letters still starts a
			 * sentence ("Ph.D." does not: no lower case follows). */
			if (!isupper(s[j]) || j + 1 >= len || !islower(s[j + 1]) ||
			    i < 2 || !islower(s[i - 1]) || !isalpha(s[i - 2]))
				continue;
		}
		if (c == '.' && !period_ends(text, i))
			continue;
		/* The next word starts in lower case: not a sentence end
		 * ("Who's Who? is an album", "etc. and"). */
		for (k = j; k < len && (s[k] == ' ' || s[k] == '\t'); k++)
			;
		if (k < len && islower(s[k]))
			continue;
		/* A newline right after the end is itself a boundary. */
		if (j < len && s[j] == '\n') {
			marks--;
			continue;
		}
		if (n < max)
			out[n] = (uint32_t)j;
		n++;
		marks--;
	}
	if (refused)
		*refused = marks;
	return n;
}

int kc_sentence_stackable(const char *text, size_t len, size_t at)
{
	return at > 0 && text[at - 1] != '\n' &&
	       (at == len || text[at] == ' ' || text[at] == '\t' ||
	        text[at] == '\n');
}
