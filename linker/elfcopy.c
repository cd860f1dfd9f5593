/* Copying an ELF file with libelf, as elfutils tools do: a new ELF with the
 * same header, program headers and sections, at the same offsets
 * (ELF_F_LAYOUT), whose unchanged data is the input's.  Changed sections
 * get a private copy of their data, or the caller's copy (gl_elf_take). */
#include <fcntl.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>
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

static int copy_sections(struct gl_elf *e)
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
	for (i = 1; i < e->nscn; i++) {
		is = elf_getscn(e->ein, i);
		if (!is || !gelf_getshdr(is, &e->shdr[i]))
			return elf_fail(e, "section header");
		e->name[i] = elf_strptr(e->ein, shstrndx, e->shdr[i].sh_name);
		e->oscn[i] = elf_newscn(e->eout);
		if (!e->oscn[i] || elf_ndxscn(e->oscn[i]) != i ||
		    !gelf_update_shdr(e->oscn[i], &e->shdr[i]))
			return elf_fail(e, "section header");
		if (copy_data(e, is, e->oscn[i]))
			return -1;
	}
	if (e->nscn && gelf_getshdr(elf_getscn(e->ein, 0), &e->shdr[0]) &&
	    !gelf_update_shdr(elf_getscn(e->eout, 0), &e->shdr[0]))
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
	if (open_input(e, &st) || gl_out_open(&e->out, out, st.st_mode)) {
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

int gl_elf_commit(struct gl_elf *e)
{
	if (elf_update(e->eout, ELF_C_WRITE) < 0) {
		elf_fail(e, "writing");
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
