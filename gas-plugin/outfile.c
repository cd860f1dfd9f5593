/* outfile.c - every output is written to a temporary file in its target's
 * directory and renamed into place only when all outputs were written, so
 * a failed run leaves no file behind and an existing one untouched.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>
#include "gates.h"

int out_open(struct outfile *o, const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t dirlen = slash ? (size_t)(slash - path + 1) : 0;
	struct stat st;
	mode_t mask;
	int fd;

	o->path = path;
	o->f = NULL;
	o->tmp = NULL;
	if (!*path || (slash && !slash[1])) {
		diag_tool("cannot write '%s': not a file name", path);
		return -1;
	}
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		diag_tool("cannot write '%s': %s", path, strerror(EISDIR));
		return -1;
	}
	o->tmp = xmalloc(strlen(path) + 16);
	memcpy(o->tmp, path, dirlen);
	sprintf(o->tmp + dirlen, ".%s.XXXXXX", path + dirlen);
	fd = mkstemp(o->tmp);
	if (fd < 0) {
		diag_tool("cannot write '%s': %s", path, strerror(errno));
		free(o->tmp);
		o->tmp = NULL;
		return -1;
	}
	/* mkstemp makes 0600; give the file the mode a new file would get. */
	mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask) < 0 || !(o->f = fdopen(fd, "w"))) {
		diag_tool("cannot write '%s': %s", path, strerror(errno));
		close(fd);
		unlink(o->tmp);
		free(o->tmp);
		o->tmp = NULL;
		return -1;
	}
	return 0;
}

int out_close(struct outfile *o)
{
	int bad;

	if (!o->f)
		return 0;
	errno = 0;
	bad = fflush(o->f) != 0 || ferror(o->f);
	if (fclose(o->f) != 0)
		bad = 1;
	o->f = NULL;
	if (bad) {
		diag_tool("cannot write '%s': %s", o->path, strerror(errno ? errno : EIO));
		return -1;
	}
	return 0;
}

int out_commit(struct outfile *o)
{
	if (!o->tmp)
		return 0;
	if (rename(o->tmp, o->path) < 0) {
		diag_tool("cannot write '%s': %s", o->path, strerror(errno));
		return -1;
	}
	free(o->tmp);
	o->tmp = NULL;
	return 0;
}

void out_discard(struct outfile *o)
{
	if (o->f) {
		fclose(o->f);
		o->f = NULL;
	}
	if (o->tmp) {
		unlink(o->tmp);
		free(o->tmp);
		o->tmp = NULL;
	}
}
