/* The core's batches (lg_batch) over every loaded module: bind-all and
 * replacement.  Writes are held back and written span by span (code.c);
 * binds to tell are kept until the lock is released.
 *
 * Lock held; no libc beyond what a signal handler may call. */
#define _GNU_SOURCE /* mremap */
#include <stdlib.h>
#include <sys/mman.h>
#include "user.h"

struct ctx {
	int mode;              /* the bind mode, read once for all phases */
	struct lg_told *told;  /* 0: nobody to tell */
};

static int alone(void *ctx)
{
	(void)ctx;
	return lg_code_alone();
}

static const struct lg_site *table(void *ctx, unsigned int i, size_t *n)
{
	(void)ctx;
	return lg_modules_table(i, n);
}

/* A site that cannot be bound is left to report at its first call. */
static unsigned int bind_form(void *ctx, struct lg_edit *x)
{
	const char *why;

	return lg_form(x, ((const struct ctx *)ctx)->mode, &why);
}

static unsigned long far_target(void *ctx, unsigned int sel, unsigned int off)
{
	(void)ctx;
	return sel == lg_code_selector() ? off : 0;
}

static int grow(struct lg_told *t)
{
	size_t cap = t->cap ? t->cap * 2 : 4096 / sizeof *t->e;
	void *p = t->cap ? mremap(t->e, t->cap * sizeof *t->e, cap * sizeof *t->e, MREMAP_MAYMOVE)
			 : mmap(0, cap * sizeof *t->e, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return -1;
	t->e = p;
	t->cap = cap;
	return 0;
}

/* Count X, and keep a bind to tell (out of memory, it goes untold). */
static void keep(void *ctx, const struct lg_edit *x)
{
	struct lg_told *t = ((struct ctx *)ctx)->told;

	if (x->unbind) {
		lg_count(unbinds);
		return;
	}
	lg_count(binds);
	if (t && (t->n < t->cap || !grow(t)))
		t->e[t->n++] = *x;
}

static long batch(const struct lg_api *old, const struct lg_api *new_api, struct lg_told *told)
{
	struct ctx c = {lg_bind_mode(), told};
	struct lg_batch_ops o = {{0, 0, 0, 0}, lg_code_flush, alone, table, bind_form, far_target, keep};

	o.code = lg_code_batch_ops;
	o.code.ctx = &c;
	return old ? lg_replace(&lg_providers, &o, old, new_api) : lg_batch(&o, 0);
}

/* Bind every site of every known module whose provider is known, in one
 * batch.  The number bound. */
long lg_bind_all_locked(struct lg_told *told)
{
	long n = batch(0, 0, lg_telling() ? told : 0);
	struct lg_buf m = {{0}, 0};

	if (n >= 0)
		return n;
	/* Sites may be left claimed, and a claimed site nobody binds would
	 * kill its caller: stop here, loudly. */
	lg_unlock();
	lg_put(&m, "lazygate: cannot write the code (/proc/self/mem) to bind all sites");
	lg_flush(&m);
	abort();
}

/* Unbind OLD's sites in one batch, then serve its gates from NEW: the
 * number unbound, or an LG_E code. */
long lg_replace_locked(const struct lg_api *old_api, const struct lg_api *new_api)
{
	return batch(old_api, new_api, 0);
}

/* Tell what TOLD kept, and forget it.  Lock not held. */
void lg_tell(struct lg_told *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		lg_announce(&t->e[i]);
	if (t->cap)
		munmap(t->e, t->cap * sizeof *t->e);
	t->e = 0;
	t->n = t->cap = 0;
}
