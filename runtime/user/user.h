/* Internal interfaces of the Linux i386 userland runtime: the OS glue
 * under runtime/core's protocol.  Each file uses only the files above it
 * in this list (no cycles); lazygate.c, the public entry points, is last. */
#ifndef LG_USER_H
#define LG_USER_H

#include <signal.h>
#include <lazygate/core.h>
#include <lazygate/lazygate.h>

/* log.c: async-signal-safe messages on stderr. */
struct lg_buf {
	char s[256];
	unsigned int n;
};
void lg_put(struct lg_buf *b, const char *s);
void lg_put_hex(struct lg_buf *b, unsigned long v, int digits);
void lg_put_dec(struct lg_buf *b, unsigned long v);
void lg_put_gate(struct lg_buf *b, unsigned int gate, const char *api, const char *name);
void lg_flush(struct lg_buf *b);

/* lock.c: one lock serializes lookups, claims and writes.  A thread that
 * meets the trap state waits by taking it: the binder holds it until the
 * new head is written. */
void lg_lock(void);
void lg_unlock(void);
void lg_lock_blocking_signals(sigset_t *saved);
void lg_unlock_restoring_signals(const sigset_t *saved);

/* stats.c */
extern struct lazygate_stats lg_stats;
#define lg_count(field) __atomic_fetch_add(&lg_stats.field, 1, __ATOMIC_RELAXED)

/* code.c: writing code without making it writable, and serializing CPUs:
 * the core's code operations, for one site (lg_patch) or a batch. */
int lg_code_init(void);
int lg_code_write(unsigned char *dst, const unsigned char *src, unsigned int n);
void lg_code_sync(void);
int lg_code_alone(void);
int lg_code_patch(unsigned char *site, const unsigned char *to, unsigned int len);
unsigned int lg_code_selector(void);
extern const struct lg_patch_ops lg_code_batch_ops; /* writes held back until lg_code_flush */
int lg_code_flush(void *ctx);

/* modules.c: the site tables of every loaded module. */
int lg_modules_refresh(void);
const struct lg_site *lg_modules_find(unsigned long addr);
const struct lg_site *lg_modules_table(unsigned int i, size_t *n);

/* providers.c: who serves which gate, and what a site becomes. */
const struct lg_gate *lg_provider(unsigned int gate, const struct lg_api **api);
extern struct lg_providers lg_providers;
unsigned int lg_form(struct lg_edit *x, int mode, const char **why);
int lg_bind_mode(void);
extern int lg_bind_now;

/* events.c: the trace and the hook, told of binds (lock not held). */
extern int lg_trace;
int lg_telling(void);
void lg_announce(const struct lg_edit *x);

/* bind.c: the core's batches over every module; the binds to tell once
 * the lock is released (when somebody is to be told). */
struct lg_told {
	struct lg_edit *e;
	size_t n, cap;
};
long lg_bind_all_locked(struct lg_told *told);
long lg_replace_locked(const struct lg_api *old_api, const struct lg_api *new_api);
void lg_tell(struct lg_told *told);

/* fault.c: the SIGSEGV handler. */
extern int lg_init_failed;
int lg_fault_install(void);

#endif
