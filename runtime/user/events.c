/* Telling the trace (LAZYGATE_TRACE) and the hook about binds: in signal
 * context, outside the lock (a hook may call a gate). */
#define _GNU_SOURCE
#include <sys/syscall.h>
#include <unistd.h>
#include "user.h"

int lg_trace;
static lazygate_hook hook;

static void report(const struct lazygate_event *ev)
{
	struct lg_buf b = {{0}, 0};

	lg_put(&b, "lazygate: bind site 0x");
	lg_put_hex(&b, ev->site, 8);
	lg_put(&b, " ");
	lg_put_gate(&b, ev->gate, ev->api, ev->name);
	lg_put(&b, " thread ");
	lg_put_dec(&b, (unsigned long)ev->tid);
	lg_put(&b, ev->near ? " -> near " : " -> far ");
	if (!ev->near) {
		lg_put_hex(&b, lg_code_selector(), 4);
		lg_put(&b, ":");
	}
	lg_put_hex(&b, ev->target, 8);
	lg_flush(&b);
}

int lg_telling(void)
{
	return lg_trace || __atomic_load_n(&hook, __ATOMIC_ACQUIRE);
}

/* Tell the trace and the hook that X's site was bound. */
void lg_announce(const struct lg_edit *x)
{
	struct lazygate_event ev;
	lazygate_hook h = __atomic_load_n(&hook, __ATOMIC_ACQUIRE);

	if (!lg_trace && !h)
		return;
	ev.site = lg_site_addr(x->entry);
	ev.gate = lg_site_gate(x->entry);
	ev.name = x->gate->name;
	ev.api = x->api->name;
	ev.tid = (int)syscall(SYS_gettid);
	ev.near = !x->sel;
	ev.target = x->target;
	if (lg_trace)
		report(&ev);
	if (h)
		h(&ev);
}

void lazygate_set_bind_hook(lazygate_hook h)
{
	__atomic_store_n(&hook, h, __ATOMIC_RELEASE);
}
