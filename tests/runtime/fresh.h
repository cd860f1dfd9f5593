/* Test helpers: NSITES distinct call sites of t.add (sites[i](k), one site
 * each, expected value site_value(i, k)), and a table of how many times
 * each site address was bound, filled by a bind hook in signal context. */
#ifndef T_FRESH_H
#define T_FRESH_H
#include <string.h>
#include <lazygate/lazygate.h>
#include "t.h"
#include "../repeat.h"

#define NSITES 1024

#define SITE(i) __attribute__((noinline)) static int site_##i(int k) { return t_add(i, k) ^ (i); }
REPEAT1024(SITE)
#define SITE_PTR(i) site_##i,
static int (*const sites[NSITES])(int) = {REPEAT1024(SITE_PTR)};

/* The value site i must return: the i in site_##i is repeat.h's numeral. */
static inline int number(int i)
{
	int d, v = 1 + i / 256, x = i % 256;

	for (d = 64; d; d /= 4)
		v = v * 10 + x / d % 4;
	return v;
}

static inline int site_value(int i, int k)
{
	return (number(i) + k) ^ number(i);
}

/* Bind counts per site address: open addressing, async-signal-safe. */
#define HASH 4096
static unsigned long hsite[HASH];
static int hcount[HASH];

static inline void count_bind(unsigned long site)
{
	unsigned int h = (unsigned int)(site * 2654435761u) % HASH;

	while (!__sync_bool_compare_and_swap(&hsite[h], 0, site) && hsite[h] != site)
		h = (h + 1) % HASH;
	__atomic_fetch_add(&hcount[h], 1, __ATOMIC_RELAXED);
}

/* How many distinct sites were bound, and how many of them exactly once. */
static inline void bind_counts(int *distinct, int *once)
{
	int i;

	*distinct = *once = 0;
	for (i = 0; i < HASH; i++)
		if (hsite[i]) {
			++*distinct;
			*once += hcount[i] == 1;
		}
}

/* Forget the counts (no bind may be under way). */
static inline void bind_counts_reset(void)
{
	memset(hsite, 0, sizeof hsite);
	memset(hcount, 0, sizeof hcount);
}
#endif
