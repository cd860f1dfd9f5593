/* A thread stopped at a bound site while lazygate_replace unbinds it.  Bound
 * forms were once several instructions (90 | 67 9A ...), and a thread
 * preempted between them resumed in the middle of the rewritten site; they
 * are one instruction now (FORMAT.md), so a thread is either before a site
 * or past its call.  This single-steps (TF) a call through a bound site:
 * no step may stop inside the site; and a thread stopped at the site while
 * the replacement runs (from the SIGTRAP handler) completes its call.
 *
 * Each case runs in a child; argv: libt1.so libt2.so. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>
#include <lazygate/lazygate.h>
#include "t.h"
#include "tap.h"
#include "sites.h"

__attribute__((noipa)) static int call_version(void) { return t_version(); }

static const struct lg_api *v1, *v2;
static unsigned long site;
static int do_replace;
static volatile int steps, replaced, at_site, inside;

static void on_trap(int sig, siginfo_t *si, void *p)
{
	ucontext_t *uc = p;
	unsigned long eip = (unsigned long)uc->uc_mcontext.gregs[REG_EIP];

	(void)sig;
	(void)si;
	if (eip > site && eip < site + LG_KLEN)
		inside++;
	if (eip == site && !at_site++ && do_replace)
		replaced = lazygate_replace(v1, v2) == 0;
	if (++steps > 100000)
		uc->uc_mcontext.gregs[REG_EFL] &= ~0x100;
}

static const struct lg_api *load(const char *path)
{
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);

	return h ? (const struct lg_api *)dlsym(h, "t_api") : 0;
}

/* In a child: bind the site, then step through a call of it, replacing the
 * provider when the thread stands at the site if REPLACE.  Exits 0 if the
 * call returned 1 or 2, 3 if the setup failed, 4 if the site was never
 * reached (or not replaced), 5 if a step stopped inside it, 10 + v for a
 * wrong value. */
static void run(int mode, int replace, const char *lib1, const char *lib2)
{
	struct sigaction sa;
	struct rlimit no_core = {0, 0};
	int v;

	setrlimit(RLIMIT_CORE, &no_core);
	lazygate_set_bind_mode(mode);
	v1 = load(lib1);
	v2 = load(lib2);
	if (!v1 || !v2 || lazygate_provide(v1) || call_version() != 1 || !first_site(LG_GATE_t_version))
		_exit(3);
	site = first_site(LG_GATE_t_version);
	do_replace = replace;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_trap;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTRAP, &sa, 0);
	__asm__ __volatile__("pushfl\n\torl $0x100, (%%esp)\n\tpopfl" ::: "memory", "cc");
	v = call_version();
	__asm__ __volatile__("pushfl\n\tandl $~0x100, (%%esp)\n\tpopfl" ::: "memory", "cc");
	if (!at_site || (replace && !replaced))
		_exit(4);
	if (inside)
		_exit(5);
	_exit(v == 1 || v == 2 ? 0 : 10 + v);
}

static const char *how(int st)
{
	static char buf[64];

	if (WIFSIGNALED(st))
		snprintf(buf, sizeof buf, "killed by signal %d", WTERMSIG(st));
	else if (WEXITSTATUS(st) == 0)
		snprintf(buf, sizeof buf, "returned 1 or 2");
	else if (WEXITSTATUS(st) == 4)
		snprintf(buf, sizeof buf, "the site was never reached");
	else if (WEXITSTATUS(st) == 5)
		snprintf(buf, sizeof buf, "a step stopped inside the site");
	else if (WEXITSTATUS(st) >= 10)
		snprintf(buf, sizeof buf, "returned %d", WEXITSTATUS(st) - 10);
	else
		snprintf(buf, sizeof buf, "exit status %d", WEXITSTATUS(st));
	return buf;
}

int main(int argc, char **argv)
{
	static const struct {
		int mode, replace;
		const char *what;
	} cases[] = {
		{LAZYGATE_BIND_NEAR, 0, "near-bound site stepped through: one step, none inside"},
		{LAZYGATE_BIND_NEAR, 1, "replaced while a thread stands at its near-bound site"},
		{LAZYGATE_BIND_FAR, 0, "far-bound site stepped through: one step, none inside"},
		{LAZYGATE_BIND_FAR, 1, "replaced while a thread stands at its far-bound site"},
	};
	unsigned int i;

	if (argc < 3)
		return 2;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int st = -1;
		pid_t pid;

		fflush(stdout);
		pid = fork();
		if (pid == 0)
			run(cases[i].mode, cases[i].replace, argv[1], argv[2]);
		waitpid(pid, &st, 0);
		ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s: the call completes (%s)",
		   cases[i].what, how(st));
	}
	return tap_done();
}
