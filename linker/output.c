/* Never lose data: every output is written to a temporary file in the
 * directory of the destination and renamed over it only when complete.  On
 * any error, and on SIGINT/SIGTERM/SIGHUP, the temporary file is removed:
 * the input is untouched and a previous output is left as it was. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "gatelink.h"

static volatile sig_atomic_t have_tmp;
static char *volatile tmp_path;

static void on_signal(int sig)
{
	if (have_tmp)
		unlink(tmp_path);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void catch_signals(void)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE};
	size_t i;

	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		signal(sigs[i], on_signal);
}

int gl_out_open(struct gl_out *o, const char *path, unsigned int mode)
{
	const char *slash = strrchr(path, '/');
	size_t dlen = slash ? (size_t)(slash - path) + 1 : 0;

	o->path = gl_xstrdup(path);
	o->tmp = gl_xmalloc(dlen + 32);
	memcpy(o->tmp, path, dlen);
	strcpy(o->tmp + dlen, ".gatelink.XXXXXX");
	catch_signals();
	o->fd = mkstemp(o->tmp);
	if (o->fd < 0) {
		gl_error("%s: cannot create a temporary file in its directory: %m", path);
		free(o->tmp);
		free(o->path);
		o->tmp = o->path = 0;
		return -1;
	}
	tmp_path = o->tmp;
	have_tmp = 1;
	if (fchmod(o->fd, mode & 07777) != 0) {
		gl_error("%s: %m", o->tmp);
		gl_out_abort(o);
		return -1;
	}
	return 0;
}

static void forget(struct gl_out *o)
{
	have_tmp = 0;
	tmp_path = 0;
	free(o->tmp);
	free(o->path);
	o->tmp = o->path = 0;
	o->fd = -1;
}

void gl_out_abort(struct gl_out *o)
{
	if (!o->tmp)
		return;
	if (o->fd >= 0)
		close(o->fd);
	unlink(o->tmp);
	forget(o);
}

int gl_out_commit(struct gl_out *o)
{
	if (fsync(o->fd) != 0 || close(o->fd) != 0) {
		gl_error("%s: %m", o->tmp);
		o->fd = -1;
		gl_out_abort(o);
		return -1;
	}
	o->fd = -1;
	if (rename(o->tmp, o->path) != 0) {
		gl_error("%s: cannot rename %s into place: %m", o->path, o->tmp);
		gl_out_abort(o);
		return -1;
	}
	forget(o);
	return 0;
}
