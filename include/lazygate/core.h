/* lazygate/core.h - the freestanding runtime core, shared by the kernel and
 * the userland resolvers: build stub bytes, tell which state a site is in,
 * find a site in a table, and rewrite a site one byte at a time.
 *
 * No libc: everything here is safe in an interrupt or signal handler.
 */
#ifndef LAZYGATE_CORE_H
#define LAZYGATE_CORE_H

#include <stddef.h>
#include <lazygate/stub.h>

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

#ifdef __cplusplus
}
#endif
#endif
