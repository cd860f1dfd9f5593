/* Bind-all: every site whose provider is known bound in one batch, two
 * serialization rounds in all (none when the process has one thread), then
 * no trap at all; replacement unbinds in one batch too.  argv[1]: "api"
 * (lazygate_bind_all) or "env" (LAZYGATE_BIND_NOW=1 set by the test
 * script: lazygate_provide binds).  argv[2]: a library with two sites,
 * loaded after start.  BINDALL_THREAD=1: a second thread sleeps
 * throughout, so every batch and every bind serializes.  Built with C-call
 * sites (bindall) and with register sites (bindall-reg). */
#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>
#include <lazygate/lazygate.h>
#include "t.h"
#include "tap.h"
#include "sites.h"
#include "fresh.h"

extern const struct lg_api t_api;

/* A gate nobody implements: its site must stay initial. */
__attribute__((noinline, used)) static int never_called(void) { return t_missing(1); }

static int call_all(void)
{
	int i, wrong = 0;

	for (i = 0; i < NSITES; i++)
		wrong += sites[i](i) != site_value(i, i);
	return wrong;
}

static struct lazygate_stats stats(void)
{
	struct lazygate_stats st;

	lazygate_get_stats(&st);
	return st;
}

/* A library loaded later: with LAZYGATE_BIND_NOW its first trap binds all
 * its sites; with lazygate_bind_all, the call binds them. */
static void test_plugin(const char *lib, int from_env)
{
	void *h = dlopen(lib, RTLD_NOW);
	int (*twice)(int) = h ? (int (*)(int))dlsym(h, "plugin_twice") : 0;
	int (*plus_one)(int) = h ? (int (*)(int))dlsym(h, "plugin_plus_one") : 0;
	struct lazygate_stats s0 = stats(), s1;

	ok(twice && plus_one, "dlopen %s", lib);
	if (!twice || !plus_one)
		return;
	if (!from_env)
		ok(lazygate_bind_all() == 2, "lazygate_bind_all binds the library's two sites");
	ok(twice(21) == 42 && plus_one(41) == 42, "both of its sites work");
	s1 = stats();
	ok(s1.binds - s0.binds == 2 && s1.traps - s0.traps == (from_env ? 1u : 0u),
	   "%lu binds, %lu traps", s1.binds - s0.binds, s1.traps - s0.traps);
	dlclose(h);
}

static void *sleeper(void *arg)
{
	for (;;)
		pause();
	return arg;
}

int main(int argc, char **argv)
{
	int from_env = argc > 1 && !strcmp(argv[1], "env");
	int far = getenv("LAZYGATE_BIND") && !strcmp(getenv("LAZYGATE_BIND"), "far");
	/* C-call sites are bound near whatever the bind mode */
	enum lg_state bound = far && !LAZYGATE_CCALL ? LG_S_BOUND : LG_S_NEAR;
	int all = count_sites(LG_GATE_t_add);
	int threaded = getenv("BINDALL_THREAD") != 0;
	unsigned long rounds = threaded ? 2 : 0, passes = threaded ? 3 : 1;
	struct lazygate_stats s0, s1, s2;
	pthread_t t;
	long n;

	if (threaded && pthread_create(&t, 0, sleeper, 0))
		return 2;
	s0 = stats();

	ok(count_state(LG_GATE_t_add, LG_S_INITIAL) == all && all == NSITES,
	   "%d add sites, all initial", all);
	ok(lazygate_provide(&t_api) == 0, "provide t");
	n = from_env ? (long)(stats().binds - s0.binds) : lazygate_bind_all();
	s1 = stats();
	ok(n == all, "%s bound %ld sites", from_env ? "LAZYGATE_BIND_NOW" : "lazygate_bind_all", n);
	ok(count_state(LG_GATE_t_add, bound) == all, "every add site is %s", lg_state_name(bound));
	ok(count_state(LG_GATE_t_missing, LG_S_INITIAL) == count_sites(LG_GATE_t_missing),
	   "the site of a gate with no implementation is left initial");
	ok(s1.syncs - s0.syncs == rounds, "%lu serialization rounds in all (%lu)", rounds,
	   s1.syncs - s0.syncs);
	ok(s1.writes - s0.writes <= passes * 8, "%lu writes for %ld sites", s1.writes - s0.writes, n);
	ok(call_all() == 0, "every site returns the right value");
	s2 = stats();
	ok(s2.traps == s1.traps, "and none of them trapped (%lu)", s2.traps - s1.traps);
	ok(lazygate_bind_all() == 0 && stats().syncs == s2.syncs,
	   "binding all again binds nothing and serializes nothing");

	s1 = stats();
	ok(lazygate_replace(&t_api, &t_api) == 0, "replace t by itself");
	s2 = stats();
	if (from_env) {
		ok(s2.unbinds - s1.unbinds >= (unsigned long)all && s2.syncs - s1.syncs == 2 * rounds,
		   "unbound in one batch and bound again in another (%lu rounds)", s2.syncs - s1.syncs);
		ok(count_state(LG_GATE_t_add, bound) == all, "every add site is bound again");
	} else {
		ok(s2.unbinds - s1.unbinds >= (unsigned long)all && s2.syncs - s1.syncs == rounds,
		   "%lu sites unbound in %lu rounds (%lu)", s2.unbinds - s1.unbinds, rounds,
		   s2.syncs - s1.syncs);
		ok(count_state(LG_GATE_t_add, LG_S_INITIAL) == all, "every add site is initial again");
	}
	ok(call_all() == 0, "every site returns the right value after the replacement");
	s1 = stats();
	ok(s1.traps - s2.traps == (from_env ? 0 : (unsigned long)all), "%lu traps",
	   s1.traps - s2.traps);
	if (!from_env) /* each site bound at its trap: lg_patch, or one write alone */
		ok(s1.writes - s2.writes == passes * (unsigned long)all &&
			   s1.syncs - s2.syncs == rounds * (unsigned long)all,
		   "%lu writes and %lu rounds per bind", (s1.writes - s2.writes) / (unsigned long)all,
		   (s1.syncs - s2.syncs) / (unsigned long)all);
	if (argc > 2)
		test_plugin(argv[2], from_env);
	(void)never_called;
	return tap_done();
}
