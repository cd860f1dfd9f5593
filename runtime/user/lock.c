/* The runtime's one lock.  It is taken inside the SIGSEGV handler, whose
 * mask blocks every signal, so a thread never re-enters it; callers outside
 * the handler block signals around it for the same reason. */
#include <sched.h>
#include <signal.h>
#include "user.h"

static volatile int locked;

void lg_lock(void)
{
	unsigned int spins = 0;

	while (__atomic_exchange_n(&locked, 1, __ATOMIC_ACQUIRE)) {
		if (++spins < 64)
			__builtin_ia32_pause();
		else
			sched_yield();
	}
}

void lg_unlock(void)
{
	__atomic_store_n(&locked, 0, __ATOMIC_RELEASE);
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
