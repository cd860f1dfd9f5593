/* Benchmark program (make bench, via bench.sh): what a call costs through
 * lazygate beside its peers, measured in the same process with rdtsc.
 * Each mode prints lines "name median p10 p90" (cycles), for bench.sh to
 * tabulate; repeats give the spread.
 *
 *   steady        bound near and far sites, a hand-written far call into
 *                 the same entry, a direct, an indirect and a PLT call, a
 *                 plain near call into the gate's _near entry (the site's
 *                 cost without its four prefixes); the same two for the
 *                 regparm gate t.add2, whose near entry is its C
 *                 implementation, and for t.add3, a regparm gate with
 *                 t.add's registers (its near entry moves them for C);
 *                 C-call sites of t.add and t.add3 (ccall.c: this file
 *                 is built with LAZYGATE_CCALL=0, register sites)
 *   first         a fresh site's first call, one at a time, each after a
 *                 bare SIGSEGV round trip (null-selector far call, a
 *                 handler that steps over it); glibc's lazy PLT first
 *                 call; the parts of a
 *                 bind (a 1-byte /proc/self/mem write, a membarrier round)
 *   race T        T threads calling the same fresh sites at once, rounds
 *                 of 32: a round's time, first start to last end, per site
 *   icount        the direct, indirect and PLT loops and near calls into
 *                 the _near entries and add2's implementation, once each, for
 *                 callgrind: valgrind
 *                 decodes neither the far call nor the bound-near site's
 *                 prefixes (3E 67 2E 2E: the near row adds 3 for them)
 *
 * Every gate called is t.add (t.add2, t.add3 for regparm); the peers add
 * too. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/membarrier.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>
#include <lazygate/lazygate.h>
#include "t.h"
#include "peer4096.h"
#include "loop.h"
#include "fresh.h" /* NSITES fresh sites of t.add */

#define REPEATS 11

extern const struct lg_api t_api;
__attribute__((visibility("hidden"))) extern void lg_thunk_t_add_far(void);

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void put(const char *name, double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp);
	printf("%s %.1f %.1f %.1f\n", name, v[n / 2], v[n / 10], v[n - 1 - n / 10]);
	fflush(stdout);
}

volatile int sink;

/* ---- steady state ---------------------------------------------------- */

__attribute__((noinline)) static int direct_add(int a, int b) { return a + b; }
static int (*volatile indirect_add)(int, int) = direct_add;

static __inline__ int far_by_hand(int a, int b)
{
	__asm__ __volatile__(".byte 0x9a\n\t.long %c[f]\n\t.word 0x23"
			     : "+a"(a) : "b"(b), [f] "i"(lg_thunk_t_add_far) : "memory");
	return a;
}

__attribute__((visibility("hidden"))) extern void lg_thunk_t_add_near(void),
	lg_thunk_t_add3_near(void);

/* The same for the regparm gate add2, whose near entry is its
 * implementation. */
static __inline__ int regparm_entry(int a, int b)
{
	__asm__ __volatile__("call %c[f]" : "+a"(a) : "d"(b), [f] "i"(t_impl_add2) : "memory");
	return a;
}

static __inline__ int near_entry(int a, int b)
{
	__asm__ __volatile__("call %c[f]" : "+a"(a) : "b"(b), [f] "i"(lg_thunk_t_add_near) : "memory");
	return a;
}

/* And for add3: eax, ebx moved to eax, edx in front of its implementation. */
static __inline__ int moved_entry(int a, int b)
{
	__asm__ __volatile__("call %c[f]" : "+a"(a) : "b"(b), [f] "i"(lg_thunk_t_add3_near) : "memory");
	return a;
}

BENCH loop_near(void) { LOOP(t_add(i, 1)); }
BENCH loop_far(void) { LOOP(t_add(i, 2)); }
BENCH loop_by_hand(void) { LOOP(far_by_hand(i, 3)); }
BENCH loop_direct(void) { LOOP(direct_add(i, 4)); }
BENCH loop_indirect(void) { LOOP(indirect_add(i, 5)); }
BENCH loop_plt(void) { LOOP(peer_0(i, 6)); }
BENCH loop_near_entry(void) { LOOP(near_entry(i, 7)); }
BENCH loop_near_regparm(void) { LOOP(t_add2(i, 8)); }
BENCH loop_regparm_entry(void) { LOOP(regparm_entry(i, 9)); }
BENCH loop_near_moved(void) { LOOP(t_add3(i, 10)); }
BENCH loop_moved_entry(void) { LOOP(moved_entry(i, 11)); }

static void steady(void)
{
	static const struct { const char *name; double (*fn)(void); } m[] = {
		{"direct", loop_direct}, {"indirect", loop_indirect}, {"plt", loop_plt},
		{"lazygate_near", loop_near}, {"lazygate_far", loop_far},
		{"far_by_hand", loop_by_hand}, {"near_entry", loop_near_entry},
		{"lazygate_near_regparm", loop_near_regparm}, {"regparm_entry", loop_regparm_entry},
		{"lazygate_near_moved", loop_near_moved}, {"moved_entry", loop_moved_entry},
		{"lazygate_ccall", loop_ccall}, {"lazygate_ccall_regparm", loop_ccall_regparm},
	};
	double v[sizeof m / sizeof m[0]][REPEATS];
	unsigned int i, r;

	lazygate_set_bind_mode(LAZYGATE_BIND_NEAR);
	loop_near(); /* binds its site near */
	loop_near_regparm();
	loop_near_moved();
	loop_ccall(); /* C-call sites: near to the implementation */
	loop_ccall_regparm();
	lazygate_set_bind_mode(LAZYGATE_BIND_FAR);
	loop_far();
	for (r = 0; r < REPEATS; r++) /* interleaved: noise hits all alike */
		for (i = 0; i < sizeof m / sizeof m[0]; i++)
			v[i][r] = m[i].fn();
	for (i = 0; i < sizeof m / sizeof m[0]; i++)
		put(m[i].name, v[i], REPEATS);
}

/* ---- first calls ----------------------------------------------------- */

static double v_first[NSITES], v_segv[NSITES];

/* The bare round trip: a far call to the null selector faults (#GP, as a
 * lazygate site does), the handler steps over the 7-byte call. */
static void step_over(int sig, siginfo_t *si, void *ctx)
{
	(void)sig, (void)si;
	((ucontext_t *)ctx)->uc_mcontext.gregs[REG_EIP] += 7;
}

static double segv_once(void)
{
	unsigned long long t0 = now();

	__asm__ __volatile__(".byte 0x9a\n\t.long 0\n\t.word 0" ::: "memory");
	return (double)(now() - t0);
}

/* A fresh site's first call and a bare SIGSEGV round trip, in turn, so
 * that the machine's moods hit both alike (the handlers are swapped
 * between them, outside the timed part). */
static void first_lazygate(void)
{
	struct lazygate_stats s0, s1;
	struct sigaction bare, lg;
	int i;

	memset(&bare, 0, sizeof bare);
	bare.sa_sigaction = step_over;
	bare.sa_flags = SA_SIGINFO;
	sigfillset(&bare.sa_mask); /* as lazygate's handler */
	sigaction(SIGSEGV, 0, &lg);
	lazygate_get_stats(&s0);
	for (i = 0; i < NSITES; i++) {
		unsigned long long t0;

		sigaction(SIGSEGV, &bare, 0);
		v_segv[i] = segv_once();
		sigaction(SIGSEGV, &lg, 0);
		t0 = now();
		sink = sites[i](i);
		v_first[i] = (double)(now() - t0);
	}
	lazygate_get_stats(&s1);
	put("segv_round_trip", v_segv, NSITES);
	put("first_lazygate", v_first, NSITES);
	printf("traps_per_site %.2f\nwrites_per_site %.2f\nsyncs_per_site %.2f\n",
	       (double)(s1.traps - s0.traps) / (double)(s1.binds - s0.binds),
	       (double)(s1.writes - s0.writes) / (double)(s1.binds - s0.binds),
	       (double)(s1.syncs - s0.syncs) / (double)(s1.binds - s0.binds));
}

static void first_plt(void)
{
	int i;

	for (i = 0; i < PEER_N; i++) {
		unsigned long long t0 = now();

		sink = peer_fn[i](i, 1);
		v_first[i % NSITES] = (double)(now() - t0);
		if (i % NSITES == NSITES - 1 && i / NSITES == 0)
			put("first_plt", v_first, NSITES);
	}
}

/* What a bind is made of: a 1-byte write of code through /proc/self/mem
 * (the byte it already holds), a membarrier SYNC_CORE round. */
static void parts(void)
{
	int fd = open("/proc/self/mem", O_RDWR), i;
	unsigned char *code = (unsigned char *)direct_add;

	for (i = 0; i < NSITES; i++) {
		unsigned long long t0 = now();

		if (pwrite(fd, code, 1, (off_t)(unsigned long)code) != 1)
			abort();
		v_first[i] = (double)(now() - t0);
	}
	put("part_write", v_first, NSITES);
	for (i = 0; i < NSITES; i++) {
		unsigned long long t0 = now();

		syscall(__NR_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE, 0, 0);
		v_first[i] = (double)(now() - t0);
	}
	put("part_sync", v_first, NSITES);
	close(fd);
}

/* ---- threads racing on fresh sites ----------------------------------- */

#define ROUND 32
#define ROUNDS (NSITES / ROUND)
#define MAXT 64
static pthread_barrier_t bar;
static unsigned long long t_start[ROUNDS][MAXT], t_end[ROUNDS][MAXT];
static int nthreads;

static void *racer(void *arg)
{
	int id = (int)(long)arg, r, i;

	for (r = 0; r < ROUNDS; r++) {
		pthread_barrier_wait(&bar);
		t_start[r][id] = now();
		for (i = r * ROUND; i < (r + 1) * ROUND; i++)
			sink = sites[i](id);
		t_end[r][id] = now();
	}
	return 0;
}

/* A round's cost: from the first thread's start to the last one's end,
 * per site of the round. */
static double round_cost(int r)
{
	unsigned long long lo = t_start[r][0], hi = t_end[r][0];
	int i;

	for (i = 1; i < nthreads; i++) {
		lo = t_start[r][i] < lo ? t_start[r][i] : lo;
		hi = t_end[r][i] > hi ? t_end[r][i] : hi;
	}
	return (double)(hi - lo) / ROUND;
}

static void race(int n)
{
	pthread_t t[MAXT];
	struct lazygate_stats s0, s1;
	double v[ROUNDS];
	char name[32];
	int i;

	nthreads = n < 1 ? 1 : n > MAXT ? MAXT : n;
	pthread_barrier_init(&bar, 0, (unsigned)nthreads);
	lazygate_get_stats(&s0);
	for (i = 0; i < nthreads; i++)
		pthread_create(&t[i], 0, racer, (void *)(long)i);
	for (i = 0; i < nthreads; i++)
		pthread_join(t[i], 0);
	lazygate_get_stats(&s1);
	for (i = 0; i < ROUNDS; i++)
		v[i] = round_cost(i);
	snprintf(name, sizeof name, "race_%d", nthreads);
	put(name, v, ROUNDS);
	printf("race_%d_traps_per_site %.2f\n", nthreads,
	       (double)(s1.traps - s0.traps) / (double)(s1.binds - s0.binds));
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "steady";

	if (lazygate_provide(&t_api))
		return perror("lazygate_provide"), 2;
	if (!strcmp(mode, "steady"))
		steady();
	else if (!strcmp(mode, "first")) {
		parts();
		first_plt();
		first_lazygate();
	} else if (!strcmp(mode, "race") && argc > 2)
		race(atoi(argv[2]));
	else if (!strcmp(mode, "icount")) {
		loop_direct(), loop_indirect(), loop_plt(), loop_near_entry(), loop_regparm_entry();
		loop_moved_entry();
	} else
		return fprintf(stderr, "usage: calls steady|first|race THREADS|icount\n"), 2;
	return 0;
}
