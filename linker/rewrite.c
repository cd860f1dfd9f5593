/* The frame of the subcommands that write: read IN with libbfd, refuse it
 * if its site table breaks a rule (nothing is written then), copy it with
 * libelf, let the subcommand change section data, and rename the result
 * into place. */
#include "bfdh.h"
#include <stdio.h>
#include "gatelink.h"

struct rw {
	struct gl_opts *o;
	const char *in;
	gl_write_fn fn;
	void *arg;
};

static int rewrite_obj(struct gl_obj *obj, void *arg)
{
	struct rw *w = arg;
	struct gl_elf *e;
	int errors;

	if (!obj->elf) {
		gl_error("%s: a %s file: only ELF files are rewritten", obj->name,
			 bfd_get_target(obj->abfd));
		return GL_EXIT_FAIL;
	}
	errors = gl_rules_sites(obj, 0);
	if (obj->broken || errors) {
		gl_error("%s: not rewritten: its site table breaks the rules above", obj->name);
		return GL_EXIT_FAIL;
	}
	e = gl_elf_open(w->in, w->o->output ? w->o->output : w->in);
	if (!e)
		return GL_EXIT_FAIL;
	if (w->fn(obj, e, w->arg)) {
		gl_elf_abort(e);
		return GL_EXIT_FAIL;
	}
	return gl_elf_commit(e) ? GL_EXIT_FAIL : GL_EXIT_OK;
}

int gl_rewrite(struct gl_opts *o, const char *in, gl_write_fn fn, void *arg)
{
	struct rw w = {o, in, fn, arg};

	return gl_each_object(in, 1, rewrite_obj, &w);
}
