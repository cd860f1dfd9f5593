/* gatelink - the build-time linker and checker of lazygate site tables.
 *
 * Objects are read with libbfd (any format BFD knows) into the model below;
 * ELF outputs are written with libelf.  One file per concern:
 *   gatelink.c  options and subcommands      diag.c    messages, findings, exit
 *   input.c     opening files and archives   object.c  sections, symbols, relocs
 *   sites.c     the site table and the note  rules.c   the checks
 *   defs.c      API definitions (--defs)     map.c     provider maps (bind)
 *   list.c      list                         check.c   check
 *   elfcopy.c   copying an ELF with libelf   output.c  temporary file + rename
 *   rewrite.c   the frame of writing commands
 *   bind.c      bind, unbind                 resolve.c resolve
 *   symtab.c    removing symbols (resolve)   sort.c    sort
 *
 * gl_ names are gatelink's own; lg_ names are the format's and the
 * runtime core's (<lazygate/core.h>), which gatelink links as libcore.a.
 * struct gl_site is gatelink's record of a table entry, struct lg_site
 * the entry itself.
 */
#ifndef GATELINK_H
#define GATELINK_H

#include <stddef.h>
#include <stdio.h>
#include <lazygate/core.h>

/* Exit status, as elfutils and binutils tools. */
#define GL_EXIT_OK 0
#define GL_EXIT_FINDINGS 1
#define GL_EXIT_FAIL 2

struct bfd;
struct bfd_section;
struct bfd_symbol;

/* ---- diag.c ---------------------------------------------------------- */

extern const char *gl_progname;
extern int gl_status; /* worst exit status so far */

void gl_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void gl_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void *gl_xmalloc(size_t n);
void *gl_xcalloc(size_t n, size_t size);
void *gl_xrealloc(void *p, size_t n, size_t size);
char *gl_xstrdup(const char *s);
const char *gl_bfd_msg(void);

/* ---- the model (object.c, sites.c) ----------------------------------- */

struct gl_sec {
	struct bfd_section *bs;
	const char *name;
	unsigned long vma, size;
	long filepos;
	int exec, alloc, contents;
	unsigned char *data; /* loaded for code and table sections */
};

/* A relocation of a code section or of the table, as BFD gives it. */
struct gl_rel {
	struct gl_sec *sec;  /* the section it relocates */
	unsigned long off;   /* in that section */
	unsigned int size;   /* bytes it changes */
	int pcrel;
	const char *sym;     /* symbol name */
	struct gl_sec *ssec; /* symbol's section, 0 if undefined/absolute */
	int undef;
};

/* One per table entry, in table order: 16 bytes, since a big table's
 * records are most of the memory a run touches (every page of them is a
 * page fault, a page zeroed and a page freed: a tenth of a bind when they
 * were 32, a fifth at 64).  What can be derived is: gl_site_sec,
 * gl_site_addr, gl_site_gate, gl_site_index, gl_site_entry; what few
 * objects have is beside the array: gl_site_sym. */
struct gl_site {
	unsigned int secno;    /* where the site is: obj->secs index + 1, 0: in none */
	unsigned int off;      /* offset in that section (i386: 32 bits); outside every
				* section, in a linked image: the address */
	unsigned int info;     /* as stored (by-name: without the symbol) */
	unsigned char kind;    /* from info, in a byte the record has spare */
	unsigned char located; /* site position known */
	unsigned char state;   /* enum lg_state */
	unsigned char rel;     /* while reading: GL_REL_* */
};
_Static_assert(sizeof(struct gl_site) == 16, "a site record grows every page a big table touches");

static inline unsigned int gl_site_gate(const struct gl_site *s)
{
	return s->info & LG_GATE_MAX;
}

/* stub.h's view of S's entry (rel aside), for its lg_site_* tests. */
static inline struct lg_site gl_site_as_entry(const struct gl_site *s)
{
	struct lg_site e;

	e.rel = 0;
	e.info = s->info;
	return e;
}

/* Does S's entry carry the C-call flag (doc/FORMAT.md, "C-call sites":
 * bound near to the gate's implementation, never far)?  On a valid table
 * that is a k32 site; check reports the flag on any other kind. */
static inline int gl_site_ccall(const struct gl_site *s)
{
	struct lg_site e = gl_site_as_entry(s);

	return lg_site_ccall(&e);
}

#define GL_REL_DONE 1 /* the rel field's relocation was applied */
#define GL_REL_BAD 2  /* it could not be */

struct gl_note {
	struct gl_sec *sec; /* 0: no note */
	unsigned long desc; /* offset of desc in sec */
	long start, end;
	unsigned int flags;
};

/* A table section and its entries' records, obj->sites[first .. first+n-1]. */
struct gl_table {
	struct gl_sec *sec;
	size_t first, n;
};

struct gl_sym;

struct gl_obj {
	const char *path;  /* file on disk */
	char *name;        /* path, or path(member) */
	struct bfd *abfd;
	int linked;        /* executable or shared object */
	int elf, dynamic;
	struct gl_sec *secs;
	size_t nsecs;
	struct bfd_symbol **syms;
	long nsyms;
	struct gl_sym *by_name; /* defined symbols by name (gl_sym_value) */
	size_t nby_name;
	struct gl_rel *crel; /* relocations of code sections, by section */
	size_t ncrel;
	struct gl_site *sites;
	size_t nsites;
	/* By-name sites' gate symbols, by site index: 0 until the first
	 * by-name relocation (most objects have none), then nsites long. */
	const char **names;
	struct gl_table *tables;
	size_t ntables;
	struct gl_note note;
	int broken;        /* errors found while reading */
	int told_howto;
	/* gl_sec_at's last code section, and whether code sections overlap
	 * (0 not known yet, 1 no: the last one is the answer when it holds
	 * the address, 2 yes: always search). */
	struct gl_sec *code_hint;
	int code_overlap;
};

/* The section of site S, 0 when it is outside every section. */
static inline struct gl_sec *gl_site_sec(const struct gl_obj *obj, const struct gl_site *s)
{
	return s->secno ? &obj->secs[s->secno - 1] : 0;
}

/* The secno of SEC (0 for none), to compare with a site's. */
static inline unsigned int gl_secno(const struct gl_obj *obj, const struct gl_sec *sec)
{
	return sec ? (unsigned int)(sec - obj->secs) + 1 : 0;
}

/* Linked images: the address of site S, in the section's or without one.
 * Sections are where their vma says (i386: addresses are 32 bits). */
static inline unsigned int gl_site_addr(const struct gl_obj *obj, const struct gl_site *s)
{
	return s->secno ? (unsigned int)(obj->secs[s->secno - 1].vma + s->off) : s->off;
}

/* A by-name site's gate symbol (the info word's relocation), else 0. */
static inline const char *gl_site_sym(const struct gl_obj *obj, const struct gl_site *s)
{
	return obj->names ? obj->names[s - obj->sites] : 0;
}

/* A defined symbol, for lookups by name; I: its index in the symbol table. */
struct gl_sym {
	const char *name;
	unsigned long value;
	long i;
};

/* Called for each object of a file (each member of an archive). */
typedef int (*gl_obj_fn)(struct gl_obj *obj, void *arg);

/* input.c */
void gl_bfd_init(void);
int gl_each_object(const char *path, int single, gl_obj_fn fn, void *arg);

/* object.c: read one object that BFD recognised (then gl_sites_load) */
int gl_obj_load(struct gl_obj *obj);
void gl_obj_free(struct gl_obj *obj);
struct gl_sec *gl_sec_at(struct gl_obj *obj, unsigned long addr, unsigned long len);
struct gl_sec *gl_sec_of(struct gl_obj *obj, const struct bfd_section *bs);
const struct gl_rel *gl_crel_in(const struct gl_obj *obj, const struct gl_sec *sec,
				unsigned long off, unsigned long len);
int gl_sym_value(struct gl_obj *obj, const char *name, unsigned long *value);
struct reloc_cache_entry **gl_sec_relocs(struct gl_obj *obj, struct gl_sec *sec, long *n);
int gl_is_table(const struct gl_sec *sec);
const char *gl_c_name(const struct gl_obj *obj, const char *sym);

/* sites.c: the note and the site tables of an object gl_obj_load read */
int gl_sites_load(struct gl_obj *obj);
const unsigned char *gl_site_bytes(const struct gl_obj *obj, const struct gl_site *s);
unsigned int gl_site_index(const struct gl_obj *obj, const struct gl_site *s);
void gl_site_entry(const struct gl_obj *obj, const struct gl_site *s, const struct gl_sec **t,
		   unsigned long *off);
const char *gl_stub_sym(const struct gl_obj *obj, const struct gl_site *s);

/* ---- findings: diag.c prints them, rules.c has the rules ------------- */

enum gl_sev { GL_WARNING, GL_ERROR };
struct gl_defs;

/* Print a finding about OBJ at SEC+OFF (SEC may be 0).  GATE may be 0. */
void gl_finding(struct gl_obj *obj, enum gl_sev sev, const struct gl_sec *sec,
		unsigned long off, const char *gate, const char *rule, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));
extern int gl_nerrors, gl_nwarnings;
extern FILE *gl_findings_fp; /* stdout for check, stderr otherwise */
void gl_gate_str(const struct gl_obj *obj, const struct gl_site *s, const struct gl_defs *defs,
		 char *buf, size_t n);
void gl_site_where(const struct gl_obj *obj, const struct gl_site *s, const struct gl_sec **sec,
		   unsigned long *off);

/* sort merges entries that repeat another entry exactly; check reports
 * them as overlaps. */
extern int gl_allow_duplicates;

/* The rules: every site (state, overlap, defs), then stray stubs. */
int gl_rules_sites(struct gl_obj *obj, const struct gl_defs *defs);
int gl_rules_stray(struct gl_obj *obj, const struct gl_defs *defs);

/* ---- defs.c ---------------------------------------------------------- */

#define GL_ACC_KERNEL 1u
#define GL_ACC_APP 2u

struct gl_gate_def {
	unsigned int number, access;
	char *name;
};

struct gl_defs {
	char *api;
	char *source;
	struct gl_gate_def *by_num;  /* sorted by number, then file order */
	struct gl_gate_def **by_name; /* sorted by name */
	size_t n;
};

int gl_defs_read_list(struct gl_defs *d, FILE *f, const char *source);
int gl_defs_load_list(struct gl_defs *d, const char *path);
int gl_defs_load_gatec(struct gl_defs *d, const char *path, const char *gatec);
const struct gl_gate_def *gl_defs_num(const struct gl_defs *d, unsigned int number);
const struct gl_gate_def *gl_defs_name(const struct gl_defs *d, const char *name);
const struct gl_gate_def *gl_defs_sym(const struct gl_defs *d, const char *sym);
void gl_defs_free(struct gl_defs *d);

/* ---- map.c ----------------------------------------------------------- */

/* An offset of a map line: NUM, or SYM (a symbol of the image) + ADD. */
struct gl_off {
	unsigned long num;
	char *sym;
	long add;
};

/* impl: the implementation, the only target of C-call sites. */
struct gl_target {
	unsigned int gate;
	int has_far, has_gate, has_near, has_impl;
	unsigned int far_sel, gate_sel;
	struct gl_off far, near, impl;
	unsigned int line;
};

struct gl_map {
	char *path;
	char *api;
	void *index; /* the targets, a tsearch tree by gate */
};

int gl_map_load(struct gl_map *m, const char *path, const struct gl_defs *defs);
const struct gl_target *gl_map_find(const struct gl_map *m, unsigned int gate);
void gl_map_free(struct gl_map *m);

/* ---- output.c: write to a temporary file, rename when complete ------- */

struct gl_out {
	char *path; /* the destination */
	char *tmp;  /* the temporary file in the same directory */
	int fd;
};

int gl_out_open(struct gl_out *o, const char *path, unsigned int mode);
int gl_out_commit(struct gl_out *o);
void gl_out_abort(struct gl_out *o);

/* ---- elfcopy.c: copy an ELF file section by section with libelf ----- */

struct gl_elf; /* opaque */

struct gl_elf *gl_elf_open(const char *in, const char *out);
/* Writable contents of the section that BFD calls SEC (copy on first use). */
unsigned char *gl_elf_data(struct gl_elf *e, const struct gl_sec *sec);
/* The same, writing into sec->data, which must live until commit. */
unsigned char *gl_elf_take(struct gl_elf *e, struct gl_sec *sec);
int gl_elf_commit(struct gl_elf *e);
void gl_elf_abort(struct gl_elf *e);
/* For resolve: the libelf handles. */
struct Elf *gl_elf_out(struct gl_elf *e);
void *gl_elf_scn_data(struct gl_elf *e, size_t shndx, size_t *size);
void gl_elf_set_size(struct gl_elf *e, size_t shndx, size_t size);
/* symtab.c: drop the symbols marked in DROP, renumber every reference. */
int gl_resolve_prune(struct Elf *elf, struct gl_elf *e, size_t symndx, const int *drop);

/* ---- subcommands ----------------------------------------------------- */

struct gl_opts {
	const char *defs, *defs_list, *gatec, *map, *output;
	int json, near, keep_symbols;
	struct gl_defs *api; /* loaded */
};

int gl_cmd_list(struct gl_opts *o, int argc, char **argv);
int gl_cmd_check(struct gl_opts *o, int argc, char **argv);
int gl_cmd_resolve(struct gl_opts *o, int argc, char **argv);
int gl_cmd_bind(struct gl_opts *o, int argc, char **argv);
int gl_cmd_unbind(struct gl_opts *o, int argc, char **argv);
int gl_cmd_sort(struct gl_opts *o, int argc, char **argv);

/* Shared by the writing subcommands: load IN (one ELF object or image),
 * refuse it if its table breaks a rule, then call FN to rewrite it. */
typedef int (*gl_write_fn)(struct gl_obj *obj, struct gl_elf *e, void *arg);
int gl_rewrite(struct gl_opts *o, const char *in, gl_write_fn fn, void *arg);

#endif
