/* lazygate/lazygate.h - the Linux i386 userland runtime (liblazygate).
 *
 * Link a program with -llazygate and its gate call sites, and those of every
 * shared object it loads, bind themselves on first execution to the
 * providers registered with lazygate_provide().  The library installs its
 * SIGSEGV handler when it is loaded; faults that are not lazygate sites go
 * to the handler that was installed before it, or kill the process exactly
 * as they would have without lazygate.
 */
#ifndef LAZYGATE_LAZYGATE_H
#define LAZYGATE_LAZYGATE_H

#include <lazygate/provider.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Install the handler and find the site tables loaded so far.  Called
 * automatically when the library loads; idempotent.  0 or -1 (errno). */
int lazygate_init(void);

/* Register a provider's gates.  A gate number that another provider already
 * serves is refused (-1, EEXIST): use lazygate_replace. */
int lazygate_provide(const struct lg_api *api);

/* Unbind every site bound to OLD, then serve its gates from NEW (which may
 * be 0 to withdraw).  Sites rebind on their next call.
 *
 * When it returns, no site leads to OLD any more, but a thread may still be
 * running OLD's code: a call it entered before the unbind.  lazygate cannot
 * know.  Before you unmap OLD (dlclose) or free what its gates use, wait
 * for a grace period: until every thread has completed an outermost gate
 * call that it began after lazygate_replace returned, or is known to be
 * elsewhere (blocked outside any gate call, exited).  A call nested in a
 * gate, or made by a signal handler that interrupted one, does not count.
 * A thread runs one outermost call at a time, so it has then left OLD.
 * With a per-thread count of completed calls, wait until each count has
 * grown by two since lazygate_replace returned; tests/runtime/unload.c
 * does it with a sequence number read before each call. */
int lazygate_replace(const struct lg_api *old_api, const struct lg_api *new_api);

/* How register sites are bound: the bound-near form (the default, 3E 67
 * 2E 2E E8 rel32 into the gate's _near entry), or far calls (3E 67 9A off
 * sel into the _far entry).  LAZYGATE_BIND=far in the environment chooses
 * far calls.  C-call sites (the header's functions, FORMAT.md) are always
 * bound near, straight to the implementation.  Sites already bound keep
 * their form. */
#define LAZYGATE_BIND_FAR 0
#define LAZYGATE_BIND_NEAR 1
void lazygate_set_bind_mode(int mode);

/* Bind now every site, in every module loaded so far, whose gate has a
 * registered provider: one batch, two serialization rounds in all.
 * Returns the number of sites bound, or -1 (errno).  LAZYGATE_BIND_NOW=1
 * in the environment does it at every lazygate_provide and
 * lazygate_replace, and for modules loaded later at their first trap. */
long lazygate_bind_all(void);

struct lazygate_stats {
	unsigned long traps;   /* faults that were lazygate sites */
	unsigned long binds;   /* sites bound */
	unsigned long waits;   /* traps that waited for another thread's bind */
	unsigned long unbinds; /* sites restored by lazygate_replace */
	unsigned long passed;  /* faults handed on to the previous handler */
	unsigned long tables;  /* site tables registered */
	unsigned long sites;   /* sites in them */
	unsigned long writes;  /* writes to code (pwrite calls) */
	unsigned long syncs;   /* serialization rounds (membarrier calls) */
};
void lazygate_get_stats(struct lazygate_stats *st);

/* Called after each bind, in signal context (use only async-signal-safe
 * functions).  LAZYGATE_TRACE=1 in the environment prints the same. */
struct lazygate_event {
	unsigned long site;
	unsigned int gate;
	const char *name; /* the gate's name, "?" if no provider knows it */
	const char *api;
	int tid;
	int near;             /* bound near rather than far */
	unsigned long target; /* entry thunk */
};
typedef void (*lazygate_hook)(const struct lazygate_event *ev);
void lazygate_set_bind_hook(lazygate_hook hook);

/* For programs that install their own SIGSEGV handler after lazygate's:
 * call this first; it returns 1 if the fault was a lazygate site (return
 * from your handler then), 0 if it was not. */
int lazygate_fault(int sig, void *siginfo, void *ucontext);

#ifdef __cplusplus
}
#endif
#endif
