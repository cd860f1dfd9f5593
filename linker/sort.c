/* gatelink sort: sort the site table of a linked image by site address
 * with the runtime core's lg_table_sort, merge entries that repeat another
 * exactly, and mark the table sorted in the discovery note, so that a
 * runtime uses it in place (doc/FORMAT.md, "The discovery note").
 *
 * The core sorts struct lg_site arrays in memory, where an entry's site is
 * its own address + rel.  A buffer whose layout mirrors the section keeps
 * every site at the same distance from the buffer's start as from the
 * section's, so sorting the buffer sorts the section; the result is checked
 * against the section's own addresses before anything is written. */
#include <stdlib.h>
#include <string.h>
#include "gatelink.h"

static struct gl_sec *the_table(struct gl_obj *obj)
{
	struct gl_sec *t = 0;
	size_t i;

	for (i = 0; i < obj->nsecs; i++) {
		if (!gl_is_table(&obj->secs[i]))
			continue;
		if (t) {
			gl_error("%s: more than one %s section", obj->name, LG_SITES_SECTION);
			return 0;
		}
		t = &obj->secs[i];
	}
	if (!t)
		gl_error("%s: no %s section", obj->name, LG_SITES_SECTION);
	return t;
}

static int preconditions(struct gl_obj *obj)
{
	if (!obj->linked) {
		gl_error("%s: sort works on linked images (executables, shared objects)", obj->name);
		return -1;
	}
	if (!obj->note.sec) {
		gl_error("%s: no " LG_NOTE_SECTION " note: a runtime could not tell the table is "
			 "sorted", obj->name);
		return -1;
	}
	return 0;
}

/* Sort N entries of T (host buffer) and merge repeats; returns the count. */
static size_t sort_entries(const struct gl_sec *t, struct lg_site *buf, size_t n,
			   unsigned long *addr)
{
	size_t i, m = 0;

	for (i = 0; i < n; i++) {
		buf[i].rel = (int)lg_get32(t->data + i * LG_ENTRY_SIZE);
		buf[i].info = lg_get32(t->data + i * LG_ENTRY_SIZE + 4);
	}
	lg_table_sort(buf, n);
	for (i = 0; i < n; i++) {
		unsigned long a = (t->vma + i * LG_ENTRY_SIZE + (unsigned long)(long)buf[i].rel) &
				  0xffffffffUL;

		if (m && a == addr[m - 1] && buf[i].info == buf[m - 1].info)
			continue; /* merged */
		addr[m] = a;
		buf[m].info = buf[i].info;
		m++;
	}
	for (i = 0; i < m; i++) /* rel of each entry at its new place */
		buf[i].rel = (int)(unsigned int)(addr[i] - (t->vma + i * LG_ENTRY_SIZE));
	return m;
}

static int verify(const struct gl_obj *obj, const struct lg_site *buf, const unsigned long *addr,
		  size_t m)
{
	size_t i;

	for (i = 1; i < m; i++)
		if (addr[i - 1] >= addr[i])
			break;
	if (i < m || !lg_table_valid(buf, m)) {
		gl_error("%s: internal error: the sorted table is not valid", obj->name);
		return -1;
	}
	return 0;
}

static int write_table(struct gl_obj *obj, struct gl_elf *e, const struct gl_sec *t,
		       const struct lg_site *buf, size_t n, size_t m)
{
	unsigned char *tp = gl_elf_data(e, t), *np;
	size_t i;

	np = tp ? gl_elf_data(e, obj->note.sec) : 0;
	if (!np)
		return -1;
	for (i = 0; i < m; i++) {
		lg_put32(tp + i * LG_ENTRY_SIZE, (unsigned int)buf[i].rel);
		lg_put32(tp + i * LG_ENTRY_SIZE + 4, buf[i].info);
	}
	memset(tp + m * LG_ENTRY_SIZE, 0, (n - m) * LG_ENTRY_SIZE);
	np += obj->note.desc;
	lg_put32(np + 4, (unsigned int)(obj->note.start + (long)(m * LG_ENTRY_SIZE)));
	lg_put32(np + 8, obj->note.flags | LG_NOTE_SORTED);
	return 0;
}

static int sort_fn(struct gl_obj *obj, struct gl_elf *e, void *arg)
{
	struct gl_sec *t = preconditions(obj) ? 0 : the_table(obj);
	size_t n = obj->nsites, m;
	struct lg_site *buf;
	unsigned long *addr;
	int r;

	(void)arg;
	if (!t)
		return -1;
	buf = gl_xcalloc(n, sizeof *buf);
	addr = gl_xcalloc(n, sizeof *addr);
	m = sort_entries(t, buf, n, addr);
	r = verify(obj, buf, addr, m);
	if (!r)
		r = write_table(obj, e, t, buf, n, m);
	if (!r && m < n)
		gl_warn("%s: merged %zu repeated entries", obj->name, n - m);
	free(buf);
	free(addr);
	return r;
}

int gl_cmd_sort(struct gl_opts *o, int argc, char **argv)
{
	if (argc != 1) {
		gl_error("sort: usage: gatelink sort IN [-o OUT]");
		return GL_EXIT_FAIL;
	}
	gl_allow_duplicates = 1;
	return gl_rewrite(o, argv[0], sort_fn, 0);
}
