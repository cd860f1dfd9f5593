/* gatelink list: one line per site, in table order.
 *
 *   FILE SECTION OFFSET ADDRESS KIND STATE GATE NAME TARGET
 *
 * KIND is k32, k16, a32 or a16, with "+ccall" when the entry carries the
 * C-call flag (a C-call site: "k32+ccall").
 * '-' marks a field that does not apply (ADDRESS in a relocatable object,
 * GATE of a by-name site the API does not resolve, NAME without --defs,
 * TARGET of a site that is not bound).  --json prints the same as a JSON
 * array, one site object per line.
 *
 * Text lines are built by hand and written with one fwrite: printf's
 * parsing of its format was four fifths of listing 100 000 sites. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include "gatelink.h"

struct lctx {
	struct gl_opts *o;
	int first;
	char *line; /* text line being built */
	size_t cap;
};

/* V as DIGITS lowercase hex digits ("%0*x" of a value that fits). */
static char *hex(char *p, unsigned long v, int digits)
{
	while (digits-- > 0)
		*p++ = "0123456789abcdef"[(v >> (4 * digits)) & 15];
	return p;
}

static char *dec(char *p, unsigned long v)
{
	char t[24];
	int n = 0;

	do
		t[n++] = (char)('0' + v % 10);
	while (v /= 10);
	while (n)
		*p++ = t[--n];
	return p;
}

/* "0x%08x" into BUF (at least 11 bytes). */
static const char *hex32(char *buf, unsigned long v)
{
	char *p = hex(stpcpy(buf, "0x"), v & 0xffffffffUL, 8);

	*p = 0;
	return buf;
}

/* Bound far: "SSSS:OOOOOOOO"; bound near: "near:0xADDR" or "near:+REL".
 * BUF has at least 24 bytes. */
static void target_str(const struct gl_obj *obj, const struct gl_site *s, char *buf)
{
	const unsigned char *p = gl_site_bytes(obj, s);
	struct lg_decoded d;
	char *q;

	strcpy(buf, "-");
	if (!p || (s->state != LG_S_BOUND && s->state != LG_S_NEAR))
		return;
	lg_classify(p, lg_kind_len(s->kind), &d);
	if (s->state == LG_S_BOUND) {
		q = hex(buf, d.selector, 4);
		*q++ = ':';
		q = hex(q, d.offset, 8);
	} else if (obj->linked) {
		q = stpcpy(buf, "near:");
		hex32(q, gl_site_addr(obj, s) + LG_KLEN + (unsigned long)(long)d.rel);
		return;
	} else {
		q = stpcpy(buf, "near:");
		*q++ = d.rel < 0 ? '-' : '+';
		q = dec(q, d.rel < 0 ? 0UL - (unsigned long)(long)d.rel : (unsigned long)d.rel);
	}
	*q = 0;
}

/* The KIND field: the kind's name, "+ccall" for a C-call site (so that
 * nothing that reads "k32" takes it for a site that may be bound far).
 * BUF has at least 16 bytes. */
static const char *kind_str(const struct gl_site *s, char *buf)
{
	if (!gl_site_ccall(s))
		return lg_kind_name(s->kind);
	strcpy(stpcpy(buf, lg_kind_name(s->kind)), "+ccall");
	return buf;
}

static int gate_number(const struct gl_obj *obj, const struct gl_site *s,
		       const struct gl_defs *defs, unsigned int *num, const char **name)
{
	const char *sym = gl_site_sym(obj, s);
	const struct gl_gate_def *g;

	*name = 0;
	if (sym) {
		g = defs ? gl_defs_sym(defs, sym) : 0;
		*name = g ? g->name : sym;
		if (g)
			*num = g->number;
		return g != 0;
	}
	g = defs ? gl_defs_num(defs, gl_site_gate(s)) : 0;
	*name = g ? g->name : 0;
	*num = gl_site_gate(s);
	return 1;
}

/* Fields F[0 .. N-1] as one line, separated by spaces. */
static void put_line(struct lctx *c, const char *const *f, int n)
{
	size_t len = 0;
	int i;

	for (i = 0; i < n; i++) {
		size_t k = strlen(f[i]);

		if (len + k + 1 > c->cap) {
			c->cap = 2 * (len + k + 1);
			c->line = gl_xrealloc(c->line, c->cap, 1);
		}
		memcpy(c->line + len, f[i], k);
		len += k;
		c->line[len++] = i + 1 < n ? ' ' : '\n';
	}
	fwrite(c->line, 1, len, stdout);
}

static void text_line(struct lctx *c, const struct gl_obj *obj, const struct gl_site *s)
{
	const struct gl_sec *sec = gl_site_sec(obj, s);
	char target[24], addr[12], off[12], gate[16], kind[16];
	const char *f[9], *name;
	unsigned int num;

	f[0] = obj->name;
	f[1] = sec ? sec->name : "-";
	f[2] = sec ? hex32(off, s->off) : "-";
	f[3] = obj->linked ? hex32(addr, gl_site_addr(obj, s)) : "-";
	f[4] = kind_str(s, kind);
	f[5] = lg_state_name(s->state);
	f[6] = "-";
	if (gate_number(obj, s, c->o->api, &num, &name)) {
		*dec(gate, num) = 0;
		f[6] = gate;
	}
	f[7] = name ? name : "-";
	target_str(obj, s, target);
	f[8] = target;
	put_line(c, f, 9);
}

static void json_str(const char *s)
{
	if (!s) {
		fputs("null", stdout);
		return;
	}
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || c > 0x7e)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void json_line(const struct gl_obj *obj, const struct gl_site *s, const struct gl_defs *defs)
{
	char target[24], kind[16];
	const char *name;
	unsigned int num;
	const char *sym = gl_site_sym(obj, s);
	const struct gl_sec *sec = gl_site_sec(obj, s);
	int known = gate_number(obj, s, defs, &num, &name);

	target_str(obj, s, target);
	fputs("{\"file\":", stdout);
	json_str(obj->name);
	fputs(",\"section\":", stdout);
	json_str(sec ? sec->name : 0);
	if (sec)
		printf(",\"offset\":%u", s->off);
	else
		fputs(",\"offset\":null", stdout);
	if (obj->linked)
		printf(",\"address\":%u", gl_site_addr(obj, s));
	else
		fputs(",\"address\":null", stdout);
	printf(",\"entry\":%u,\"kind\":\"%s\",\"state\":\"%s\",", gl_site_index(obj, s),
	       kind_str(s, kind), lg_state_name(s->state));
	if (known)
		printf("\"gate\":%u,\"name\":", num);
	else
		fputs("\"gate\":null,\"name\":", stdout);
	json_str(sym && !known ? 0 : name);
	fputs(",\"symbol\":", stdout);
	json_str(sym);
	fputs(",\"target\":", stdout);
	json_str(strcmp(target, "-") ? target : 0);
	putchar('}');
}

static int list_obj(struct gl_obj *obj, void *arg)
{
	struct lctx *c = arg;
	size_t i;

	for (i = 0; i < obj->nsites; i++) {
		if (!c->o->json) {
			text_line(c, obj, &obj->sites[i]);
			continue;
		}
		fputs(c->first ? "\n" : ",\n", stdout);
		c->first = 0;
		json_line(obj, &obj->sites[i], c->o->api);
	}
	return obj->broken ? GL_EXIT_FAIL : 0;
}

int gl_cmd_list(struct gl_opts *o, int argc, char **argv)
{
	struct lctx c = {o, 1, 0, 0};
	int i, r = 0;

	if (o->json)
		fputs("[", stdout);
	for (i = 0; i < argc; i++) {
		int v = gl_each_object(argv[i], 0, list_obj, &c);

		r = v > r ? v : r;
	}
	if (o->json)
		fputs(c.first ? "]\n" : "\n]\n", stdout);
	free(c.line);
	return r;
}
