/* Gates called for the first time from signal handlers: the SIGSEGV of the
 * first call nests inside the handler, binds, and the call returns the
 * right value.  From a handler run by raise(), by pthread_kill() on another
 * thread busy calling gates, by SIGALRM interrupting a loop of gate calls
 * (binding and bound sites), and on a sigaltstack.
 *
 * A handler that blocks SIGSEGV (sa_mask) cannot bind: Linux kills a
 * process whose synchronous SIGSEGV is blocked, and lazygate never gets the
 * fault.  The process dies by SIGSEGV, as code with SIGSEGV blocked by
 * sigprocmask does; a site bound beforehand (by a first call elsewhere, or
 * lazygate_bind_all) does not fault and works.  Checked in children. */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <lazygate/lazygate.h>
#include "t.h"
#include "tap.h"
#include "fresh.h"

extern const struct lg_api t_api;

/* Which fresh sites each case uses. */
#define RAISE 0      /* 16, raise */
#define KILL 16      /* 16, pthread_kill */
#define ALRM 32      /* 64, SIGALRM handler */
#define LOOP 96      /* 512, the loop SIGALRM interrupts */
#define NLOOP 512
#define ALT 608      /* 8, on a sigaltstack */
#define WORKER 616   /* 4, the loop pthread_kill interrupts */
#define CHILD 620    /* 4, the children */
#define USED 624

static int bound; /* binds, counted by the hook */

static void on_bind(const struct lazygate_event *ev)
{
	count_bind(ev->site);
	__atomic_fetch_add(&bound, 1, __ATOMIC_RELAXED);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int install(int sig, void (*fn)(int), int flags, int block_segv)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = fn;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	if (block_segv)
		sigaddset(&sa.sa_mask, SIGSEGV);
	return sigaction(sig, &sa, 0);
}

/* SIGUSR1: call site `cur' for the first time. */
static volatile int cur, result, done, handler_tid;
static volatile unsigned long handler_sp;

static void on_usr1(int sig)
{
	int local;

	(void)sig;
	handler_tid = (int)syscall(SYS_gettid);
	handler_sp = (unsigned long)&local;
	result = sites[cur](cur);
	__atomic_store_n(&done, 1, __ATOMIC_RELEASE);
}

static int first_call_right(int i)
{
	return result == site_value(i, i);
}

/* raise(): the handler runs on this thread, before raise returns. */
static void test_raise(void)
{
	int i, right = 0, b0 = bound;

	install(SIGUSR1, on_usr1, 0, 0);
	for (i = RAISE; i < RAISE + 16; i++) {
		cur = i;
		result = -1;
		raise(SIGUSR1);
		right += first_call_right(i);
	}
	ok(right == 16, "raise(SIGUSR1): 16 first calls from the handler returned the right value (%d)",
	   right);
	ok(bound - b0 == 16, "and bound their 16 sites (%d binds)", bound - b0);
}

/* pthread_kill(): the handler interrupts a thread looping on gate calls. */
static volatile int stop_worker, worker_tid;
static volatile unsigned long worker_calls, worker_wrong;

static void *worker(void *arg)
{
	unsigned long n = 0;

	(void)arg;
	worker_tid = (int)syscall(SYS_gettid);
	while (!stop_worker) {
		int i = WORKER + (int)(n % 4), k = (int)(n & 0xffff);

		if (sites[i](k) != site_value(i, k))
			worker_wrong++;
		worker_calls = ++n;
	}
	return 0;
}

static void test_kill(void)
{
	pthread_t th;
	int i, right = 0, on_worker = 0, b0 = bound;
	double t0 = now();

	pthread_create(&th, 0, worker, 0);
	while (worker_calls < 1000 && now() - t0 < 30)
		sched_yield();
	for (i = KILL; i < KILL + 16; i++) {
		unsigned long c = worker_calls;

		cur = i;
		result = -1;
		done = 0;
		pthread_kill(th, SIGUSR1);
		while (!__atomic_load_n(&done, __ATOMIC_ACQUIRE) && now() - t0 < 30)
			sched_yield();
		right += first_call_right(i);
		on_worker += handler_tid == worker_tid;
		while (worker_calls < c + 100 && now() - t0 < 30) /* back in its loop */
			sched_yield();
	}
	stop_worker = 1;
	pthread_join(th, 0);
	ok(right == 16 && on_worker == 16,
	   "pthread_kill(SIGUSR1) on a thread calling gates: 16 first calls from the handler, "
	   "on that thread, returned the right value (%d, %d)", right, on_worker);
	ok(worker_wrong == 0 && worker_calls > 1600,
	   "the interrupted thread's own %lu calls were all right (%lu wrong)", worker_calls, worker_wrong);
	ok(bound - b0 == 20, "20 sites bound (16 in handlers, 4 in the loop: %d)", bound - b0);
}

/* SIGALRM every 200 us while this thread calls gates, binding NLOOP fresh
 * sites on the way; each alarm's handler makes the first call of another
 * fresh site, and calls a bound one. */
static volatile int alarms, alrm_wrong;

static void on_alrm(int sig)
{
	int i = ALRM + alarms;

	(void)sig;
	if (alarms == 64)
		return;
	alrm_wrong += sites[i](i) != site_value(i, i);
	alrm_wrong += sites[RAISE](5) != site_value(RAISE, 5);
	alarms++;
}

static void test_alarm(void)
{
	struct itimerval it = {{0, 200}, {0, 200}}, off = {{0, 0}, {0, 0}};
	unsigned long n, wrong = 0;
	int b0 = bound, first_pass_alarms = -1;
	double t0 = now();

	install(SIGALRM, on_alrm, SA_RESTART, 0);
	setitimer(ITIMER_REAL, &it, 0);
	for (n = 0; (alarms < 64 || n < NLOOP) && now() - t0 < 60; n++) {
		int i = LOOP + (int)(n % NLOOP), k = (int)(n & 0xffff);

		wrong += sites[i](k) != site_value(i, k);
		if (n == NLOOP - 1)
			first_pass_alarms = alarms;
	}
	setitimer(ITIMER_REAL, &off, 0);
	ok(alarms == 64 && alrm_wrong == 0,
	   "SIGALRM: 64 handlers each made a first call and a bound call, all right (%d, %d wrong)",
	   alarms, alrm_wrong);
	ok(wrong == 0 && n >= NLOOP, "the interrupted loop's %lu calls (%d of them first calls) "
	   "were all right (%lu wrong)", n, NLOOP, wrong);
	ok(first_pass_alarms > 0, "alarms came while the loop was still binding its sites (%d)",
	   first_pass_alarms);
	ok(bound - b0 == 64 + NLOOP, "each of those sites bound once (%d binds)", bound - b0);
}

/* SIGUSR2 on a sigaltstack: lazygate's handler nests on the same stack. */
static char altstack[65536];

static void test_altstack(void)
{
	stack_t ss;
	int i, right = 0, on_alt = 0;

	ss.ss_sp = altstack;
	ss.ss_size = sizeof altstack;
	ss.ss_flags = 0;
	sigaltstack(&ss, 0);
	install(SIGUSR2, on_usr1, SA_ONSTACK, 0);
	for (i = ALT; i < ALT + 8; i++) {
		cur = i;
		result = -1;
		raise(SIGUSR2);
		right += first_call_right(i);
		on_alt += handler_sp - (unsigned long)altstack < sizeof altstack;
	}
	ok(right == 8 && on_alt == 8,
	   "a handler on a sigaltstack: 8 first calls right (%d), all on the alternate stack (%d)",
	   right, on_alt);
	ss.ss_flags = SS_DISABLE;
	sigaltstack(&ss, 0);
}

/* In a child: returns its wait status. */
static int child(int how)
{
	int status = -1;
	pid_t pid = fork();

	if (pid == 0) {
		struct rlimit no_core = {0, 0};
		sigset_t segv;

		setrlimit(RLIMIT_CORE, &no_core);
		install(SIGUSR1, on_usr1, 0, 1); /* blocks SIGSEGV */
		cur = CHILD + how;
		switch (how) {
		case 0: /* a first call: dies */
			break;
		case 1: /* the site was bound by a first call outside */
			if (sites[cur](cur) != site_value(cur, cur))
				_exit(3);
			break;
		case 2: /* every site bound ahead */
			if (lazygate_bind_all() < 1)
				_exit(3);
			break;
		case 3: /* not a handler: SIGSEGV blocked by sigprocmask */
			sigemptyset(&segv);
			sigaddset(&segv, SIGSEGV);
			sigprocmask(SIG_BLOCK, &segv, 0);
			result = sites[cur](cur);
			_exit(first_call_right(cur) ? 0 : 4);
		}
		result = -1;
		raise(SIGUSR1);
		_exit(first_call_right(cur) ? 0 : 4);
	}
	waitpid(pid, &status, 0);
	return status;
}

static void test_blocked(void)
{
	int st;

	st = child(0);
	ok(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV,
	   "a handler that blocks SIGSEGV: its first call kills the process by SIGSEGV (status 0x%x)", st);
	st = child(1);
	ok(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	   "a handler that blocks SIGSEGV calls a site already bound: right (status 0x%x)", st);
	st = child(2);
	ok(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	   "a handler that blocks SIGSEGV after lazygate_bind_all: right (status 0x%x)", st);
	st = child(3);
	ok(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV,
	   "code running with SIGSEGV blocked: a first call kills it by SIGSEGV (status 0x%x)", st);
}

int main(void)
{
	int distinct, once;
	struct lazygate_stats st;

	lazygate_set_bind_hook(on_bind);
	ok(lazygate_provide(&t_api) == 0, "provide t");
	test_raise();
	test_kill();
	test_alarm();
	test_altstack();
	test_blocked();
	bind_counts(&distinct, &once);
	lazygate_get_stats(&st);
	ok(distinct == bound && once == distinct && st.binds == (unsigned long)bound,
	   "every site bound exactly once (%d sites, %d once, %lu binds)", distinct, once, st.binds);
	ok(st.passed == 0, "no fault was passed on in this process (%lu)", st.passed);
	(void)USED;
	return tap_done();
}
