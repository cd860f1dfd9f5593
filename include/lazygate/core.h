/* lazygate/core.h - the freestanding runtime core, shared by the kernel and
 * the userland resolvers: build stub bytes, tell which state a site is in,
 * find a site in a table, rewrite a site one byte at a time, and the
 * binding protocol over them: providers, bound forms, batches.
 *
 * No libc: everything here is safe in an interrupt or signal handler.
 */
#ifndef LAZYGATE_CORE_H
#define LAZYGATE_CORE_H

#include <stddef.h>
#include <lazygate/stub.h>
#include <lazygate/provider.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Site states. */
enum lg_state {
	LG_S_NONE = 0, /* not a state of this kind: never patch, never wait */
	LG_S_INITIAL,  /* faults: 3E 67 9A gate 02 00 ... */
	LG_S_TRAP,     /* claimed: CD vv ... (being written) */
	LG_S_BOUND,    /* far call to a real selector */
	LG_S_NEAR      /* K32 only: 3E 67 2E 2E E8 rel32 */
};

/* What lg_classify reads from bytes alone. */
struct lg_decoded {
	int kind;              /* LG_K32..LG_A16; -1 if unknown */
	enum lg_state state;
	unsigned int gate;     /* initial state */
	unsigned int offset;   /* bound far: offset (0 for call gates) */
	unsigned int selector; /* bound far */
	int rel;               /* bound near: rel32 from site + 9 */
	unsigned int len;
};

unsigned int lg_initial(unsigned int kind, unsigned int gate, unsigned char *out);
unsigned int lg_bound_far(unsigned int kind, unsigned int offset,
			  unsigned int selector, unsigned char *out);
unsigned int lg_bound_near(unsigned long site, unsigned long target, unsigned char *out);
enum lg_state lg_match(const unsigned char *p, unsigned int kind, unsigned int gate);
int lg_is_initial(const unsigned char *p, unsigned int kind, unsigned int gate);
enum lg_state lg_classify(const unsigned char *p, size_t avail, struct lg_decoded *d);
/* A #GP with error code ERR at the site of entry E (0: the address is no
 * site): the state the site's bytes are in now if the fault can be
 * lazygate's, LG_S_NONE (pass it on) if not.  ERR must be one the site
 * can raise, 0 or its own vector in either encoding; a non-zero ERR then
 * says the thread executed the trap state.  Reads the site's bytes. */
enum lg_state lg_gp_state(const struct lg_site *e, unsigned int err);
const char *lg_kind_name(unsigned int kind);
const char *lg_state_name(enum lg_state s);

/* Tables (arrays of struct lg_site, see stub.h). */
int lg_table_valid(const struct lg_site *t, size_t n);
int lg_table_sorted(const struct lg_site *t, size_t n);
void lg_table_copy(struct lg_site *dst, const struct lg_site *src, size_t n);
void lg_table_sort(struct lg_site *t, size_t n);
const struct lg_site *lg_table_find(const struct lg_site *t, size_t n, unsigned long addr);

/* The patch protocol.  The runtime supplies how to claim a head byte (an
 * atomic exchange, or a lock plus a store), how to write code bytes, and how
 * to make every other CPU execute a serializing instruction. */
struct lg_patch_ops {
	int (*claim)(void *ctx, unsigned char *site, unsigned char head); /* head -> CD; 0 = won */
	int (*write)(void *ctx, unsigned char *dst, const unsigned char *src, unsigned int n);
	void (*sync)(void *ctx);
	void *ctx;
};

/* Result codes of lg_patch. */
#define LG_OK 0
#define LG_ELOST (-1)  /* another CPU claimed the site first */
#define LG_EWRITE (-2) /* a write failed; the site is left claimed */
#define LG_EBYTE (-3)  /* from/to disagree on byte 1 (the trap vector) */

int lg_patch(const struct lg_patch_ops *ops, unsigned char *site,
	     const unsigned char *from, const unsigned char *to, unsigned int len);

/* Results of the provider and batch functions below, beside the above. */
#define LG_EINVAL (-4) /* a provider table of another version, unsorted, or incomplete */
#define LG_EEXIST (-5) /* a gate another registered provider implements */
#define LG_ENOENT (-6) /* not a registered provider */
#define LG_EFULL (-7)  /* no room for another provider */

/* Providers (runtime/core/provider.c).  A runtime keeps the providers it
 * serves in one set, an array it owns; one gate number space per set. */
struct lg_providers {
	const struct lg_api **api;
	unsigned int n, max;
};
int lg_api_valid(const struct lg_api *a);
const struct lg_gate *lg_api_gate(const struct lg_api *a, unsigned int gate);
/* The gate's entry in the provider that implements it (impl set), else in
 * one that only names it (impl 0), else 0; its provider in *API. */
const struct lg_gate *lg_lookup(const struct lg_providers *s, unsigned int gate,
				const struct lg_api **api);
/* Add A: LG_OK, 1 if it is already there, or LG_EINVAL, LG_EEXIST, LG_EFULL. */
int lg_provide(struct lg_providers *s, const struct lg_api *a);
/* May OLD's gates be served from NEW (0: withdraw OLD)?  OLD's slot for
 * lg_swap, or LG_ENOENT, LG_EINVAL, LG_EEXIST. */
int lg_swappable(const struct lg_providers *s, const struct lg_api *old, const struct lg_api *new_api);
void lg_swap(struct lg_providers *s, int slot, const struct lg_api *new_api);

/* One site's new bytes: what the runtime's bind_form op and lg_encode fill in,
 * what its tell op is told. */
struct lg_edit {
	const struct lg_site *entry;
	const struct lg_gate *gate; /* bound to (or, unbinding, unbound from) */
	const struct lg_api *api;
	unsigned long target;       /* the entry called: near_entry, impl or far_entry */
	unsigned int sel;           /* the far call's selector; 0: near */
	unsigned int len;
	int unbind;
	unsigned char to[LG_MAXLEN];
};
/* X's bound form into X->gate: near to the implementation at a C-call
 * site, near to the near entry if NEAR, else far to the far entry through
 * SEL.  Its length. */
unsigned int lg_encode(struct lg_edit *x, int near, unsigned int sel);

/* Batches (runtime/core/batch.c): lg_patch's protocol for many sites at
 * once, every claim, sync, every tail, sync, every head: two rounds in
 * all.  Each phase finds its sites again, in the tables, by their bytes.
 * The runtime holds its lock throughout and supplies, beside lg_patch's
 * operations (whose writes may be held back until flush): */
struct lg_batch_ops {
	struct lg_patch_ops code;
	int (*flush)(void *ctx);   /* end of a phase: write what was held back; may be 0 */
	int (*alone)(void *ctx);   /* no other CPU can run the code: one phase, no sync; may be 0 */
	/* Table I of those the batch covers (sorted), its length in *N; 0 past the last. */
	const struct lg_site *(*table)(void *ctx, unsigned int i, size_t *n);
	/* Binding: X->entry's bound bytes, gate and api in X (lg_encode); 0
	 * to leave the site as it is.  The same answer in every phase. */
	unsigned int (*bind_form)(void *ctx, struct lg_edit *x);
	/* Where a far call to SEL:OFF goes (a linear address); 0 if not ours. */
	unsigned long (*far_target)(void *ctx, unsigned int sel, unsigned int off);
	void (*tell)(void *ctx, const struct lg_edit *x); /* a site written */
};
/* Is site E, whose bytes are P, bound to one of G's entries?  A site bound
 * ahead of time to anything else (gatelink bind) is not. */
int lg_bound_to(const struct lg_batch_ops *ops, const struct lg_site *e, const unsigned char *p,
		const struct lg_gate *g);
/* Bind every initial site that ops->bind_form binds (OLD 0), or unbind every
 * site bound to a gate OLD implements.  The number of sites written, or
 * LG_EWRITE (a write failed: sites may be left claimed). */
long lg_batch(const struct lg_batch_ops *ops, const struct lg_api *old);
/* Unbind OLD's sites in one batch, then serve its gates from NEW (0:
 * withdraw OLD).  The number unbound, or LG_ENOENT, LG_EINVAL, LG_EEXIST,
 * LG_EWRITE (then the set is unchanged). */
long lg_replace(struct lg_providers *s, const struct lg_batch_ops *ops, const struct lg_api *old,
		const struct lg_api *new_api);

#ifdef __cplusplus
}
#endif
#endif
