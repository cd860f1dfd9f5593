/* A thread stopped inside a bound site, after the leading nop(s) of the
 * bound form and before its call, while lazygate_replace unbinds the site.
 * Both bound forms are several instructions (near: 90 | 67 90 | 90 | E8
 * rel32, far: 90 | 67 9A ...), so a thread preempted or interrupted between
 * them resumes in the middle of the rewritten site.  The call it was
 * making must still complete (version 1 or 2).  This happens to any thread
 * preempted there during a replacement (unload.c meets it by chance); here
 * it is made certain by single-stepping (TF) to the offset and doing the
 * replacement from the SIGTRAP handler.
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
static unsigned long stop_at;
static volatile int steps, replaced;

static void on_trap(int sig, siginfo_t *si, void *p)
{
	ucontext_t *uc = p;

	(void)sig;
	(void)si;
	if ((unsigned long)uc->uc_mcontext.gregs[REG_EIP] == stop_at) {
		replaced = lazygate_replace(v1, v2) == 0;
		uc->uc_mcontext.gregs[REG_EFL] &= ~0x100;
	} else if (++steps > 10000) {
		uc->uc_mcontext.gregs[REG_EFL] &= ~0x100;
	}
}

static const struct lg_api *load(const char *path)
{
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);

	return h ? (const struct lg_api *)dlsym(h, "t_api") : 0;
}

/* The site of t.version: the program has one. */
static unsigned long version_site(void)
{
	const struct lg_site *e;

	for (e = __start_lazygate_sites; e < __stop_lazygate_sites; e++)
		if (lg_site_gate(e) == LG_GATE_t_version)
			return lg_site_addr(e);
	return 0;
}

/* In a child: bind the site, step to SITE + OFF, replace, go on.  Exits 0
 * if the call returned 1 or 2, 3 if the setup failed, 4 if the stop was
 * never reached, 10 + v for a wrong value. */
static void run(int mode, int off, const char *lib1, const char *lib2)
{
	struct sigaction sa;
	struct rlimit no_core = {0, 0};
	int v;

	setrlimit(RLIMIT_CORE, &no_core);
	lazygate_set_bind_mode(mode);
	v1 = load(lib1);
	v2 = load(lib2);
	if (!v1 || !v2 || lazygate_provide(v1) || call_version() != 1 || !version_site())
		_exit(3);
	stop_at = version_site() + (unsigned long)off;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_trap;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTRAP, &sa, 0);
	__asm__ __volatile__("pushfl\n\torl $0x100, (%%esp)\n\tpopfl" ::: "memory", "cc");
	v = call_version();
	__asm__ __volatile__("pushfl\n\tandl $~0x100, (%%esp)\n\tpopfl" ::: "memory", "cc");
	if (!replaced)
		_exit(4);
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
		snprintf(buf, sizeof buf, "the stop was never reached");
	else if (WEXITSTATUS(st) >= 10)
		snprintf(buf, sizeof buf, "returned %d", WEXITSTATUS(st) - 10);
	else
		snprintf(buf, sizeof buf, "exit status %d", WEXITSTATUS(st));
	return buf;
}

int main(int argc, char **argv)
{
	static const struct {
		int mode, off;
		const char *form;
	} cases[] = {
		{LAZYGATE_BIND_NEAR, 0, "near, before it: the control"},
		{LAZYGATE_BIND_NEAR, 1, "near, at 67 90"},
		{LAZYGATE_BIND_NEAR, 3, "near, at the second nop"},
		{LAZYGATE_BIND_NEAR, 4, "near, at the call"},
		{LAZYGATE_BIND_FAR, 0, "far, before it: the control"},
		{LAZYGATE_BIND_FAR, 1, "far, at the call"},
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
			run(cases[i].mode, cases[i].off, argv[1], argv[2]);
		waitpid(pid, &st, 0);
		ok(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		   "stopped in a bound site (%s, site+%d) while it is unbound: the call completes (%s)",
		   cases[i].form, cases[i].off, how(st));
	}
	return tap_done();
}
