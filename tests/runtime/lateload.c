/* Threads created before lazygate's handler exists behave like threads
 * created after.  This program is linked without -llazygate (its sites
 * need only t.h): EARLY threads start and wait; then the runtime is loaded
 * with dlopen (its constructor installs the SIGSEGV handler), the provider
 * is registered through dlsym, LATE more threads start, and all of them
 * race on fresh sites, round after round.  Every call must return the
 * right value and every site must bind exactly once.
 *
 * The handler runs in signal context: it may not allocate memory (malloc
 * is not async-signal-safe).  malloc, calloc and realloc are counted here
 * while the threads race, when nothing else allocates.
 *
 * argv[1]: the runtime (runtime/liblazygate.so). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "t.h"
#include "tap.h"
#include "fresh.h"

#define EARLY 4
#define LATE 4
#define THREADS (EARLY + LATE)
#define ROUND 32

extern const struct lg_api t_api;

/* Allocations while the threads race. */
extern void *__libc_malloc(size_t), *__libc_calloc(size_t, size_t), *__libc_realloc(void *, size_t);
static volatile int racing;
static unsigned long allocs, in_handler;

static void count_alloc(void)
{
	sigset_t now;

	if (!racing)
		return;
	__atomic_fetch_add(&allocs, 1, __ATOMIC_RELAXED);
	/* lazygate's handler runs with every signal blocked; the workers
	 * block none. */
	if (!pthread_sigmask(SIG_BLOCK, 0, &now) && sigismember(&now, SIGSEGV))
		__atomic_fetch_add(&in_handler, 1, __ATOMIC_RELAXED);
}

void *malloc(size_t n)
{
	count_alloc();
	return __libc_malloc(n);
}

void *calloc(size_t n, size_t m)
{
	count_alloc();
	return __libc_calloc(n, m);
}

void *realloc(void *p, size_t n)
{
	count_alloc();
	return __libc_realloc(p, n);
}

static pthread_barrier_t go, round_start;
static int tids[THREADS];
static unsigned long wrong[THREADS], calls[THREADS];
static int early_binds, late_binds, other_binds;

/* The bind hook: which kind of thread bound the site. */
static void on_bind(const struct lazygate_event *ev)
{
	int i;

	count_bind(ev->site);
	for (i = 0; i < THREADS; i++)
		if (tids[i] == ev->tid)
			break;
	__atomic_fetch_add(i < EARLY ? &early_binds : i < THREADS ? &late_binds : &other_binds, 1,
			   __ATOMIC_RELAXED);
}

static void *worker(void *arg)
{
	int id = (int)(long)arg, r, i;

	tids[id] = (int)syscall(SYS_gettid);
	pthread_barrier_wait(&go);
	for (r = 0; r < NSITES / ROUND; r++) {
		pthread_barrier_wait(&round_start);
		for (i = r * ROUND; i < (r + 1) * ROUND; i++) {
			int k = (i * 31 + id) & 0xffff;

			wrong[id] += sites[i](k) != site_value(i, k);
			calls[id]++;
		}
	}
	return 0;
}

/* Is the SIGSEGV handler one of the runtime's functions? */
static int handler_in(void *lib)
{
	struct sigaction sa;
	Dl_info info;
	void *fn;

	if (sigaction(SIGSEGV, 0, &sa))
		return -1;
	fn = (sa.sa_flags & SA_SIGINFO) ? (void *)sa.sa_sigaction : (void *)sa.sa_handler;
	if (fn == (void *)SIG_DFL || fn == (void *)SIG_IGN)
		return 0;
	if (!dladdr(fn, &info))
		return -1;
	return dlopen(info.dli_fname, RTLD_NOW | RTLD_NOLOAD) == lib ? 1 : -1;
}

int main(int argc, char **argv)
{
	pthread_t t[THREADS];
	void *lib;
	int (*provide)(const struct lg_api *);
	void (*set_hook)(lazygate_hook);
	void (*get_stats)(struct lazygate_stats *);
	struct lazygate_stats st;
	unsigned long early_wrong = 0, late_wrong = 0, n_early = 0, n_late = 0;
	int i, distinct, once;

	if (argc < 2)
		return 2;
	ok(handler_in(0) == 0 && !dlsym(RTLD_DEFAULT, "lazygate_init"),
	   "no runtime and no SIGSEGV handler at start");
	pthread_barrier_init(&go, 0, THREADS + 1);
	pthread_barrier_init(&round_start, 0, THREADS);
	for (i = 0; i < EARLY; i++)
		pthread_create(&t[i], 0, worker, (void *)(long)i);

	lib = dlopen(argv[1], RTLD_NOW | RTLD_GLOBAL);
	ok(lib != 0, "dlopen %s: %s", argv[1], lib ? "ok" : dlerror());
	if (!lib)
		return tap_done();
	provide = (int (*)(const struct lg_api *))dlsym(lib, "lazygate_provide");
	set_hook = (void (*)(lazygate_hook))dlsym(lib, "lazygate_set_bind_hook");
	get_stats = (void (*)(struct lazygate_stats *))dlsym(lib, "lazygate_get_stats");
	ok(provide && set_hook && get_stats, "lazygate_provide, _set_bind_hook, _get_stats found");
	if (!provide || !set_hook || !get_stats)
		return tap_done();
	ok(handler_in(lib) == 1, "its constructor installed the SIGSEGV handler");
	set_hook(on_bind);
	ok(provide(&t_api) == 0, "provide t");
	get_stats(&st);
	ok(st.sites == NSITES, "the runtime found the program's %d sites (%lu)", NSITES, st.sites);

	for (i = EARLY; i < THREADS; i++)
		pthread_create(&t[i], 0, worker, (void *)(long)i);
	racing = 1;
	pthread_barrier_wait(&go);
	for (i = 0; i < THREADS; i++)
		pthread_join(t[i], 0);
	racing = 0;

	get_stats(&st);
	bind_counts(&distinct, &once);
	for (i = 0; i < THREADS; i++) {
		*(i < EARLY ? &early_wrong : &late_wrong) += wrong[i];
		*(i < EARLY ? &n_early : &n_late) += calls[i];
	}
	ok(n_early == (unsigned long)EARLY * NSITES && early_wrong == 0,
	   "%d threads created before the handler: %lu calls, all right (%lu wrong)", EARLY, n_early,
	   early_wrong);
	ok(n_late == (unsigned long)LATE * NSITES && late_wrong == 0,
	   "%d threads created after it: %lu calls, all right (%lu wrong)", LATE, n_late, late_wrong);
	ok(st.binds == NSITES && distinct == NSITES && once == NSITES,
	   "every site bound exactly once (%lu binds, %d sites, %d once)", st.binds, distinct, once);
	ok(early_binds + late_binds == NSITES && other_binds == 0,
	   "binds by threads created before: %d, after: %d (traps %lu, waits %lu)", early_binds,
	   late_binds, st.traps, st.waits);
	ok(allocs == 0, "no memory allocated while the threads raced (%lu malloc/calloc/realloc calls, "
	   "%lu of them in the SIGSEGV handler)", allocs, in_handler);
	return tap_done();
}
