/* gates.h - gatec's model of an API definition, shared by the reader
 * (lexer.l, parser.y, model.c, rdos.c, ctypes.c), the error printer
 * (diag.c), the emitters (emit_*.c) and the driver (gatec.c).
 */
#ifndef GATEC_GATES_H
#define GATEC_GATES_H

#include <stdio.h>
#include <stddef.h>

/* ---- Source locations ------------------------------------------------
 * Lines and columns are 1-based; a column counts bytes (a tab is one
 * column).  last_column is exclusive: a token of length 3 at column 5 has
 * first_column 5 and last_column 8.  The field names are bison's, so the
 * parser's default YYLLOC_DEFAULT works on this type. */
struct loc {
	int first_line, first_column;
	int last_line, last_column;
};

/* ---- diag.c: errors in gcc's format, with the source line and a caret - */
#define DIAG_MAX_ERRORS 20
void diag_init(const char *filename, const char *text, size_t len);
void diag_error(const struct loc *l, const char *fmt, ...)
	__attribute__((__format__(__printf__, 2, 3)));
int diag_count(void);
/* The text of the source covered by L (first line only), malloc'ed. */
char *diag_text(const struct loc *l);
/* "gatec: " messages about usage and I/O (exit status 2). */
void diag_tool(const char *fmt, ...) __attribute__((__format__(__printf__, 1, 2)));

/* ---- Registers ------------------------------------------------------- */
enum reg { REG_EAX, REG_EBX, REG_ECX, REG_EDX, REG_ESI, REG_EDI, NREGS };
extern const char *const reg_name[NREGS];       /* "eax" ... */
extern const char *const reg_constraint[NREGS]; /* "a" ... "D" */
int reg_lookup(const char *name); /* enum reg or -1 */

/* ---- C types (ctypes.c) ------------------------------------------------
 * A parameter's type as written: words (qualifiers, specifiers, a typedef
 * name or "struct TAG") and then zero or more '*'. */
struct ctype {
	char *text;   /* the words, single-spaced: "const char", "struct foo" */
	char *unqual; /* the same without top-level const/volatile (casts) */
	int stars;    /* pointer depth */
	int narrow;   /* a value narrower than 32 bits (char, short, bool...) */
	int is_bool;  /* bool: only the low byte of the register counts */
	int qualified;    /* const or volatile at the top level (stars == 0) */
	char *struct_tag; /* the tag of "struct TAG", or NULL */
	int ssize;        /* uses ssize_t (needs <sys/types.h>) */
};

struct words {
	char **word;
	struct loc *loc;
	int n;
};

/* Check WORDS + STARS as a register-sized type; on error, print it (at
 * LOC, naming WHAT) and return -1. */
int ctype_make(struct ctype *t, const struct words *w, int stars,
	       const struct loc *l, int output);
/* Print "T NAME" or "T *NAME", with EXTRA_STARS more '*' (an output's
 * pointer parameter); top-level qualifiers are kept only if KEEP_QUALS. */
void ctype_print_decl(FILE *f, const struct ctype *t, int extra_stars, const char *name,
		      int keep_quals);
/* Print the type for a cast: "int", "const char *" (no top-level qualifiers). */
void ctype_print_cast(FILE *f, const struct ctype *t);
int is_c_keyword(const char *s);  /* C99/C11 or C++ keyword */
int is_type_word(const char *s);  /* a word that may start or be a type */

/* ---- The model --------------------------------------------------------- */
enum access { ACC_BOTH, ACC_KERNEL, ACC_APP };

struct param {
	int reg;
	struct ctype type;
	char *name;
};

struct gate {
	unsigned long number;
	char *name;
	int line;
	struct loc name_loc, number_loc;
	enum access access;
	int raw;   /* no signature: the implementation gets struct lg_regs * */
	int carry; /* failure in CF */
	int regparm; /* the implementation takes the gate's registers itself */
	int nin, nout;
	struct param in[NREGS], out[NREGS];
	int alias_of; /* index of the primary gate, or -1 for a primary */
};

struct api {
	char *name;
	int line; /* of the api declaration, 0 if none (yet) */
	struct gate *gate; /* primaries and aliases in declaration order */
	int ngates, cap;
	int nprimary;
	int uses_regs;  /* some gate is raw */
	int uses_ssize; /* some type is ssize_t */
	char **tags; /* struct tags used, to forward-declare */
	int ntags, tagcap;
	/* model.c's indexes (tsearch trees): names case-folded, primaries by
	 * number, tags */
	void *by_name, *by_number, *tag_set;
};

/* ---- Reading (lexer.l, parser.y, model.c, rdos.c) ----------------------- */
enum format { FMT_GATES, FMT_RDOS };

/* A number token: its value (saturated), and whether it was well formed. */
struct num {
	unsigned long long v;
	int ok;
};

/* One parameter as parsed, before checking. */
struct pdecl {
	char *reg;
	struct loc reg_loc;
	struct words type;
	int stars;
	struct loc type_loc; /* the words and stars */
	char *name;          /* NULL: missing */
	struct loc name_loc;
};

struct plist {
	struct pdecl *p;
	int n;
};

struct sig {
	struct plist in, out;
	int carry;
	int regparm;
	struct loc regparm_loc;
};

/* Everything the reader needs; the parser's %parse-param. */
struct reader {
	enum format format;
	struct api *api;
	const char *api_override; /* --api */
	enum access rdos_access;  /* --access, for RDOS gates */
	int api_missing_said;
	/* RDOS: the table size, if declared */
	char *size_name;
	unsigned long long size;
	int size_line;
	int size_set;
	/* the scanner's state (lexer.l) */
	int line, col;     /* position of the next character */
	int start_token;   /* returned first: which grammar to use */
	int need_eol;      /* RDOS: the current line has tokens */
	struct loc prev;   /* the token before the last one returned */
	struct loc last;   /* the last token returned (the parser's lookahead) */
	struct loc comment; /* where an open comment began */
};

/* parser.y: read TEXT (already given to diag_init); 0 if it had no errors. */
int read_definition(struct reader *rd, const char *text, size_t len);

/* model.c: freeing what the parser collected (its %destructors) */
void words_free(struct words *w);
void pdecl_free(struct pdecl *p);
void plist_free(struct plist *pl);
void sig_free(struct sig *sig);

/* model.c: the parser's actions for .gates; each takes the strings and the
 * signature it is given */
void model_api(struct reader *rd, const struct loc *kw, char *name, const struct loc *name_loc);
void model_gate(struct reader *rd, enum access access, const struct loc *kw,
		struct num number, const struct loc *num_loc, char *name,
		const struct loc *name_loc, struct sig *sig);
void model_alias(struct reader *rd, const struct loc *kw, char *name,
		 const struct loc *name_loc, char *target, const struct loc *target_loc);
void model_finish(struct reader *rd, const struct loc *eof);
/* Shared helpers */
int model_find_name(const struct api *a, const char *name);
int model_find_number(const struct api *a, unsigned long number);
struct gate *model_add(struct api *a, const struct gate *g);
void model_free(struct api *a);
int model_check_name(struct reader *rd, const char *name, const struct loc *l);

/* rdos.c: the parser's actions for RDOS .def files; rdos_finish comes
 * before model_finish */
void rdos_assign(struct reader *rd, char *name, const struct loc *name_loc,
		 struct num number, const struct loc *num_loc);
void rdos_finish(struct reader *rd);

/* ---- Emitting --------------------------------------------------------- */
struct emit_info {
	const char *source;         /* input base name, for the banner */
	const char *header_include; /* what the provider #includes */
};

/* The primary gate of G (G itself for a primary). */
const struct gate *gate_primary(const struct api *a, const struct gate *g);

/* emit_header.c, shared with emit_provider.c */
const char *access_text(enum access acc);
/* The implementation returns its outputs through pointers (carry, or more
 * than one output) rather than as its value. */
int outputs_by_pointer(const struct gate *g);
/* "RET API_INFIXNAME(PARAMS)": the wrapper's and the implementation's. */
void print_impl_attrs(FILE *f, const struct gate *g);
void print_prototype(FILE *f, const char *api, const char *infix, const struct gate *g,
		     const char *name);

void emit_header(FILE *f, const struct api *a, const struct emit_info *ei);
void emit_asm(FILE *f, const struct api *a, const struct emit_info *ei);
void emit_generic_asm(FILE *f, const char *banner_source);
void emit_provider(FILE *f, const struct api *a, const struct emit_info *ei);
void emit_list(FILE *f, const struct api *a); /* emit_list.c: gatec --list */

/* ---- outfile.c: outputs that appear whole or not at all ----------------
 * out_open creates a temporary file next to PATH; out_commit renames it
 * into place; out_discard removes it.  Messages go to stderr. */
struct outfile {
	const char *path;
	char *tmp;
	FILE *f;
};
int out_open(struct outfile *o, const char *path);
int out_close(struct outfile *o); /* flush and close; -1 on a write error */
int out_commit(struct outfile *o);
void out_discard(struct outfile *o);

/* diag.c: the version string for banners and --version. */
extern const char gatec_version[];

/* Memory helpers that never return NULL (they exit with status 2). */
void *xmalloc(size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

#endif
