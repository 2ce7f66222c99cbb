/*
 * alloc.c - a faster allocator for jansson's many small values.
 *
 * A 32K-token record is a few hundred objects and strings; every tool
 * parses it into jansson values and frees them again, and the C
 * library's malloc and free came to a fifth of the time.  Here small
 * blocks come from per-thread free lists by size class, taken from the
 * system in slabs and never returned: a stream of records of like shape
 * reuses the same blocks.  Larger blocks go to malloc.
 *
 * Blocks freed by another thread join that thread's lists, which is
 * safe but lets memory drift from one thread to the other: so a tool
 * that parses in one thread and frees in another (kc-ask) does not use
 * this.
 */
#include <stdlib.h>

#include "kc.h"

#define HEADER 16                 /* keeps max_align_t alignment */
#define SLAB ((size_t)1 << 20)

static const size_t class_size[] = { 16, 32, 48, 64, 96, 128, 192, 256,
                                     384, 512 };
#define NCLASS (sizeof class_size / sizeof *class_size)
#define LARGE NCLASS             /* header mark of a malloc'ed block */

struct block {
	struct block *next;
};

static _Thread_local struct block *free_list[NCLASS];
static _Thread_local char *slab, *slab_end;

static size_t class_of(size_t n)
{
	size_t c = 0;

	while (c < NCLASS && class_size[c] < n)
		c++;
	return c;
}

static void *fast_malloc(size_t n)
{
	size_t c = class_of(n);
	char *p;

	if (c == LARGE) {
		p = malloc(HEADER + n);
		if (!p)
			return NULL;
	} else if (free_list[c]) {
		p = (char *)free_list[c] - HEADER;
		free_list[c] = free_list[c]->next;
	} else {
		size_t need = HEADER + class_size[c];
		if (!slab || (size_t)(slab_end - slab) < need) {
			/* The rest of the old slab is left unused. */
			if (!(slab = malloc(SLAB)))
				return NULL;
			slab_end = slab + SLAB;
		}
		p = slab;
		slab += need;
	}
	*(size_t *)p = c;
	return p + HEADER;
}

static void fast_free(void *ptr)
{
	char *p;
	size_t c;

	if (!ptr)
		return;
	p = (char *)ptr - HEADER;
	c = *(size_t *)p;
	if (c == LARGE) {
		free(p);
		return;
	}
	((struct block *)ptr)->next = free_list[c];
	free_list[c] = ptr;
}

void kc_json_fast_alloc(void)
{
	json_set_alloc_funcs(fast_malloc, fast_free);
}
