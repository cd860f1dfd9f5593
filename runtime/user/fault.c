/* The SIGSEGV handler: recognise a lazygate trap, bind the site in the same
 * trap, and hand everything else to whoever would have had it.
 *
 * Linux reports both of our traps as SIGSEGV with trapno 13 (#GP): error
 * code 0 for the far call to a null selector (initial state), and
 * vector << 3 | 2 for "int vector" through a DPL-0 gate (trap state). */
#define _GNU_SOURCE
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
static __thread unsigned long last_site;
static __thread unsigned int repeats;

static int is_our_trap(const ucontext_t *uc)
{
	const greg_t *g = uc->uc_mcontext.gregs;
	unsigned long err = (unsigned long)g[REG_ERR];

	if (g[REG_TRAPNO] != 13 || ((unsigned long)g[REG_CS] & 0xffff) != code_sel)
		return 0;
	return err == 0 || err == (LG_VEC_K32 << 3 | 2) || err == (LG_VEC_K16 << 3 | 2) ||
	       err == (LG_VEC_APP << 3 | 2);
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

/* Initial state: claim, write, serialize, all within this one trap; the
 * thread then re-executes the bound call.  Lock held; released here. */
static void bind(const struct lg_site *e, unsigned long site)
{
	const struct lg_api *api = 0;
	const struct lg_gate *g = lg_provider_find(lg_site_gate(e), &api, 1);
	unsigned char to[LG_MAXLEN];
	struct lazygate_event ev;
	unsigned int len;
	int r;

	if (!g)
		fatal("no provider", e, site);
	if (!(g->flags & (lg_site_kind(e) <= LG_K16 ? LG_GATE_KERNEL : LG_GATE_APP)))
		fatal("this caller kind may not call the gate", e, site);
	if (lg_site_kind(e) != LG_K32)
		fatal("the Linux runtime binds k32 sites only", e, site);
	ev.near = lg_bind_mode() == LAZYGATE_BIND_NEAR;
	ev.target = (unsigned long)(ev.near ? g->near_entry : g->far_entry);
	len = ev.near ? lg_bound_near(site, ev.target, to)
		      : lg_bound_far(LG_K32, (unsigned int)ev.target, code_sel, to);
	r = lg_patch(&lg_code_ops, (unsigned char *)site, (unsigned char *)site, to, len);
	if (r == LG_ELOST) {
		lg_unlock(); /* cannot happen under the lock; re-execute and see */
		return;
	}
	if (r != LG_OK)
		fatal("cannot write the code (/proc/self/mem)", e, site);
	lg_count(binds);
	lg_unlock();
	ev.site = site;
	ev.gate = lg_site_gate(e);
	ev.name = g->name;
	ev.api = api->name;
	ev.tid = (int)syscall(SYS_gettid);
	if (trace)
		report(&ev);
	if (hook)
		hook(&ev);
}

/* Returns 1 if the fault was ours and the thread may re-execute. */
static int handle(ucontext_t *uc)
{
	unsigned long site = (unsigned long)uc->uc_mcontext.gregs[REG_EIP];
	const struct lg_site *e;

	if (!is_our_trap(uc))
		return 0;
	lg_lock();
	if (!(e = lg_modules_find(site)) && lg_modules_refresh())
		e = lg_modules_find(site);
	if (!e) {
		lg_unlock();
		return 0;
	}
	switch (lg_match((const unsigned char *)site, lg_site_kind(e), lg_site_gate(e))) {
	case LG_S_INITIAL:
		lg_count(traps);
		if (init_failed)
			fatal("lazygate could not open /proc/self/mem at start", e, site);
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
		 * or waited for the lock.  A bound site cannot fault at its own
		 * address, so repeats mean something else is wrong. */
		lg_unlock();
		repeats = last_site == site ? repeats + 1 : 0;
		last_site = site;
		if (repeats > 2)
			return 0;
		lg_count(traps);
		if (uc->uc_mcontext.gregs[REG_ERR])
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
		if (t && !strcmp(t, "near"))
			lazygate_set_bind_mode(LAZYGATE_BIND_NEAR);
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
