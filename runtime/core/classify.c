/* What bytes are, read from the bytes alone: for the tools (gatelink list
 * and check) and for reports.  The runtimes never need this on their own
 * paths, where the site table gives the kind and gate and lg_match
 * decides, so a kernel links it only if it reports with it.  Built on
 * stub.c's shapes (lg_is_initial, lg_match): one place knows the bytes. */
#include <lazygate/core.h>

static unsigned int get16(const unsigned char *p)
{
	return p[0] | p[1] << 8;
}

/* Where a kind's far pointer starts: after its 3-byte (kernel) or 2-byte
 * (application) head. */
static unsigned int ptr(unsigned int kind)
{
	return lg_kind_len(kind) - 6;
}

/* The first kind whose STATE P is in, at gate 0 or (initial) at the gate
 * its bytes name; -1 if none. */
static int kind_in(const unsigned char *p, size_t avail, enum lg_state state)
{
	unsigned int k;

	for (k = 0; k < LG_NKINDS; k++) {
		if (avail < lg_kind_len(k))
			continue;
		if (state == LG_S_INITIAL ? lg_is_initial(p, k, lg_get32(p + ptr(k)))
					  : lg_match(p, k, 0) == state)
			return (int)k;
	}
	return -1;
}

static enum lg_state decode_trap(const unsigned char *p, size_t avail,
				 struct lg_decoded *d)
{
	if (avail < 2)
		return LG_S_NONE;
	if (p[1] == LG_VEC_K32)
		d->kind = LG_K32;
	else if (p[1] == LG_VEC_K16)
		d->kind = LG_K16;
	else if (p[1] != LG_VEC_APP)
		return LG_S_NONE;
	/* CD 9A is A32 or A16: only the site table can say which. */
	d->len = d->kind < 0 ? LG_ALEN : LG_KLEN;
	return d->state = LG_S_TRAP;
}

enum lg_state lg_classify(const unsigned char *p, size_t avail, struct lg_decoded *d)
{
	int k;

	d->kind = -1;
	d->state = LG_S_NONE;
	d->gate = d->offset = d->selector = d->len = 0;
	d->rel = 0;
	if (avail < 1)
		return LG_S_NONE;
	if (p[0] == LG_HEAD_TRAP)
		return decode_trap(p, avail, d);
	if ((k = kind_in(p, avail, LG_S_INITIAL)) >= 0) {
		d->kind = k;
		d->gate = lg_get32(p + ptr(k));
		d->len = lg_kind_len(k);
		return d->state = LG_S_INITIAL;
	}
	if ((k = kind_in(p, avail, LG_S_BOUND)) >= 0) {
		d->kind = k;
		d->offset = lg_get32(p + ptr(k));
		d->selector = get16(p + ptr(k) + 4);
		d->len = lg_kind_len(k);
		return d->state = LG_S_BOUND;
	}
	/* only k32 has a near form */
	if (kind_in(p, avail, LG_S_NEAR) == LG_K32) {
		d->kind = LG_K32;
		d->rel = (int)lg_get32(p + 5);
		d->len = LG_KLEN;
		return d->state = LG_S_NEAR;
	}
	return LG_S_NONE;
}

const char *lg_kind_name(unsigned int kind)
{
	static const char *const names[LG_NKINDS] = {"k32", "k16", "a32", "a16"};

	return kind < LG_NKINDS ? names[kind] : "?";
}

const char *lg_state_name(enum lg_state s)
{
	static const char *const names[] = {"none", "initial", "trap", "bound", "near"};

	return (unsigned int)s <= LG_S_NEAR ? names[s] : "?";
}
