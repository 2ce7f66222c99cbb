/*
 * pretok-dump.c - print where kc's pre-tokenizer KIND (0 qwen, 1 cl100k/
 * llama3, 2 o200k, 3 gpt2) ends each pre-token of each input line, in
 * characters, as "3 5 9 " (the reference's preTokenizeString offsets).
 * Built and used by probe-classes.js.
 */
#include <stdio.h>
#include <stdlib.h>

#include "tok/private.h"

int main(int argc, char **argv)
{
	int kind = argc > 1 ? atoi(argv[1]) : 0;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	while ((n = getline(&line, &cap, stdin)) > 0) {
		size_t pos = 0, seen, chars = 0;

		if (line[n - 1] == '\n')
			n--;
		while (pos < (size_t)n) {
			size_t end = kc_tok_pretok_next(kind, (const uint8_t *)line,
			                                (size_t)n, pos, &seen);

			for (size_t i = pos; i < end; i += tk_u8len((uint8_t)line[i]))
				chars++;
			printf("%zu ", chars);
			pos = end;
		}
		putchar('\n');
	}
	free(line);
	return 0;
}
