/* Race: THREADS threads call the same unbound sites at the same moment,
 * round after round on fresh sites (NSITES in all).  Every call must return
 * the right value and every site must bind exactly once. */
#include <pthread.h>
#include <stdlib.h>
#include <lazygate/lazygate.h>
#include "t.h"
#include "tap.h"

#define THREADS 8
#define NSITES 1024
#define ROUND 32

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
static int number(int i)
{
	int d, v = 1 + i / 256, x = i % 256;

	for (d = 64; d; d /= 4)
		v = v * 10 + x / d % 4;
	return v;
}

extern const struct lg_api t_api;
static pthread_barrier_t start;
static unsigned long wrong;

/* Bind counts per site address: open addressing, filled in signal context. */
#define HASH 4096
static unsigned long hsite[HASH];
static int hcount[HASH];

static void on_bind(const struct lazygate_event *ev)
{
	unsigned int h = (unsigned int)(ev->site * 2654435761u) % HASH;

	while (!__sync_bool_compare_and_swap(&hsite[h], 0, ev->site) && hsite[h] != ev->site)
		h = (h + 1) % HASH;
	__atomic_fetch_add(&hcount[h], 1, __ATOMIC_RELAXED);
}

static void *worker(void *arg)
{
	int id = (int)(long)arg, r, i;

	for (r = 0; r < NSITES / ROUND; r++) {
		pthread_barrier_wait(&start);
		for (i = r * ROUND; i < (r + 1) * ROUND; i++) {
			int k = (i * 31 + id) & 0xffff;

			if (sites[i](k) != ((number(i) + k) ^ number(i)))
				__atomic_fetch_add(&wrong, 1, __ATOMIC_RELAXED);
		}
	}
	return 0;
}

int main(void)
{
	pthread_t t[THREADS];
	struct lazygate_stats st;
	int i, distinct = 0, once = 0;

	lazygate_set_bind_hook(on_bind);
	ok(lazygate_provide(&t_api) == 0, "provide t");
	pthread_barrier_init(&start, 0, THREADS);
	for (i = 0; i < THREADS; i++)
		pthread_create(&t[i], 0, worker, (void *)(long)i);
	for (i = 0; i < THREADS; i++)
		pthread_join(t[i], 0);
	lazygate_get_stats(&st);
	for (i = 0; i < HASH; i++)
		if (hsite[i]) {
			distinct++;
			once += hcount[i] == 1;
		}
	ok(wrong == 0, "%d threads x %d sites: every call returned the right value (%lu wrong)",
	   THREADS, NSITES, wrong);
	ok(st.binds == NSITES, "binds == sites (%lu)", st.binds);
	ok(distinct == NSITES && once == NSITES, "every site bound exactly once (%d sites, %d once)",
	   distinct, once);
	ok(st.traps >= NSITES, "traps %lu, of which %lu met another thread's claim", st.traps, st.waits);
	return tap_done();
}
