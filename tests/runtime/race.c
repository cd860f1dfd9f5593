/* Race: THREADS threads call the same unbound sites at the same moment,
 * round after round on fresh sites (NSITES in all).  Every call must return
 * the right value and every site must bind exactly once.  Meanwhile another
 * thread reads the whole of /proc/self/maps again and again: no mapping may
 * ever be writable and executable at once (code is written through
 * /proc/self/mem, never made writable). */
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>
#include <lazygate/lazygate.h>
#include "t.h"
#include "tap.h"
#include "fresh.h"

#define THREADS 8
#define ROUND 32

extern const struct lg_api t_api;
static pthread_barrier_t start;
static unsigned long wrong;

static int bound; /* binds so far, counted by the hook */

static void on_bind(const struct lazygate_event *ev)
{
	count_bind(ev->site);
	__atomic_fetch_add(&bound, 1, __ATOMIC_RELAXED);
}

/* The maps watcher's findings. */
static volatile int racing = 1;
static unsigned long snapshots, during, wx, code_rx;

/* Read /proc/self/maps to its end: how many mappings are writable and
 * executable, and whether the one holding CODE is listed r-x. */
static int scan_maps(unsigned long code, int *rx)
{
	static char buf[8192 + 256];
	size_t have = 0;
	ssize_t r;
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC), n = 0;

	*rx = 0;
	if (fd < 0)
		return -1;
	while ((r = read(fd, buf + have, sizeof buf - 1 - have)) > 0) {
		char *p = buf, *nl;

		have += (size_t)r;
		buf[have] = 0;
		while ((nl = strchr(p, '\n'))) { /* "lo-hi rwxp offset ..." */
			char *q;
			unsigned long lo = strtoul(p, &q, 16), hi = strtoul(q + 1, &q, 16);

			if (q[1] && q[2] && q[2] == 'w' && q[3] == 'x')
				n++;
			if (code >= lo && code < hi)
				*rx = q[1] == 'r' && q[2] == '-' && q[3] == 'x';
			p = nl + 1;
		}
		have -= (size_t)(p - buf);
		memmove(buf, p, have);
	}
	close(fd);
	return r < 0 ? -1 : n;
}

static void *watcher(void *arg)
{
	(void)arg;
	while (racing) {
		int b = __atomic_load_n(&bound, __ATOMIC_RELAXED), rx, n;

		if ((n = scan_maps((unsigned long)sites[NSITES / 2], &rx)) < 0)
			break;
		snapshots++;
		during += b > 0 && b < NSITES;
		wx += (unsigned long)n;
		code_rx += (unsigned long)rx;
	}
	return 0;
}

static void *worker(void *arg)
{
	int id = (int)(long)arg, r, i;

	for (r = 0; r < NSITES / ROUND; r++) {
		pthread_barrier_wait(&start);
		for (i = r * ROUND; i < (r + 1) * ROUND; i++) {
			int k = (i * 31 + id) & 0xffff;

			if (sites[i](k) != site_value(i, k))
				__atomic_fetch_add(&wrong, 1, __ATOMIC_RELAXED);
		}
	}
	return 0;
}

int main(void)
{
	pthread_t t[THREADS], w;
	struct lazygate_stats st;
	int i, distinct, once;

	lazygate_set_bind_hook(on_bind);
	ok(lazygate_provide(&t_api) == 0, "provide t");
	pthread_barrier_init(&start, 0, THREADS);
	pthread_create(&w, 0, watcher, 0);
	for (i = 0; i < THREADS; i++)
		pthread_create(&t[i], 0, worker, (void *)(long)i);
	for (i = 0; i < THREADS; i++)
		pthread_join(t[i], 0);
	racing = 0;
	pthread_join(w, 0);
	lazygate_get_stats(&st);
	bind_counts(&distinct, &once);
	ok(wrong == 0, "%d threads x %d sites: every call returned the right value (%lu wrong)",
	   THREADS, NSITES, wrong);
	ok(st.binds == NSITES, "binds == sites (%lu)", st.binds);
	ok(distinct == NSITES && once == NSITES, "every site bound exactly once (%d sites, %d once)",
	   distinct, once);
	ok(st.traps >= NSITES, "traps %lu, of which %lu met another thread's claim", st.traps, st.waits);
	ok(during >= 20, "/proc/self/maps read whole %lu times, %lu of them while sites were binding",
	   snapshots, during);
	ok(code_rx == snapshots, "each read listed the sites' code r-x (%lu of %lu)", code_rx, snapshots);
	ok(wx == 0, "no mapping was ever writable and executable (%lu seen)", wx);
	return tap_done();
}
