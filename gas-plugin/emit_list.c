/* emit_list.c - gatec --list: the API as plain text for other tools
 * (gatelink --defs reads it):
 *
 *   api NAME
 *   NUMBER NAME ACCESS        ACCESS = kernel | app | both
 *
 * one line per gate in number order, each followed by its aliases (same
 * number, the alias's own name). */
#include <stdlib.h>
#include "gates.h"

static const char *access_word(enum access a)
{
	return a == ACC_KERNEL ? "kernel" : a == ACC_APP ? "app" : "both";
}

/* By number, each primary before its aliases, aliases in declaration
 * order (an alias has its primary's number). */
static int by_number(const void *a, const void *b)
{
	const struct gate *x = *(const struct gate *const *)a, *y = *(const struct gate *const *)b;

	if (x->number != y->number)
		return x->number < y->number ? -1 : 1;
	if ((x->alias_of < 0) != (y->alias_of < 0))
		return x->alias_of < 0 ? -1 : 1;
	return x < y ? -1 : x > y;
}

void emit_list(FILE *f, const struct api *api)
{
	const struct gate **v = xmalloc(sizeof *v * (size_t)(api->ngates + 1));
	int i;

	for (i = 0; i < api->ngates; i++)
		v[i] = &api->gate[i];
	qsort(v, (size_t)api->ngates, sizeof *v, by_number);
	fprintf(f, "api %s\n", api->name);
	for (i = 0; i < api->ngates; i++)
		fprintf(f, "%lu %s %s\n", v[i]->number, v[i]->name,
			access_word(gate_primary(api, v[i])->access));
	free(v);
}
