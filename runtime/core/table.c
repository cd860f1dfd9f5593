/* Site tables: entries are PC-relative, so an entry that moves must have its
 * rel adjusted by the distance it moved.  Sorted means ascending site
 * address; a sorted table is searched in O(log n). */
#include <lazygate/core.h>

static unsigned long addr(const struct lg_site *e)
{
	return lg_site_addr(e);
}

/* Place the entry src (still at its own address) at dst. */
static void move(struct lg_site *dst, const struct lg_site *src)
{
	int rel = src->rel;
	unsigned int info = src->info;

	dst->rel = (int)(rel + ((unsigned long)src - (unsigned long)dst));
	dst->info = info;
}

static void swap(struct lg_site *a, struct lg_site *b)
{
	struct lg_site t;

	move(&t, a);
	move(a, b);
	move(b, &t);
}

void lg_table_copy(struct lg_site *dst, const struct lg_site *src, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		move(&dst[i], &src[i]);
}

int lg_table_sorted(const struct lg_site *t, size_t n)
{
	size_t i;

	for (i = 1; i < n; i++)
		if (addr(&t[i - 1]) >= addr(&t[i]))
			return 0;
	return 1;
}

/* Sorted, no two sites overlapping, every kind and flag known. */
int lg_table_valid(const struct lg_site *t, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!lg_site_known(&t[i]))
			return 0;
		if (i && addr(&t[i - 1]) + lg_kind_len(lg_site_kind(&t[i - 1])) > addr(&t[i]))
			return 0;
	}
	return 1;
}

static void sift(struct lg_site *t, size_t root, size_t n)
{
	size_t child;

	while ((child = 2 * root + 1) < n) {
		if (child + 1 < n && addr(&t[child]) < addr(&t[child + 1]))
			child++;
		if (addr(&t[root]) >= addr(&t[child]))
			return;
		swap(&t[root], &t[child]);
		root = child;
	}
}

/* Heapsort: in place, no allocation, O(n log n) worst case. */
void lg_table_sort(struct lg_site *t, size_t n)
{
	size_t i;

	for (i = n / 2; i-- > 0;)
		sift(t, i, n);
	for (i = n; i-- > 1;) {
		swap(&t[0], &t[i]);
		sift(t, 0, i);
	}
}

const struct lg_site *lg_table_find(const struct lg_site *t, size_t n, unsigned long a)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		unsigned long m = addr(&t[mid]);

		if (m == a)
			return &t[mid];
		if (m < a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}
