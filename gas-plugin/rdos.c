/* rdos.c - the parser's actions for RDOS gate lists (.def):
 *
 *   allocate_dos_mem_nr = 0        a gate: "allocate_dos_mem", number 0
 *   usergate_entries    = 900      any other name: the table size
 *
 * RDOS gates have no signature: every one is raw.  A second name for a
 * number is an alias of the first; the same name twice is an error; with a
 * table size, every number must be below it.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <lazygate/stub.h>
#include "gates.h"

void rdos_assign(struct reader *rd, char *name, const struct loc *name_loc, struct num number,
		 const struct loc *num_loc)
{
	struct api *a = rd->api;
	size_t len = strlen(name);
	struct gate g;
	char *text;
	int i;

	if (len < 3 || strcmp(name + len - 3, "_nr")) {
		/* the table size */
		if (rd->size_set && !strcmp(rd->size_name, name)) {
			diag_error(name_loc, "duplicate name '%s' (first declared on line %d)", name,
				   rd->size_line);
		} else if (rd->size_set) {
			diag_error(name_loc, "a second table size '%s' (the first is '%s' on line %d)",
				   name, rd->size_name, rd->size_line);
		} else if (number.ok) {
			if (number.v > (unsigned long long)LG_GATE_MAX + 1) {
				text = diag_text(num_loc);
				diag_error(num_loc, "table size %s is out of range (at most %#x)", text,
					   LG_GATE_MAX + 1);
				free(text);
			}
			rd->size_set = 1;
			rd->size_name = name;
			rd->size = number.v;
			rd->size_line = name_loc->first_line;
			return;
		}
		free(name);
		return;
	}
	if (len == 3) {
		diag_error(name_loc, "no gate name before '_nr'");
		free(name);
		return;
	}
	name[len - 3] = 0;
	i = model_find_name(a, name);
	if (i >= 0) {
		diag_error(name_loc, "duplicate name '%s_nr' (first declared on line %d)", name,
			   a->gate[i].line);
		free(name);
		return;
	}
	if (model_check_name(rd, name, name_loc) < 0 || !number.ok) {
		free(name);
		return;
	}
	if (number.v > LG_GATE_MAX) {
		text = diag_text(num_loc);
		diag_error(num_loc, "gate number %s is out of range (0 to %#x)", text, LG_GATE_MAX);
		free(text);
		free(name);
		return;
	}
	memset(&g, 0, sizeof g);
	g.name = name;
	g.name_loc = *name_loc;
	g.number_loc = *num_loc;
	g.line = name_loc->first_line;
	g.number = (unsigned long)number.v;
	g.access = rd->rdos_access;
	g.raw = 1;
	g.alias_of = model_find_number(a, g.number); /* a second name for the number */
	if (g.alias_of < 0)
		a->nprimary++;
	a->uses_regs = 1;
	model_add(a, &g);
}

void rdos_finish(struct reader *rd)
{
	struct api *a = rd->api;
	int i;

	if (!rd->size_set)
		return;
	for (i = 0; i < a->ngates; i++) {
		struct gate *g = &a->gate[i];
		if (g->alias_of < 0 && g->number >= rd->size) {
			diag_error(&g->number_loc, "gate number %lu of '%s' is not below the table size "
				   "%s = %llu (line %d)", g->number, g->name, rd->size_name, rd->size,
				   rd->size_line);
		}
	}
}
