/* Provider replacement: sites bound to provider 1 are unbound and rebind
 * to provider 2 on their next call, while another thread keeps calling. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <lazygate/lazygate.h>
#include "t.h"
#include "tap.h"
#include "sites.h"

static volatile int phase; /* 0 running, 1 replace finished, 2 stop */
static volatile unsigned long calls, bad, stale;

static void *hammer(void *arg)
{
	(void)arg;
	while (phase != 2) {
		int seen = phase, v = t_version();

		calls++;
		if (v != 1 && v != 2)
			bad++;
		if (seen == 1 && v != 2)
			stale++; /* called after the replacement finished */
	}
	return 0;
}

static const struct lg_api *load(const char *path)
{
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);

	return h ? (const struct lg_api *)dlsym(h, "t_api") : 0;
}

int main(int argc, char **argv)
{
	const struct lg_api *v1, *v2;
	struct lazygate_stats st;
	pthread_t th;

	if (argc < 3)
		return 2;
	v1 = load(argv[1]);
	v2 = load(argv[2]);
	ok(v1 && v2 && v1 != v2, "two providers of t loaded");
	if (!v1 || !v2)
		return tap_done();
	ok(lazygate_provide(v1) == 0, "provide version 1");
	ok(lazygate_provide(v2) == -1, "a second provider of the same gates is refused");
	ok(t_version() == 1 && t_add(2, 2) == 4, "calls reach version 1");
	pthread_create(&th, 0, hammer, 0);
	while (calls < 1000)
		sched_yield();
	ok(lazygate_replace(v1, v2) == 0, "replace 1 by 2 while a thread calls");
	phase = 1;
	lazygate_get_stats(&st);
	ok(st.unbinds >= 2, "bound sites were unbound (%lu)", st.unbinds);
	ok(t_version() == 2, "calls reach version 2");
	ok(count_state(LG_GATE_t_version, LG_S_NEAR) >= 1, "the site rebound (near)");
	{
		unsigned long c = calls;

		while (calls < c + 1000)
			sched_yield();
	}
	phase = 2;
	pthread_join(th, 0);
	ok(bad == 0, "every one of %lu calls returned 1 or 2", calls);
	ok(stale == 0, "no call after the replacement reached version 1 (%lu)", stale);
	ok(lazygate_replace(v2, 0) == 0, "withdraw version 2");
	ok(count_state(LG_GATE_t_version, LG_S_INITIAL) == count_sites(LG_GATE_t_version),
	   "its %d sites are initial again", count_sites(LG_GATE_t_version));
	return tap_done();
}
