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

static int by_number(const void *a, const void *b)
{
	const struct gate *x = *(const struct gate *const *)a, *y = *(const struct gate *const *)b;

	return x->number < y->number ? -1 : x->number > y->number;
}

void emit_list(FILE *f, const struct api *api)
{
	const struct gate **prim = malloc(sizeof *prim * (size_t)(api->ngates + 1));
	int i, j, n = 0;

	if (!prim)
		abort();
	for (i = 0; i < api->ngates; i++)
		if (api->gate[i].alias_of < 0)
			prim[n++] = &api->gate[i];
	qsort(prim, (size_t)n, sizeof *prim, by_number);
	fprintf(f, "api %s\n", api->name);
	for (i = 0; i < n; i++) {
		fprintf(f, "%lu %s %s\n", prim[i]->number, prim[i]->name, access_word(prim[i]->access));
		for (j = 0; j < api->ngates; j++) {
			const struct gate *g = &api->gate[j];

			if (g->alias_of >= 0 && &api->gate[g->alias_of] == prim[i])
				fprintf(f, "%lu %s %s\n", prim[i]->number, g->name, access_word(prim[i]->access));
		}
	}
	free(prim);
}
