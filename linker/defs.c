/* API definitions for --defs: gate numbers, names and who may call them.
 *
 * gatelink does not parse .gates or RDOS .def files itself: it runs gatec,
 * which prints the API as a list (--defs-list reads the same list from a
 * file):
 *
 *     api NAME
 *     NUMBER NAME ACCESS        ACCESS: kernel, app or both
 *
 * one line per gate, aliases as more lines with the same number; blank
 * lines and lines starting with # are ignored. */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "gatelink.h"

extern char **environ;

static int ident(const char *s)
{
	if (!*s || isdigit((unsigned char)*s))
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return 0;
	return 1;
}

static int access_of(const char *s, unsigned int *acc)
{
	if (!strcmp(s, "kernel"))
		*acc = GL_ACC_KERNEL;
	else if (!strcmp(s, "app"))
		*acc = GL_ACC_APP;
	else if (!strcmp(s, "both"))
		*acc = GL_ACC_KERNEL | GL_ACC_APP;
	else
		return -1;
	return 0;
}

static int parse_gate(struct gl_defs *d, char *line, const char *src, unsigned int ln, size_t *cap)
{
	char name[256], acc[16], num[32], extra[2];
	unsigned long v;
	char *end;
	struct gl_gate_def *g;

	if (sscanf(line, "%31s %255s %15s %1s", num, name, acc, extra) != 3) {
		gl_error("%s:%u: expected NUMBER NAME ACCESS", src, ln);
		return -1;
	}
	errno = 0;
	v = strtoul(num, &end, 0);
	if (*end || errno || v > LG_GATE_MAX || num[0] == '-') {
		gl_error("%s:%u: bad gate number '%s' (0 to %u)", src, ln, num, LG_GATE_MAX);
		return -1;
	}
	if (!ident(name)) {
		gl_error("%s:%u: bad gate name '%s'", src, ln, name);
		return -1;
	}
	if (d->n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		d->by_num = gl_xrealloc(d->by_num, *cap, sizeof *d->by_num);
	}
	g = &d->by_num[d->n];
	if (access_of(acc, &g->access)) {
		gl_error("%s:%u: access must be kernel, app or both, not '%s'", src, ln, acc);
		return -1;
	}
	g->number = (unsigned int)v;
	g->name = gl_xstrdup(name);
	d->n++;
	return 0;
}

static int parse_line(struct gl_defs *d, char *line, const char *src, unsigned int ln, size_t *cap)
{
	char api[256], extra[2];

	line[strcspn(line, "\r\n")] = 0;
	while (isspace((unsigned char)*line))
		line++;
	if (!*line || *line == '#')
		return 0;
	if (!strncmp(line, "api", 3) && isspace((unsigned char)line[3])) {
		if (sscanf(line + 3, "%255s %1s", api, extra) != 1 || !ident(api) || d->api) {
			gl_error("%s:%u: expected one 'api NAME' line", src, ln);
			return -1;
		}
		d->api = gl_xstrdup(api);
		return 0;
	}
	return parse_gate(d, line, src, ln, cap);
}

/* Stable: aliases keep file order, so the first name of a number is the
 * gate's own name. */
static int by_number(const void *a, const void *b)
{
	const struct gl_gate_def *x = a, *y = b;

	if (x->number != y->number)
		return x->number < y->number ? -1 : 1;
	return (x->access >> 8) < (y->access >> 8) ? -1 : 1; /* file order */
}

static int by_name(const void *a, const void *b)
{
	return strcmp((*(struct gl_gate_def *const *)a)->name, (*(struct gl_gate_def *const *)b)->name);
}

static int index_defs(struct gl_defs *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) /* file order, kept above the access bits */
		d->by_num[i].access |= (unsigned int)i << 8;
	if (d->n)
		qsort(d->by_num, d->n, sizeof *d->by_num, by_number);
	for (i = 0; i < d->n; i++)
		d->by_num[i].access &= 0xff;
	d->by_name = gl_xcalloc(d->n, sizeof *d->by_name);
	for (i = 0; i < d->n; i++)
		d->by_name[i] = &d->by_num[i];
	qsort(d->by_name, d->n, sizeof *d->by_name, by_name);
	for (i = 1; i < d->n; i++)
		if (!strcmp(d->by_name[i - 1]->name, d->by_name[i]->name)) {
			gl_error("%s: gate name %s defined twice", d->source, d->by_name[i]->name);
			return -1;
		}
	return 0;
}

int gl_defs_read_list(struct gl_defs *d, FILE *f, const char *source)
{
	char *line = 0;
	size_t len = 0, cap = 0;
	unsigned int ln = 0;
	int r = 0;

	memset(d, 0, sizeof *d);
	d->source = gl_xstrdup(source);
	while (r == 0 && getline(&line, &len, f) > 0)
		r = parse_line(d, line, source, ++ln, &cap);
	free(line);
	if (r == 0 && ferror(f)) {
		gl_error("%s: read error", source);
		r = -1;
	}
	if (r == 0 && !d->api) {
		gl_error("%s: no 'api NAME' line", source);
		r = -1;
	}
	if (r == 0)
		r = index_defs(d);
	if (r) /* what was read so far goes with the error: the caller has nothing */
		gl_defs_free(d);
	return r;
}

int gl_defs_load_list(struct gl_defs *d, const char *path)
{
	FILE *f = fopen(path, "r");
	int r;

	if (!f) {
		gl_error("%s: %m", path);
		return -1;
	}
	r = gl_defs_read_list(d, f, path);
	fclose(f);
	return r;
}

/* gatec next to gatelink, as in a build tree; else from PATH. */
static char *find_gatec(const char *given)
{
	char self[PATH_MAX], *slash;
	ssize_t n;

	if (given && *given)
		return gl_xstrdup(given);
	if (getenv("GATEC") && *getenv("GATEC"))
		return gl_xstrdup(getenv("GATEC"));
	n = readlink("/proc/self/exe", self, sizeof self - 7);
	if (n > 0) {
		self[n] = 0;
		slash = strrchr(self, '/');
		if (slash) {
			strcpy(slash + 1, "gatec");
			if (access(self, X_OK) == 0)
				return gl_xstrdup(self);
		}
	}
	return gl_xstrdup("gatec");
}

/* All of a pipe's output (gatec's list), then its length. */
static char *slurp(int fd, size_t *len)
{
	size_t cap = 4096;
	char *buf = gl_xmalloc(cap);
	ssize_t n;

	*len = 0;
	while ((n = read(fd, buf + *len, cap - *len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		*len += (size_t)n;
		if (*len == cap)
			buf = gl_xrealloc(buf, cap *= 2, 1);
	}
	return buf;
}

static int run_gatec(struct gl_defs *d, const char *path, const char *gatec, const char *src)
{
	char *argv[] = {(char *)gatec, "--list", (char *)path, 0};
	posix_spawn_file_actions_t fa;
	int fds[2], st = 0, r;
	pid_t pid;
	FILE *f;
	char *buf;
	size_t len;

	if (pipe(fds)) {
		gl_error("pipe: %m");
		return -1;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	posix_spawn_file_actions_addclose(&fa, fds[0]);
	r = posix_spawnp(&pid, gatec, &fa, 0, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	if (r) {
		close(fds[0]);
		gl_error("%s: cannot run %s: %s", path, gatec, strerror(r));
		return -1;
	}
	buf = slurp(fds[0], &len);
	close(fds[0]);
	waitpid(pid, &st, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		gl_error("%s: %s --list failed (status %d)", path, gatec, WIFEXITED(st) ? WEXITSTATUS(st) : -1);
		free(buf);
		return -1;
	}
	f = len ? fmemopen(buf, len, "r") : fopen("/dev/null", "r");
	r = f ? gl_defs_read_list(d, f, src) : -1;
	if (f)
		fclose(f);
	free(buf);
	return r;
}

int gl_defs_load_gatec(struct gl_defs *d, const char *path, const char *given)
{
	char *gatec = find_gatec(given);
	char *src = gl_xmalloc(strlen(gatec) + strlen(path) + 16);
	int r;

	if (access(path, R_OK)) {
		gl_error("%s: %m", path);
		r = -1;
	} else {
		sprintf(src, "%s --list %s", gatec, path);
		r = run_gatec(d, path, gatec, src);
	}
	free(src);
	free(gatec);
	return r;
}

const struct gl_gate_def *gl_defs_num(const struct gl_defs *d, unsigned int number)
{
	size_t lo = 0, hi = d->n;

	while (lo < hi) { /* the first entry of NUMBER: its own name */
		size_t mid = lo + (hi - lo) / 2;

		if (d->by_num[mid].number < number)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < d->n && d->by_num[lo].number == number ? &d->by_num[lo] : 0;
}

const struct gl_gate_def *gl_defs_name(const struct gl_defs *d, const char *name)
{
	size_t lo = 0, hi = d->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(d->by_name[mid]->name, name);

		if (c == 0)
			return d->by_name[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* __lg_gate_<api>_<name> */
const struct gl_gate_def *gl_defs_sym(const struct gl_defs *d, const char *sym)
{
	size_t p = sizeof LG_GATE_SYM_PREFIX - 1, a = strlen(d->api);

	if (strncmp(sym, LG_GATE_SYM_PREFIX, p) || strncmp(sym + p, d->api, a) || sym[p + a] != '_')
		return 0;
	return gl_defs_name(d, sym + p + a + 1);
}

void gl_defs_free(struct gl_defs *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		free(d->by_num[i].name);
	free(d->by_num);
	free(d->by_name);
	free(d->api);
	free(d->source);
	memset(d, 0, sizeof *d);
}
