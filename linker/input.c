/* Opening input files with libbfd: one object, or every member of an
 * archive.  Each object is read into a struct gl_obj and handed to the
 * caller's function. */
#include "bfdh.h"
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "gatelink.h"

void gl_bfd_init(void)
{
	if (bfd_init() != BFD_INIT_MAGIC) {
		gl_error("libbfd: version mismatch");
		exit(GL_EXIT_FAIL);
	}
	bfd_set_error_program_name(gl_progname);
}

static int visit(bfd *abfd, const char *path, const char *member, gl_obj_fn fn, void *arg)
{
	struct gl_obj obj;
	int r;

	memset(&obj, 0, sizeof obj);
	obj.abfd = abfd;
	obj.path = path;
	obj.name = gl_xmalloc(strlen(path) + (member ? strlen(member) + 3 : 1));
	if (member)
		sprintf(obj.name, "%s(%s)", path, member);
	else
		strcpy(obj.name, path);
	r = gl_obj_load(&obj);
	if (r == 0 && gl_sites_load(&obj))
		r = GL_EXIT_FAIL;
	if (r == 0)
		r = fn(&obj, arg);
	gl_obj_free(&obj);
	return r;
}

static int is_object(bfd *abfd, const char *name)
{
	char **matching = 0;

	if (bfd_check_format_matches(abfd, bfd_object, &matching))
		return 1;
	if (bfd_get_error() == bfd_error_file_ambiguously_recognized) {
		gl_error("%s: file format is ambiguous", name);
		free(matching);
	} else {
		gl_error("%s: %s", name, gl_bfd_msg());
	}
	return 0;
}

static int each_member(bfd *ar, const char *path, gl_obj_fn fn, void *arg)
{
	bfd *m, *next;
	int r = 0, any = 0;

	for (m = bfd_openr_next_archived_file(ar, 0); m; m = next) {
		const char *mname = bfd_get_filename(m);
		char *full = gl_xmalloc(strlen(path) + strlen(mname) + 3);

		any = 1;
		sprintf(full, "%s(%s)", path, mname);
		if (is_object(m, full)) {
			int v = visit(m, path, mname, fn, arg);

			r = v > r ? v : r;
		} else {
			r = GL_EXIT_FAIL;
		}
		free(full);
		next = bfd_openr_next_archived_file(ar, m);
	}
	if (bfd_get_error() != bfd_error_no_more_archived_files && any == 0) {
		gl_error("%s: %s", path, gl_bfd_msg());
		return GL_EXIT_FAIL;
	}
	return r;
}

static int regular(const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0) {
		gl_error("%s: %m", path);
		return 0;
	}
	if (!S_ISREG(st.st_mode)) {
		gl_error("%s: not a regular file", path);
		return 0;
	}
	return 1;
}

/* SINGLE: an archive is refused (the writing subcommands). */
int gl_each_object(const char *path, int single, gl_obj_fn fn, void *arg)
{
	bfd *abfd;
	int r;

	if (!regular(path))
		return GL_EXIT_FAIL;
	abfd = bfd_openr(path, 0);
	if (!abfd) {
		gl_error("%s: %s", path, gl_bfd_msg());
		return GL_EXIT_FAIL;
	}
	if (bfd_check_format(abfd, bfd_archive)) {
		if (single) {
			gl_error("%s: an archive: this subcommand rewrites one object", path);
			r = GL_EXIT_FAIL;
		} else {
			r = each_member(abfd, path, fn, arg);
		}
	} else if (is_object(abfd, path)) {
		r = visit(abfd, path, 0, fn, arg);
	} else {
		r = GL_EXIT_FAIL;
	}
	bfd_close(abfd);
	return r;
}
