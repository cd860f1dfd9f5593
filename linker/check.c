/* gatelink check: every rule on every site of every object, then stubs no
 * entry describes.  Findings go to standard output; exit 1 if any is an
 * error, 2 if a file could not be read. */
#include <stdio.h>
#include "gatelink.h"

static int check_obj(struct gl_obj *obj, void *arg)
{
	struct gl_opts *o = arg;

	gl_rules_sites(obj, o->api);
	gl_rules_stray(obj, o->api);
	return 0;
}

int gl_cmd_check(struct gl_opts *o, int argc, char **argv)
{
	int i, r = 0;

	gl_findings_fp = stdout;
	for (i = 0; i < argc; i++) {
		int v = gl_each_object(argv[i], 0, check_obj, o);

		r = v > r ? v : r;
	}
	fflush(stdout);
	if (r)
		return r;
	return gl_nerrors ? GL_EXIT_FINDINGS : GL_EXIT_OK;
}
