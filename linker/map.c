/* Provider maps for gatelink bind (doc/gatelink.md, "The provider map"):
 *
 *     # comment
 *     api NAME                  optional; must match --defs when both given
 *     GATE SEL:OFF              kernel callers (k32, k16): far call SEL:OFF
 *     GATE SEL                  application callers (a32, a16): call gate SEL
 *     GATE near OFF             k32 callers of a linked image: near call
 *     GATE impl OFF             C-call sites of a linked image: near call to
 *                               the implementation (their only target)
 *
 * GATE is a number or, with --defs, a name.  OFF is a number or a symbol of
 * the image, optionally +N or -N. */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <search.h>
#include <stdlib.h>
#include <string.h>
#include "gatelink.h"

struct pline {
	const char *src;
	unsigned int ln;
	const struct gl_defs *defs;
};

static int number(const char *s, unsigned long max, unsigned long *v)
{
	char *end;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	*v = strtoul(s, &end, 0);
	return *end || errno || *v > max ? -1 : 0;
}

/* OFF: a number, or SYMBOL[+N|-N]. */
static int offset(const struct pline *pl, const char *s, struct gl_off *o)
{
	const char *op;
	unsigned long n = 0;

	o->sym = 0;
	o->add = 0;
	if (number(s, 0xffffffffUL, &o->num) == 0)
		return 0;
	op = strpbrk(s, "+-");
	if ((op && number(op + 1, 0xffffffffUL, &n)) || op == s || isdigit((unsigned char)*s)) {
		gl_error("%s:%u: bad offset '%s'", pl->src, pl->ln, s);
		return -1;
	}
	o->sym = op ? strndup(s, op - s) : strdup(s);
	if (!o->sym)
		return -1;
	o->add = op && *op == '-' ? -(long)n : (long)n;
	o->num = 0;
	return 0;
}

static int selector(const struct pline *pl, const char *s, unsigned int *sel)
{
	unsigned long v;

	if (number(s, 0xffff, &v) || v <= 3) {
		gl_error("%s:%u: bad selector '%s' (4 to 0xffff: 0 to 3 are null selectors)",
			 pl->src, pl->ln, s);
		return -1;
	}
	*sel = (unsigned int)v;
	return 0;
}

static int gate_of(const struct pline *pl, const char *s, unsigned int *gate)
{
	unsigned long v;
	const struct gl_gate_def *g;

	if (number(s, LG_GATE_MAX, &v) == 0) {
		*gate = (unsigned int)v;
		return 0;
	}
	if (isdigit((unsigned char)*s)) {
		gl_error("%s:%u: bad gate number '%s'", pl->src, pl->ln, s);
		return -1;
	}
	g = pl->defs ? gl_defs_name(pl->defs, s) : 0;
	if (!g) {
		gl_error(pl->defs ? "%s:%u: no gate %s in the API" : "%s:%u: gate %s: names need --defs",
			 pl->src, pl->ln, s);
		return -1;
	}
	*gate = g->number;
	return 0;
}

/* Targets are kept in a tsearch tree by gate (glibc's is red-black): a
 * lookup costs log n whatever the numbers, where the hash index it
 * replaces could be made to probe the whole map on every line. */
static int by_gate(const void *x, const void *y)
{
	const struct gl_target *a = x, *b = y;

	return a->gate < b->gate ? -1 : a->gate > b->gate;
}

/* GATE's target: the one of an earlier line, or a new one. */
static struct gl_target *slot(struct gl_map *m, unsigned int gate, unsigned int ln)
{
	struct gl_target *t = gl_xcalloc(1, sizeof *t), **found;

	t->gate = gate;
	t->line = ln;
	found = tsearch(t, &m->index, by_gate);
	if (!found) {
		gl_error("out of memory");
		exit(GL_EXIT_FAIL);
	}
	if (*found != t)
		free(t);
	return *found;
}

static int dup_target(const struct pline *pl, int have, const char *what)
{
	if (have)
		gl_error("%s:%u: a second %s target for this gate", pl->src, pl->ln, what);
	return have;
}

#define FORMS "expected GATE SEL:OFF, GATE SEL, GATE near OFF or GATE impl OFF"

/* GATE near OFF and GATE impl OFF (FORM): an offset of the image. */
static int near_form(const struct pline *pl, const char *form, const char *b, int *have,
		     struct gl_off *o)
{
	if (!b) {
		gl_error("%s:%u: %s needs an offset", pl->src, pl->ln, form);
		return -1;
	}
	if (dup_target(pl, *have, form))
		return -1;
	*have = 1;
	return offset(pl, b, o);
}

static int target(const struct pline *pl, struct gl_target *t, const char *a, const char *b)
{
	char *colon;

	if (!strcmp(a, "near"))
		return near_form(pl, "near", b, &t->has_near, &t->near);
	if (!strcmp(a, "impl"))
		return near_form(pl, "impl", b, &t->has_impl, &t->impl);
	if (b) {
		gl_error("%s:%u: " FORMS, pl->src, pl->ln);
		return -1;
	}
	colon = strchr(a, ':');
	if (!colon) {
		if (dup_target(pl, t->has_gate, "call gate"))
			return -1;
		t->has_gate = 1;
		return selector(pl, a, &t->gate_sel);
	}
	*colon = 0;
	if (dup_target(pl, t->has_far, "far"))
		return -1;
	t->has_far = 1;
	if (selector(pl, a, &t->far_sel))
		return -1;
	return offset(pl, colon + 1, &t->far);
}

static int map_line(struct gl_map *m, char *line, const struct pline *pl)
{
	char *f[4];
	int n = 0;
	unsigned int gate;
	char *save = 0, *tok;

	line[strcspn(line, "#\r\n")] = 0;
	for (tok = strtok_r(line, " \t", &save); tok && n < 4; tok = strtok_r(0, " \t", &save))
		f[n++] = tok;
	if (n == 0)
		return 0;
	if (n == 2 && !strcmp(f[0], "api")) {
		if (pl->defs && strcmp(f[1], pl->defs->api)) {
			gl_error("%s:%u: map for API %s, --defs gives %s", pl->src, pl->ln, f[1],
				 pl->defs->api);
			return -1;
		}
		free(m->api);
		m->api = gl_xstrdup(f[1]);
		return 0;
	}
	if (n < 2 || n > 3) {
		gl_error("%s:%u: " FORMS, pl->src, pl->ln);
		return -1;
	}
	if (gate_of(pl, f[0], &gate))
		return -1;
	return target(pl, slot(m, gate, pl->ln), f[1], n == 3 ? f[2] : 0);
}

int gl_map_load(struct gl_map *m, const char *path, const struct gl_defs *defs)
{
	FILE *f = fopen(path, "r");
	char *line = 0;
	size_t len = 0;
	struct pline pl = {path, 0, defs};
	int r = 0;

	memset(m, 0, sizeof *m);
	m->path = gl_xstrdup(path);
	if (!f) {
		gl_error("%s: %m", path);
		return -1;
	}
	while (r == 0 && getline(&line, &len, f) > 0) {
		pl.ln++;
		r = map_line(m, line, &pl);
	}
	if (r == 0 && ferror(f)) {
		gl_error("%s: read error", path);
		r = -1;
	}
	free(line);
	fclose(f);
	return r;
}

const struct gl_target *gl_map_find(const struct gl_map *m, unsigned int gate)
{
	struct gl_target key, **found;

	key.gate = gate;
	found = tfind(&key, &m->index, by_gate);
	return found ? *found : 0;
}

static void free_target(void *p)
{
	struct gl_target *t = p;

	free(t->far.sym);
	free(t->near.sym);
	free(t->impl.sym);
	free(t);
}

void gl_map_free(struct gl_map *m)
{
	tdestroy(m->index, free_target);
	free(m->api);
	free(m->path);
	memset(m, 0, sizeof *m);
}
