/* Removing symbols from the symbol table of a relocatable ELF object being
 * copied (resolve drops the gate symbols it has resolved): the table is
 * compacted and every index into it renumbered, in relocations, group
 * signatures, SHT_SYMTAB_SHNDX and the table's own sh_info. */
#include <gelf.h>
#include <stdlib.h>
#include <string.h>
#include "gatelink.h"

static int compact_syms(Elf *elf, struct gl_elf *e, size_t symndx, const int *drop,
			size_t *newidx)
{
	Elf_Scn *scn = elf_getscn(elf, symndx);
	GElf_Shdr sh;
	Elf_Data *d;
	size_t n, i, j = 0, locals = 0;
	GElf_Sym sym;

	if (!gelf_getshdr(scn, &sh) || !sh.sh_entsize || !gl_elf_scn_data(e, symndx, 0))
		return -1;
	d = elf_getdata(scn, 0);
	n = sh.sh_size / sh.sh_entsize;
	for (i = 0; i < n; i++) {
		newidx[i] = j;
		if (drop[i])
			continue;
		if (!gelf_getsym(d, (int)i, &sym) || !gelf_update_sym(d, (int)j, &sym))
			return -1;
		if (i < sh.sh_info)
			locals++;
		j++;
	}
	gl_elf_set_size(e, symndx, j * sh.sh_entsize);
	gelf_getshdr(scn, &sh);
	sh.sh_info = locals;
	return gelf_update_shdr(scn, &sh) ? 0 : -1;
}

static int renumber_rel(Elf *elf, struct gl_elf *e, size_t i, const GElf_Shdr *sh,
			const size_t *newidx, size_t nsyms)
{
	size_t n = sh->sh_entsize ? sh->sh_size / sh->sh_entsize : 0, k;
	Elf_Data *d;
	GElf_Rel rel;

	if (!n)
		return 0;
	if (!gl_elf_scn_data(e, i, 0))
		return -1;
	d = elf_getdata(elf_getscn(elf, i), 0);
	for (k = 0; k < n; k++) {
		size_t s;

		if (!gelf_getrel(d, (int)k, &rel))
			return -1;
		s = GELF_R_SYM(rel.r_info);
		if (s >= nsyms)
			return -1;
		rel.r_info = GELF_R_INFO(newidx[s], GELF_R_TYPE(rel.r_info));
		if (!gelf_update_rel(d, (int)k, &rel))
			return -1;
	}
	return 0;
}

static int compact_shndx(struct gl_elf *e, size_t i, const int *drop, size_t nsyms)
{
	size_t size, k, j = 0;
	unsigned char *p = gl_elf_scn_data(e, i, &size);

	if (!p || size / 4 < nsyms)
		return -1;
	for (k = 0; k < nsyms; k++)
		if (!drop[k])
			memmove(p + 4 * j++, p + 4 * k, 4);
	gl_elf_set_size(e, i, j * 4);
	return 0;
}

static int renumber(Elf *elf, struct gl_elf *e, size_t symndx, const int *drop,
		    const size_t *newidx, size_t nsyms)
{
	size_t shnum, i;
	GElf_Shdr sh;

	if (elf_getshdrnum(elf, &shnum))
		return -1;
	for (i = 1; i < shnum; i++) {
		Elf_Scn *scn = elf_getscn(elf, i);

		if (!gelf_getshdr(scn, &sh) || sh.sh_link != symndx)
			continue;
		if (sh.sh_type == SHT_REL && renumber_rel(elf, e, i, &sh, newidx, nsyms))
			return -1;
		if (sh.sh_type == SHT_SYMTAB_SHNDX && compact_shndx(e, i, drop, nsyms))
			return -1;
		if (sh.sh_type == SHT_GROUP && sh.sh_info < nsyms) {
			sh.sh_info = newidx[sh.sh_info];
			if (!gelf_update_shdr(scn, &sh))
				return -1;
		}
	}
	return 0;
}

int gl_resolve_prune(Elf *elf, struct gl_elf *e, size_t symndx, const int *drop)
{
	GElf_Shdr sh;
	size_t nsyms;
	size_t *newidx;
	int r;

	if (!gelf_getshdr(elf_getscn(elf, symndx), &sh) || !sh.sh_entsize)
		return -1;
	nsyms = sh.sh_size / sh.sh_entsize;
	newidx = gl_xcalloc(nsyms, sizeof *newidx);
	r = compact_syms(elf, e, symndx, drop, newidx);
	if (!r)
		r = renumber(elf, e, symndx, drop, newidx, nsyms);
	if (r)
		gl_error("removing symbols: %s", elf_errmsg(-1));
	free(newidx);
	return r;
}
