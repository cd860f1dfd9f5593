/* Reading one object with libbfd: its sections, symbols and the
 * relocations of its code.  Its site table is read on that (sites.c). */
#include "bfdh.h"
#include <stdlib.h>
#include <string.h>
#include "gatelink.h"

static int check_arch(struct gl_obj *obj)
{
	bfd *abfd = obj->abfd;
	unsigned long mach = bfd_get_mach(abfd);

	if (bfd_get_arch(abfd) != bfd_arch_i386 ||
	    (mach & (bfd_mach_x86_64 | bfd_mach_x64_32)) ||
	    bfd_arch_bits_per_address(abfd) != 32) {
		gl_error("%s: not a 32-bit x86 object (%s, %s)", obj->name,
			 bfd_get_target(abfd), bfd_printable_name(abfd));
		return -1;
	}
	return 0;
}

/* A section that claims more bytes than the file has is not read. */
static int sane_size(struct gl_obj *obj, asection *s)
{
	ufile_ptr fsize = bfd_get_file_size(obj->abfd);

	if (!(s->flags & SEC_HAS_CONTENTS) || fsize == 0)
		return 1;
	if (bfd_section_size(s) <= fsize && (ufile_ptr)s->filepos <= fsize - bfd_section_size(s))
		return 1;
	gl_error("%s: section %s: size 0x%lx at 0x%lx is past the end of the file (0x%lx bytes)",
		 obj->name, s->name, (unsigned long)bfd_section_size(s),
		 (unsigned long)s->filepos, (unsigned long)fsize);
	return 0;
}

static int load_contents(struct gl_obj *obj, struct gl_sec *sec)
{
	bfd_byte *p = 0;

	if (!sec->contents || sec->data)
		return 0;
	if (!sane_size(obj, sec->bs))
		return -1;
	if (!bfd_malloc_and_get_section(obj->abfd, sec->bs, &p)) {
		gl_error("%s: section %s: %s", obj->name, sec->name, gl_bfd_msg());
		free(p);
		return -1;
	}
	sec->data = p;
	return 0;
}

int gl_is_table(const struct gl_sec *sec)
{
	return !strcmp(sec->name, LG_SITES_SECTION);
}

/* C names: PE/COFF i386 symbols carry a leading underscore. */
const char *gl_c_name(const struct gl_obj *obj, const char *sym)
{
	char lead = bfd_get_symbol_leading_char(obj->abfd);

	return lead && sym[0] == lead ? sym + 1 : sym;
}

static int read_sections(struct gl_obj *obj)
{
	asection *s;
	size_t i = 0;

	obj->nsecs = bfd_count_sections(obj->abfd);
	obj->secs = gl_xcalloc(obj->nsecs, sizeof *obj->secs);
	for (s = obj->abfd->sections; s && i < obj->nsecs; s = s->next, i++) {
		struct gl_sec *g = &obj->secs[i];

		g->bs = s;
		g->name = bfd_section_name(s);
		g->vma = bfd_section_vma(s);
		g->size = bfd_section_size(s);
		g->filepos = s->filepos;
		g->exec = (s->flags & SEC_CODE) != 0;
		g->alloc = (s->flags & SEC_ALLOC) != 0;
		g->contents = (s->flags & SEC_HAS_CONTENTS) != 0;
		s->output_section = s; /* for bfd_perform_relocation (sites.c) */
		s->output_offset = 0;
		if ((g->exec || gl_is_table(g)) && load_contents(obj, g))
			return -1;
	}
	obj->nsecs = i;
	return 0;
}

static int read_symbols(struct gl_obj *obj)
{
	long n;

	if (!(bfd_get_file_flags(obj->abfd) & HAS_SYMS))
		return 0;
	n = bfd_get_symtab_upper_bound(obj->abfd);
	if (n < 0) {
		gl_error("%s: symbols: %s", obj->name, gl_bfd_msg());
		return -1;
	}
	obj->syms = gl_xmalloc(n);
	obj->nsyms = bfd_canonicalize_symtab(obj->abfd, obj->syms);
	if (obj->nsyms < 0) {
		gl_error("%s: symbols: %s", obj->name, gl_bfd_msg());
		return -1;
	}
	return 0;
}

struct gl_sec *gl_sec_of(struct gl_obj *obj, const asection *bs)
{
	size_t i;

	if (bs && bs->index < obj->nsecs && obj->secs[bs->index].bs == bs)
		return &obj->secs[bs->index];
	for (i = 0; i < obj->nsecs; i++)
		if (obj->secs[i].bs == bs)
			return &obj->secs[i];
	return 0;
}

static void add_crel(struct gl_obj *obj, struct gl_sec *sec, arelent *r, size_t *cap)
{
	asymbol *sym = r->sym_ptr_ptr ? *r->sym_ptr_ptr : 0;
	struct gl_rel *g;

	if (obj->ncrel == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		obj->crel = gl_xrealloc(obj->crel, *cap, sizeof *obj->crel);
	}
	g = &obj->crel[obj->ncrel++];
	g->sec = sec;
	g->off = r->address;
	g->size = r->howto ? bfd_get_reloc_size(r->howto) : 4;
	g->pcrel = r->howto && r->howto->pc_relative;
	g->sym = sym ? gl_c_name(obj, bfd_asymbol_name(sym)) : "";
	g->undef = !sym || bfd_is_und_section(sym->section);
	g->ssec = sym && !g->undef ? gl_sec_of(obj, sym->section) : 0;
}

/* The relocations of SEC as BFD gives them, *N of them, in an array to
 * free; 0 when BFD cannot read them (said). */
arelent **gl_sec_relocs(struct gl_obj *obj, struct gl_sec *sec, long *n)
{
	long size = bfd_get_reloc_upper_bound(obj->abfd, sec->bs);
	arelent **r = size < 0 ? 0 : gl_xmalloc(size);

	if (r)
		*n = bfd_canonicalize_reloc(obj->abfd, sec->bs, r, obj->syms);
	if (!r || *n < 0) {
		gl_error("%s: section %s: relocations: %s", obj->name, sec->name, gl_bfd_msg());
		free(r);
		return 0;
	}
	return r;
}

/* Relocations of one code section, kept in address order. */
static int read_code_relocs(struct gl_obj *obj, struct gl_sec *sec, size_t *cap)
{
	long n, i;
	arelent **r = gl_sec_relocs(obj, sec, &n);

	if (!r)
		return -1;
	for (i = 0; i < n; i++)
		add_crel(obj, sec, r[i], cap);
	free(r);
	return 0;
}

static int by_place(const void *a, const void *b)
{
	const struct gl_rel *x = a, *y = b;

	if (x->sec != y->sec)
		return x->sec < y->sec ? -1 : 1;
	return x->off < y->off ? -1 : x->off > y->off;
}

static int read_relocs(struct gl_obj *obj)
{
	size_t i, cap = 0;

	if (obj->linked)
		return 0;
	for (i = 0; i < obj->nsecs; i++)
		if (obj->secs[i].exec && (obj->secs[i].bs->flags & SEC_RELOC) &&
		    read_code_relocs(obj, &obj->secs[i], &cap))
			return -1;
	if (obj->ncrel)
		qsort(obj->crel, obj->ncrel, sizeof *obj->crel, by_place);
	return 0;
}

/* The first relocation of code section SEC that touches [off, off+len).
 * Relocations change at most 8 bytes. */
const struct gl_rel *gl_crel_in(const struct gl_obj *obj, const struct gl_sec *sec,
				unsigned long off, unsigned long len)
{
	size_t lo = 0, hi = obj->ncrel;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct gl_rel *r = &obj->crel[mid];

		if (r->sec < sec || (r->sec == sec && r->off + 8 <= off))
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < obj->ncrel && obj->crel[lo].sec == sec && obj->crel[lo].off < off + len; lo++)
		if (obj->crel[lo].off + obj->crel[lo].size > off)
			return &obj->crel[lo];
	return 0;
}

int gl_obj_load(struct gl_obj *obj)
{
	bfd *abfd = obj->abfd;

	obj->elf = bfd_get_flavour(abfd) == bfd_target_elf_flavour;
	obj->linked = (bfd_get_file_flags(abfd) & (EXEC_P | DYNAMIC)) != 0;
	obj->dynamic = (bfd_get_file_flags(abfd) & DYNAMIC) != 0;
	if (check_arch(obj) || read_sections(obj) || read_symbols(obj) || read_relocs(obj))
		return GL_EXIT_FAIL;
	return 0;
}

void gl_obj_free(struct gl_obj *obj)
{
	size_t i;

	for (i = 0; i < obj->nsecs; i++)
		free(obj->secs[i].data);
	free(obj->secs);
	free(obj->syms);
	free(obj->by_name);
	free(obj->crel);
	free(obj->sites);
	free(obj->names);
	free(obj->tables);
	free(obj->name);
}

static int holds(const struct gl_sec *s, unsigned long addr, unsigned long len)
{
	return s->alloc && addr >= s->vma && addr - s->vma < s->size && s->size - (addr - s->vma) >= len;
}

static int by_vma(const void *a, const void *b)
{
	const struct gl_sec *x = *(struct gl_sec *const *)a, *y = *(struct gl_sec *const *)b;

	return x->vma < y->vma ? -1 : x->vma > y->vma;
}

/* Do two allocated code sections share an address?  Then the first one
 * that holds a site is not always the one that held the last.  Sorted by
 * address, two overlap only if two neighbours do: O(n log n), as images
 * may have many thousands of sections. */
static int code_overlaps(const struct gl_obj *obj)
{
	struct gl_sec **v = gl_xcalloc(obj->nsecs + 1, sizeof *v);
	size_t i, n = 0;
	int r = 0;

	for (i = 0; i < obj->nsecs; i++)
		if (obj->secs[i].alloc && obj->secs[i].exec && obj->secs[i].size)
			v[n++] = &obj->secs[i];
	qsort(v, n, sizeof *v, by_vma);
	for (i = 0; i + 1 < n && !r; i++)
		r = v[i + 1]->vma - v[i]->vma < v[i]->size;
	free(v);
	return r;
}

/* The section holding [addr, addr+len) in a linked image; code first.
 * Sites come in runs in one code section: the last one found is tried
 * first, when no other code section could hold the address too. */
struct gl_sec *gl_sec_at(struct gl_obj *obj, unsigned long addr, unsigned long len)
{
	struct gl_sec *any = 0;
	size_t i;

	if (!obj->code_overlap)
		obj->code_overlap = code_overlaps(obj) ? 2 : 1;
	if (obj->code_overlap == 1 && obj->code_hint && holds(obj->code_hint, addr, len))
		return obj->code_hint;
	for (i = 0; i < obj->nsecs; i++) {
		struct gl_sec *s = &obj->secs[i];

		if (!s->alloc || addr < s->vma || addr - s->vma >= s->size)
			continue;
		if (s->exec && s->size - (addr - s->vma) >= len)
			return obj->code_hint = s;
		if (!any)
			any = s;
	}
	return any;
}

/* Defined symbols by name, then symbol table order: built on the first
 * lookup, so that a map of many symbol targets costs log n a site, not a
 * pass over the symbol table. */
static int by_sym_name(const void *a, const void *b)
{
	const struct gl_sym *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : (x->i > y->i) - (x->i < y->i);
}

static void index_syms(struct gl_obj *obj)
{
	long i;

	obj->by_name = gl_xcalloc((size_t)obj->nsyms + 1, sizeof *obj->by_name);
	for (i = 0; i < obj->nsyms; i++) {
		asymbol *s = obj->syms[i];

		if (bfd_is_und_section(s->section))
			continue;
		obj->by_name[obj->nby_name].name = bfd_asymbol_name(s);
		obj->by_name[obj->nby_name].value = bfd_asymbol_value(s);
		obj->by_name[obj->nby_name++].i = i;
	}
	qsort(obj->by_name, obj->nby_name, sizeof *obj->by_name, by_sym_name);
}

/* The address of a defined symbol of a linked image (the first of that
 * name in the symbol table). */
int gl_sym_value(struct gl_obj *obj, const char *name, unsigned long *value)
{
	size_t lo = 0, hi;

	if (!obj->by_name)
		index_syms(obj);
	hi = obj->nby_name;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(obj->by_name[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == obj->nby_name || strcmp(obj->by_name[lo].name, name))
		return -1;
	*value = obj->by_name[lo].value;
	return 0;
}
