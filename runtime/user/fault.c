/* The SIGSEGV handler: recognise a lazygate trap, bind the site in the same
 * trap, and hand everything else to whoever would have had it.
 *
 * Linux reports both of our traps as SIGSEGV with trapno 13 (#GP): error
 * code 0 for the far call to a null selector (initial state), and
 * vector << 3 | 2 for "int vector" through a DPL-0 gate (trap state), or
 * vector << 4 | 2 in a 64-bit guest of QEMU 7.2's TCG.  The site table and the bytes say
 * whether the fault is ours (lg_gp_state), not the error code. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>
#include "user.h"

struct lazygate_stats lg_stats;

static struct sigaction prev;
static int installed, trace, init_failed;
static unsigned int code_sel;
static lazygate_hook hook;
/* initial-exec: a library loaded by dlopen would otherwise get its TLS
 * from malloc, at the first access, in the signal handler. */
static __thread __attribute__((tls_model("initial-exec"))) unsigned long last_site;
static __thread __attribute__((tls_model("initial-exec"))) unsigned long last_writes;
static __thread __attribute__((tls_model("initial-exec"))) unsigned int repeats;

/* A #GP in our code segment: only these can be at a site. */
static int is_gp(const ucontext_t *uc)
{
	const greg_t *g = uc->uc_mcontext.gregs;

	return g[REG_TRAPNO] == 13 && ((unsigned long)g[REG_CS] & 0xffff) == code_sel;
}

static void put_gate(struct lg_buf *b, unsigned int gate, const char *api, const char *name)
{
	lg_put(b, "gate ");
	lg_put_dec(b, gate);
	lg_put(b, " (");
	if (api) {
		lg_put(b, api);
		lg_put(b, ".");
	}
	lg_put(b, name ? name : "unknown name");
	lg_put(b, ")");
}

/* A site we cannot bind: say which, then abort.  Never returns. */
static void fatal(const char *why, const struct lg_site *e, unsigned long site)
{
	const struct lg_api *api = 0;
	const struct lg_gate *g = lg_provider_find(lg_site_gate(e), &api, 0);
	struct lg_buf b = {{0}, 0};

	lg_unlock();
	lg_put(&b, "lazygate: ");
	put_gate(&b, lg_site_gate(e), g ? api->name : 0, g ? g->name : 0);
	lg_put(&b, " called at 0x");
	lg_put_hex(&b, site, 8);
	lg_put(&b, " (");
	lg_put(&b, lg_kind_name(lg_site_kind(e)));
	lg_put(&b, " site): ");
	lg_put(&b, why);
	lg_flush(&b);
	abort();
}

static void report(const struct lazygate_event *ev)
{
	struct lg_buf b = {{0}, 0};

	lg_put(&b, "lazygate: bind site 0x");
	lg_put_hex(&b, ev->site, 8);
	lg_put(&b, " ");
	put_gate(&b, ev->gate, ev->api, ev->name);
	lg_put(&b, " thread ");
	lg_put_dec(&b, (unsigned long)ev->tid);
	lg_put(&b, ev->near ? " -> near " : " -> far ");
	if (!ev->near) {
		lg_put_hex(&b, code_sel, 4);
		lg_put(&b, ":");
	}
	lg_put_hex(&b, ev->target, 8);
	lg_flush(&b);
}

/* Tell the trace and the hook that E's site was bound to TO. */
static void announce(const struct lg_site *e, const unsigned char *to, const struct lg_gate *g,
		     const struct lg_api *api)
{
	struct lazygate_event ev;
	struct lg_decoded d;
	lazygate_hook h = __atomic_load_n(&hook, __ATOMIC_ACQUIRE);

	if (!trace && !h)
		return;
	ev.site = lg_site_addr(e);
	ev.gate = lg_site_gate(e);
	ev.name = g->name;
	ev.api = api->name;
	ev.tid = (int)syscall(SYS_gettid);
	lg_classify(to, LG_MAXLEN, &d);
	ev.near = d.state == LG_S_NEAR;
	ev.target = ev.near ? ev.site + LG_KLEN + (unsigned long)(long)d.rel : d.offset;
	if (trace)
		report(&ev);
	if (h)
		h(&ev);
}

/* Initial state: claim, write, serialize, all within this one trap; the
 * thread then re-executes the bound call.  Lock held; released here. */
static void bind(const struct lg_site *e, unsigned long site)
{
	const struct lg_api *api = 0;
	const struct lg_gate *g;
	unsigned char to[LG_MAXLEN];
	const char *why;
	unsigned int len = lg_bound_bytes(e, to, &g, &api, &why);
	int r;

	if (!len)
		fatal(why, e, site);
	r = lg_code_patch((unsigned char *)site, to, len);
	if (r == LG_ELOST) {
		lg_unlock(); /* cannot happen under the lock; re-execute and see */
		return;
	}
	if (r != LG_OK)
		fatal("cannot write the code (/proc/self/mem)", e, site);
	lg_count(binds);
	lg_unlock();
	announce(e, to, g, api);
}

static void collect_bind(const struct lg_site *e, void *arg)
{
	const struct lg_api *api = 0;
	const struct lg_gate *g;
	unsigned char to[LG_MAXLEN];
	const char *why;
	unsigned int len;
	unsigned long site = lg_site_addr(e);

	/* Only k32 sites bind here; a site that cannot be bound is left to
	 * report at its first call. */
	if (lg_site_kind(e) != LG_K32 || !lg_k32_initial((const unsigned char *)site, lg_site_gate(e)))
		return;
	len = lg_bound_bytes(e, to, &g, &api, &why);
	if (len)
		lg_batch_add(arg, e, to, len, g, api);
}

static void cannot_write(void)
{
	struct lg_buf m = {{0}, 0};

	/* Sites may be left claimed, and a claimed site nobody binds would
	 * kill its caller: stop here, loudly. */
	lg_unlock();
	lg_put(&m, "lazygate: cannot write the code (/proc/self/mem) to bind all sites");
	lg_flush(&m);
	abort();
}

static int telling(void)
{
	return trace || __atomic_load_n(&hook, __ATOMIC_ACQUIRE);
}

/* Bind every site of every known module whose provider is known, in one
 * batch (B stays empty when nobody is to be told: then the sites are found
 * in the tables, with no edit list).  The number bound, or -1 (out of
 * memory: nothing written).  Lock held. */
int lg_bind_all_locked(struct lg_batch *b)
{
	long n;

	if (!telling()) {
		if ((n = lg_batch_bind_all()) < 0)
			cannot_write();
		lg_stats.binds += (unsigned long)n;
		return (int)n;
	}
	lg_modules_each(collect_bind, b);
	if (b->failed)
		return -1;
	if (lg_batch_patch(b) != LG_OK)
		cannot_write();
	lg_stats.binds += b->n;
	return (int)b->n;
}

void lg_batch_report(const struct lg_batch *b)
{
	size_t i;

	if (!telling())
		return;
	for (i = 0; i < b->n; i++)
		announce(b->e[i].entry, b->e[i].to, b->e[i].gate, b->e[i].api);
}

/* LAZYGATE_BIND_NOW: a site still initial belongs to a module loaded since
 * the last batch (or its provider came later): bind everything now.  0 if
 * E's own site is still initial (no provider: bind() will say so).  Lock
 * held; released if 1. */
static int bind_rest(const struct lg_site *e)
{
	struct lg_batch b = {0, 0, 0, 0};

	if (lg_bind_all_locked(&b) < 0 ||
	    lg_match((const unsigned char *)lg_site_addr(e), lg_site_kind(e), lg_site_gate(e)) ==
		    LG_S_INITIAL) {
		lg_batch_free(&b);
		return 0;
	}
	lg_unlock();
	lg_batch_report(&b);
	lg_batch_free(&b);
	return 1;
}

long lazygate_bind_all(void)
{
	struct lg_batch b = {0, 0, 0, 0};
	sigset_t saved;
	int n;

	if (lazygate_init())
		return -1;
	lg_lock_blocking_signals(&saved);
	if (init_failed) {
		lg_unlock_restoring_signals(&saved);
		errno = EACCES;
		return -1;
	}
	lg_modules_refresh();
	n = lg_bind_all_locked(&b);
	lg_unlock_restoring_signals(&saved);
	lg_batch_report(&b);
	lg_batch_free(&b);
	if (n < 0)
		errno = ENOMEM;
	return n;
}

/* Returns 1 if the fault was ours and the thread may re-execute. */
static int handle(ucontext_t *uc)
{
	unsigned long site = (unsigned long)uc->uc_mcontext.gregs[REG_EIP];
	unsigned int err = (unsigned int)uc->uc_mcontext.gregs[REG_ERR];
	const struct lg_site *e;

	if (!is_gp(uc))
		return 0;
	lg_lock();
	if (!(e = lg_modules_find(site)) && lg_modules_refresh())
		e = lg_modules_find(site);
	switch (lg_gp_state(e, err)) {
	case LG_S_INITIAL:
		lg_count(traps);
		if (init_failed)
			fatal("lazygate could not open /proc/self/mem at start", e, site);
		if (lg_bind_now && bind_rest(e))
			return 1;
		bind(e, site);
		return 1;
	case LG_S_TRAP:
		/* Holding the lock means no bind is under way: a head still CD
		 * was not written by us.  Not a gate. */
		lg_unlock();
		return 0;
	case LG_S_BOUND:
	case LG_S_NEAR:
		/* Another thread bound it while this one fetched the old bytes
		 * or waited for the lock.  On a CPU, the trap's return
		 * serializes, and the thread cannot fault here again before
		 * code is written.  QEMU's multi-threaded TCG can: a vCPU that
		 * translated the code around the site while another wrote it
		 * may keep that translation (CD 67) after the write, and every
		 * thread that runs through it traps.  Storing the head again
		 * when a thread comes back, under the lock so that no patch is
		 * under way, changes no byte but makes QEMU drop the
		 * translation (as the kernel resolver does).  A third return
		 * with nothing but these stores written in between means
		 * something else is wrong.  (A thread that keeps losing races
		 * for a site, binds apart, is fine.) */
		repeats = last_site == site && last_writes == lg_stats.writes ? repeats + 1 : 0;
		last_site = site;
		if (repeats && repeats <= 2) {
			unsigned char head = *(volatile unsigned char *)site;

			lg_code_write((unsigned char *)site, &head, 1);
		}
		last_writes = lg_stats.writes;
		lg_unlock();
		if (repeats > 2)
			return 0;
		lg_count(traps);
		if (err) /* the int of the trap state: it met a claim */
			lg_count(waits);
		return 1;
	default:
		lg_unlock();
		return 0;
	}
}

static void pass_on(int sig, siginfo_t *si, void *uc)
{
	lg_count(passed);
	if (prev.sa_flags & SA_SIGINFO) {
		prev.sa_sigaction(sig, si, uc);
	} else if (prev.sa_handler == SIG_DFL || prev.sa_handler == SIG_IGN) {
		/* Die exactly as without us: the instruction faults again. */
		signal(sig, SIG_DFL);
	} else {
		prev.sa_handler(sig);
	}
}

int lazygate_fault(int sig, void *si, void *uc)
{
	(void)si;
	return sig == SIGSEGV && uc && handle(uc);
}

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	if (!lazygate_fault(sig, si, uc))
		pass_on(sig, si, uc);
}

int lazygate_init(void)
{
	struct sigaction sa;
	sigset_t saved;
	const char *t;
	int r = 0;

	lg_lock_blocking_signals(&saved);
	if (!installed) {
		code_sel = lg_code_selector();
		init_failed = lg_code_init() != 0;
		t = getenv("LAZYGATE_TRACE");
		trace = t && *t && strcmp(t, "0");
		t = getenv("LAZYGATE_BIND");
		if (t && !strcmp(t, "far"))
			lazygate_set_bind_mode(LAZYGATE_BIND_FAR);
		t = getenv("LAZYGATE_BIND_NOW");
		lg_bind_now = t && *t && strcmp(t, "0");
		memset(&sa, 0, sizeof sa);
		sa.sa_sigaction = on_segv;
		/* SA_ONSTACK: a stack overflow must still reach a previous
		 * handler that relies on sigaltstack. */
		sa.sa_flags = SA_SIGINFO | SA_RESTART | SA_ONSTACK;
		sigfillset(&sa.sa_mask); /* nothing may re-enter the lock */
		r = sigaction(SIGSEGV, &sa, &prev);
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

void lazygate_get_stats(struct lazygate_stats *st)
{
	sigset_t saved;

	lg_lock_blocking_signals(&saved);
	*st = lg_stats;
	lg_unlock_restoring_signals(&saved);
}

void lazygate_set_bind_hook(lazygate_hook h)
{
	__atomic_store_n(&hook, h, __ATOMIC_RELEASE);
}
