/* Copying an ELF file with libelf, as elfutils tools do: a new ELF with the
 * same header, program headers and sections, at the same offsets
 * (ELF_F_LAYOUT), whose unchanged data is the input's.  Changed sections
 * get a private copy of their data, or the caller's copy (gl_elf_take). */
#include <fcntl.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "gatelink.h"

struct gl_elf {
	const char *in;
	int ifd;
	Elf *ein, *eout;
	size_t nscn;
	Elf_Scn **oscn;       /* output sections by index */
	const char **name;    /* by index */
	GElf_Shdr *shdr;      /* input headers by index */
	unsigned char **copy; /* writable data, by index */
	char *taken;          /* copy[i] is the caller's, not ours to free */
	struct gl_out out;
};

static int elf_fail(struct gl_elf *e, const char *what)
{
	gl_error("%s: %s: %s", e->in, what, elf_errmsg(-1));
	return -1;
}

static int copy_headers(struct gl_elf *e)
{
	GElf_Ehdr eh;
	GElf_Phdr ph;
	size_t n, i;

	if (!gelf_getehdr(e->ein, &eh) || !gelf_newehdr(e->eout, gelf_getclass(e->ein)) ||
	    !gelf_update_ehdr(e->eout, &eh))
		return elf_fail(e, "ELF header");
	if (elf_getphdrnum(e->ein, &n) != 0)
		return elf_fail(e, "program headers");
	if (n && !gelf_newphdr(e->eout, n))
		return elf_fail(e, "program headers");
	for (i = 0; i < n; i++)
		if (!gelf_getphdr(e->ein, (int)i, &ph) || !gelf_update_phdr(e->eout, (int)i, &ph))
			return elf_fail(e, "program headers");
	return 0;
}

static int copy_data(struct gl_elf *e, Elf_Scn *is, Elf_Scn *os)
{
	Elf_Data *id = 0, *od;

	while ((id = elf_getdata(is, id)) != 0) {
		od = elf_newdata(os);
		if (!od)
			return elf_fail(e, "section data");
		*od = *id;
	}
	return elf_errno() ? elf_fail(e, "section data") : 0;
}

/* The input's section headers and names, by index. */
static int read_sections(struct gl_elf *e)
{
	size_t shstrndx, i;
	Elf_Scn *is;

	if (elf_getshdrnum(e->ein, &e->nscn) || elf_getshdrstrndx(e->ein, &shstrndx))
		return elf_fail(e, "section headers");
	e->oscn = gl_xcalloc(e->nscn, sizeof *e->oscn);
	e->name = gl_xcalloc(e->nscn, sizeof *e->name);
	e->shdr = gl_xcalloc(e->nscn, sizeof *e->shdr);
	e->copy = gl_xcalloc(e->nscn, sizeof *e->copy);
	e->taken = gl_xcalloc(e->nscn, 1);
	for (i = 0; i < e->nscn; i++) {
		is = elf_getscn(e->ein, i);
		if (!is || !gelf_getshdr(is, &e->shdr[i]))
			return elf_fail(e, "section header");
		e->name[i] = i ? elf_strptr(e->ein, shstrndx, e->shdr[i].sh_name) : "";
		if (!e->name[i])
			e->name[i] = "(no name)";
	}
	return 0;
}

static int copy_sections(struct gl_elf *e)
{
	size_t i;

	for (i = 1; i < e->nscn; i++) {
		e->oscn[i] = elf_newscn(e->eout);
		if (!e->oscn[i] || elf_ndxscn(e->oscn[i]) != i ||
		    !gelf_update_shdr(e->oscn[i], &e->shdr[i]))
			return elf_fail(e, "section header");
		if (copy_data(e, elf_getscn(e->ein, i), e->oscn[i]))
			return -1;
	}
	if (e->nscn && !gelf_update_shdr(elf_getscn(e->eout, 0), &e->shdr[0]))
		return elf_fail(e, "section header 0");
	return 0;
}

static void release(struct gl_elf *e)
{
	size_t i;

	if (e->eout)
		elf_end(e->eout);
	if (e->ein)
		elf_end(e->ein);
	if (e->ifd >= 0)
		close(e->ifd);
	for (i = 0; e->copy && i < e->nscn; i++)
		if (!e->taken[i])
			free(e->copy[i]);
	free(e->copy);
	free(e->taken);
	free(e->oscn);
	free(e->name);
	free(e->shdr);
	free(e);
}

static int open_input(struct gl_elf *e, struct stat *st)
{
	e->ifd = open(e->in, O_RDONLY);
	if (e->ifd < 0 || fstat(e->ifd, st) != 0) {
		gl_error("%s: %m", e->in);
		return -1;
	}
	e->ein = elf_begin(e->ifd, ELF_C_READ_MMAP, 0);
	if (!e->ein)
		return elf_fail(e, "libelf");
	if (elf_kind(e->ein) != ELF_K_ELF || gelf_getclass(e->ein) != ELFCLASS32) {
		gl_error("%s: not a 32-bit ELF file: only ELF is rewritten", e->in);
		return -1;
	}
	return 0;
}

/* ---- What libelf can write back at the input's layout ----------------
 * ELF_F_LAYOUT writes each section's data at its offset, the headers at
 * theirs, and fills what lies between with zeros, in offset order.  Tried
 * here: a section that overlaps the ELF header or another section, or an
 * empty one strictly inside either, comes out clobbered (or clobbers);
 * a section past the end of the file makes a file that long (4 GB for an
 * empty section at 0xff000000).  objcopy refuses these; so do we, before
 * anything is written. */

/* A byte range of the input: section I, or a header (I = 0). */
struct span {
	GElf_Off off, size;
	size_t i;
};

static const char *const header_names[] = {"the ELF header", "the program header table",
					    "the section header table"};

static int by_off(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	if (x->off != y->off)
		return x->off < y->off ? -1 : 1;
	return x->size < y->size ? -1 : x->size > y->size;
}

/* Does S overlap H?  An empty S, when it lies strictly inside H (or at
 * offset 0, where the ELF header always is): libelf fills its way to it. */
static int overlaps(const struct span *s, const struct span *h)
{
	if (!s->size)
		return s->off < h->off + h->size && (s->off > h->off || s->off == 0);
	return s->off < h->off + h->size && h->off < s->off + s->size;
}

/* Section S overlaps OTHER (a header or a section, H). */
static int clash(struct gl_elf *e, const struct span *s, const char *other, const struct span *h)
{
	if (s->size)
		gl_error("%s: section %s: 0x%lx bytes at 0x%lx overlap %s (0x%lx bytes at 0x%lx)",
			 e->in, e->name[s->i], (unsigned long)s->size, (unsigned long)s->off, other,
			 (unsigned long)h->size, (unsigned long)h->off);
	else
		gl_error("%s: section %s: empty, at 0x%lx, inside %s (0x%lx bytes at 0x%lx)", e->in,
			 e->name[s->i], (unsigned long)s->off, other, (unsigned long)h->size,
			 (unsigned long)h->off);
	return -1;
}

static int past_end(struct gl_elf *e, const char *what, const struct span *s, size_t fsize)
{
	if (s->off <= fsize && s->size <= fsize - s->off)
		return 0;
	gl_error("%s: %s: size 0x%lx at 0x%lx is past the end of the file (0x%lx bytes)", e->in,
		 what, (unsigned long)s->size, (unsigned long)s->off, (unsigned long)fsize);
	return -1;
}

/* The ELF header and the two header tables. */
static int header_spans(struct gl_elf *e, struct span h[3], size_t fsize)
{
	GElf_Ehdr eh;
	size_t phnum, k;

	if (!gelf_getehdr(e->ein, &eh) || elf_getphdrnum(e->ein, &phnum))
		return elf_fail(e, "ELF header");
	h[0] = (struct span){0, eh.e_ehsize, 0};
	h[1] = (struct span){eh.e_phoff, phnum ? (GElf_Off)phnum * eh.e_phentsize : 0, 0};
	h[2] = (struct span){eh.e_shoff, e->nscn ? (GElf_Off)e->nscn * eh.e_shentsize : 0, 0};
	for (k = 0; k < 3; k++)
		if (past_end(e, header_names[k] + 4, &h[k], fsize))
			return -1;
	return 0;
}

/* Section I: in the file, clear of the headers, a sane alignment. */
static int check_section(struct gl_elf *e, size_t i, const struct span h[3], size_t fsize)
{
	const GElf_Shdr *sh = &e->shdr[i];
	struct span s = {sh->sh_offset, sh->sh_size, i};
	char what[300];
	size_t k;

	snprintf(what, sizeof what, "section %s", e->name[i]);
	if (sh->sh_addralign & (sh->sh_addralign - 1)) {
		gl_error("%s: %s: alignment 0x%lx is not a power of two", e->in, what,
			 (unsigned long)sh->sh_addralign);
		return -1;
	}
	if (past_end(e, what, &s, fsize))
		return -1;
	for (k = 0; k < 3; k++)
		if (h[k].size && overlaps(&s, &h[k]))
			return clash(e, &s, header_names[k], &h[k]);
	return 0;
}

/* Does section I have bytes in the file?  (An SHT_NULL entry of no size
 * is only a hole in the table.) */
static int in_file(const GElf_Shdr *sh)
{
	return sh->sh_type != SHT_NOBITS && (sh->sh_type != SHT_NULL || sh->sh_size);
}

/* Sorted by offset, a section overlaps another only if it overlaps the
 * one before it that reaches furthest: O(n log n). */
static int check_overlaps(struct gl_elf *e, struct span *v, size_t n)
{
	const struct span *far = 0;
	size_t j;

	qsort(v, n, sizeof *v, by_off);
	for (j = 0; j < n; j++) {
		if (far && overlaps(&v[j], far)) {
			char other[300];

			snprintf(other, sizeof other, "section %s", e->name[far->i]);
			return clash(e, &v[j], other, far);
		}
		if (!far || v[j].off + v[j].size > far->off + far->size)
			far = &v[j];
	}
	return 0;
}

static int check_layout(struct gl_elf *e, size_t fsize)
{
	struct span h[3], *v = gl_xcalloc(e->nscn, sizeof *v);
	size_t i, n = 0;
	int r = header_spans(e, h, fsize);

	for (i = 1; i < e->nscn && r == 0; i++) {
		if (!in_file(&e->shdr[i]))
			continue;
		r = check_section(e, i, h, fsize);
		v[n++] = (struct span){e->shdr[i].sh_offset, e->shdr[i].sh_size, i};
	}
	if (r == 0)
		r = check_overlaps(e, v, n);
	free(v);
	return r;
}

struct gl_elf *gl_elf_open(const char *in, const char *out)
{
	struct gl_elf *e = gl_xcalloc(1, sizeof *e);
	struct stat st;

	e->in = in;
	e->ifd = -1;
	e->out.fd = -1;
	if (elf_version(EV_CURRENT) == EV_NONE) {
		gl_error("libelf: %s", elf_errmsg(-1));
		release(e);
		return 0;
	}
	if (open_input(e, &st) || read_sections(e) || check_layout(e, (size_t)st.st_size) ||
	    gl_out_open(&e->out, out, st.st_mode)) {
		release(e);
		return 0;
	}
	e->eout = elf_begin(e->out.fd, ELF_C_WRITE, 0);
	if (!e->eout || copy_headers(e) || copy_sections(e)) {
		if (!e->eout)
			elf_fail(e, "libelf");
		gl_elf_abort(e);
		return 0;
	}
	elf_flagelf(e->eout, ELF_C_SET, ELF_F_LAYOUT);
	return e;
}

/* The ELF section that BFD read as SEC: same name, offset and size. */
static size_t index_of(struct gl_elf *e, const struct gl_sec *sec)
{
	size_t i;

	for (i = 1; i < e->nscn; i++)
		if (e->name[i] && !strcmp(e->name[i], sec->name) &&
		    e->shdr[i].sh_offset == (GElf_Off)sec->filepos && e->shdr[i].sh_size == sec->size)
			return i;
	return 0;
}

/* Writable data of section I: a private copy, or MINE if not 0. */
static void *scn_data(struct gl_elf *e, size_t i, size_t *size, unsigned char *mine)
{
	Elf_Data *d;

	if (i == 0 || i >= e->nscn || e->shdr[i].sh_type == SHT_NOBITS)
		return 0;
	d = elf_getdata(e->oscn[i], 0);
	if (!d || elf_getdata(e->oscn[i], d)) /* one data block only */
		return 0;
	if (!e->copy[i] && mine) {
		e->copy[i] = mine;
		e->taken[i] = 1;
	} else if (!e->copy[i]) {
		e->copy[i] = gl_xmalloc(d->d_size);
		if (d->d_size)
			memcpy(e->copy[i], d->d_buf, d->d_size);
	}
	if (d->d_buf != e->copy[i]) {
		d->d_buf = e->copy[i];
		elf_flagdata(d, ELF_C_SET, ELF_F_DIRTY);
	}
	if (size)
		*size = d->d_size;
	return e->copy[i];
}

void *gl_elf_scn_data(struct gl_elf *e, size_t i, size_t *size)
{
	return scn_data(e, i, size, 0);
}

static unsigned char *sec_data(struct gl_elf *e, const struct gl_sec *sec, unsigned char *mine)
{
	size_t i = index_of(e, sec), size = 0;
	unsigned char *p = i ? scn_data(e, i, &size, mine) : 0;

	if (!p || size != sec->size) {
		gl_error("%s: section %s: libelf and libbfd disagree on it", e->in, sec->name);
		return 0;
	}
	return p;
}

unsigned char *gl_elf_data(struct gl_elf *e, const struct gl_sec *sec)
{
	return sec_data(e, sec, 0);
}

/* The section's bytes as BFD read them (sec->data) become the output's:
 * for a big code section, a copy and a read of the input fewer (a
 * twentieth of a bind).  They are the file's bytes (index_of matched name,
 * offset and size), unless we changed them: only a relocatable object's
 * table is (sites.c), so it is never taken. */
unsigned char *gl_elf_take(struct gl_elf *e, struct gl_sec *sec)
{
	return sec_data(e, sec, sec->data && !gl_is_table(sec) ? sec->data : 0);
}

void gl_elf_set_size(struct gl_elf *e, size_t i, size_t size)
{
	Elf_Data *d = elf_getdata(e->oscn[i], 0);
	GElf_Shdr sh;

	d->d_size = size;
	elf_flagdata(d, ELF_C_SET, ELF_F_DIRTY);
	if (gelf_getshdr(e->oscn[i], &sh)) {
		sh.sh_size = size;
		gelf_update_shdr(e->oscn[i], &sh);
	}
}

Elf *gl_elf_out(struct gl_elf *e)
{
	return e->eout;
}

/* ---- Reading the output back ------------------------------------------
 * Nothing is renamed into place that is not what we meant: the input's
 * bytes everywhere, except in the sections a subcommand changed (their new
 * data) and in the section header table (read back with libelf, header by
 * header).  Memory speed: a small part of a bind. */

struct readback {
	struct gl_elf *e;
	const unsigned char *in;
	unsigned char *out;
	size_t size;
	GElf_Shdr *osh; /* the output's headers as we set them, by index */
};

/* Where the output is not what we meant: at file offset AT, libelf wrote
 * something else than WANT. */
static int differ(struct readback *b, GElf_Off at, unsigned int want)
{
	struct gl_elf *e = b->e;
	char where[300];
	size_t i;

	for (i = 1; i < e->nscn; i++)
		if (in_file(&e->shdr[i]) && at - e->shdr[i].sh_offset < e->shdr[i].sh_size)
			break;
	if (i < e->nscn)
		snprintf(where, sizeof where, "section %s+0x%lx (file offset 0x%lx)", e->name[i],
			 (unsigned long)(at - e->shdr[i].sh_offset), (unsigned long)at);
	else
		snprintf(where, sizeof where, "file offset 0x%lx (outside every section)",
			 (unsigned long)at);
	gl_error("%s: %s: libelf wrote 0x%02x, not 0x%02x: nothing written", e->in, where,
		 b->out[at], want);
	return -1;
}

static int same_bytes(struct readback *b, GElf_Off from, GElf_Off to)
{
	GElf_Off at;

	if (to <= from || !memcmp(b->in + from, b->out + from, to - from))
		return 0;
	for (at = from; b->in[at] == b->out[at]; at++)
		;
	return differ(b, at, b->in[at]);
}

static int changed(struct readback *b, size_t i)
{
	return b->e->copy[i] || b->osh[i].sh_size != b->e->shdr[i].sh_size;
}

/* A changed section holds the data we gave libelf. */
static int same_data(struct readback *b, size_t i)
{
	const GElf_Shdr *sh = &b->osh[i];
	Elf_Data *d = 0;

	while ((d = elf_getdata(b->e->oscn[i], d)) != 0) {
		GElf_Off at = sh->sh_offset + d->d_off;

		if (!d->d_size)
			continue;
		if (at > b->size || d->d_size > b->size - at) {
			gl_error("%s: section %s: data at 0x%lx past the end of the output: nothing "
				 "written", b->e->in, b->e->name[i], (unsigned long)at);
			return -1;
		}
		if (memcmp(b->out + at, d->d_buf, d->d_size)) {
			const unsigned char *p = d->d_buf;
			size_t k = 0;

			while (b->out[at + k] == p[k])
				k++;
			return differ(b, at + k, p[k]);
		}
	}
	return 0;
}

/* Every byte outside the changed sections and the section header table
 * is the input's. */
static int same_elsewhere(struct readback *b, const GElf_Ehdr *eh)
{
	struct gl_elf *e = b->e;
	struct span *skip = gl_xcalloc(e->nscn + 1, sizeof *skip);
	size_t i, n = 0;
	GElf_Off pos = 0;
	int r = 0;

	skip[n++] = (struct span){eh->e_shoff, (GElf_Off)e->nscn * eh->e_shentsize, 0};
	for (i = 1; i < e->nscn; i++)
		if (in_file(&e->shdr[i]) && changed(b, i))
			skip[n++] = (struct span){e->shdr[i].sh_offset, e->shdr[i].sh_size, i};
	qsort(skip, n, sizeof *skip, by_off);
	for (i = 0; i < n && r == 0; i++) {
		r = same_bytes(b, pos, skip[i].off);
		if (skip[i].off + skip[i].size > pos)
			pos = skip[i].off + skip[i].size;
	}
	if (r == 0)
		r = same_bytes(b, pos, b->size);
	for (i = 1; i < e->nscn && r == 0; i++)
		if (in_file(&b->osh[i]) && changed(b, i))
			r = same_data(b, i);
	free(skip);
	return r;
}

/* libelf reads it back: the same ELF header, the headers we set. */
static int same_headers(struct readback *b, GElf_Ehdr *eh)
{
	Elf *o = elf_memory((char *)b->out, b->size);
	GElf_Ehdr oh;
	GElf_Shdr sh;
	size_t n = 0, i;
	int r = 0;

	if (!o || !gelf_getehdr(o, &oh) || memcmp(&oh, eh, sizeof oh) || elf_getshdrnum(o, &n) ||
	    n != b->e->nscn)
		r = -1;
	for (i = 0; r == 0 && i < n; i++)
		if (!gelf_getshdr(elf_getscn(o, i), &sh) || memcmp(&sh, &b->osh[i], sizeof sh))
			r = -1;
	if (o)
		elf_end(o);
	if (r)
		gl_error("%s: what libelf wrote does not read back with the same headers "
			 "(section %zu): nothing written", b->e->in, i ? i - 1 : 0);
	return r;
}

static int read_back(struct gl_elf *e)
{
	struct readback b = {e, 0, 0, 0, 0};
	struct stat st;
	GElf_Ehdr eh;
	size_t insize, i;
	int r = -1;

	b.in = (const unsigned char *)elf_rawfile(e->ein, &insize);
	if (!b.in || !gelf_getehdr(e->ein, &eh) || fstat(e->out.fd, &st))
		return elf_fail(e, "reading the output back");
	b.size = (size_t)st.st_size;
	if (b.size != insize) {
		gl_error("%s: libelf wrote 0x%lx bytes, not the input's 0x%lx: nothing written",
			 e->in, (unsigned long)b.size, (unsigned long)insize);
		return -1;
	}
	b.out = mmap(0, b.size, PROT_READ | PROT_WRITE, MAP_PRIVATE, e->out.fd, 0);
	if (b.out == MAP_FAILED) {
		gl_error("%s: reading the output back: %m", e->out.tmp);
		return -1;
	}
	b.osh = gl_xcalloc(e->nscn, sizeof *b.osh);
	for (i = 0; i < e->nscn; i++)
		if (!gelf_getshdr(i ? e->oscn[i] : elf_getscn(e->eout, 0), &b.osh[i]))
			break;
	if (i < e->nscn)
		elf_fail(e, "reading the output back");
	else
		r = same_elsewhere(&b, &eh) || same_headers(&b, &eh) ? -1 : 0;
	free(b.osh);
	munmap(b.out, b.size);
	return r;
}

int gl_elf_commit(struct gl_elf *e)
{
	if (elf_update(e->eout, ELF_C_WRITE) < 0) {
		elf_fail(e, "writing");
		gl_elf_abort(e);
		return -1;
	}
	if (read_back(e)) {
		gl_elf_abort(e);
		return -1;
	}
	elf_end(e->eout);
	e->eout = 0;
	if (gl_out_commit(&e->out)) {
		release(e);
		return -1;
	}
	release(e);
	return 0;
}

void gl_elf_abort(struct gl_elf *e)
{
	if (e->eout)
		elf_end(e->eout);
	e->eout = 0;
	gl_out_abort(&e->out);
	release(e);
}
