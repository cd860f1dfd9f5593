/* Batches: lg_patch's protocol for many sites at once (FORMAT.md,
 * "Batches"), phase by phase:
 *
 *   every head -> CD, sync, every tail, sync, every head
 *
 * so a CPU meets each site in a whole old state, the trap, or a whole new
 * state, exactly as with lg_patch, for two rounds in all (the Linux
 * kernel's text_poke_bp_batch needs three).  Nothing is remembered between
 * the phases: each finds its sites again in the tables, by their bytes
 * (initial or bound to OLD; claimed with the old tail; claimed with the
 * new one), so a batch needs no memory however many sites it takes.  The
 * runtime's lock is held throughout, so no CD at a site is another bind's.
 *
 * Where no other CPU can run the code (ops->alone), one phase writes each
 * whole new instruction and nothing is serialized. */
#include <lazygate/core.h>

enum phase { CLAIM, TAIL, HEAD, WHOLE };

struct run {
	const struct lg_batch_ops *ops;
	const struct lg_api *old; /* unbind its sites; 0: bind */
	enum phase ph;
};

int lg_bound_to(const struct lg_batch_ops *ops, const struct lg_site *e, const unsigned char *p,
		const struct lg_gate *g)
{
	unsigned int kind = lg_site_kind(e), h = lg_kind_len(kind) - 6; /* the far pointer */
	unsigned long near = (unsigned long)(lg_site_ccall(e) ? g->impl : g->near_entry);

	switch (lg_match(p, kind, lg_site_gate(e))) {
	case LG_S_NEAR: /* rel32 from the end of the site */
		return lg_site_addr(e) + LG_KLEN + (unsigned long)(long)(int)lg_get32(p + 5) == near;
	case LG_S_BOUND:
		return ops->far_target(ops->code.ctx, p[h + 4] | p[h + 5] << 8, lg_get32(p + h)) ==
		       (unsigned long)g->far_entry;
	default:
		return 0;
	}
}

/* The bytes the batch writes at X->entry, into X: their length, 0 if none.
 * The same in every phase: they do not depend on the site's bytes. */
static unsigned int new_bytes(const struct run *r, struct lg_edit *x)
{
	const struct lg_site *e = x->entry;

	if (!r->old)
		return r->ops->bind_form(r->ops->code.ctx, x);
	x->unbind = 1;
	x->api = r->old;
	x->gate = lg_api_gate(r->old, lg_site_gate(e));
	if (!x->gate || !x->gate->impl)
		return 0;
	return x->len = lg_initial(lg_site_kind(e), lg_site_gate(e), x->to);
}

/* Is X's site, whose bytes before any claim are P, in a state the batch
 * rewrites: initial when binding, bound to OLD when unbinding? */
static int from_old(const struct run *r, const struct lg_edit *x, const unsigned char *p)
{
	const struct lg_site *e = x->entry;

	if (r->old)
		return lg_bound_to(r->ops, e, p, x->gate);
	return lg_match(p, lg_site_kind(e), lg_site_gate(e)) == LG_S_INITIAL;
}

/* R's phase at site E: 1 if it wrote there, 0 if not, LG_EWRITE.  Each
 * phase tests the site's bytes (WAS) and writes one span of the new ones:
 *
 *   CLAIM  the old state, taken                  head -> CD
 *   TAIL   CD with the old tail, taken           bytes 2..len-1
 *   HEAD   CD with the new tail                  the head
 *   WHOLE  the old state, taken                  every byte
 */
static int step(const struct run *r, const struct lg_site *e)
{
	const struct lg_patch_ops *c = &r->ops->code;
	unsigned char *p = (unsigned char *)lg_site_addr(e), was[LG_MAXLEN];
	struct lg_edit x = {0};
	unsigned int i, from;

	x.entry = e;
	/* the trap vector (byte 1) the same in both states, as for lg_patch */
	if ((p[0] == LG_HEAD_TRAP) != (r->ph == TAIL || r->ph == HEAD) || !new_bytes(r, &x) ||
	    x.len < 3 || x.to[1] != p[1] || x.to[0] == LG_HEAD_TRAP)
		return 0;
	for (i = 0; i < x.len; i++)
		was[i] = p[i];
	if (r->ph == TAIL)
		was[0] = x.to[0]; /* every state of a kind has the same head */
	if (r->ph == HEAD ? !lg_bytes_eq(was + 1, x.to + 1, x.len - 1) : !from_old(r, &x, was))
		return 0;
	if (r->ph == CLAIM)
		return !c->claim(c->ctx, p, was[0]);
	from = r->ph == TAIL ? 2 : 0;
	if (c->write(c->ctx, p + from, x.to + from, r->ph == HEAD ? 1 : x.len - from))
		return LG_EWRITE;
	if (r->ph != TAIL && r->ops->tell)
		r->ops->tell(c->ctx, &x);
	return 1;
}

/* Phase PH over every table: the number of sites written, or LG_EWRITE. */
static long phase(struct run *r, enum phase ph)
{
	void *ctx = r->ops->code.ctx;
	const struct lg_site *t;
	unsigned int k;
	size_t i, n;
	long m = 0;
	int w;

	r->ph = ph;
	for (k = 0; m >= 0 && (t = r->ops->table(ctx, k, &n)); k++)
		for (i = 0; i < n && m >= 0; i++)
			m = (w = step(r, &t[i])) < 0 ? w : m + w;
	if (r->ops->flush && r->ops->flush(ctx) && m >= 0)
		m = LG_EWRITE;
	return m;
}

long lg_batch(const struct lg_batch_ops *ops, const struct lg_api *old)
{
	struct run r = {ops, old, WHOLE};
	long n;

	if (ops->alone && ops->alone(ops->code.ctx))
		return phase(&r, WHOLE);
	if ((n = phase(&r, CLAIM)) <= 0)
		return n;
	ops->code.sync(ops->code.ctx);
	/* A site claimed and not written would trap for ever. */
	if (phase(&r, TAIL) != n)
		return LG_EWRITE;
	ops->code.sync(ops->code.ctx);
	return phase(&r, HEAD) == n ? n : LG_EWRITE;
}

long lg_replace(struct lg_providers *s, const struct lg_batch_ops *ops, const struct lg_api *old,
		const struct lg_api *new_api)
{
	int i = lg_swappable(s, old, new_api);
	long n;

	if (i < 0)
		return i;
	if ((n = lg_batch(ops, old)) >= 0)
		lg_swap(s, i, new_api);
	return n;
}
