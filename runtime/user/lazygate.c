/* The library's entry points: start, providers, bind-all.  Each takes the
 * lock with every signal blocked, so that the SIGSEGV handler, which takes
 * it too, never finds it held by its own thread. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "user.h"

static int installed;

static int env(const char *name)
{
	const char *t = getenv(name);

	return t && *t && strcmp(t, "0");
}

int lazygate_init(void)
{
	sigset_t saved;
	const char *t;
	int r = 0;

	lg_lock_blocking_signals(&saved);
	if (!installed) {
		lg_init_failed = lg_code_init() != 0;
		lg_trace = env("LAZYGATE_TRACE");
		t = getenv("LAZYGATE_BIND");
		if (t && !strcmp(t, "far"))
			lazygate_set_bind_mode(LAZYGATE_BIND_FAR);
		lg_bind_now = env("LAZYGATE_BIND_NOW");
		r = lg_fault_install();
		installed = r == 0;
		lg_modules_refresh();
	}
	lg_unlock_restoring_signals(&saved);
	return r;
}

__attribute__((constructor)) static void lg_start(void)
{
	lazygate_init();
}

/* -1 with errno for the core's result R. */
static int fail(long r)
{
	errno = r == LG_EINVAL	 ? EINVAL
		: r == LG_EEXIST ? EEXIST
		: r == LG_ENOENT ? ENOENT
		: r == LG_EFULL	 ? ENOSPC
				 : EIO;
	return -1;
}

int lazygate_provide(const struct lg_api *api)
{
	sigset_t saved;
	int r;

	lazygate_init();
	lg_lock_blocking_signals(&saved);
	r = lg_provide(&lg_providers, api);
	lg_unlock_restoring_signals(&saved);
	if (r < 0)
		return fail(r);
	return lg_bind_now && lazygate_bind_all() < 0 ? -1 : 0;
}

int lazygate_replace(const struct lg_api *old_api, const struct lg_api *new_api)
{
	sigset_t saved;
	long r;

	if (!old_api)
		return fail(LG_EINVAL);
	lg_lock_blocking_signals(&saved);
	lg_modules_refresh();
	r = lg_replace_locked(old_api, new_api);
	lg_unlock_restoring_signals(&saved);
	if (r < 0)
		return fail(r);
	return new_api && lg_bind_now && lazygate_bind_all() < 0 ? -1 : 0;
}

long lazygate_bind_all(void)
{
	struct lg_told told = {0, 0, 0};
	sigset_t saved;
	long n;

	if (lazygate_init())
		return -1;
	lg_lock_blocking_signals(&saved);
	if (lg_init_failed) {
		lg_unlock_restoring_signals(&saved);
		errno = EACCES;
		return -1;
	}
	lg_modules_refresh();
	n = lg_bind_all_locked(&told);
	lg_unlock_restoring_signals(&saved);
	lg_tell(&told);
	return n;
}
