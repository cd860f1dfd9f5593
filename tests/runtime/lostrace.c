/* Two threads race on the same site after each of ROUNDS replacements
 * (made while both wait at a barrier, so no thread is inside a site).  The
 * loser of a race traps at a site already bound; that is normal, and must
 * not be mistaken for a fault loop however often it happens at the same
 * site over time.  In a child, so that a death is reported.
 *
 * Then, with made frames, a thread that traps at the same bound site again
 * and again with no code written in between, as QEMU's multi-threaded TCG
 * makes it when it keeps a stale translation of the claimed site: the
 * runtime stores the head byte again (changing nothing) at the second and
 * third trap, which makes QEMU retranslate, and passes the fourth on.
 * argv: libt1.so libt2.so. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>
#include <lazygate/lazygate.h>
#include "t.h"
#include "tap.h"
#include "sites.h"

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

/* lazygate_fault on a made #GP frame at SITE with error code ERR; the
 * code writes it made in *WRITES. */
static int made_trap(unsigned long site, unsigned int err, unsigned long *writes)
{
	struct lazygate_stats st0, st1;
	siginfo_t si;
	ucontext_t uc;
	unsigned int cs;
	int r;

	__asm__("movl %%cs, %0" : "=r"(cs));
	memset(&si, 0, sizeof si);
	memset(&uc, 0, sizeof uc);
	si.si_signo = SIGSEGV;
	si.si_code = SI_KERNEL;
	uc.uc_mcontext.gregs[REG_TRAPNO] = 13;
	uc.uc_mcontext.gregs[REG_ERR] = (greg_t)err;
	uc.uc_mcontext.gregs[REG_CS] = (greg_t)cs;
	uc.uc_mcontext.gregs[REG_EIP] = (greg_t)site;
	lazygate_get_stats(&st0);
	r = lazygate_fault(SIGSEGV, &si, &uc);
	lazygate_get_stats(&st1);
	*writes = st1.writes - st0.writes;
	return r;
}

/* The trap state's int, as QEMU 7.2 reports it, at a bound site four times. */
static void stale(const char *lib1)
{
	const struct lg_api *a = load(lib1);
	unsigned long site = first_site(LG_GATE_t_version), w[4];
	unsigned char was[LG_KLEN];
	int r[4], i;

	ok(a && !lazygate_provide(a) && call_version() == 1 && site &&
		   lg_match((const unsigned char *)site, LG_K32, LG_GATE_t_version) == LG_S_NEAR,
	   "made frames: t.version's site is bound near");
	if (!site)
		return;
	memcpy(was, (const void *)site, LG_KLEN);
	for (i = 0; i < 4; i++)
		r[i] = made_trap(site, LG_GP_INT_QEMU(LG_VEC_K32), &w[i]);
	ok(r[0] == 1 && w[0] == 0, "a first trap at the bound site re-executes, nothing written "
	   "(%d, %lu writes)", r[0], w[0]);
	ok(r[1] == 1 && w[1] == 1 && r[2] == 1 && w[2] == 1,
	   "a second and third re-execute, each after one write of the head (%d %d, %lu %lu writes)",
	   r[1], r[2], w[1], w[2]);
	ok(r[3] == 0 && w[3] == 0, "a fourth is passed on (%d, %lu writes)", r[3], w[3]);
	ok(!memcmp(was, (const void *)site, LG_KLEN) && call_version() == 1,
	   "the site's bytes are unchanged and it still calls");
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
	stale(argv[1]);
	return tap_done();
}
