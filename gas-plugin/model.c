/* model.c - building the API model from a .gates file: the parser's
 * semantic actions and every check that needs more than one token
 * (registers, parameter names, types, numbers, duplicates).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* tdestroy */
#endif
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <search.h>
#include <lazygate/stub.h>
#include "gates.h"

const char *const reg_name[NREGS] = { "eax", "ebx", "ecx", "edx", "esi", "edi" };
const char *const reg_constraint[NREGS] = { "a", "b", "c", "d", "S", "D" };

int reg_lookup(const char *name)
{
	int r;

	for (r = 0; r < NREGS; r++)
		if (!strcmp(name, reg_name[r]))
			return r;
	return -1;
}

/* ---- The indexes: gatec is O(n log n) in gates, names and tags --------
 * Names by their case-folded spelling (two names that differ only in case
 * clash: gas macro names ignore it), primaries by number, struct tags by
 * spelling: glibc's tsearch trees (red-black), so no input makes a lookup
 * slower than log n. */

struct key {
	const char *name;
	unsigned long number;
	int gate;
};

static int by_folded_name(const void *x, const void *y)
{
	return strcasecmp(((const struct key *)x)->name, ((const struct key *)y)->name);
}

static int by_number(const void *x, const void *y)
{
	const struct key *a = x, *b = y;

	return a->number < b->number ? -1 : a->number > b->number;
}

static int by_spelling(const void *x, const void *y)
{
	return strcmp(x, y);
}

static void index_gate(void **root, const struct gate *g, int i, int (*cmp)(const void *, const void *))
{
	struct key *k = xmalloc(sizeof *k);

	k->name = g->name;
	k->number = g->number;
	k->gate = i;
	if (*(struct key **)tsearch(k, root, cmp) != k)
		abort(); /* the callers checked that it is new */
}

/* Add a copy of G (named, checked) to the model and its indexes. */
struct gate *model_add(struct api *a, const struct gate *g)
{
	if (a->ngates == a->cap) {
		a->cap = a->cap ? 2 * a->cap : 64;
		a->gate = xrealloc(a->gate, (size_t)a->cap * sizeof *a->gate);
	}
	a->gate[a->ngates] = *g;
	index_gate(&a->by_name, g, a->ngates, by_folded_name);
	if (g->alias_of < 0)
		index_gate(&a->by_number, g, a->ngates, by_number);
	return &a->gate[a->ngates++];
}

/* The gate whose name differs from NAME at most in case, or -1. */
static int find_folded(const struct api *a, const char *name)
{
	struct key k = { name, 0, 0 };
	struct key **f = tfind(&k, &a->by_name, by_folded_name);

	return f ? (*f)->gate : -1;
}

int model_find_name(const struct api *a, const char *name)
{
	int i = find_folded(a, name);

	return i >= 0 && !strcmp(a->gate[i].name, name) ? i : -1;
}

/* The primary gate with NUMBER, or -1. */
int model_find_number(const struct api *a, unsigned long number)
{
	struct key k = { 0, number, 0 };
	struct key **f = tfind(&k, &a->by_number, by_number);

	return f ? (*f)->gate : -1;
}

const struct gate *gate_primary(const struct api *a, const struct gate *g)
{
	return g->alias_of < 0 ? g : &a->gate[g->alias_of];
}

/* A new gate or alias name: unique, also ignoring case (gas macro names
 * are case-insensitive).  0 if fine. */
int model_check_name(struct reader *rd, const char *name, const struct loc *l)
{
	const struct api *a = rd->api;
	int i = find_folded(a, name);

	if (i < 0)
		return 0;
	if (!strcmp(a->gate[i].name, name))
		diag_error(l, "duplicate name '%s' (first declared on line %d)", name, a->gate[i].line);
	else
		diag_error(l, "'%s' differs from '%s' (line %d) only in case, which gas macro "
			   "names ignore", name, a->gate[i].name, a->gate[i].line);
	return -1;
}

/* ---- Freeing what the parser collected -------------------------------- */

void words_free(struct words *w)
{
	int i;

	for (i = 0; i < w->n; i++)
		free(w->word[i]);
	free(w->word);
	free(w->loc);
	memset(w, 0, sizeof *w);
}

void pdecl_free(struct pdecl *p)
{
	free(p->reg);
	words_free(&p->type);
	free(p->name);
	memset(p, 0, sizeof *p);
}

void plist_free(struct plist *pl)
{
	int i;

	for (i = 0; i < pl->n; i++)
		pdecl_free(&pl->p[i]);
	free(pl->p);
	memset(pl, 0, sizeof *pl);
}

void sig_free(struct sig *sig)
{
	if (!sig)
		return;
	plist_free(&sig->in);
	plist_free(&sig->out);
	free(sig);
}

static void ctype_free(struct ctype *t)
{
	free(t->text);
	free(t->unqual);
	free(t->struct_tag);
	memset(t, 0, sizeof *t);
}

static void params_free(struct param *p, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		ctype_free(&p[i].type);
		free(p[i].name);
	}
}

/* Say once that the api declaration is missing. */
static void need_api(struct reader *rd, const struct loc *l)
{
	if (rd->api->line || rd->api_missing_said)
		return;
	rd->api_missing_said = 1;
	diag_error(l, "missing 'api NAME;' (it must be the first declaration)");
}

void model_api(struct reader *rd, const struct loc *kw, char *name, const struct loc *name_loc)
{
	struct api *a = rd->api;

	(void)name_loc;
	if (a->line) {
		diag_error(kw, "duplicate 'api' declaration (the first is on line %d)", a->line);
		free(name);
		return;
	}
	a->line = kw->first_line;
	if (!rd->api_override)
		a->name = name;
	else
		free(name);
}

/* P's register, if it is one and not yet used by another of DST (USED[r]:
 * 1 + its index there); else -1, said. */
static int param_reg(const struct pdecl *p, const int used[NREGS], const struct param *dst,
		     const char *what)
{
	int r = reg_lookup(p->reg);

	if (r < 0) {
		diag_error(&p->reg_loc, "unknown register '%s' (use eax, ebx, ecx, edx, esi or edi)",
			   p->reg);
		return -1;
	}
	if (used[r]) {
		diag_error(&p->reg_loc, "register '%s' is already used by %s '%s'", p->reg, what,
			   dst[used[r] - 1].name);
		return -1;
	}
	return r;
}

/* P's name and where it is.  Without one ("int x"), the last word of the
 * type W is the name, then taken off W; a type word there means the name
 * is missing: -1, said. */
static int param_name(struct pdecl *p, struct words *w, const char **name, struct loc *nl)
{
	int n = w->n;

	*name = p->name;
	*nl = p->name_loc;
	if (p->name)
		return 0;
	if (n < 2 || is_type_word(w->word[n - 1]) || !strcmp(w->word[n - 2], "struct")) {
		struct loc after = p->type_loc;
		char *t = diag_text(&p->type_loc);
		after.first_line = after.last_line;
		after.first_column = after.last_column;
		diag_error(&after, "missing parameter name after type '%s'", t);
		free(t);
		return -1;
	}
	*name = w->word[n - 1];
	*nl = w->loc[n - 1];
	w->n--;
	p->type_loc.last_line = w->loc[w->n - 1].last_line;
	p->type_loc.last_column = w->loc[w->n - 1].last_column;
	return 0;
}

/* A name the generated C can use for a parameter: no keyword, type name
 * or lg_ name, and none of the names SEEN before. */
static int check_param_name(const char *name, const struct loc *nl, struct pdecl *const *seen,
			    int nseen)
{
	int j;

	if (is_c_keyword(name) || is_type_word(name)) {
		diag_error(nl, "parameter name '%s' is a C or C++ keyword or type name", name);
		return -1;
	}
	if (!strncmp(name, "lg_", 3)) {
		diag_error(nl, "parameter name '%s' is reserved (the generated code uses the "
			   "prefix 'lg_')", name);
		return -1;
	}
	for (j = 0; j < nseen; j++)
		if (!strcmp(seen[j]->name, name)) {
			diag_error(nl, "duplicate parameter name '%s'", name);
			return -1;
		}
	return 0;
}

/* G's next input or output; its index + 1. */
static int add_param(struct gate *g, int output, int r, const char *name,
		     const struct ctype *type)
{
	struct param *q = output ? &g->out[g->nout++] : &g->in[g->nin++];

	q->type = *type;
	q->reg = r;
	q->name = xstrdup(name);
	return output ? g->nout : g->nin;
}

/* The inputs or outputs PL of gate G: each parameter's register, name and
 * type, every error said.  SEEN holds the names of both lists. */
static int check_params(struct gate *g, struct plist *pl, int output,
			struct pdecl **seen, int *nseen)
{
	struct param *dst = output ? g->out : g->in;
	int used[NREGS] = { 0 }, i, r, ok = 0;

	for (i = 0; i < pl->n; i++) {
		struct pdecl *p = &pl->p[i];
		struct words w = p->type;
		struct ctype type;
		const char *name;
		struct loc nl;

		r = param_reg(p, used, dst, output ? "output" : "input");
		if (r < 0)
			ok = -1;
		if (param_name(p, &w, &name, &nl) || check_param_name(name, &nl, seen, *nseen)) {
			ok = -1;
			continue;
		}
		if (!p->name)
			p->type.n--; /* the last word is the name now */
		p->name = (char *)name;
		p->name_loc = nl;
		seen[(*nseen)++] = p;
		/* the type is checked even when the register is wrong, but kept
		 * only with a register: then there is room for it in DST */
		if (ctype_make(&type, &w, p->stars, &p->type_loc, output) < 0) {
			ok = -1;
			continue;
		}
		if (r < 0)
			ctype_free(&type);
		else
			used[r] = add_param(g, output, r, name, &type);
	}
	return ok;
}

static void note_types(struct api *a, const struct param *p, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		char *tag = p[i].type.struct_tag;

		if (p[i].type.ssize)
			a->uses_ssize = 1;
		if (!tag || *(char **)tsearch(tag, &a->tag_set, by_spelling) != tag)
			continue;
		if (a->ntags == a->tagcap) {
			a->tagcap = a->tagcap ? 2 * a->tagcap : 16;
			a->tags = xrealloc(a->tags, (size_t)a->tagcap * sizeof *a->tags);
		}
		a->tags[a->ntags++] = tag;
	}
}

/* The number of a new primary gate: in range and not taken. */
static int check_number(struct reader *rd, struct num number, const struct loc *num_loc)
{
	char *text;
	int i;

	if (!number.ok)
		return -1; /* already reported by the lexer */
	if (number.v > LG_GATE_MAX) {
		text = diag_text(num_loc);
		diag_error(num_loc, "gate number %s is out of range (0 to %#x)", text, LG_GATE_MAX);
		free(text);
		return -1;
	}
	i = model_find_number(rd->api, (unsigned long)number.v);
	if (i >= 0) {
		const struct gate *o = &rd->api->gate[i];
		diag_error(num_loc, "gate number %llu is already '%s' (line %d); declare "
			   "'alias NAME = %s;' for a second name", number.v, o->name, o->line, o->name);
		return -1;
	}
	return 0;
}

/* A regparm gate's implementation takes its inputs in eax, edx, ecx, in
 * that order (GCC's regparm, every other register preserved): the near
 * entry is the implementation itself, or a few moves in front of it when
 * the gate's registers are others.  So: at most three inputs and one
 * result, and no value that needs a C conversion or CF. */
static int check_regparm(const struct gate *g, const struct loc *at)
{
	int i, ok = !g->carry && g->nin <= 3 && g->nout <= 1;

	for (i = 0; ok && i < g->nin; i++)
		ok = !g->in[i].type.narrow;
	if (ok && g->nout)
		ok = !g->out[0].type.narrow;
	if (ok)
		return 0;
	diag_error(at, "a regparm gate takes at most three inputs and returns at most one "
		       "result, and has no carry and no char, short or bool");
	return -1;
}

void model_gate(struct reader *rd, enum access access, const struct loc *kw,
		struct num number, const struct loc *num_loc, char *name,
		const struct loc *name_loc, struct sig *sig)
{
	struct gate tmp, *g;
	struct pdecl *seen[2 * NREGS + 64];
	int nseen = 0, bad = 0;

	need_api(rd, kw);
	memset(&tmp, 0, sizeof tmp);
	tmp.alias_of = -1;
	tmp.access = access;
	tmp.line = kw->first_line;
	tmp.number = (unsigned long)number.v;
	tmp.name_loc = *name_loc;
	tmp.number_loc = *num_loc;
	bad |= check_number(rd, number, num_loc);
	bad |= model_check_name(rd, name, name_loc);
	if (!sig)
		tmp.raw = 1;
	else {
		if (sig->in.n + sig->out.n > (int)(sizeof seen / sizeof seen[0])) {
			diag_error(name_loc, "more than %d parameters (there are %d registers)",
				   (int)(sizeof seen / sizeof seen[0]), NREGS);
			bad = -1;
		} else {
			bad |= check_params(&tmp, &sig->in, 0, seen, &nseen);
			bad |= check_params(&tmp, &sig->out, 1, seen, &nseen);
		}
		tmp.carry = sig->carry;
		tmp.regparm = sig->regparm;
		if (!bad && sig->regparm)
			bad |= check_regparm(&tmp, &sig->regparm_loc);
		sig_free(sig);
	}
	if (bad) {
		params_free(tmp.in, tmp.nin);
		params_free(tmp.out, tmp.nout);
		free(name);
		return;
	}
	tmp.name = name;
	g = model_add(rd->api, &tmp);
	rd->api->nprimary++;
	if (g->raw)
		rd->api->uses_regs = 1;
	note_types(rd->api, g->in, g->nin);
	note_types(rd->api, g->out, g->nout);
}

void model_alias(struct reader *rd, const struct loc *kw, char *name,
		 const struct loc *name_loc, char *target, const struct loc *target_loc)
{
	struct gate g;
	int t;

	need_api(rd, kw);
	if (model_check_name(rd, name, name_loc) < 0) {
		free(name);
		free(target);
		return;
	}
	t = model_find_name(rd->api, target);
	if (t < 0) {
		diag_error(target_loc, "alias of unknown gate '%s'", target);
		free(name);
		free(target);
		return;
	}
	free(target);
	if (rd->api->gate[t].alias_of >= 0)
		t = rd->api->gate[t].alias_of;
	g = rd->api->gate[t];
	g.alias_of = t;
	g.name = name;
	g.line = kw->first_line;
	g.name_loc = *name_loc;
	model_add(rd->api, &g);
}

/* Wrapper names are API_NAME and implementations API_impl_NAME: a gate
 * called impl_X would clash with the implementation of a gate X. */
static void check_impl_clash(struct reader *rd)
{
	const struct api *a = rd->api;
	int i, j;

	for (i = 0; i < a->ngates; i++) {
		const char *n = a->gate[i].name;
		if (strncmp(n, "impl_", 5))
			continue;
		j = model_find_name(a, n + 5);
		if (j >= 0 && a->gate[j].alias_of < 0) {
			diag_error(&a->gate[i].name_loc, "the wrapper of '%s' would be named like the implementation of "
				   "gate '%s' (%s_impl_%s)", n, n + 5, a->name ? a->name : "API", n + 5);
		}
	}
}

void model_finish(struct reader *rd, const struct loc *eof)
{
	if (rd->format == FMT_GATES)
		need_api(rd, eof);
	if (!rd->api->name && rd->api_override)
		rd->api->name = xstrdup(rd->api_override);
	check_impl_clash(rd);
}

static void no_free(void *p)
{
	(void)p;
}

void model_free(struct api *a)
{
	int i;

	for (i = 0; i < a->ngates; i++) {
		struct gate *g = &a->gate[i];

		free(g->name);
		if (g->alias_of >= 0)
			continue; /* an alias shares its primary's parameters */
		params_free(g->in, g->nin);
		params_free(g->out, g->nout);
	}
	tdestroy(a->by_name, free);
	tdestroy(a->by_number, free);
	tdestroy(a->tag_set, no_free); /* the tags belong to the types */
	free(a->gate);
	free(a->tags);
	free(a->name);
	memset(a, 0, sizeof *a);
}
