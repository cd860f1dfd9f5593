/* Benchmark program (make bench, via bench.sh): bind-all at load.  NSITES
 * sites of t.add, 32 bytes apart like calls in small functions, bound by
 * one lazygate_bind_all().  Prints "bindall_NSITES cycles-per-site", then
 * "again_NSITES ..." for a second batch after a replacement unbound them. */
#include <stdio.h>
#include <lazygate/lazygate.h>
#include "t.h"

extern const struct lg_api t_api;

__asm__(".text\n"
	"bulk_sites:\n\t"
	".rept " LG_STR(NSITES) "\n\t"
	LG_ASM_K32("1")
	".fill 23, 1, 0x90\n\t"
	".endr\n\t"
	"ret\n");

static unsigned long long now(void)
{
	unsigned int lo, hi;

	__asm__ __volatile__("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi));
	return (unsigned long long)hi << 32 | lo;
}

int main(void)
{
	unsigned long long t0, t1;
	long n;

	if (lazygate_provide(&t_api))
		return perror("lazygate_provide"), 2;
	t0 = now();
	n = lazygate_bind_all();
	t1 = now();
	if (n < NSITES)
		return fprintf(stderr, "bound %ld of %d sites\n", n, NSITES), 1;
	printf("bindall_%d %.1f\n", NSITES, (double)(t1 - t0) / (double)n);
	/* Again, once the text pages are the process's own copies: what the
	 * first batch spends on copy-on-write. */
	if (lazygate_replace(&t_api, &t_api))
		return perror("lazygate_replace"), 2;
	t0 = now();
	n = lazygate_bind_all();
	t1 = now();
	printf("again_%d %.1f\n", NSITES, (double)(t1 - t0) / (double)n);
	return 0;
}
