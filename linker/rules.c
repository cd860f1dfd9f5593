/* The rules a site table must keep (doc/gatelink.md lists them), and the
 * findings that name the rule broken:
 *
 *   FILE:SECTION+0xOFFSET: error: gate G: MESSAGE [RULE]
 */
#include "bfdh.h"
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "gatelink.h"

int gl_allow_duplicates;

void gl_gate_str(const struct gl_obj *obj, const struct gl_site *s, const struct gl_defs *defs,
		 char *buf, size_t n)
{
	const char *sym = gl_site_sym(obj, s);
	const struct gl_gate_def *g;

	if (sym) {
		g = defs ? gl_defs_sym(defs, sym) : 0;
		if (g)
			snprintf(buf, n, "%u (%s)", g->number, g->name);
		else
			snprintf(buf, n, "%s", sym);
		return;
	}
	g = defs ? gl_defs_num(defs, gl_site_gate(s)) : 0;
	if (g)
		snprintf(buf, n, "%u (%s)", gl_site_gate(s), g->name);
	else
		snprintf(buf, n, "%u", gl_site_gate(s));
}

/* Findings about a site are placed at the site when it is known, else at
 * its table entry. */
void gl_site_where(const struct gl_obj *obj, const struct gl_site *s, const struct gl_sec **sec,
		   unsigned long *off)
{
	if (s->secno) {
		*sec = gl_site_sec(obj, s);
		*off = s->off;
	} else {
		gl_site_entry(obj, s, sec, off);
	}
}

struct ctx {
	struct gl_obj *obj;
	const struct gl_defs *defs;
	const struct gl_site *s;
	const struct gl_sec *sec; /* s's section (gl_site_sec), once for every rule */
	unsigned int entry; /* s's number in the table */
	char gate[160];
};

/* The gate is named only when there is something to say (it is slow). */
#define SITE_FINDING(c, sev, rule, ...)                                         \
	do {                                                                    \
		const struct gl_sec *sec_;                                      \
		unsigned long off_;                                             \
		gl_site_where((c)->obj, (c)->s, &sec_, &off_);                  \
		gl_gate_str((c)->obj, (c)->s, (c)->defs, (c)->gate, sizeof (c)->gate); \
		gl_finding((c)->obj, sev, sec_, off_, (c)->gate, rule, __VA_ARGS__); \
	} while (0)

static int rule_entry(struct ctx *c)
{
	const struct gl_site *s = c->s;
	struct lg_site e = gl_site_as_entry(s);
	unsigned int flags = lg_site_flags(&e);

	if (s->kind >= LG_NKINDS) {
		SITE_FINDING(c, GL_ERROR, "kind", "entry %u: unknown caller kind %u", c->entry,
			     s->kind);
		return -1;
	}
	if (lg_site_known(&e))
		return 0;
	if (flags & ~LG_FLAG_CCALL)
		SITE_FINDING(c, GL_ERROR, "flags", "entry %u: reserved flag bits 0x%x are set",
			     c->entry, flags & ~LG_FLAG_CCALL);
	if (lg_site_ccall(&e) && s->kind != LG_K32)
		SITE_FINDING(c, GL_ERROR, "flags", "entry %u: the C-call flag (0x%x) is for k32 "
			     "sites only, the entry says %s", c->entry, LG_FLAG_CCALL,
			     lg_kind_name(s->kind));
	return 0;
}

static int rule_place(struct ctx *c)
{
	const struct gl_site *s = c->s;
	const struct gl_sec *sec = c->sec;
	unsigned int len = lg_kind_len(s->kind);

	if (!s->located)
		return -1; /* the relocation was reported */
	if (!sec) {
		if (c->obj->linked)
			SITE_FINDING(c, GL_ERROR, "outside", "entry %u: site 0x%08x is outside every section",
				     c->entry, gl_site_addr(c->obj, s));
		else
			SITE_FINDING(c, GL_ERROR, "outside", "entry %u: site is outside its section",
				     c->entry);
		return -1;
	}
	if (!sec->exec) {
		SITE_FINDING(c, GL_ERROR, "outside", "entry %u: site is in %s, not an executable section",
			     c->entry, sec->name);
		return -1;
	}
	if (sec->size - s->off < len || !sec->data) {
		SITE_FINDING(c, GL_ERROR, "outside", "entry %u: site runs past the end of %s",
			     c->entry, sec->name);
		return -1;
	}
	return 0;
}

static void hexbytes(const unsigned char *p, unsigned int n, char *buf)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		sprintf(buf + 3 * i, i + 1 < n ? "%02x " : "%02x", p[i]);
}

static void rule_state(struct ctx *c)
{
	const struct gl_site *s = c->s;
	const struct gl_sec *sec = c->sec;
	const unsigned char *p = sec->data + s->off;
	struct lg_decoded d;
	char hex[3 * LG_MAXLEN + 1];

	if (s->state != LG_S_NONE)
		return;
	lg_classify(p, sec->size - s->off, &d);
	hexbytes(p, lg_kind_len(s->kind), hex);
	if (d.state == LG_S_INITIAL && d.kind == (int)s->kind)
		SITE_FINDING(c, GL_ERROR, "state", "initial stub calls gate %u, the entry says %u",
			     d.gate, gl_site_gate(s));
	else if (d.state != LG_S_NONE && d.kind >= 0)
		SITE_FINDING(c, GL_ERROR, "state", "bytes are %s stub bytes (%s), the entry says %s (%s)",
			     lg_kind_name(d.kind), lg_state_name(d.state), lg_kind_name(s->kind), hex);
	else
		SITE_FINDING(c, GL_ERROR, "state", "bytes are not a state of a %s site (%s)",
			     lg_kind_name(s->kind), hex);
}

/* A C-call site's caller pushed the implementation's own arguments: a far
 * call would push CS between them and the return address, so its only
 * bound form is near (a site of another kind is a flags finding). */
static void rule_ccall(struct ctx *c)
{
	const struct gl_site *s = c->s;
	struct lg_decoded d;

	if (s->state != LG_S_BOUND || s->kind != LG_K32 || !gl_site_ccall(s))
		return;
	lg_classify(c->sec->data + s->off, LG_KLEN, &d);
	SITE_FINDING(c, GL_ERROR, "state", "a C-call site bound far (%04x:%08x): C-call sites "
		     "are bound near only", d.selector, d.offset);
}

static int is_gate_sym(const char *sym)
{
	return !strncmp(sym, LG_GATE_SYM_PREFIX, sizeof LG_GATE_SYM_PREFIX - 1);
}

static void rule_byname(struct ctx *c)
{
	const struct gl_site *s = c->s;
	unsigned int h = s->kind <= LG_K16 ? 3 : 2;
	const char *sym = gl_site_sym(c->obj, s), *stub = gl_stub_sym(c->obj, s);
	const struct gl_rel *r;

	if (sym && !is_gate_sym(sym))
		SITE_FINDING(c, GL_ERROR, "by-name", "%s is not a gate symbol (" LG_GATE_SYM_PREFIX
			     "API_NAME)", sym);
	if (sym && stub && strcmp(sym, stub))
		SITE_FINDING(c, GL_ERROR, "by-name", "the stub calls %s, the entry says %s",
			     stub, sym);
	else if (sym && !stub && s->state == LG_S_INITIAL)
		SITE_FINDING(c, GL_ERROR, "by-name", "the entry names %s, the stub's gate field "
			     "has no relocation", sym);
	else if (!sym && stub)
		SITE_FINDING(c, GL_ERROR, "by-name", "the stub calls %s, the entry gives a number",
			     stub);
	r = gl_crel_in(c->obj, c->sec, s->off, lg_kind_len(s->kind));
	for (; r && r < c->obj->crel + c->obj->ncrel && r->sec == c->sec &&
	       r->off < s->off + lg_kind_len(s->kind); r++)
		if (r->off + r->size > s->off &&
		    !(r->off == s->off + h && stub && r->sym == stub))
			SITE_FINDING(c, GL_ERROR, "reloc", "a relocation against %s changes byte %ld "
				     "of the site", r->sym, (long)(r->off - s->off));
}

static void rule_defs(struct ctx *c)
{
	const struct gl_site *s = c->s;
	const struct gl_gate_def *g;
	unsigned int need = s->kind <= LG_K16 ? GL_ACC_KERNEL : GL_ACC_APP;
	const char *sym;

	if (!c->defs)
		return;
	sym = gl_site_sym(c->obj, s);
	g = sym ? gl_defs_sym(c->defs, sym) : gl_defs_num(c->defs, gl_site_gate(s));
	if (!g) {
		SITE_FINDING(c, GL_ERROR, "unknown-gate", "no such gate in API %s", c->defs->api);
		return;
	}
	if (!(g->access & need))
		SITE_FINDING(c, GL_ERROR, "access", "%s code may not call %s-only gate %s",
			     need == GL_ACC_APP ? "application" : "kernel",
			     need == GL_ACC_APP ? "kernel" : "application", g->name);
}

static int by_place_s(const struct gl_site *x, const struct gl_site *y)
{
	if (x->secno != y->secno)
		return x->secno < y->secno ? -1 : 1;
	if (x->off != y->off)
		return x->off < y->off ? -1 : 1;
	return x < y ? -1 : x > y; /* table order */
}

static int by_place(const void *a, const void *b)
{
	return by_place_s(*(const struct gl_site *const *)a, *(const struct gl_site *const *)b);
}

/* Sites that were placed in a section, in address order (caller frees).
 * Tables are mostly in order already: then 0, and the sites themselves. */
static const struct gl_site **placed(const struct gl_obj *obj, size_t *n)
{
	const struct gl_site **v;
	size_t i;

	for (i = 0; i < obj->nsites && obj->sites[i].secno; i++)
		if (i && by_place_s(&obj->sites[i - 1], &obj->sites[i]) > 0)
			break;
	*n = obj->nsites;
	if (i == obj->nsites)
		return 0;
	v = gl_xcalloc(obj->nsites, sizeof *v);
	*n = 0;
	for (i = 0; i < obj->nsites; i++)
		if (obj->sites[i].secno)
			v[(*n)++] = &obj->sites[i];
	qsort(v, *n, sizeof *v, by_place);
	return v;
}

/* The Ith site in address order: of V, placed()'s answer. */
static const struct gl_site *nth_placed(const struct gl_obj *obj, const struct gl_site **v,
					size_t i)
{
	return v ? v[i] : &obj->sites[i];
}

static void rule_overlap(struct gl_obj *obj, const struct gl_defs *defs)
{
	size_t n, i;
	const struct gl_site **v = placed(obj, &n);
	struct ctx c;

	c.obj = obj;
	c.defs = defs;
	for (i = 1; i < n; i++) {
		const struct gl_site *a = nth_placed(obj, v, i - 1), *b = nth_placed(obj, v, i);

		if (a->secno != b->secno || a->off + lg_kind_len(a->kind) <= b->off)
			continue;
		if (gl_allow_duplicates && a->off == b->off && a->info == b->info)
			continue;
		c.s = b;
		c.sec = gl_site_sec(obj, b);
		if (a->off == b->off)
			SITE_FINDING(&c, GL_ERROR, "overlap", "entries %u and %u are the same site",
				     gl_site_index(obj, a), gl_site_index(obj, b));
		else
			SITE_FINDING(&c, GL_ERROR, "overlap", "entry %u: site overlaps the site of "
				     "entry %u at %s+0x%x", gl_site_index(obj, b), gl_site_index(obj, a),
				     gl_site_sec(obj, a)->name, a->off);
	}
	free(v);
}

static int table_sorted(const struct gl_obj *obj)
{
	size_t i;

	for (i = 1; i < obj->nsites; i++)
		if (gl_site_addr(obj, &obj->sites[i - 1]) >= gl_site_addr(obj, &obj->sites[i]))
			return 0;
	return 1;
}

static void rule_note(struct gl_obj *obj)
{
	const struct gl_note *nt = &obj->note;
	const struct gl_sec *t = obj->ntables ? obj->tables[0].sec : 0;
	unsigned long start;

	if (!obj->linked || !t)
		return;
	if (!nt->sec) {
		gl_finding(obj, GL_WARNING, t, 0, 0, "note", "no " LG_NOTE_SECTION
			   " note: a runtime will not find this table");
		return;
	}
	start = (nt->sec->vma + nt->desc + nt->start) & 0xffffffffUL;
	if (start != t->vma || nt->end < nt->start || (unsigned long)(nt->end - nt->start) > t->size)
		gl_finding(obj, GL_ERROR, nt->sec, nt->desc, 0, "note", "the note's table "
			   "0x%08lx+0x%lx is not section %s (0x%08lx+0x%lx)", start,
			   (unsigned long)(nt->end - nt->start), t->name, t->vma, t->size);
	else if ((nt->flags & LG_NOTE_SORTED) && !table_sorted(obj))
		gl_finding(obj, GL_ERROR, nt->sec, nt->desc + 8, 0, "note",
			   "the note says the table is sorted, it is not");
}

int gl_rules_sites(struct gl_obj *obj, const struct gl_defs *defs)
{
	int before = gl_nerrors;
	size_t i;
	struct ctx c;

	c.obj = obj;
	c.defs = defs;
	for (i = 0; i < obj->nsites; i++) {
		c.s = &obj->sites[i];
		c.sec = gl_site_sec(obj, c.s);
		c.entry = (unsigned int)i;
		if (rule_entry(&c) || rule_place(&c))
			continue;
		rule_state(&c);
		rule_ccall(&c);
		if (!obj->linked)
			rule_byname(&c);
		rule_defs(&c);
	}
	rule_overlap(obj, defs);
	rule_note(obj);
	return gl_nerrors - before;
}

/* ---- stubs that no entry describes ---- */

static int covered(const struct gl_obj *obj, const struct gl_site **v, size_t n, size_t *k,
		   const struct gl_sec *sec, unsigned long off, unsigned int len)
{
	unsigned int secno = gl_secno(obj, sec);
	const struct gl_site *s;

	while (*k < n && ((s = nth_placed(obj, v, *k))->secno < secno ||
			  (s->secno == secno && s->off + lg_kind_len(s->kind) <= off)))
		(*k)++;
	return *k < n && (s = nth_placed(obj, v, *k))->secno == secno && s->off < off + len;
}

static void stray_in(struct gl_obj *obj, const struct gl_defs *defs, struct gl_sec *sec,
		     const struct gl_site **v, size_t n, size_t *k)
{
	const unsigned char *p = sec->data;
	unsigned long i;
	struct lg_decoded d;

	for (i = 0; i + LG_ALEN <= sec->size; i++) {
		const struct gl_gate_def *g;

		if (p[i] != LG_K32_B0 && p[i] != LG_K16_B0 && p[i] != LG_A16_B0)
			continue;
		if (lg_classify(p + i, sec->size - i, &d) != LG_S_INITIAL)
			continue;
		if (covered(obj, v, n, k, sec, i, d.len))
			continue;
		g = defs ? gl_defs_num(defs, d.gate) : 0;
		gl_finding(obj, GL_WARNING, sec, i, 0, "stray", "%s stub for gate %u%s%s%s with no "
			   "table entry", lg_kind_name(d.kind), d.gate, g ? " (" : "",
			   g ? g->name : "", g ? ")" : "");
		i += d.len - 1;
	}
}

int gl_rules_stray(struct gl_obj *obj, const struct gl_defs *defs)
{
	size_t n, i, k = 0;
	const struct gl_site **v = placed(obj, &n);
	int before = gl_nwarnings;

	for (i = 0; i < obj->nsecs; i++)
		if (obj->secs[i].exec && obj->secs[i].data)
			stray_in(obj, defs, &obj->secs[i], v, n, &k);
	free(v);
	return gl_nwarnings - before;
}
