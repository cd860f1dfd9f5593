/* The counters of lazygate_get_stats; each file counts its own. */
#include "user.h"

struct lazygate_stats lg_stats;

void lazygate_get_stats(struct lazygate_stats *st)
{
	sigset_t saved;

	lg_lock_blocking_signals(&saved);
	*st = lg_stats;
	lg_unlock_restoring_signals(&saved);
}
