/* Providers: the process's one set (one gate number space, as one kernel
 * has one API table; runtime/core keeps it checked and sorted), the bind
 * mode, and what a site becomes. */
#include "user.h"

#define MAX_APIS 64

static const struct lg_api *apis[MAX_APIS];
struct lg_providers lg_providers = {apis, 0, MAX_APIS};
static int bind_mode = LAZYGATE_BIND_NEAR;
int lg_bind_now;

/* The gate's implementation, else an entry that names it.  Lock held. */
const struct lg_gate *lg_provider(unsigned int gate, const struct lg_api **api)
{
	return lg_lookup(&lg_providers, gate, api);
}

/* X's bound instruction, near or far as MODE (the bind mode) says: its
 * length, or 0 with *WHY.  Lock held. */
unsigned int lg_form(struct lg_edit *x, int mode, const char **why)
{
	unsigned int kind = lg_site_kind(x->entry);
	const struct lg_gate *g = x->gate = lg_provider(lg_site_gate(x->entry), &x->api);

	if (!g || !g->impl)
		return *why = "no provider", 0;
	if (!(g->flags & (kind <= LG_K16 ? LG_GATE_KERNEL : LG_GATE_APP)))
		return *why = "this caller kind may not call the gate", 0;
	if (kind != LG_K32)
		return *why = "the Linux runtime binds k32 sites only", 0;
	return lg_encode(x, mode == LAZYGATE_BIND_NEAR, lg_code_selector());
}

void lazygate_set_bind_mode(int mode)
{
	__atomic_store_n(&bind_mode, mode == LAZYGATE_BIND_NEAR, __ATOMIC_RELAXED);
}

int lg_bind_mode(void)
{
	return __atomic_load_n(&bind_mode, __ATOMIC_RELAXED);
}
