/* Messages, findings and the exit status.  Every message starts with the
 * program name; the caller names the file. */
#include "bfdh.h"
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "gatelink.h"

const char *gl_progname = "gatelink";
int gl_status = GL_EXIT_OK;

static void vmsg(const char *what, const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: %s", gl_progname, what);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void gl_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
	gl_status = GL_EXIT_FAIL;
}

void gl_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("warning: ", fmt, ap);
	va_end(ap);
}

int gl_nerrors, gl_nwarnings;
FILE *gl_findings_fp;

/* A finding: a rule of rules.c broken at a place in OBJ.  Here rather
 * than in rules.c because reading the table (sites.c) finds some too. */
void gl_finding(struct gl_obj *obj, enum gl_sev sev, const struct gl_sec *sec,
		unsigned long off, const char *gate, const char *rule, const char *fmt, ...)
{
	FILE *f = gl_findings_fp ? gl_findings_fp : stderr;
	va_list ap;

	if (sec)
		fprintf(f, "%s:%s+0x%lx: ", obj->name, sec->name, off);
	else
		fprintf(f, "%s: ", obj->name);
	fputs(sev == GL_ERROR ? "error: " : "warning: ", f);
	if (gate)
		fprintf(f, "gate %s: ", gate);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fprintf(f, " [%s]\n", rule);
	if (sev == GL_ERROR) {
		gl_nerrors++;
		obj->broken = 1;
	} else {
		gl_nwarnings++;
	}
}

static void *oom(void *p)
{
	if (!p) {
		fprintf(stderr, "%s: out of memory\n", gl_progname);
		exit(GL_EXIT_FAIL);
	}
	return p;
}

void *gl_xmalloc(size_t n)
{
	return oom(malloc(n ? n : 1));
}

void *gl_xcalloc(size_t n, size_t size)
{
	return oom(calloc(n ? n : 1, size ? size : 1));
}

void *gl_xrealloc(void *p, size_t n, size_t size)
{
	if (size && n > (size_t)-1 / size)
		return oom(0);
	n *= size;
	return oom(realloc(p, n ? n : 1));
}

char *gl_xstrdup(const char *s)
{
	return oom(strdup(s));
}

const char *gl_bfd_msg(void)
{
	return bfd_errmsg(bfd_get_error());
}
