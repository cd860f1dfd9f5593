/* Providers: who serves which gate number, and what a site calling a
 * provider's gate becomes.  One set of providers is one gate number
 * space, as one kernel has one API table: a gate is implemented by at
 * most one provider of the set; others may list it (impl 0). */
#include <lazygate/core.h>

/* gatec's tables: this format, sorted by number, and every implemented
 * gate with both entries (FORMAT.md: impl 0 = listed, not provided). */
int lg_api_valid(const struct lg_api *a)
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

const struct lg_gate *lg_api_gate(const struct lg_api *a, unsigned int gate)
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

const struct lg_gate *lg_lookup(const struct lg_providers *s, unsigned int gate,
				const struct lg_api **api)
{
	const struct lg_gate *named = 0, *g;
	unsigned int i;

	for (i = 0; i < s->n; i++) {
		if (!(g = lg_api_gate(s->api[i], gate)) || (named && !g->impl))
			continue;
		named = g;
		*api = s->api[i];
		if (g->impl)
			break;
	}
	return named;
}

static int slot(const struct lg_providers *s, const struct lg_api *a)
{
	unsigned int i;

	for (i = 0; i < s->n; i++)
		if (s->api[i] == a)
			return (int)i;
	return -1;
}

/* Does A implement a gate that a provider of S other than A and EXCEPT
 * implements? */
static int clashes(const struct lg_providers *s, const struct lg_api *a, const struct lg_api *except)
{
	const struct lg_gate *g;
	unsigned int i, j;

	for (i = 0; i < a->count; i++)
		for (j = 0; a->gates[i].impl && j < s->n; j++)
			if (s->api[j] != a && s->api[j] != except &&
			    (g = lg_api_gate(s->api[j], a->gates[i].number)) && g->impl)
				return 1;
	return 0;
}

/* May A serve its gates in S, where EXCEPT (if not 0) is to make way for
 * it?  LG_OK, LG_EINVAL or LG_EEXIST. */
static int admits(const struct lg_providers *s, const struct lg_api *a, const struct lg_api *except)
{
	if (!lg_api_valid(a))
		return LG_EINVAL;
	return clashes(s, a, except) ? LG_EEXIST : LG_OK;
}

/* A provider already in S clashes with no other (none was let in that
 * did), so admits() passes it before it is found there. */
int lg_provide(struct lg_providers *s, const struct lg_api *a)
{
	int r = admits(s, a, 0);

	if (r)
		return r;
	if (slot(s, a) >= 0)
		return 1;
	if (s->n == s->max)
		return LG_EFULL;
	s->api[s->n++] = a;
	return LG_OK;
}

int lg_swappable(const struct lg_providers *s, const struct lg_api *old, const struct lg_api *new_api)
{
	int i = slot(s, old), r;

	if (i < 0)
		return LG_ENOENT;
	if (new_api && (r = admits(s, new_api, old)))
		return r;
	return i;
}

void lg_swap(struct lg_providers *s, int i, const struct lg_api *new_api)
{
	s->api[i] = new_api ? new_api : s->api[--s->n];
}

unsigned int lg_encode(struct lg_edit *x, int near, unsigned int sel)
{
	const struct lg_site *e = x->entry;
	const struct lg_gate *g = x->gate;

	if (lg_site_ccall(e) || near) {
		x->sel = 0;
		x->target = (unsigned long)(lg_site_ccall(e) ? g->impl : g->near_entry);
		return x->len = lg_bound_near(lg_site_addr(e), x->target, x->to);
	}
	x->sel = sel;
	x->target = (unsigned long)g->far_entry;
	return x->len = lg_bound_far(lg_site_kind(e), (unsigned int)x->target, sel, x->to);
}
