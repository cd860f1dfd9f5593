/* make stress: first-call races by the million.  Each round, THREADS
 * threads are released together onto NSITES fresh sites (all in the same
 * order, so they meet at each); then lazygate_replace(v1, v2) or (v2, v1)
 * unbinds every site, and the next round races on them again, bound to
 * the other provider.  Checked every round: every call's value, every site
 * bound exactly once and to the current provider, every site unbound.
 *
 * argv: ROUNDS libt1.so libt2.so.  Prints the totals; exit status 1 if
 * anything went wrong. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <lazygate/lazygate.h>
#include "t.h"
#include "fresh.h"
#include "sites.h"

#define THREADS 8

static pthread_barrier_t start, end;
static volatile int rounds_left;
static unsigned long wrong_calls;
static const struct lg_api *cur;
static unsigned long wrong_target;

static void on_bind(const struct lazygate_event *ev)
{
	count_bind(ev->site);
	const struct lg_gate *g = &cur->gates[0];

	/* C-call sites bind to the implementation, register sites to a thunk */
	if (ev->gate != LG_GATE_t_add ||
	    ev->target != (unsigned long)(LAZYGATE_CCALL ? g->impl : ev->near ? g->near_entry : g->far_entry))
		__atomic_fetch_add(&wrong_target, 1, __ATOMIC_RELAXED);
}

static void *worker(void *arg)
{
	int id = (int)(long)arg, i;
	unsigned long wrong = 0;

	for (;;) {
		pthread_barrier_wait(&start);
		if (!rounds_left)
			break;
		for (i = 0; i < NSITES; i++) {
			int k = (i * 31 + id) & 0xffff;

			wrong += sites[i](k) != site_value(i, k);
		}
		pthread_barrier_wait(&end);
	}
	__atomic_fetch_add(&wrong_calls, wrong, __ATOMIC_RELAXED);
	return 0;
}

static const struct lg_api *load(const char *path)
{
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);

	if (!h)
		fprintf(stderr, "stress: %s\n", dlerror());
	return h ? (const struct lg_api *)dlsym(h, "t_api") : 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	const struct lg_api *api[2];
	struct lazygate_stats s0, a, b;
	pthread_t t[THREADS];
	unsigned long bad_rounds = 0, bad_unbinds = 0, failed_replace = 0;
	long rounds, r;
	int i, distinct, once, every = 1;
	double t0, dt;

	if (argc < 4 || (rounds = strtol(argv[1], 0, 10)) < 1) {
		fprintf(stderr, "usage: stress ROUNDS libt1.so libt2.so\n");
		return 2;
	}
	api[0] = load(argv[2]);
	api[1] = load(argv[3]);
	if (!api[0] || !api[1])
		return 2;
	cur = api[0];
	lazygate_set_bind_hook(on_bind);
	if (lazygate_provide(cur)) {
		perror("stress: lazygate_provide");
		return 2;
	}
	printf("stress: %ld rounds, %d threads racing on %d fresh sites each round\n", rounds,
	       THREADS, NSITES);
	fflush(stdout);
	pthread_barrier_init(&start, 0, THREADS + 1);
	pthread_barrier_init(&end, 0, THREADS + 1);
	rounds_left = 1;
	for (i = 0; i < THREADS; i++)
		pthread_create(&t[i], 0, worker, (void *)(long)i);
	lazygate_get_stats(&s0);
	t0 = now();
	for (r = 0; r < rounds; r++) {
		lazygate_get_stats(&a);
		pthread_barrier_wait(&start);
		pthread_barrier_wait(&end);
		lazygate_get_stats(&b);
		bind_counts(&distinct, &once);
		if (b.binds - a.binds != NSITES || distinct != NSITES || once != NSITES)
			bad_rounds++;
		every &= count_state(LG_GATE_t_add, LG_S_INITIAL) == 0;
		bind_counts_reset();
		if (lazygate_replace(cur, api[cur == api[0]])) {
			failed_replace++;
			break;
		}
		cur = api[cur == api[0]];
		lazygate_get_stats(&a);
		if (a.unbinds - b.unbinds != NSITES ||
		    count_state(LG_GATE_t_add, LG_S_INITIAL) != count_sites(LG_GATE_t_add))
			bad_unbinds++;
		if (rounds >= 10 && (r + 1) % (rounds / 10) == 0) {
			fprintf(stderr, "stress: %ld rounds, %.1f s\n", r + 1, now() - t0);
		}
	}
	dt = now() - t0;
	rounds_left = 0;
	pthread_barrier_wait(&start);
	for (i = 0; i < THREADS; i++)
		pthread_join(t[i], 0);
	lazygate_get_stats(&b);

	printf("first-call races: %lu (%ld rounds x %d fresh sites, each met by %d threads: "
	       "%lu first calls)\n", (unsigned long)r * NSITES, r, NSITES, THREADS,
	       (unsigned long)r * NSITES * THREADS);
	printf("wrong: %lu calls returned a wrong value, %lu binds to the wrong provider, "
	       "%lu rounds not binding every site exactly once, %lu replacements not unbinding "
	       "every site, %lu failed replacements%s\n", wrong_calls, wrong_target, bad_rounds,
	       bad_unbinds, failed_replace, every ? "" : ", a site left initial by a round");
	printf("totals: binds %lu, traps %lu, waits %lu, unbinds %lu, writes %lu, syncs %lu\n",
	       b.binds - s0.binds, b.traps - s0.traps, b.waits - s0.waits, b.unbinds - s0.unbinds,
	       b.writes - s0.writes, b.syncs - s0.syncs);
	printf("time: %.1f s, %.1f us per site bound and unbound\n", dt,
	       r ? dt * 1e6 / ((double)r * NSITES) : 0.0);
	return wrong_calls || wrong_target || bad_rounds || bad_unbinds || failed_replace || !every ||
	       r != rounds;
}
