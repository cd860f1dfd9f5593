/* Internal interfaces of the Linux i386 userland runtime. */
#ifndef LG_USER_H
#define LG_USER_H

#include <signal.h>
#include <lazygate/core.h>
#include <lazygate/lazygate.h>

/* lock.c: one lock serializes lookups, claims and writes.  A thread that
 * meets the trap state waits by taking it: the binder holds it until the
 * new head is written. */
void lg_lock(void);
void lg_unlock(void);
void lg_lock_blocking_signals(sigset_t *saved);
void lg_unlock_restoring_signals(const sigset_t *saved);

/* modules.c: the site tables of every loaded module. */
int lg_modules_refresh(void);
const struct lg_site *lg_modules_find(unsigned long addr);
typedef void (*lg_site_fn)(const struct lg_site *e, void *arg);
void lg_modules_each(lg_site_fn fn, void *arg);

/* code.c: writing code without making it writable, and serializing CPUs. */
int lg_code_init(void);
extern const struct lg_patch_ops lg_code_ops;
unsigned int lg_code_selector(void);

/* providers.c */
const struct lg_gate *lg_provider_find(unsigned int gate, const struct lg_api **api,
				       int implemented);
int lg_bind_mode(void);

/* log.c: async-signal-safe messages on stderr. */
struct lg_buf {
	char s[256];
	unsigned int n;
};
void lg_put(struct lg_buf *b, const char *s);
void lg_put_hex(struct lg_buf *b, unsigned long v, int digits);
void lg_put_dec(struct lg_buf *b, unsigned long v);
void lg_flush(struct lg_buf *b);

/* stats.c */
extern struct lazygate_stats lg_stats;
#define lg_count(field) __atomic_fetch_add(&lg_stats.field, 1, __ATOMIC_RELAXED)

#endif
