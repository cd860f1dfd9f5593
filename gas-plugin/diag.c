/* diag.c - error messages in gcc's format:
 *
 *   demo.gates:3:12: error: unknown register 'ebp' (use eax, ebx, ...)
 *       3 | gate 3 foo(ebp: int x);
 *         |            ^~~
 *
 * The quoted line keeps its tabs, and so does the caret line's padding, so
 * the caret lines up whatever the terminal's tab stops are.  After
 * DIAG_MAX_ERRORS errors, one more stops gatec (status 1); the fuzz
 * harness (built with FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION) reads on.
 * The version the banners and --version print is here too: every part of
 * gatec uses diag.c, and the fuzz harness links all of gatec but its main.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gates.h"

#ifdef PACKAGE_VERSION
const char gatec_version[] = PACKAGE_VERSION;
#else
const char gatec_version[] = "0.1.0";
#endif

static const char *file = "<input>";
static const char *src;
static size_t src_len;
static int errors;

void diag_init(const char *filename, const char *text, size_t len)
{
	file = filename;
	src = text;
	src_len = len;
	errors = 0;
}

int diag_count(void)
{
	return errors;
}

/* Start and length of line LINE (1-based); 0 if there is no such line. */
static int find_line(int line, const char **start, size_t *len)
{
	const char *p = src, *end = src + src_len, *nl;
	int n = 1;

	if (!src || line < 1)
		return 0;
	while (n < line) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			return 0;
		p = nl + 1;
		n++;
	}
	if (p == end && line > 1)
		return 0; /* after the final newline: no line */
	nl = memchr(p, '\n', (size_t)(end - p));
	*start = p;
	*len = (size_t)((nl ? nl : end) - p);
	if (*len && p[*len - 1] == '\r')
		(*len)--;
	return 1;
}

char *diag_text(const struct loc *l)
{
	const char *line;
	size_t len, a, b;

	if (!find_line(l->first_line, &line, &len))
		return xstrdup("");
	a = (size_t)(l->first_column - 1);
	b = l->last_line == l->first_line ? (size_t)(l->last_column - 1) : len;
	if (a > len)
		a = len;
	if (b > len)
		b = len;
	if (b < a)
		b = a;
	return xstrndup(line + a, b - a);
}

/* A long line is quoted as a window of this many bytes around the
 * column, with "..." where it is cut (GCC and Clang do the same): an error
 * on a line of a megabyte prints a line, not a megabyte. */
#define QUOTE_MAX 120

static int continuation(char c)
{
	return ((unsigned char)c & 0xc0) == 0x80;
}

/* The window [*a, *b) of LINE (LEN bytes) shown around byte FIRST. */
static void window(const char *line, size_t len, size_t first, size_t *a, size_t *b)
{
	int k;

	*a = 0;
	*b = len;
	if (len <= QUOTE_MAX)
		return;
	*a = first > QUOTE_MAX / 3 ? first - QUOTE_MAX / 3 : 0;
	if (*a > len - QUOTE_MAX)
		*a = len - QUOTE_MAX;
	*b = *a + QUOTE_MAX;
	/* Whole UTF-8 sequences (at most 3 continuation bytes: any more
	 * are not UTF-8, and the window stays bounded). */
	for (k = 0; k < 3 && *a > 0 && continuation(line[*a]); k++)
		(*a)--;
	for (k = 0; k < 3 && *b < len && continuation(line[*b]); k++)
		(*b)++;
}

/* Both lines are built in BUF and written at once: stderr is unbuffered,
 * and a write per character of a long caret line took seconds. */
static void quote(const struct loc *l)
{
	char buf[2 * (QUOTE_MAX + 64)], *p = buf;
	const char *line;
	size_t len, i, first, last, a, b;
	int w;

	if (!find_line(l->first_line, &line, &len))
		return;
	first = (size_t)(l->first_column - 1);
	last = l->last_line == l->first_line ? (size_t)(l->last_column - 1) : len;
	if (first > len)
		first = len;
	window(line, len, first, &a, &b);
	if (last > b)
		last = b;
	w = snprintf(p, 40, " %4d", l->first_line);
	p += w;
	p += sprintf(p, " | %s", a ? "..." : "");
	memcpy(p, line + a, b - a);
	p += b - a;
	p += sprintf(p, "%s\n%*s | %s", b < len ? "..." : "", w, "", a ? "   " : "");
	/* Pad with the line's own tabs; one space per character otherwise
	 * (UTF-8 continuation bytes take no room). */
	for (i = a; i < first; i++)
		if (line[i] == '\t')
			*p++ = '\t';
		else if (!continuation(line[i]))
			*p++ = ' ';
	*p++ = '^';
	for (i = first + 1; i < last; i++)
		if (!continuation(line[i]))
			*p++ = '~';
	*p++ = '\n';
	fwrite(buf, 1, (size_t)(p - buf), stderr);
}

void diag_error(const struct loc *l, const char *fmt, ...)
{
	va_list ap;

	if (errors == DIAG_MAX_ERRORS) {
		fprintf(stderr, "%s: fatal error: more than %d errors, stopping\n", file,
			DIAG_MAX_ERRORS);
#ifndef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
		exit(1);
#endif
	}
	errors++;
	if (l)
		fprintf(stderr, "%s:%d:%d: error: ", file, l->first_line, l->first_column);
	else
		fprintf(stderr, "%s: error: ", file);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	putc('\n', stderr);
	if (l)
		quote(l);
}

void diag_tool(const char *fmt, ...)
{
	va_list ap;

	fputs("gatec: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	putc('\n', stderr);
}

/* ---- Memory ------------------------------------------------------------ */

static void *nomem(void)
{
	diag_tool("out of memory");
	exit(2);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	return p ? p : nomem();
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	return p ? p : nomem();
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = 0;
	return p;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}
