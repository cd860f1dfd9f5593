/* loop.h - the timed loop of the steady-state benchmarks (calls.c,
 * ccall.c): LOOPS calls of EXPR between two rdtsc reads, cycles per call. */
#ifndef BENCH_LOOP_H
#define BENCH_LOOP_H

#define LOOPS 1000000

extern volatile int sink; /* keeps the sums alive (calls.c) */

static __inline__ unsigned long long now(void)
{
	unsigned int lo, hi;

	__asm__ __volatile__("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi));
	return (unsigned long long)hi << 32 | lo;
}

#define LOOP(expr)                                   \
	do {                                             \
		unsigned long long t0 = now();               \
		int i, sum = 0;                              \
		for (i = 0; i < LOOPS; i++)                  \
			sum += (expr);                           \
		sink = sum;                                  \
		return (double)(now() - t0) / LOOPS;         \
	} while (0)

/* noipa: identical bodies stay distinct functions with distinct sites */
#define BENCH __attribute__((noipa)) static double

/* ccall.c */
double loop_ccall(void);
double loop_ccall_regparm(void);

#endif
