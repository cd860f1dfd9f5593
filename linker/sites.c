/* The site table and the discovery note of one object.
 *
 * In a relocatable object the site of an entry comes from the relocation
 * of its rel field (BFD applies it for us, whatever the object format), and
 * a by-name entry's gate from the symbol of its info word's relocation.  In
 * a linked image both come from the contents: site = address of rel + rel. */
#include "bfdh.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "gatelink.h"

const unsigned char *gl_site_bytes(const struct gl_obj *obj, const struct gl_site *s)
{
	const struct gl_sec *sec = gl_site_sec(obj, s);

	if (!s->located || !sec || !sec->data || s->kind >= LG_NKINDS)
		return 0;
	if (s->off > sec->size || sec->size - s->off < lg_kind_len(s->kind))
		return 0;
	return sec->data + s->off;
}

static const char *howto_name(const arelent *r)
{
	return r->howto && r->howto->name ? r->howto->name : "of a type unknown to this format";
}

/* Said once per object: every entry has the same trouble. */
static int unknown_howto(struct gl_obj *obj, struct gl_sec *t, const arelent *r, struct gl_site *s)
{
	s->rel |= GL_REL_BAD;
	if (!obj->told_howto++)
		gl_finding(obj, GL_ERROR, t, r->address, 0, "reloc", "relocations of a type %s "
			   "does not know (an object converted by objcopy keeps the relocation "
			   "numbers of its old format: convert linked images only)",
			   bfd_get_target(obj->abfd));
	return -1;
}

static int bad_rel(struct gl_obj *obj, struct gl_sec *t, const arelent *r, struct gl_site *s,
		   const char *what)
{
	s->rel |= GL_REL_BAD;
	gl_finding(obj, GL_ERROR, t, r->address, 0, "reloc", "rel field %s", what);
	return -1;
}

/* The ELF generic howto (elf32-i386's R_386_PC32): there
 * bfd_perform_relocation computes S + A + the field's in-place addend - P
 * and cannot overflow a 32-bit field, which costs it some 260 instructions
 * (a quarter of a whole bind).  We store the same result from the
 * canonical relocation; any other howto (PE/COFF's special functions) goes
 * to BFD.  Sections are at their own vma (object.c), so S - P is the
 * symbol's offset in its section minus the field's in the table. */
static int quick_pcrel(struct gl_sec *t, const arelent *r, const asymbol *sym,
		       const struct gl_sec *ssec)
{
	reloc_howto_type *h = r->howto;
	unsigned char *p = t->data + r->address;
	unsigned int x;

	if (!bfd_elf_generic_reloc || h->special_function != bfd_elf_generic_reloc ||
	    !h->pcrel_offset || h->negate || h->rightshift || h->bitpos || h->bitsize != 32 ||
	    h->dst_mask != 0xffffffffUL)
		return -1;
	x = lg_get32(p) & (unsigned int)h->src_mask;
	lg_put32(p, x + (unsigned int)(sym->value + ssec->vma + r->addend - t->vma - r->address));
	return 0;
}

/* The rel field: the relocation is applied in place (the table's contents
 * are ours), every section at its own vma; then the site is the field's
 * address + the result, in the symbol's section. */
static int rel_field(struct gl_obj *obj, struct gl_sec *t, arelent *r, struct gl_site *s)
{
	asymbol *sym = *r->sym_ptr_ptr;
	char *msg = 0, buf[256];
	bfd_reloc_status_type st = bfd_reloc_ok;
	unsigned long field = r->address;
	struct gl_sec *ssec;

	if (!r->howto || !r->howto->name) /* BFD's placeholder for unknown types */
		return unknown_howto(obj, t, r, s);
	if (!r->howto->pc_relative || bfd_get_reloc_size(r->howto) != 4) {
		snprintf(buf, sizeof buf, "has a relocation %s, not a 32-bit PC-relative one",
			 howto_name(r));
		return bad_rel(obj, t, r, s, buf);
	}
	ssec = gl_sec_of(obj, sym->section);
	if (bfd_is_und_section(sym->section) || bfd_is_abs_section(sym->section) || !ssec) {
		snprintf(buf, sizeof buf, "is relocated against %s, which is in no section",
			 bfd_asymbol_name(sym));
		return bad_rel(obj, t, r, s, buf);
	}
	if (quick_pcrel(t, r, sym, ssec))
		st = bfd_perform_relocation(obj->abfd, r, t->data, t->bs, 0, &msg);
	if (st != bfd_reloc_ok) {
		snprintf(buf, sizeof buf, "relocation %s cannot be applied%s%s", howto_name(r),
			 msg ? ": " : "", msg ? msg : "");
		return bad_rel(obj, t, r, s, buf);
	}
	s->secno = gl_secno(obj, ssec);
	s->off = (t->vma + field + (unsigned long)(long)(int)lg_get32(t->data + field) - ssec->vma) &
		 0xffffffffUL;
	s->rel |= GL_REL_DONE;
	return 0;
}

static int info_field(struct gl_obj *obj, struct gl_sec *t, arelent *r, struct gl_site *s)
{
	asymbol *sym = *r->sym_ptr_ptr;

	if (!r->howto || !r->howto->name)
		return unknown_howto(obj, t, r, s);
	if (r->howto->pc_relative || bfd_get_reloc_size(r->howto) != 4 ||
	    !bfd_is_und_section(sym->section)) {
		gl_finding(obj, GL_ERROR, t, r->address, 0, "reloc",
			   "info word has a relocation %s against %s, not a gate symbol",
			   howto_name(r), bfd_asymbol_name(sym));
		return -1;
	}
	if (!obj->names)
		obj->names = gl_xcalloc(obj->nsites, sizeof *obj->names);
	obj->names[s - obj->sites] = gl_c_name(obj, bfd_asymbol_name(sym));
	return 0;
}

/* One relocation of table T, whose entries are S[0 .. N-1]. */
static int one_reloc(struct gl_obj *obj, struct gl_sec *t, arelent *r, struct gl_site *s, size_t n)
{
	unsigned long a = r->address;

	if (a % LG_ENTRY_SIZE != 0 && a % LG_ENTRY_SIZE != 4) {
		gl_finding(obj, GL_ERROR, t, a, 0, "reloc",
			   "relocation %s in the middle of a field", howto_name(r));
		return -1;
	}
	if (a / LG_ENTRY_SIZE >= n) {
		gl_finding(obj, GL_ERROR, t, a, 0, "reloc", "relocation %s past the last entry",
			   howto_name(r));
		return -1;
	}
	if (!r->sym_ptr_ptr || !*r->sym_ptr_ptr) {
		gl_finding(obj, GL_ERROR, t, a, 0, "reloc", "relocation %s has no symbol",
			   howto_name(r));
		return -1;
	}
	if (a % LG_ENTRY_SIZE == 0)
		return rel_field(obj, t, r, &s[a / LG_ENTRY_SIZE]);
	return info_field(obj, t, r, &s[a / LG_ENTRY_SIZE]);
}

static int table_relocs(struct gl_obj *obj, struct gl_sec *t, struct gl_site *s, size_t n)
{
	arelent **r;
	long nr, i;

	if (obj->linked || !(t->bs->flags & SEC_RELOC))
		return 0;
	r = gl_sec_relocs(obj, t, &nr);
	if (!r)
		return -1;
	for (i = 0; i < nr; i++)
		if (one_reloc(obj, t, r[i], s, n))
			obj->broken = 1;
	free(r);
	return 0;
}

/* Linked images: the site at ADDR, in the section holding that address
 * (gl_sec_at), or in none: then off keeps the address. */
static void locate_linked(struct gl_obj *obj, struct gl_site *s, unsigned long addr)
{
	unsigned int len = s->kind < LG_NKINDS ? lg_kind_len(s->kind) : 1;
	struct gl_sec *sec = gl_sec_at(obj, addr, len);

	s->secno = gl_secno(obj, sec);
	s->off = sec ? addr - sec->vma : addr;
	s->located = 1;
}

/* Where the site of entry S, at TOFF in table T, is. */
static void locate(struct gl_obj *obj, struct gl_site *s, struct gl_sec *t, unsigned long toff)
{
	int rel = (int)lg_get32(t->data + toff);
	const struct gl_sec *sec;

	if (obj->linked) {
		locate_linked(obj, s, (t->vma + toff + (unsigned long)(long)rel) & 0xffffffffUL);
		return;
	}
	if (s->rel & GL_REL_BAD) { /* reported; another relocation may have placed it */
		s->secno = 0;
		return;
	}
	if (!(s->rel & GL_REL_DONE)) { /* no relocation, a constant: the site is in the table */
		s->secno = gl_secno(obj, t);
		s->off = (toff + (unsigned long)(long)rel) & 0xffffffffUL;
	}
	s->located = 1;
	sec = gl_site_sec(obj, s);
	if (sec && s->off >= sec->size) /* outside its section */
		s->secno = 0;
}

/* The by-name symbol on the stub's gate field (relocatable objects), 0
 * if none.  Looked up when a rule asks: only by-name objects have one. */
const char *gl_stub_sym(const struct gl_obj *obj, const struct gl_site *s)
{
	const struct gl_rel *r;
	const struct gl_sec *sec = gl_site_sec(obj, s);
	unsigned int h = s->kind <= LG_K16 ? 3 : 2;

	if (!obj->ncrel || !sec || !sec->exec || s->kind >= LG_NKINDS)
		return 0; /* ncrel is 0 in linked images too */
	r = gl_crel_in(obj, sec, s->off + h, 4);
	if (r && r->off == s->off + h && r->size == 4 && !r->pcrel && r->undef)
		return r->sym;
	return 0;
}

unsigned int gl_site_index(const struct gl_obj *obj, const struct gl_site *s)
{
	return (unsigned int)(s - obj->sites);
}

/* The table section of S's entry and the entry's offset in it. */
void gl_site_entry(const struct gl_obj *obj, const struct gl_site *s, const struct gl_sec **t,
		   unsigned long *off)
{
	size_t i = (size_t)(s - obj->sites), k;

	for (k = 0; k + 1 < obj->ntables && i >= obj->tables[k + 1].first; k++)
		;
	*t = obj->tables[k].sec;
	*off = (i - obj->tables[k].first) * LG_ENTRY_SIZE;
}

static void init_site(struct gl_site *s, const struct gl_sec *t, size_t i)
{
	memset(s, 0, sizeof *s);
	s->info = lg_get32(t->data + i * LG_ENTRY_SIZE + 4);
	s->kind = (s->info >> LG_KIND_SHIFT) & LG_KIND_MASK;
}

static void finish_site(struct gl_obj *obj, struct gl_site *s, struct gl_sec *t, size_t i)
{
	const unsigned char *p;

	locate(obj, s, t, i * LG_ENTRY_SIZE);
	p = gl_site_bytes(obj, s);
	s->state = p ? lg_match(p, s->kind, gl_site_gate(s)) : LG_S_NONE;
}

static void add_table(struct gl_obj *obj, struct gl_sec *t, size_t first, size_t n)
{
	obj->tables = gl_xrealloc(obj->tables, obj->ntables + 1, sizeof *obj->tables);
	obj->tables[obj->ntables].sec = t;
	obj->tables[obj->ntables].first = first;
	obj->tables[obj->ntables].n = n;
	obj->ntables++;
}

/* Entries of table T: the whole section, or in a linked image the part
 * the note covers when the note covers this section. */
static size_t table_entries(struct gl_obj *obj, struct gl_sec *t)
{
	size_t n = t->size / LG_ENTRY_SIZE;
	const struct gl_note *nt = &obj->note;

	if (t->size % LG_ENTRY_SIZE)
		gl_finding(obj, GL_ERROR, t, t->size - t->size % LG_ENTRY_SIZE, 0, "table-size",
			   "table size 0x%lx is not a whole number of %d-byte entries",
			   t->size, LG_ENTRY_SIZE);
	if (obj->linked && nt->sec && nt->end >= nt->start &&
	    ((nt->sec->vma + nt->desc + nt->start) & 0xffffffffUL) == t->vma &&
	    (unsigned long)(nt->end - nt->start) / LG_ENTRY_SIZE < n)
		n = (unsigned long)(nt->end - nt->start) / LG_ENTRY_SIZE;
	return n;
}

/* Fault in a big new array in one system call rather than a page fault
 * per page (a third of the time of loading a 100 000-site table went to
 * those).  Only a hint: nothing is lost if the kernel cannot. */
static void prefault(void *p, size_t n)
{
	uintptr_t lo = ((uintptr_t)p + 4095) & ~(uintptr_t)4095, hi = ((uintptr_t)p + n) & ~(uintptr_t)4095;

	if (hi > lo + 65536)
		madvise((void *)lo, hi - lo, MADV_POPULATE_WRITE);
}

static int load_table(struct gl_obj *obj, struct gl_sec *t)
{
	size_t n, i, base = obj->nsites;

	if (!t->data && t->size) {
		gl_error("%s: section %s has no contents", obj->name, t->name);
		return -1;
	}
	n = table_entries(obj, t);
	if (!n)
		return 0;
	obj->sites = gl_xrealloc(obj->sites, base + n, sizeof *obj->sites);
	prefault(&obj->sites[base], n * sizeof *obj->sites);
	obj->nsites += n;
	if (obj->names) { /* an earlier table had by-name sites */
		obj->names = gl_xrealloc(obj->names, base + n, sizeof *obj->names);
		memset(&obj->names[base], 0, n * sizeof *obj->names);
	}
	add_table(obj, t, base, n);
	for (i = 0; i < n; i++)
		init_site(&obj->sites[base + i], t, i);
	if (table_relocs(obj, t, &obj->sites[base], n))
		return -1;
	for (i = 0; i < n; i++)
		finish_site(obj, &obj->sites[base + i], t, i);
	return 0;
}

/* ---- the note ---- */

static int our_note(const unsigned char *p, unsigned long avail)
{
	return avail >= 12 + 12 + LG_NOTE_DESCSZ && lg_get32(p) == sizeof LG_NOTE_NAME &&
	       lg_get32(p + 4) == LG_NOTE_DESCSZ && lg_get32(p + 8) == LG_NOTE_TYPE &&
	       !memcmp(p + 12, LG_NOTE_NAME, sizeof LG_NOTE_NAME);
}

static void scan_note(struct gl_obj *obj, struct gl_sec *s, const unsigned char *p)
{
	unsigned long off = 0;

	while (s->size - off >= 12) {
		unsigned long nsz = (lg_get32(p + off) + 3UL) & ~3UL;
		unsigned long dsz = (lg_get32(p + off + 4) + 3UL) & ~3UL;

		if (nsz > s->size || dsz > s->size || 12 + nsz + dsz > s->size - off)
			return;
		if (our_note(p + off, s->size - off)) {
			obj->note.sec = s;
			obj->note.desc = off + 24;
			obj->note.start = (int)lg_get32(p + off + 24);
			obj->note.end = (int)lg_get32(p + off + 28);
			obj->note.flags = lg_get32(p + off + 32);
			return;
		}
		off += 12 + nsz + dsz;
	}
}

static int load_note(struct gl_obj *obj)
{
	size_t i;

	for (i = 0; i < obj->nsecs && !obj->note.sec; i++) {
		struct gl_sec *s = &obj->secs[i];
		bfd_byte *p = 0;

		if (strcmp(s->name, LG_NOTE_SECTION) || !s->contents || !s->size)
			continue;
		if (s->size > bfd_get_file_size(obj->abfd) ||
		    !bfd_malloc_and_get_section(obj->abfd, s->bs, &p)) {
			gl_error("%s: section %s: %s", obj->name, s->name, gl_bfd_msg());
			free(p);
			return -1;
		}
		scan_note(obj, s, p);
		free(p);
	}
	return 0;
}

int gl_sites_load(struct gl_obj *obj)
{
	size_t i;

	if (load_note(obj)) /* a linked image's note says how much of a table counts */
		return -1;
	for (i = 0; i < obj->nsecs; i++)
		if (gl_is_table(&obj->secs[i]) && load_table(obj, &obj->secs[i]))
			return -1;
	return 0;
}
