/* Two threads race on the same site after each of ROUNDS replacements
 * (made while both wait at a barrier, so no thread is inside a site).  The
 * loser of a race traps at a site already bound; that is normal, and must
 * not be mistaken for a fault loop however often it happens at the same
 * site over time.  In a child, so that a death is reported; argv:
 * libt1.so libt2.so. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <lazygate/lazygate.h>
#include "t.h"
#include "tap.h"

#define ROUNDS 4000

static const struct lg_api *api[2];
static pthread_barrier_t b;
static unsigned long wrong;

__attribute__((noipa)) static int call_version(void) { return t_version(); }

static void *racer(void *arg)
{
	int r;

	(void)arg;
	for (r = 0; r < ROUNDS; r++) {
		pthread_barrier_wait(&b);
		if (call_version() != 1 + (r % 2))
			__atomic_fetch_add(&wrong, 1, __ATOMIC_RELAXED);
		pthread_barrier_wait(&b);
	}
	return 0;
}

static const struct lg_api *load(const char *path)
{
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);

	return h ? (const struct lg_api *)dlsym(h, "t_api") : 0;
}

/* The child: 0 if every round went right and no fault was passed on. */
static int run(const char *lib1, const char *lib2)
{
	struct rlimit no_core = {0, 0};
	struct lazygate_stats st;
	pthread_t t[2];
	int r, i;

	setrlimit(RLIMIT_CORE, &no_core);
	api[0] = load(lib1);
	api[1] = load(lib2);
	if (!api[0] || !api[1] || lazygate_provide(api[0]))
		return 3;
	pthread_barrier_init(&b, 0, 3);
	for (i = 0; i < 2; i++)
		pthread_create(&t[i], 0, racer, 0);
	for (r = 0; r < ROUNDS; r++) {
		pthread_barrier_wait(&b);
		pthread_barrier_wait(&b);
		if (lazygate_replace(api[r % 2], api[1 - r % 2]))
			return 4;
	}
	for (i = 0; i < 2; i++)
		pthread_join(t[i], 0);
	lazygate_get_stats(&st);
	printf("# %lu traps, %lu binds, %lu waits, %lu passed on\n", st.traps, st.binds, st.waits,
	       st.passed);
	return wrong || st.passed ? 1 : 0;
}

int main(int argc, char **argv)
{
	int st = -1;
	pid_t pid;

	if (argc < 3)
		return 2;
	fflush(stdout);
	pid = fork();
	if (pid == 0)
		_exit(run(argv[1], argv[2]));
	waitpid(pid, &st, 0);
	ok(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	   "%d rounds of replace and race on one site: every call right, nothing passed on (%s %d)",
	   ROUNDS, WIFSIGNALED(st) ? "killed by signal" : "exit status",
	   WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
	return tap_done();
}
