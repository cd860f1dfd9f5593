/* gatelink list: one line per site, in table order.
 *
 *   FILE SECTION OFFSET ADDRESS KIND STATE GATE NAME TARGET
 *
 * '-' marks a field that does not apply (ADDRESS in a relocatable object,
 * GATE of a by-name site the API does not resolve, NAME without --defs,
 * TARGET of a site that is not bound).  --json prints the same as a JSON
 * array, one site object per line. */
#include <stdlib.h>
#include <string.h>
#include "gatelink.h"

struct lctx {
	struct gl_opts *o;
	int first;
};

/* Bound far: "SSSS:OOOOOOOO"; bound near: "near:0xADDR" or "near:+REL". */
static void target_str(const struct gl_obj *obj, const struct gl_site *s, char *buf, size_t n)
{
	const unsigned char *p = gl_site_bytes(obj, s);
	struct lg_decoded d;

	strcpy(buf, "-");
	if (!p || (s->state != LG_S_BOUND && s->state != LG_S_NEAR))
		return;
	lg_classify(p, lg_kind_len(s->kind), &d);
	if (s->state == LG_S_BOUND)
		snprintf(buf, n, "%04x:%08x", d.selector, d.offset);
	else if (obj->linked)
		snprintf(buf, n, "near:0x%08lx", (s->addr + LG_KLEN + (unsigned long)(long)d.rel) & 0xffffffffUL);
	else
		snprintf(buf, n, "near:%+d", d.rel);
}

static int gate_number(const struct gl_site *s, const struct gl_defs *defs, unsigned int *num,
		       const char **name)
{
	const struct gl_gate_def *g;

	*name = 0;
	if (s->sym) {
		g = defs ? gl_defs_sym(defs, s->sym) : 0;
		*name = g ? g->name : s->sym;
		if (g)
			*num = g->number;
		return g != 0;
	}
	g = defs ? gl_defs_num(defs, gl_site_gate(s)) : 0;
	*name = g ? g->name : 0;
	*num = gl_site_gate(s);
	return 1;
}

static void text_line(const struct gl_obj *obj, const struct gl_site *s, const struct gl_defs *defs)
{
	char target[32], addr[16] = "-", off[16] = "-", gate[16] = "-";
	const char *name;
	unsigned int num;

	if (gate_number(s, defs, &num, &name))
		snprintf(gate, sizeof gate, "%u", num);
	if (obj->linked)
		snprintf(addr, sizeof addr, "0x%08x", s->addr);
	if (s->sec)
		snprintf(off, sizeof off, "0x%08x", s->off);
	target_str(obj, s, target, sizeof target);
	printf("%s %s %s %s %s %s %s %s %s\n", obj->name, s->sec ? s->sec->name : "-", off, addr,
	       lg_kind_name(s->kind), lg_state_name(s->state), gate, name ? name : "-", target);
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
	char target[32];
	const char *name;
	unsigned int num;
	int known = gate_number(s, defs, &num, &name);

	target_str(obj, s, target, sizeof target);
	fputs("{\"file\":", stdout);
	json_str(obj->name);
	fputs(",\"section\":", stdout);
	json_str(s->sec ? s->sec->name : 0);
	if (s->sec)
		printf(",\"offset\":%u", s->off);
	else
		fputs(",\"offset\":null", stdout);
	if (obj->linked)
		printf(",\"address\":%u", s->addr);
	else
		fputs(",\"address\":null", stdout);
	printf(",\"entry\":%u,\"kind\":\"%s\",\"state\":\"%s\",", gl_site_index(obj, s),
	       lg_kind_name(s->kind), lg_state_name(s->state));
	if (known)
		printf("\"gate\":%u,\"name\":", num);
	else
		fputs("\"gate\":null,\"name\":", stdout);
	json_str(s->sym && !known ? 0 : name);
	fputs(",\"symbol\":", stdout);
	json_str(s->sym);
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
			text_line(obj, &obj->sites[i], c->o->api);
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
	struct lctx c = {o, 1};
	int i, r = 0;

	if (o->json)
		fputs("[", stdout);
	for (i = 0; i < argc; i++) {
		int v = gl_each_object(argv[i], 0, list_obj, &c);

		r = v > r ? v : r;
	}
	if (o->json)
		fputs(c.first ? "]\n" : "\n]\n", stdout);
	return r;
}
