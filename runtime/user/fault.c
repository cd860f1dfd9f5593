/* The SIGSEGV handler: recognise a lazygate trap, bind the site in the same
 * trap, and hand everything else to whoever would have had it.
 *
 * Linux reports both of our traps as SIGSEGV with trapno 13 (#GP): error
 * code 0 for the far call to a null selector (initial state), and
 * vector << 3 | 2 for "int vector" through a DPL-0 gate (trap state), or
 * vector << 4 | 2 in a 64-bit guest of QEMU 7.2's TCG.  The site table and the bytes say
 * whether the fault is ours (lg_gp_state), not the error code. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>
#include "user.h"

int lg_init_failed; /* /proc/self/mem could not be opened at start */
static struct sigaction prev;
static unsigned int code_sel;
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

/* A site we cannot bind: say which, then abort.  Never returns. */
static void fatal(const char *why, const struct lg_site *e, unsigned long site)
{
	const struct lg_api *api = 0;
	const struct lg_gate *g = lg_provider(lg_site_gate(e), &api);
	struct lg_buf b = {{0}, 0};

	lg_unlock();
	lg_put(&b, "lazygate: ");
	lg_put_gate(&b, lg_site_gate(e), g ? api->name : 0, g ? g->name : 0);
	lg_put(&b, " called at 0x");
	lg_put_hex(&b, site, 8);
	lg_put(&b, " (");
	lg_put(&b, lg_kind_name(lg_site_kind(e)));
	lg_put(&b, " site): ");
	lg_put(&b, why);
	lg_flush(&b);
	abort();
}

/* Initial state: claim, write, serialize, all within this one trap; the
 * thread then re-executes the bound call.  Lock held; released here. */
static void bind(const struct lg_site *e, unsigned long site)
{
	struct lg_edit x = {0};
	const char *why;
	int r;

	x.entry = e;
	if (!lg_form(&x, lg_bind_mode(), &why))
		fatal(why, e, site);
	r = lg_code_patch((unsigned char *)site, x.to, x.len);
	if (r == LG_ELOST) {
		lg_unlock(); /* cannot happen under the lock; re-execute and see */
		return;
	}
	if (r != LG_OK)
		fatal("cannot write the code (/proc/self/mem)", e, site);
	lg_count(binds);
	lg_unlock();
	lg_announce(&x);
}

/* LAZYGATE_BIND_NOW: a site still initial belongs to a module loaded since
 * the last batch (or its provider came later): bind everything now.  0 if
 * E's own site is still initial (no provider: bind() will say so, and end
 * the process).  Lock held; released if 1. */
static int bind_rest(const struct lg_site *e)
{
	struct lg_told told = {0, 0, 0};

	lg_bind_all_locked(&told);
	if (lg_match((const unsigned char *)lg_site_addr(e), lg_site_kind(e), lg_site_gate(e)) ==
	    LG_S_INITIAL)
		return 0;
	lg_unlock();
	lg_tell(&told);
	return 1;
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
		if (lg_init_failed)
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

/* Install the handler; the one it replaces gets what is not ours. */
int lg_fault_install(void)
{
	struct sigaction sa;

	code_sel = lg_code_selector();
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_segv;
	/* SA_ONSTACK: a stack overflow must still reach a previous handler
	 * that relies on sigaltstack. */
	sa.sa_flags = SA_SIGINFO | SA_RESTART | SA_ONSTACK;
	sigfillset(&sa.sa_mask); /* nothing may re-enter the lock */
	return sigaction(SIGSEGV, &sa, &prev);
}
