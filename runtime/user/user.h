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
typedef long (*lg_table_fn)(const struct lg_site *t, size_t n, void *arg);
long lg_modules_tables(lg_table_fn fn, void *arg); /* the sum of FN's, or its first < 0 */

/* code.c: writing code without making it writable, and serializing CPUs. */
int lg_code_init(void);
int lg_code_write(unsigned char *dst, const unsigned char *src, unsigned int n);
void lg_code_sync(void);
int lg_code_alone(void);
int lg_code_patch(unsigned char *site, const unsigned char *to, unsigned int len);
unsigned int lg_code_selector(void);

/* providers.c */
const struct lg_gate *lg_provider_find(unsigned int gate, const struct lg_api **api,
				       int implemented);
const struct lg_gate *lg_bind_gate(unsigned int gate, unsigned int kind,
				   const struct lg_api **api, const char **why);
unsigned int lg_bind_encode(const struct lg_site *e, const struct lg_gate *g, int mode,
			    unsigned char *to);
unsigned int lg_bound_bytes(const struct lg_site *e, unsigned char *to, const struct lg_gate **g,
			    const struct lg_api **api, const char **why);
int lg_bind_mode(void);
extern int lg_bind_now;

/* batch.c: many sites patched together, in two serialization rounds. */
struct lg_edit {
	unsigned long site;
	const struct lg_site *entry;
	const struct lg_gate *gate;
	const struct lg_api *api;
	unsigned char to[LG_MAXLEN];
	unsigned char len;
};
struct lg_batch {
	struct lg_edit *e;
	size_t n, cap;
	int failed; /* an add ran out of memory */
};
int lg_batch_add(struct lg_batch *b, const struct lg_site *s, const unsigned char *to,
		 unsigned int len, const struct lg_gate *g, const struct lg_api *api);
int lg_batch_patch(const struct lg_batch *b);
long lg_batch_bind_all(void);
void lg_batch_free(struct lg_batch *b);

/* fault.c: binding everything that can be bound (lock held), and telling
 * the trace and the hook about binds (lock not held). */
int lg_bind_all_locked(struct lg_batch *b);
void lg_batch_report(const struct lg_batch *b);

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
