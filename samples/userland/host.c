/* The userland sample's host: calls the 24 gates of demo.gates through the
 * generated header, three rounds.  Each call site binds on its first call,
 * so bind lines appear in round 1 only. */
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <lazygate/lazygate.h>
#include "demo.h"

extern const struct lg_api demo_api;

/* Bind events, collected in signal context, printed by main. */
static struct lazygate_event events[64];
static volatile unsigned int nevents;

static void on_bind(const struct lazygate_event *ev)
{
	unsigned int i = __atomic_fetch_add(&nevents, 1, __ATOMIC_RELAXED);

	if (i < sizeof events / sizeof events[0])
		events[i] = *ev;
}

static void show_binds(void)
{
	unsigned int i, n = nevents;

	for (i = 0; i < n && i < sizeof events / sizeof events[0]; i++)
		printf("  bind  site %#lx  gate %2u %s.%-10s thread %d\n", events[i].site,
		       events[i].gate, events[i].api, events[i].name, events[i].tid);
	nevents = 0;
}

static void round_of_calls(int round)
{
	char buf[32];
	size_t n = 0;
	uint32_t v = 0, lo, hi;
	int q = 0, r = 0, a, b, cf1, cf2;

	printf("round %d\n", round);
	printf("  version %#x  add %d  sub %d  mul %d\n", demo_version(), demo_add(40, 2),
	       demo_sub(40, 2), demo_mul(6, 7));
	cf1 = demo_divmod(47, 5, &q, &r);
	cf2 = demo_divmod(1, 0, &a, &b);
	printf("  divmod(47, 5): cf=%d q=%d r=%d; divmod(1, 0): cf=%d\n", cf1, q, r, cf2);
	printf("  gcd %u  isqrt %u  popcount %d  bswap %#x\n", demo_gcd(84, 36), demo_isqrt(1000000),
	       demo_popcount(0xf0f0), demo_bswap(0x11223344));
	printf("  strlen %zu  length (alias) %zu\n", demo_strlen("lazygate"), demo_length("gate"));
	demo_strcopy(buf, "bound lazily", sizeof buf, &n);
	demo_upcase(buf);
	printf("  strcopy+upcase \"%s\" (%zu)  hash %#x\n", buf, n, demo_hash(buf, n));
	demo_kv_put(1, 100 + (uint32_t)round);
	demo_kv_put(2, 200);
	demo_kv_del(2);
	cf1 = demo_kv_get(1, &v);
	cf2 = demo_kv_get(2, &lo);
	printf("  kv_get(1): cf=%d value %u  kv_get(2): cf=%d  kv_count %u\n", cf1, v, cf2,
	       demo_kv_count());
	demo_seed(42);
	demo_ticks(&lo, &hi);
	printf("  rand %u  ticks>0 %d  clamp %d  uptime>0 %d\n", demo_rand_next(), lo || hi,
	       demo_clamp(150, 0, 100), demo_uptime_ms() > 0);
	demo_minmax(9, 3, &a, &b);
	printf("  minmax(9, 3) = %d, %d\n", a, b);
	snprintf(buf, sizeof buf, "round %d done", round);
	demo_log_line(buf);
	show_binds();
}

int main(void)
{
	struct lazygate_stats st;
	int i;

	lazygate_set_bind_hook(on_bind);
	if (lazygate_provide(&demo_api)) {
		perror("lazygate_provide");
		return 1;
	}
	lazygate_get_stats(&st);
	printf("host %ld: %lu sites in %lu table(s), provider \"%s\" with %u gates\n",
	       (long)syscall(SYS_gettid), st.sites, st.tables, demo_api.name, demo_api.count);
	for (i = 1; i <= 3; i++)
		round_of_calls(i);
	lazygate_get_stats(&st);
	printf("traps %lu, binds %lu, waits %lu: each site bound once, on its first call\n",
	       st.traps, st.binds, st.waits);
	return !(st.traps == st.binds && st.binds == st.sites);
}
