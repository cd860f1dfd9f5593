/* gatelink bind and unbind: rewrite every site of one ELF file to its
 * bound state from a provider map, or back to its initial state from the
 * table.  Bytes come from the runtime core (lg_bound_far, lg_bound_near,
 * lg_initial), so they are exactly what a runtime would write.  C-call
 * sites are bound near to their gate's implementation (the map's impl
 * line) or the run fails. */
#include <string.h>
#include "gatelink.h"

struct bctx {
	struct gl_opts *o;
	struct gl_map map;
};

static int site_error(const struct gl_obj *obj, const struct gl_site *s, const struct gl_defs *defs,
		      const char *msg)
{
	char g[160];

	gl_gate_str(obj, s, defs, g, sizeof g);
	gl_error("%s:%s+0x%x: gate %s: %s", obj->name, gl_site_sec(obj, s)->name, s->off, g, msg);
	return -1;
}

/* Map offset O: a number, or a symbol of a linked image plus an addend. */
static int map_offset(struct gl_obj *obj, const struct gl_off *o, unsigned long *v,
		      const struct gl_map *m, unsigned int line)
{
	if (!o->sym) {
		*v = o->num;
		return 0;
	}
	if (!obj->linked) {
		gl_error("%s:%u: %s: a symbol needs a linked image, %s is not one", m->path, line,
			 o->sym, obj->name);
		return -1;
	}
	if (gl_sym_value(obj, o->sym, v)) {
		gl_error("%s:%u: %s: no such symbol in %s", m->path, line, o->sym, obj->name);
		return -1;
	}
	*v = (*v + (unsigned long)o->add) & 0xffffffffUL;
	return 0;
}

/* The bound-near form, to offset TO of T's map line (its near target or
 * its implementation). */
static int near_bytes(struct bctx *c, struct gl_obj *obj, const struct gl_site *s,
		      const struct gl_target *t, const struct gl_off *to, unsigned char *out)
{
	unsigned long v;

	if (!obj->linked)
		return site_error(obj, s, c->o->api, "near binding needs a linked image");
	if (map_offset(obj, to, &v, &c->map, t->line))
		return -1;
	lg_bound_near(gl_site_addr(obj, s), v, out);
	return 0;
}

/* A C-call site's caller pushed the implementation's own arguments: it is
 * bound near to the implementation or not at all, never far (CS would sit
 * between the return address and the arguments) nor to the near thunk
 * (which expects the gate's registers).  --near does not matter. */
static int ccall_bytes(struct bctx *c, struct gl_obj *obj, const struct gl_site *s,
		       const struct gl_target *t, unsigned char *out)
{
	if (!t->has_impl)
		return site_error(obj, s, c->o->api, "a C-call site, and the map gives no impl "
				  "target (C-call sites are bound near to the implementation only)");
	return near_bytes(c, obj, s, t, &t->impl, out);
}

static int kernel_bytes(struct bctx *c, struct gl_obj *obj, const struct gl_site *s,
			const struct gl_target *t, unsigned char *out)
{
	unsigned long off;

	if (s->kind == LG_K32 && t->has_near && (c->o->near || !t->has_far))
		return near_bytes(c, obj, s, t, &t->near, out);
	if (!t->has_far)
		return site_error(obj, s, c->o->api, s->kind == LG_K32 ?
				  "the map gives no SEL:OFF or near target" :
				  "the map gives no SEL:OFF target for a k16 site");
	if (t->far.sym && obj->dynamic) {
		gl_error("%s:%u: %s: a far target in a position-independent image moves when it "
			 "is loaded: use a near target, or link with -no-pie", c->map.path, t->line,
			 t->far.sym);
		return -1;
	}
	if (map_offset(obj, &t->far, &off, &c->map, t->line))
		return -1;
	lg_bound_far(s->kind, (unsigned int)off, t->far_sel, out);
	return 0;
}

static int bound_bytes(struct bctx *c, struct gl_obj *obj, const struct gl_site *s, unsigned char *out)
{
	const struct gl_target *t;

	if (gl_site_sym(obj, s))
		return site_error(obj, s, c->o->api, "a by-name site: run gatelink resolve first");
	t = gl_map_find(&c->map, gl_site_gate(s));
	if (!t)
		return site_error(obj, s, c->o->api, "not in the map");
	if (gl_site_ccall(s))
		return ccall_bytes(c, obj, s, t, out);
	if (s->kind <= LG_K16)
		return kernel_bytes(c, obj, s, t, out);
	if (!t->has_gate)
		return site_error(obj, s, c->o->api, "the map gives no call gate selector "
				  "for an application site");
	lg_bound_far(s->kind, 0, t->gate_sel, out);
	return 0;
}

typedef int (*bytes_fn)(struct bctx *c, struct gl_obj *obj, const struct gl_site *s,
			unsigned char *out);

/* inline: then FN is a known function in each caller and is inlined in
 * the loop, not called for every site (some 25 instructions a site). */
static inline int rewrite_sites(struct gl_obj *obj, struct gl_elf *e, struct bctx *c, bytes_fn fn)
{
	unsigned int last = 0; /* secno of data */
	unsigned char *data = 0, bytes[LG_MAXLEN];
	size_t i;
	int r = 0;

	for (i = 0; i < obj->nsites; i++) {
		const struct gl_site *s = &obj->sites[i];

		if (fn(c, obj, s, bytes)) {
			if (--r <= -10) /* enough said */
				return r;
			continue;
		}
		if (s->secno != last) {
			last = s->secno;
			data = gl_elf_take(e, gl_site_sec(obj, s));
			if (!data)
				return -1;
		}
		memcpy(data + s->off, bytes, lg_kind_len(s->kind));
	}
	return r;
}

static int bind_fn(struct gl_obj *obj, struct gl_elf *e, void *arg)
{
	return rewrite_sites(obj, e, arg, bound_bytes);
}

/* By-name sites keep the gate field of their relocation (0). */
static int initial_bytes(struct bctx *c, struct gl_obj *obj, const struct gl_site *s,
			 unsigned char *out)
{
	(void)c;
	(void)obj;
	lg_initial(s->kind, gl_site_gate(s), out);
	return 0;
}

static int unbind_fn(struct gl_obj *obj, struct gl_elf *e, void *arg)
{
	return rewrite_sites(obj, e, arg, initial_bytes);
}

int gl_cmd_bind(struct gl_opts *o, int argc, char **argv)
{
	struct bctx c;
	int r;

	memset(&c, 0, sizeof c);
	c.o = o;
	if (argc != 1 || !o->map) {
		gl_error("bind: usage: gatelink bind --map PROVIDER.map IN [-o OUT]");
		return GL_EXIT_FAIL;
	}
	if (gl_map_load(&c.map, o->map, o->api)) {
		gl_map_free(&c.map);
		return GL_EXIT_FAIL;
	}
	r = gl_rewrite(o, argv[0], bind_fn, &c);
	gl_map_free(&c.map);
	return r;
}

int gl_cmd_unbind(struct gl_opts *o, int argc, char **argv)
{
	struct bctx c;

	memset(&c, 0, sizeof c);
	c.o = o;
	if (argc != 1) {
		gl_error("unbind: usage: gatelink unbind IN [-o OUT]");
		return GL_EXIT_FAIL;
	}
	return gl_rewrite(o, argv[0], unbind_fn, &c);
}
