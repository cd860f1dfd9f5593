/* Patching many sites at once: bind-all and replacement.
 *
 * lg_patch costs two serialization rounds per site.  A batch applies the
 * same protocol to all its sites together, phase by phase:
 *
 *   every head -> CD, sync, every tail, sync, every head
 *
 * so a CPU meets each site in a whole old state, the trap, or a whole new
 * state, exactly as with lg_patch, for two rounds in all (the Linux
 * kernel's text_poke_bp_batch needs three).  Within a phase, sites that
 * lie close together are written with one pwrite: the bytes between them
 * are rewritten with the values they already hold, which changes nothing a
 * CPU can see, and a pwrite costs far more than the copy.
 *
 * A process with one thread (lg_code_alone) needs none of this: one phase
 * writes every whole new instruction, and nothing is serialized.  Binding
 * everything with nobody to tell (lg_batch_bind_all) needs not even the
 * edit list: each phase rewrites a copy of the text straight from the site
 * tables.
 *
 * Lock held throughout; no libc beyond what a signal handler may call. */
#define _GNU_SOURCE /* mremap */
#include <string.h>
#include <sys/mman.h>
#include "user.h"

#define GAP 1024   /* unchanged bytes worth rewriting to save a pwrite */
#define SPAN 65536 /* the most one pwrite carries */

enum phase { CLAIM, TAIL, HEAD, ALL };

static int grow(struct lg_batch *b)
{
	size_t cap = b->cap ? b->cap * 2 : 4096 / sizeof *b->e;
	void *p = b->cap ? mremap(b->e, b->cap * sizeof *b->e, cap * sizeof *b->e, MREMAP_MAYMOVE)
			 : mmap(0, cap * sizeof *b->e, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return -1;
	b->e = p;
	b->cap = cap;
	return 0;
}

int lg_batch_add(struct lg_batch *b, const struct lg_site *s, const unsigned char *to,
		 unsigned int len, const struct lg_gate *g, const struct lg_api *api)
{
	struct lg_edit *e;

	if (b->n == b->cap && grow(b))
		return b->failed = 1, -1;
	e = &b->e[b->n++];
	e->site = lg_site_addr(s);
	e->entry = s;
	e->gate = g;
	e->api = api;
	e->len = (unsigned char)len;
	memcpy(e->to, to, len);
	return 0;
}

void lg_batch_free(struct lg_batch *b)
{
	if (b->cap)
		munmap(b->e, b->cap * sizeof *b->e);
	b->e = 0;
	b->n = b->cap = 0;
	b->failed = 0;
}

static void apply(unsigned char *p, const unsigned char *to, unsigned int len, enum phase ph)
{
	if (ph == CLAIM)
		p[0] = LG_HEAD_TRAP;
	else if (ph == TAIL)
		memcpy(p + 2, to + 2, len - 2u);
	else if (ph == HEAD)
		p[0] = to[0];
	else
		memcpy(p, to, len);
}

/* The end of the span that starts at edit I: the edits up to it are close
 * together and fit in one write.  Edits out of address order simply start
 * a new span. */
static size_t span_end(const struct lg_batch *b, size_t i, unsigned long *hi)
{
	unsigned long lo = b->e[i].site;
	size_t j;

	*hi = lo + b->e[i].len;
	for (j = i + 1; j < b->n; j++) {
		const struct lg_edit *e = &b->e[j];

		if (e->site < *hi || e->site - *hi > GAP || e->site + e->len - lo > SPAN)
			break;
		*hi = e->site + e->len;
	}
	return j;
}

static unsigned char buf[SPAN]; /* the lock protects it */

static int write_phase(const struct lg_batch *b, enum phase ph)
{
	unsigned long lo, hi;
	size_t i, j, k;

	for (i = 0; i < b->n; i = j) {
		lo = b->e[i].site;
		j = span_end(b, i, &hi);
		memcpy(buf, (const void *)lo, hi - lo);
		for (k = i; k < j; k++)
			apply(buf + (b->e[k].site - lo), b->e[k].to, b->e[k].len, ph);
		if (lg_code_write((unsigned char *)lo, buf, (unsigned int)(hi - lo)))
			return -1;
	}
	if (ph == CLAIM || ph == TAIL)
		lg_code_sync();
	return 0;
}

/* Every edit's site must still hold the state its caller matched, and the
 * trap vector (byte 1) must be the same in both states, as for lg_patch.
 * A write that fails leaves sites claimed: the caller cannot go on. */
int lg_batch_patch(const struct lg_batch *b)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		if (b->e[i].len < 3 || b->e[i].to[1] != ((const unsigned char *)b->e[i].site)[1] ||
		    b->e[i].to[0] == LG_HEAD_TRAP)
			return LG_EBYTE;
	if (!b->n)
		return LG_OK;
	if (lg_code_alone())
		return write_phase(b, ALL) ? LG_EWRITE : LG_OK;
	if (write_phase(b, CLAIM) || write_phase(b, TAIL) || write_phase(b, HEAD))
		return LG_EWRITE;
	return LG_OK;
}

/* The end of the window of table T that starts at site I: the sites up to
 * it are close together and fit in one write ([lo, *HI) of text). */
static size_t window_end(const struct lg_site *t, size_t i, size_t n, unsigned long *hi)
{
	unsigned long lo = lg_site_addr(&t[i]);
	size_t j;

	*hi = lo + lg_kind_len(lg_site_kind(&t[i]));
	for (j = i + 1; j < n; j++) {
		unsigned long a = lg_site_addr(&t[j]), end = a + lg_kind_len(lg_site_kind(&t[j]));

		if (a - *hi > GAP || end - lo > SPAN)
			break;
		*hi = end;
	}
	return j;
}

/* The gate last looked up (neighbouring sites often call the same one),
 * the bind mode, read once per batch, and the phase being written. */
struct memo {
	unsigned int gate; /* > LG_GATE_MAX: none yet */
	const struct lg_gate *g;
	int mode;
	enum phase ph;
};

/* Whether TAIL or HEAD is to write the site at P: one CLAIM claimed
 * (under the lock nobody else leaves a head claimed) whose tail is still
 * initial (TAIL) or already TO's (HEAD). */
static int claimed(const unsigned char *p, unsigned int gate, const unsigned char *to,
		   enum phase ph)
{
	unsigned char was[LG_KLEN];

	if (ph == HEAD)
		return !memcmp(p + 1, to + 1, LG_KLEN - 1);
	memcpy(was, p, LG_KLEN);
	was[0] = LG_K32_B0;
	return lg_k32_initial(was, gate);
}

/* Whether phase PH may look at the site at P at all: CLAIM and ALL take
 * the initial ones, TAIL and HEAD the claimed ones. */
static int may(const unsigned char *p, unsigned int gate, enum phase ph)
{
	return ph == CLAIM || ph == ALL ? lg_k32_initial(p, gate) : p[0] == LG_HEAD_TRAP;
}

/* Phase M->ph of binding the k32 sites of T[I..J) in the copy of the text
 * that starts at LO; [*FIRST, *END) grows over the bytes changed.  The
 * number of sites written.  A site that cannot be bound is left to report
 * at its first call. */
static long bind_window(const struct lg_site *t, size_t i, size_t j, unsigned long lo,
			struct memo *m, unsigned long *first, unsigned long *end)
{
	unsigned char to[LG_MAXLEN];
	const struct lg_api *api;
	const char *why;
	long n = 0;

	for (; i < j; i++) {
		unsigned long site = lg_site_addr(&t[i]);
		unsigned int gate = lg_site_gate(&t[i]);
		unsigned char *p = buf + (site - lo);

		if (lg_site_kind(&t[i]) != LG_K32 || !may(p, gate, m->ph))
			continue;
		if (gate != m->gate) {
			m->g = lg_bind_gate(gate, LG_K32, &api, &why);
			m->gate = gate;
		}
		if (!m->g)
			continue;
		lg_bind_encode(&t[i], m->g, m->mode, to);
		/* the trap vector (byte 1) is the same in both states, as
		 * lg_patch requires */
		if (to[1] != LG_K32_B1 || to[0] == LG_HEAD_TRAP ||
		    ((m->ph == TAIL || m->ph == HEAD) && !claimed(p, gate, to, m->ph)))
			continue;
		apply(p, to, LG_KLEN, m->ph);
		if (!n++)
			*first = site;
		*end = site + LG_KLEN;
	}
	return n;
}

static long bind_table(const struct lg_site *t, size_t n, void *arg)
{
	unsigned long lo, hi, first = 0, end = 0;
	long sum = 0, k;
	size_t i, j;

	for (i = 0; i < n; i = j) {
		lo = lg_site_addr(&t[i]);
		j = window_end(t, i, n, &hi);
		memcpy(buf, (const void *)lo, hi - lo);
		k = bind_window(t, i, j, lo, arg, &first, &end);
		if (k && lg_code_write((unsigned char *)first, buf + (first - lo),
				       (unsigned int)(end - first)))
			return -1;
		sum += k;
	}
	return sum;
}

/* Bind every site that can be bound when nobody is to be told:
 * lg_batch_patch's phases, straight from the site tables (no edit list;
 * each phase finds its sites again by their bytes).  The number bound, or
 * -1 if a write failed (sites may be left claimed).  Lock held. */
long lg_batch_bind_all(void)
{
	static const enum phase three[] = {CLAIM, TAIL, HEAD};
	struct memo m = {LG_GATE_MAX + 1U, 0, lg_bind_mode(), ALL};
	long n = 0, k;
	size_t i;

	if (lg_code_alone())
		return lg_modules_tables(bind_table, &m);
	for (i = 0; i < 3; i++) {
		m.ph = three[i];
		if ((k = lg_modules_tables(bind_table, &m)) < 0 || (i && k != n))
			return -1; /* a site claimed and not bound would kill */
		n = k;
		if (n && three[i] != HEAD)
			lg_code_sync();
	}
	return n;
}
