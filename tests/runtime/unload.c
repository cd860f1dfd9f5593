/* Replacing a provider while THREADS threads call its gates, then unloading
 * the old one (dlclose, really unmapped) while they go on calling.
 *
 * lazygate_replace unbinds every site bound to the old provider, but it
 * cannot know whether a thread is still running inside the old code (a call
 * entered before the unbind): the application waits for a grace period
 * before dlclose.  Here each thread publishes, after every call that began
 * once the replacement had finished and returned the new version, the
 * replacement it has seen ("left"); a thread runs one call at a time, so
 * once it has done that it is no longer inside the old provider, and no
 * site leads there any more.  When every thread has, the old provider is
 * closed.  A thread that still ran old code after the unmap would die by
 * SIGSEGV, killing the process (unload.test says so).
 *
 * CYCLES times: load the other provider, replace, wait for the grace
 * period, dlclose the old one, check it is gone, let every thread make
 * calls, and swap roles (libt1.so is loaded again for the next cycle).
 * argv: libt1.so libt2.so [nograce: dlclose at once, which may kill us:
 * that shows the test notices]. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <lazygate/lazygate.h>
#include "t.h"
#include "tap.h"

#define THREADS 8
#define CYCLES 10
#define AFTER 500 /* calls each thread makes after each unmap */
#define FILL 4096 /* bytes t.fill writes: time spent inside the provider */

/* Distinct sites, so that rebinding races too. */
#define V(i) __attribute__((noipa)) static int version_##i(void) { return t_version(); }
#define A(i) __attribute__((noipa)) static int add_##i(int a, int b) { return t_add(a, b); }
#define F(i) __attribute__((noipa)) static void fill_##i(char *p, size_t n, int c) { t_fill(p, n, c); }
#define ALL(M) M(0) M(1) M(2) M(3) M(4) M(5) M(6) M(7)
ALL(V) ALL(A) ALL(F)
#define PV(i) version_##i,
#define PA(i) add_##i,
#define PF(i) fill_##i,
static int (*const versions[])(void) = {ALL(PV)};
static int (*const adds[])(int, int) = {ALL(PA)};
static void (*const fills[])(char *, size_t, int) = {ALL(PF)};
#define NS 8

/* seq: 2e when e replacements have finished, odd while one is under way.
 * The version served after e replacements: */
static volatile unsigned int seq;
static volatile int stop;
static unsigned int version_at(unsigned int e) { return 1 + e % 2; }

struct slot {
	volatile unsigned long calls; /* completed */
	volatile unsigned int left;   /* seq at which it last called the new provider */
	unsigned long bad, stale, stable, wrong;
	char buf[FILL];
} __attribute__((aligned(64)));
static struct slot slots[THREADS];

static void *caller(void *arg)
{
	struct slot *s = &slots[(long)arg];
	unsigned long n = 0;

	while (!stop) {
		unsigned int s1 = __atomic_load_n(&seq, __ATOMIC_SEQ_CST), s2;
		int j = (int)(n % NS), c = (int)(n & 0x7f), v, i;

		v = versions[j]();
		if (adds[j]((int)n, 7) != (int)n + 7)
			s->wrong++;
		fills[j](s->buf, FILL, c);
		for (i = 0; i < FILL; i += 512)
			s->wrong += s->buf[i] != c;
		s2 = __atomic_load_n(&seq, __ATOMIC_SEQ_CST);
		if (v != 1 && v != 2)
			s->bad++;
		if (s1 == s2 && !(s1 & 1)) { /* began and ended between replacements */
			s->stable++;
			if ((unsigned int)v != version_at(s1 / 2))
				s->stale++;
			else
				__atomic_store_n(&s->left, s1, __ATOMIC_RELEASE);
		}
		__atomic_store_n(&s->calls, ++n, __ATOMIC_RELEASE);
	}
	return 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Wait until every thread has SEEN the state PRED describes; 0 after 60 s. */
static int wait_all(int (*pred)(const struct slot *, unsigned long), const unsigned long *arg)
{
	double t0 = now();
	int i;

	for (i = 0; i < THREADS; i++)
		while (!pred(&slots[i], arg[i])) {
			if (now() - t0 > 60)
				return 0;
			sched_yield();
		}
	return 1;
}

static int has_left(const struct slot *s, unsigned long want)
{
	return __atomic_load_n(&s->left, __ATOMIC_ACQUIRE) >= want;
}

static int has_called(const struct slot *s, unsigned long want)
{
	return __atomic_load_n(&s->calls, __ATOMIC_ACQUIRE) >= want;
}

/* Does /proc/self/maps list a mapping of a file whose name ends in NAME? */
static int mapped(const char *name)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	size_t n = strlen(name);
	int found = 0;

	while (f && fgets(line, sizeof line, f)) {
		size_t l = strlen(line);

		if (l && line[l - 1] == '\n')
			line[--l] = 0;
		found |= l >= n && !strcmp(line + l - n, name);
	}
	if (f)
		fclose(f);
	return f ? found : -1;
}

int main(int argc, char **argv)
{
	const char *lib[2], *base[2];
	void *h[2];
	const struct lg_api *api[2];
	unsigned long want[THREADS];
	unsigned long calls = 0, after = 0, bad = 0, stale = 0, stable = 0, wrong = 0;
	int grace = !(argc > 3 && !strcmp(argv[3], "nograce"));
	int e, i, loaded = 0, listed = 0, gone = 0, noload = 0, page_gone = 0, graced = 0;
	int called = 0;
	double longest = 0;
	struct lazygate_stats st;
	pthread_t t[THREADS];

	if (argc < 3)
		return 2;
	for (i = 0; i < 2; i++) {
		lib[i] = argv[1 + i];
		base[i] = strrchr(lib[i], '/') ? strrchr(lib[i], '/') : lib[i];
	}
	h[0] = dlopen(lib[0], RTLD_NOW | RTLD_LOCAL);
	api[0] = h[0] ? (const struct lg_api *)dlsym(h[0], "t_api") : 0;
	ok(api[0] && lazygate_provide(api[0]) == 0, "version 1 (%s) provided", lib[0]);
	if (!api[0])
		return tap_done();
	for (i = 0; i < THREADS; i++)
		pthread_create(&t[i], 0, caller, (void *)(long)i);
	for (i = 0; i < THREADS; i++)
		want[i] = 100;
	ok(wait_all(has_called, want), "%d threads call version 1", THREADS);

	for (e = 1; e <= CYCLES; e++) {
		int o = (e - 1) % 2, n = e % 2; /* old and new: 0 libt1, 1 libt2 */
		void *page;
		double t0;

		h[n] = dlopen(lib[n], RTLD_NOW | RTLD_LOCAL);
		api[n] = h[n] ? (const struct lg_api *)dlsym(h[n], "t_api") : 0;
		if (!api[n])
			break;
		loaded++;
		page = (void *)((unsigned long)api[o]->gates[0].near_entry & ~4095UL);
		__atomic_store_n(&seq, 2 * e - 1, __ATOMIC_SEQ_CST);
		if (lazygate_replace(api[o], api[n]))
			break;
		__atomic_store_n(&seq, 2 * e, __ATOMIC_SEQ_CST);
		/* The grace period. */
		t0 = now();
		for (i = 0; i < THREADS; i++)
			want[i] = 2 * (unsigned long)e;
		if (grace && !wait_all(has_left, want))
			break;
		graced++;
		if (now() - t0 > longest)
			longest = now() - t0;
		listed += mapped(base[o]) == 1;
		if (dlclose(h[o]))
			break;
		gone += mapped(base[o]) == 0;
		noload += dlopen(lib[o], RTLD_NOW | RTLD_NOLOAD) == 0;
		page_gone += msync(page, 4096, MS_ASYNC) == -1 && errno == ENOMEM;
		/* The threads go on calling. */
		for (i = 0; i < THREADS; i++)
			want[i] = slots[i].calls + AFTER;
		if (!wait_all(has_called, want))
			break;
		called++;
	}
	stop = 1;
	for (i = 0; i < THREADS; i++) {
		pthread_join(t[i], 0);
		calls += slots[i].calls;
		bad += slots[i].bad;
		stale += slots[i].stale;
		stable += slots[i].stable;
		wrong += slots[i].wrong;
	}
	after = (unsigned long)called * AFTER * THREADS;
	lazygate_get_stats(&st);
	ok(loaded == CYCLES, "%d replacements: the other provider loaded each time (%d)", CYCLES, loaded);
	ok(graced == CYCLES, "grace periods: after each replacement every thread called the new "
	   "provider (%d of %d, longest %.1f ms)", graced, CYCLES, longest * 1e3);
	ok(listed == CYCLES && gone == CYCLES,
	   "each old provider was in /proc/self/maps before dlclose (%d) and gone after (%d)", listed, gone);
	ok(noload == CYCLES, "dlopen(RTLD_NOLOAD) of the old provider fails after dlclose (%d)", noload);
	ok(page_gone == CYCLES, "the page of its t.add entry is unmapped (%d)", page_gone);
	ok(called == CYCLES, "after each unmap every thread made %d more calls (%lu in all)", AFTER, after);
	ok(bad == 0, "every one of %lu t.version calls returned 1 or 2 (%lu did not)", calls, bad);
	ok(stale == 0, "no call begun after a replacement finished reached the old provider "
	   "(%lu of %lu such calls)", stale, stable);
	ok(wrong == 0, "t.add and t.fill did their work every time (%lu wrong)", wrong);
	ok(st.unbinds >= CYCLES, "sites were unbound (%lu) and rebound (%lu binds)", st.unbinds, st.binds);
	return tap_done();
}
