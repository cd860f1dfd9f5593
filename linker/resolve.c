/* gatelink resolve: link-time numbering of a by-name relocatable object.
 *
 * Every R_386_32 relocation against an undefined symbol
 * __lg_gate_<api>_<name> of the API given by --defs is applied (the word
 * it relocates gets the gate number added to its in-place addend: the stub's
 * gate field becomes the number, the entry's info word number | kind << 24
 * | flags << 28, a C-call site's flag kept) and dropped.  Symbols no relocation uses any more are removed from the
 * symbol table, and every index into it renumbered.  Gate symbols of other
 * APIs are left alone, so an object that calls two APIs is resolved once
 * per API. */
#include <gelf.h>
#include <stdlib.h>
#include <string.h>
#include "gatelink.h"

struct res {
	struct gl_opts *o;
	struct gl_obj *obj;
	struct gl_elf *e;
	Elf *elf;
	size_t symndx, nsyms, shnum;
	long *number;   /* by symbol: gate number, -1 not ours, -2 unknown name */
	size_t *uses;   /* by symbol: references left */
	int errors;
};

static const char *scn_name(struct res *r, size_t i)
{
	size_t shstrndx;
	GElf_Shdr sh;
	const char *n = 0;

	if (!elf_getshdrstrndx(r->elf, &shstrndx) && gelf_getshdr(elf_getscn(r->elf, i), &sh))
		n = elf_strptr(r->elf, shstrndx, sh.sh_name);
	return n ? n : "?";
}

static int find_symtab(struct res *r)
{
	size_t i;
	GElf_Shdr sh;

	if (elf_getshdrnum(r->elf, &r->shnum))
		return -1;
	for (i = 1; i < r->shnum; i++)
		if (gelf_getshdr(elf_getscn(r->elf, i), &sh) && sh.sh_type == SHT_SYMTAB) {
			r->symndx = i;
			r->nsyms = sh.sh_entsize ? sh.sh_size / sh.sh_entsize : 0;
			return 0;
		}
	gl_error("%s: no symbol table", r->obj->name);
	return -1;
}

/* Which symbols are gates of our API, and their numbers. */
static int classify_symbols(struct res *r)
{
	Elf_Data *d = elf_getdata(elf_getscn(r->elf, r->symndx), 0);
	GElf_Shdr sh;
	size_t i, plen = strlen(LG_GATE_SYM_PREFIX) + strlen(r->o->api->api) + 1;
	char *prefix = gl_xmalloc(plen + 1);

	gelf_getshdr(elf_getscn(r->elf, r->symndx), &sh);
	sprintf(prefix, "%s%s_", LG_GATE_SYM_PREFIX, r->o->api->api);
	r->number = gl_xcalloc(r->nsyms, sizeof *r->number);
	r->uses = gl_xcalloc(r->nsyms, sizeof *r->uses);
	for (i = 0; i < r->nsyms; i++) {
		GElf_Sym sym;
		const char *name;
		const struct gl_gate_def *g;

		r->number[i] = -1;
		if (!d || !gelf_getsym(d, (int)i, &sym) || sym.st_shndx != SHN_UNDEF)
			continue;
		name = elf_strptr(r->elf, sh.sh_link, sym.st_name);
		if (!name || strncmp(name, prefix, plen))
			continue;
		g = gl_defs_name(r->o->api, name + plen);
		r->number[i] = g ? (long)g->number : -2;
	}
	free(prefix);
	return 0;
}

static const char *sym_name(struct res *r, size_t i)
{
	Elf_Data *d = elf_getdata(elf_getscn(r->elf, r->symndx), 0);
	GElf_Shdr sh;
	GElf_Sym sym;
	const char *n = 0;

	if (gelf_getshdr(elf_getscn(r->elf, r->symndx), &sh) && gelf_getsym(d, (int)i, &sym))
		n = elf_strptr(r->elf, sh.sh_link, sym.st_name);
	return n ? n : "?";
}

/* Add the gate number to the 32-bit word at OFF of section TARGET. */
static int apply(struct res *r, size_t target, GElf_Addr off, unsigned int num)
{
	size_t size;
	unsigned char *p = gl_elf_scn_data(r->e, target, &size);

	if (!p || off > size || size - off < 4) {
		gl_error("%s:%s+0x%lx: relocation outside the section", r->obj->name,
			 scn_name(r, target), (unsigned long)off);
		return -1;
	}
	p += off;
	lg_put32(p, lg_get32(p) + num);
	return 0;
}

static int one_rel(struct res *r, size_t target, const GElf_Rel *rel)
{
	size_t sym = GELF_R_SYM(rel->r_info);
	char where[512];

	if (sym >= r->nsyms || r->number[sym] == -1)
		return 0; /* keep */
	snprintf(where, sizeof where, "%s:%s+0x%lx: gate %s", r->obj->name, scn_name(r, target),
		 (unsigned long)rel->r_offset, sym_name(r, sym));
	if (r->number[sym] == -2) {
		gl_error("%s: no such gate in API %s", where, r->o->api->api);
		return -1;
	}
	if (GELF_R_TYPE(rel->r_info) != R_386_32) {
		gl_error("%s: relocation type %u, by-name gates use R_386_32", where,
			 (unsigned int)GELF_R_TYPE(rel->r_info));
		return -1;
	}
	return apply(r, target, rel->r_offset, (unsigned int)r->number[sym]) ? -1 : 1;
}

/* Apply and drop our relocations in one SHT_REL section. */
static int rel_section(struct res *r, size_t i, const GElf_Shdr *sh)
{
	size_t n = sh->sh_entsize ? sh->sh_size / sh->sh_entsize : 0, k, kept = 0;
	Elf_Data *d;
	GElf_Rel rel;

	if (!gl_elf_scn_data(r->e, i, 0))
		return 0;
	d = elf_getdata(elf_getscn(r->elf, i), 0);
	for (k = 0; k < n; k++) {
		int v;

		if (!gelf_getrel(d, (int)k, &rel))
			return -1;
		v = one_rel(r, sh->sh_info, &rel);
		if (v < 0)
			r->errors++;
		if (v != 0)
			continue;
		r->uses[GELF_R_SYM(rel.r_info) < r->nsyms ? GELF_R_SYM(rel.r_info) : 0]++;
		gelf_update_rel(d, (int)kept++, &rel);
	}
	if (kept != n)
		gl_elf_set_size(r->e, i, kept * sh->sh_entsize);
	return 0;
}

static int relocs(struct res *r)
{
	size_t i;
	GElf_Shdr sh;

	for (i = 1; i < r->shnum; i++) {
		if (!gelf_getshdr(elf_getscn(r->elf, i), &sh) || sh.sh_link != r->symndx)
			continue;
		if (sh.sh_type == SHT_RELA) {
			gl_error("%s: section %s: SHT_RELA is not used by ELF32-i386", r->obj->name,
				 scn_name(r, i));
			return -1;
		}
		if (sh.sh_type == SHT_GROUP && sh.sh_info < r->nsyms)
			r->uses[sh.sh_info]++;
		if (sh.sh_type == SHT_REL && rel_section(r, i, &sh))
			return -1;
	}
	return r->errors ? -1 : 0;
}

static int prune(struct res *r)
{
	int *drop = gl_xcalloc(r->nsyms, sizeof *drop), any = 0, v;
	size_t i;

	for (i = 1; i < r->nsyms; i++)
		if (r->number[i] >= 0 && r->uses[i] == 0)
			any = drop[i] = 1;
	v = any ? gl_resolve_prune(r->elf, r->e, r->symndx, drop) : 0;
	free(drop);
	return v;
}

static int resolve_fn(struct gl_obj *obj, struct gl_elf *e, void *arg)
{
	struct res r;
	int v;

	memset(&r, 0, sizeof r);
	r.o = arg;
	r.obj = obj;
	r.e = e;
	r.elf = gl_elf_out(e);
	if (obj->linked) {
		gl_error("%s: resolve works on relocatable objects", obj->name);
		return -1;
	}
	v = find_symtab(&r);
	if (!v)
		v = classify_symbols(&r) || relocs(&r);
	if (!v && !r.o->keep_symbols)
		v = prune(&r);
	free(r.number);
	free(r.uses);
	return v;
}

int gl_cmd_resolve(struct gl_opts *o, int argc, char **argv)
{
	if (argc != 1 || !o->api) {
		gl_error("resolve: usage: gatelink resolve --defs API IN [-o OUT]");
		return GL_EXIT_FAIL;
	}
	return gl_rewrite(o, argv[0], resolve_fn, o);
}
