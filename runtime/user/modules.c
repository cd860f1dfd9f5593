/* Finding site tables.  Every linked module with sites carries one
 * ".note.lazygate" note (doc/FORMAT.md) in a PT_NOTE segment, which
 * dl_iterate_phdr shows for the executable, its libraries and everything
 * dlopen()ed later.  The list is rebuilt whenever the loader's adds/subs
 * counters move, so tables of unloaded modules are never read.
 *
 * Tables the note does not mark sorted are copied to anonymous memory and
 * sorted there (the originals are read-only).  Called with the lock held. */
#define _GNU_SOURCE
#include <link.h>
#include <string.h>
#include <sys/mman.h>
#include "user.h"

#define MAX_MODULES 512

struct module {
	const struct lg_site *orig; /* the table in the module */
	const struct lg_site *t;    /* sorted: orig, or our copy */
	size_t n;
	unsigned long lo, hi; /* first site, end of last site */
};

static struct module mods[MAX_MODULES];
static int nmods;
static unsigned long long seen_adds = ~0ULL, seen_subs = ~0ULL;

struct scan {
	struct module next[MAX_MODULES];
	int n;
	unsigned long long adds, subs;
};

static void warn_table(const char *what, const struct lg_site *t)
{
	struct lg_buf b = {{0}, 0};

	lg_put(&b, "lazygate: ignoring the site table at 0x");
	lg_put_hex(&b, (unsigned long)t, 8);
	lg_put(&b, ": ");
	lg_put(&b, what);
	lg_flush(&b);
}

static const struct lg_site *sorted_copy(const struct lg_site *t, size_t n)
{
	size_t len = (n * sizeof *t + 4095) & ~4095UL;
	struct lg_site *c;
	int i;

	for (i = 0; i < nmods; i++)
		if (mods[i].orig == t && mods[i].n == n)
			return mods[i].t; /* copied on an earlier scan */
	c = mmap(0, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (c == MAP_FAILED)
		return 0;
	lg_table_copy(c, t, n);
	lg_table_sort(c, n);
	mprotect(c, len, PROT_READ);
	return c;
}

static void add_table(struct scan *s, const struct lg_site *t, size_t n, unsigned int flags)
{
	struct module *m;
	const struct lg_site *sorted = t;

	if (!n || s->n == MAX_MODULES)
		return;
	/* The flag saves even the check; a table that happens to be sorted
	 * (one object, or gatelink sort without the flag) is used in place. */
	if (!(flags & LG_NOTE_SORTED) && !lg_table_sorted(t, n))
		sorted = sorted_copy(t, n);
	if (!sorted)
		return warn_table("out of memory", t);
	if (!lg_table_valid(sorted, n))
		return warn_table("sites overlap or have unknown kinds", t);
	m = &s->next[s->n++];
	m->orig = t;
	m->t = sorted;
	m->n = n;
	m->lo = lg_site_addr(&sorted[0]);
	m->hi = lg_site_addr(&sorted[n - 1]) + lg_kind_len(lg_site_kind(&sorted[n - 1]));
}

static int is_ours(const ElfW(Nhdr) *nh)
{
	return nh->n_namesz == sizeof LG_NOTE_NAME && nh->n_type == LG_NOTE_TYPE &&
	       nh->n_descsz == LG_NOTE_DESCSZ &&
	       !memcmp(nh + 1, LG_NOTE_NAME, sizeof LG_NOTE_NAME);
}

static void scan_notes(struct scan *s, const char *p, size_t size)
{
	const char *end = p + size;

	while ((size_t)(end - p) >= sizeof(ElfW(Nhdr))) {
		const ElfW(Nhdr) *nh = (const void *)p;
		size_t nlen = (nh->n_namesz + 3) & ~3U, dlen = (nh->n_descsz + 3) & ~3U;
		const struct lg_note_desc *d = (const void *)(p + sizeof *nh + nlen);

		if (nlen + dlen > (size_t)(end - p) - sizeof *nh)
			return;
		if (is_ours(nh) && d->end >= d->start)
			add_table(s, (const void *)((const char *)d + d->start),
				  (size_t)(d->end - d->start) / LG_ENTRY_SIZE, d->flags);
		p += sizeof *nh + nlen + dlen;
	}
}

static int scan_module(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct scan *s = arg;
	int i;

	if (size >= offsetof(struct dl_phdr_info, dlpi_subs) + sizeof info->dlpi_subs) {
		s->adds = info->dlpi_adds;
		s->subs = info->dlpi_subs;
	}
	for (i = 0; i < info->dlpi_phnum; i++)
		if (info->dlpi_phdr[i].p_type == PT_NOTE)
			scan_notes(s, (const char *)(info->dlpi_addr + info->dlpi_phdr[i].p_vaddr),
				   info->dlpi_phdr[i].p_memsz);
	return 0;
}

static int read_counters(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct scan *s = arg;

	if (size < offsetof(struct dl_phdr_info, dlpi_subs) + sizeof info->dlpi_subs)
		return 1;
	s->adds = info->dlpi_adds;
	s->subs = info->dlpi_subs;
	return 1;
}

static void drop_stale(const struct scan *s)
{
	int i, j;

	for (i = 0; i < nmods; i++) {
		for (j = 0; j < s->n; j++)
			if (s->next[j].t == mods[i].t)
				break;
		if (j == s->n && mods[i].t != mods[i].orig)
			munmap((void *)mods[i].t, (mods[i].n * sizeof *mods[i].t + 4095) & ~4095UL);
	}
}

/* Rebuild the list if modules came or went.  Returns 1 if it was rebuilt. */
int lg_modules_refresh(void)
{
	static struct scan s; /* big; the lock protects it */
	unsigned long total = 0;
	int i;

	s.n = 0;
	s.adds = s.subs = 0;
	dl_iterate_phdr(read_counters, &s);
	if (s.adds == seen_adds && s.subs == seen_subs)
		return 0;
	dl_iterate_phdr(scan_module, &s);
	drop_stale(&s);
	memcpy(mods, s.next, sizeof mods[0] * (size_t)s.n);
	nmods = s.n;
	seen_adds = s.adds;
	seen_subs = s.subs;
	for (i = 0; i < nmods; i++)
		total += mods[i].n;
	lg_stats.tables = (unsigned long)nmods;
	lg_stats.sites = total;
	return 1;
}

const struct lg_site *lg_modules_find(unsigned long addr)
{
	int i;

	for (i = 0; i < nmods; i++)
		if (addr >= mods[i].lo && addr < mods[i].hi)
			return lg_table_find(mods[i].t, mods[i].n, addr);
	return 0;
}

/* Module I's table (sorted by address) and its length; 0 past the last. */
const struct lg_site *lg_modules_table(unsigned int i, size_t *n)
{
	*n = i < (unsigned int)nmods ? mods[i].n : 0;
	return i < (unsigned int)nmods ? mods[i].t : 0;
}
