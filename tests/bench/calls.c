/* Benchmark: what a call costs through lazygate, beside glibc's lazily
 * bound PLT calls and plain calls, measured in the same run (rdtsc; ratios
 * matter, not absolute figures).
 *
 *   first call   lazygate: one trap + bind (3 membarriers), 256 sites
 *                glibc:    _dl_runtime_resolve, 256 functions (-z lazy)
 *   bound call   lazygate far / near vs direct call vs PLT call
 */
#include <stdio.h>
#include <lazygate/lazygate.h>
#include "t.h"

#define N 256
#define LOOPS 2000000

extern const struct lg_api t_api;

#define F(i) int peer_##i(int a, int b);
#define F4(i) F(i##0) F(i##1) F(i##2) F(i##3)
#define F16(i) F4(i##0) F4(i##1) F4(i##2) F4(i##3)
#define F64(i) F16(i##0) F16(i##1) F16(i##2) F16(i##3)
F64(1) F64(2) F64(3) F64(4)
#define S(i) __attribute__((noinline)) static int site_##i(int k) { return t_add(i, k); }
#define S4(i) S(i##0) S(i##1) S(i##2) S(i##3)
#define S16(i) S4(i##0) S4(i##1) S4(i##2) S4(i##3)
#define S64(i) S16(i##0) S16(i##1) S16(i##2) S16(i##3)
S64(1) S64(2) S64(3) S64(4)
#define C(i) sum += f(i, 1);
#define C4(i) C(i##0) C(i##1) C(i##2) C(i##3)
#define C16(i) C4(i##0) C4(i##1) C4(i##2) C4(i##3)
#define C64(i) C16(i##0) C16(i##1) C16(i##2) C16(i##3)

static unsigned long long now(void)
{
	unsigned int lo, hi;

	__asm__ __volatile__("lfence; rdtsc" : "=a"(lo), "=d"(hi));
	return (unsigned long long)hi << 32 | lo;
}

static volatile int sink;

static double first_calls_lazygate(void)
{
	unsigned long long t0 = now();
	int sum = 0;

#undef C
#define C(i) sum += site_##i(1);
	C64(1) C64(2) C64(3) C64(4)
	sink = sum;
	return (double)(now() - t0) / N;
}

static double first_calls_plt(void)
{
	unsigned long long t0 = now();
	int sum = 0;

#undef C
#define C(i) sum += peer_##i(i, 1);
	C64(1) C64(2) C64(3) C64(4)
	sink = sum;
	return (double)(now() - t0) / N;
}

__attribute__((noinline)) static int direct_add(int a, int b) { return a + b; }

#define LOOP(expr)                                        \
	do {                                                  \
		unsigned long long t0 = now();                    \
		int i, sum = 0;                                   \
		for (i = 0; i < LOOPS; i++)                       \
			sum += (expr);                                \
		sink = sum;                                       \
		return (double)(now() - t0) / LOOPS;              \
	} while (0)

/* noipa: identical bodies must stay distinct functions with distinct sites */
#define BENCH __attribute__((noipa)) static double
BENCH bound_far(void) { LOOP(t_add(i, 1)); }
BENCH bound_near(void) { LOOP(t_sum6(1, 2, 3, 4, 6, (uint32_t)i)); }
BENCH bound_far6(void) { LOOP(t_sum6(1, 2, 3, 4, 5, (uint32_t)i)); }
BENCH direct(void) { LOOP(direct_add(i, 1)); }
BENCH plt(void) { LOOP(peer_1000(i, 1)); }

int main(void)
{
	double lg1, plt1, far, far6, near, dir, pl;

	lazygate_provide(&t_api);
	lg1 = first_calls_lazygate();
	plt1 = first_calls_plt();
	dir = direct();
	pl = plt();
	far = bound_far();
	far6 = bound_far6();
	lazygate_set_bind_mode(LAZYGATE_BIND_NEAR);
	near = bound_near(); /* its site binds now, near */
	near = bound_near();
	printf("first call (cycles/site, %d sites)\n", N);
	printf("  lazygate trap+bind %10.0f   glibc lazy PLT %8.0f   ratio %.1fx\n", lg1, plt1, lg1 / plt1);
	printf("bound call (cycles/call, %d calls)\n", LOOPS);
	printf("  direct call        %10.1f\n", dir);
	printf("  PLT call (peer)    %10.1f   %.2fx direct\n", pl, pl / dir);
	printf("  lazygate far       %10.1f   %.2fx direct  (2 args)\n", far, far / dir);
	printf("  lazygate far       %10.1f   %.2fx direct  (6 args)\n", far6, far6 / dir);
	printf("  lazygate near      %10.1f   %.2fx direct  (6 args)   %.2fx PLT\n", near, near / dir,
	       near / pl);
	return 0;
}
