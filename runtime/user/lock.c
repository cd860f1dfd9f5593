/* The runtime's one lock.  It is taken inside the SIGSEGV handler, whose
 * mask blocks every signal, so a thread never re-enters it; callers outside
 * the handler block signals around it for the same reason.
 *
 * A waiter spins briefly, then sleeps on a futex (Drepper, "Futexes are
 * tricky", mutex 2): a bind holds the lock for several system calls, and a
 * thread that sleeps is not running, so the binder's membarrier rounds need
 * not interrupt its CPU, which makes them cheaper.  A sleeping thread
 * serializes when it is scheduled again. */
#include <linux/futex.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "user.h"

#define SPINS 16

static int locked; /* 0 free, 1 held, 2 held and somebody may sleep */

static void futex(int op, int val)
{
	syscall(SYS_futex, &locked, op, val, 0, 0, 0);
}

void lg_lock(void)
{
	int c = 0, i;

	for (i = 0; i < SPINS; i++) {
		c = 0;
		if (__atomic_compare_exchange_n(&locked, &c, 1, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			return;
		__builtin_ia32_pause();
	}
	if (c != 2)
		c = __atomic_exchange_n(&locked, 2, __ATOMIC_ACQUIRE);
	while (c) {
		futex(FUTEX_WAIT_PRIVATE, 2);
		c = __atomic_exchange_n(&locked, 2, __ATOMIC_ACQUIRE);
	}
}

void lg_unlock(void)
{
	if (__atomic_exchange_n(&locked, 0, __ATOMIC_RELEASE) == 2)
		futex(FUTEX_WAKE_PRIVATE, 1);
}

void lg_lock_blocking_signals(sigset_t *saved)
{
	sigset_t all;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, saved);
	lg_lock();
}

void lg_unlock_restoring_signals(const sigset_t *saved)
{
	lg_unlock();
	pthread_sigmask(SIG_SETMASK, saved, 0);
}
