/* Providers: who serves which gate number.  One process has one gate
 * number space, as one kernel has one API table. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "user.h"

#define MAX_APIS 64

static const struct lg_api *apis[MAX_APIS];
static int napis;
static int bind_mode = LAZYGATE_BIND_NEAR;
int lg_bind_now;

static const struct lg_gate *find_in(const struct lg_api *a, unsigned int gate)
{
	unsigned int lo = 0, hi = a->count;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (a->gates[mid].number == gate)
			return &a->gates[mid];
		if (a->gates[mid].number < gate)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* The last implementations found, by gate number: bind-all asks for the
 * same gates over and over.  Emptied whenever the providers change.  Lock
 * held. */
#define CACHE 256
static struct {
	unsigned int gate; /* + 1; 0 = empty */
	const struct lg_gate *g;
	const struct lg_api *api;
} cache[CACHE];

static void forget(void)
{
	memset(cache, 0, sizeof cache);
}

/* The gate's entry in a provider that implements it, or (IMPLEMENTED 0)
 * in any provider that at least names it.  Lock held. */
static const struct lg_gate *lookup(unsigned int gate, const struct lg_api **api,
				    int implemented)
{
	const struct lg_gate *named = 0;
	int i;

	for (i = 0; i < napis; i++) {
		const struct lg_gate *g = find_in(apis[i], gate);

		if (g && (g->impl || !implemented)) {
			*api = apis[i];
			return g;
		}
		if (g && !named) {
			named = g;
			*api = apis[i];
		}
	}
	return implemented ? 0 : named;
}

const struct lg_gate *lg_provider_find(unsigned int gate, const struct lg_api **api,
				       int implemented)
{
	unsigned int h = gate % CACHE;
	const struct lg_gate *g;

	if (!implemented)
		return lookup(gate, api, 0);
	if (cache[h].gate == gate + 1) {
		*api = cache[h].api;
		return cache[h].g;
	}
	g = lookup(gate, api, 1);
	if (g) {
		cache[h].gate = gate + 1;
		cache[h].g = g;
		cache[h].api = *api;
	}
	return g;
}

/* The gate that a site of KIND calling GATE binds to, or 0 with *WHY.
 * Lock held. */
const struct lg_gate *lg_bind_gate(unsigned int gate, unsigned int kind,
				   const struct lg_api **api, const char **why)
{
	const struct lg_gate *g = lg_provider_find(gate, api, 1);

	if (!g)
		return *why = "no provider", (const struct lg_gate *)0;
	if (!(g->flags & (kind <= LG_K16 ? LG_GATE_KERNEL : LG_GATE_APP)))
		return *why = "this caller kind may not call the gate", (const struct lg_gate *)0;
	if (kind != LG_K32)
		return *why = "the Linux runtime binds k32 sites only", (const struct lg_gate *)0;
	return g;
}

/* The bound k32 instruction at site E calling G, near or far as MODE (the
 * bind mode) says; a C-call site near to the implementation whatever the
 * mode.  Its length. */
unsigned int lg_bind_encode(const struct lg_site *e, const struct lg_gate *g, int mode,
			    unsigned char *to)
{
	unsigned long site = lg_site_addr(e);

	if (lg_site_ccall(e))
		return lg_bound_near(site, (unsigned long)g->impl, to);
	if (mode == LAZYGATE_BIND_NEAR)
		return lg_bound_near(site, (unsigned long)g->near_entry, to);
	return lg_bound_far(LG_K32, (unsigned int)(unsigned long)g->far_entry,
			    lg_code_selector(), to);
}

/* The bound bytes for site E, or 0 with *WHY if it cannot be bound. */
unsigned int lg_bound_bytes(const struct lg_site *e, unsigned char *to, const struct lg_gate **g,
			    const struct lg_api **api, const char **why)
{
	*g = lg_bind_gate(lg_site_gate(e), lg_site_kind(e), api, why);
	return *g ? lg_bind_encode(e, *g, lg_bind_mode(), to) : 0;
}

static int well_formed(const struct lg_api *a)
{
	unsigned int i;

	if (!a || a->version != LG_FORMAT_VERSION || (a->count && !a->gates))
		return 0;
	for (i = 0; i < a->count; i++) {
		if (i && a->gates[i - 1].number >= a->gates[i].number)
			return 0;
		if (a->gates[i].impl && (!a->gates[i].far_entry || !a->gates[i].near_entry))
			return 0;
	}
	return 1;
}

/* Does A implement a gate that another registered provider implements? */
static int clashes(const struct lg_api *a, const struct lg_api *except)
{
	unsigned int i;
	int j;

	for (i = 0; i < a->count; i++) {
		if (!a->gates[i].impl)
			continue;
		for (j = 0; j < napis; j++) {
			const struct lg_gate *g;

			if (apis[j] == except || apis[j] == a)
				continue;
			g = find_in(apis[j], a->gates[i].number);
			if (g && g->impl)
				return 1;
		}
	}
	return 0;
}

static int slot_of(const struct lg_api *a)
{
	int i;

	for (i = 0; i < napis; i++)
		if (apis[i] == a)
			return i;
	return -1;
}

int lazygate_provide(const struct lg_api *api)
{
	sigset_t saved;
	int r = 0;

	if (!well_formed(api)) {
		errno = EINVAL;
		return -1;
	}
	lazygate_init();
	lg_lock_blocking_signals(&saved);
	if (slot_of(api) >= 0)
		; /* already there */
	else if (clashes(api, 0))
		errno = EEXIST, r = -1;
	else if (napis == MAX_APIS)
		errno = ENOSPC, r = -1;
	else
		apis[napis++] = api, forget();
	lg_unlock_restoring_signals(&saved);
	if (!r && lg_bind_now && lazygate_bind_all() < 0)
		r = -1;
	return r;
}

struct unbind {
	const struct lg_api *old;
	unsigned int cs;
	struct lg_batch b;
};

/* Is the bound site E a call into one of OLD's entries (its
 * implementation, for a C-call site)? */
static int bound_to(const struct lg_site *e, const struct unbind *u)
{
	const unsigned char *p = (const unsigned char *)lg_site_addr(e);
	const struct lg_gate *g = find_in(u->old, lg_site_gate(e));
	struct lg_decoded d;
	unsigned long site = lg_site_addr(e);

	if (!g || !g->impl)
		return 0;
	switch (lg_match(p, lg_site_kind(e), lg_site_gate(e))) {
	case LG_S_BOUND:
		lg_classify(p, LG_MAXLEN, &d);
		return d.offset == (unsigned long)g->far_entry && d.selector == u->cs;
	case LG_S_NEAR:
		lg_classify(p, LG_MAXLEN, &d);
		site += LG_KLEN + (unsigned long)(long)d.rel;
		return site == (unsigned long)(lg_site_ccall(e) ? g->impl : g->near_entry);
	default:
		return 0;
	}
}

static void collect_unbind(const struct lg_site *e, void *arg)
{
	struct unbind *u = arg;
	unsigned char init[LG_MAXLEN];
	unsigned int len;

	if (!bound_to(e, u))
		return;
	len = lg_initial(lg_site_kind(e), lg_site_gate(e), init);
	lg_batch_add(&u->b, e, init, len, 0, u->old);
}

/* Unbind OLD's sites in one batch, then serve its gates from NEW. */
static int swap(int slot, const struct lg_api *new_api)
{
	struct unbind u = {apis[slot], lg_code_selector(), {0, 0, 0, 0}};
	int failed;

	lg_modules_refresh();
	lg_modules_each(collect_unbind, &u);
	failed = u.b.failed ? ENOMEM : lg_batch_patch(&u.b) != LG_OK ? EIO : 0;
	if (failed) {
		lg_batch_free(&u.b);
		errno = failed;
		return -1;
	}
	lg_stats.unbinds += u.b.n;
	lg_batch_free(&u.b);
	if (new_api)
		apis[slot] = new_api;
	else
		apis[slot] = apis[--napis];
	forget();
	return 0;
}

int lazygate_replace(const struct lg_api *old_api, const struct lg_api *new_api)
{
	sigset_t saved;
	int slot, r;

	if (!old_api || (new_api && !well_formed(new_api))) {
		errno = EINVAL;
		return -1;
	}
	lg_lock_blocking_signals(&saved);
	slot = slot_of(old_api);
	if (slot < 0)
		errno = ENOENT, r = -1;
	else if (new_api && clashes(new_api, old_api))
		errno = EEXIST, r = -1;
	else
		r = swap(slot, new_api);
	lg_unlock_restoring_signals(&saved);
	if (!r && new_api && lg_bind_now && lazygate_bind_all() < 0)
		r = -1;
	return r;
}

void lazygate_set_bind_mode(int mode)
{
	__atomic_store_n(&bind_mode, mode == LAZYGATE_BIND_NEAR, __ATOMIC_RELAXED);
}

int lg_bind_mode(void)
{
	return __atomic_load_n(&bind_mode, __ATOMIC_RELAXED);
}
