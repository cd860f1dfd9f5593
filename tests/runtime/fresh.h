/* Test helpers: NSITES distinct call sites of t.add (sites[i](k), one site
 * each, expected value site_value(i, k)), and a table of how many times
 * each site address was bound, filled by a bind hook in signal context. */
#ifndef T_FRESH_H
#define T_FRESH_H
#include <string.h>
#include <lazygate/lazygate.h>
#include "t.h"

#define NSITES 1024

#define S(i) __attribute__((noinline)) static int site_##i(int k) { return t_add(i, k) ^ (i); }
#define S4(i) S(i##0) S(i##1) S(i##2) S(i##3)
#define S16(i) S4(i##0) S4(i##1) S4(i##2) S4(i##3)
#define S64(i) S16(i##0) S16(i##1) S16(i##2) S16(i##3)
#define S256(i) S64(i##0) S64(i##1) S64(i##2) S64(i##3)
S256(1) S256(2) S256(3) S256(4)
#define P(i) site_##i,
#define P4(i) P(i##0) P(i##1) P(i##2) P(i##3)
#define P16(i) P4(i##0) P4(i##1) P4(i##2) P4(i##3)
#define P64(i) P16(i##0) P16(i##1) P16(i##2) P16(i##3)
#define P256(i) P64(i##0) P64(i##1) P64(i##2) P64(i##3)
static int (*const sites[NSITES])(int) = {P256(1) P256(2) P256(3) P256(4)};

/* The value site i must return: the i in site_##i is a base-4 numeral. */
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
