/* gatec.c - the driver: options, reading the input, writing the outputs.
 *
 *   gatec [--header=OUT.h] [--asm=OUT.inc] [--provider=OUT.c]
 *         [--generic-asm=OUT.inc] [--format=gates|rdos] [--api=NAME]
 *         [--access=kernel|app|both] INPUT
 *
 * Exit status: 0 ok, 1 errors in the definition, 2 usage or I/O trouble.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "gates.h"

#define MAX_INPUT (64L << 20)

enum { OUT_HEADER, OUT_ASM, OUT_PROVIDER, OUT_GENERIC, NOUT };

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: gatec [OPTION]... INPUT\n"
		"Read an API definition (a .gates file or an RDOS .def gate list) and write\n"
		"the C header, the gas include and the provider C file for it.\n"
		"\n"
		"Outputs (none: just check INPUT):\n"
		"  --header=FILE       C header: inline-asm wrappers that emit lazy stubs\n"
		"  --asm=FILE          gas include: one macro per gate (with the generic part)\n"
		"  --provider=FILE     provider C file: gate table, adapters, entry thunks\n"
		"  --generic-asm=FILE  only the generic gas part (lg_stub); needs no INPUT\n"
		"  --list              print the API on stdout: 'api NAME', then\n"
		"                      'NUMBER NAME ACCESS' per gate and alias (for gatelink)\n"
		"\n"
		"Input:\n"
		"  --format=FORMAT     gates or rdos (default: rdos for *.def, else gates)\n"
		"  --api=NAME          the API's name (prefix of every generated name);\n"
		"                      RDOS default: INPUT's base name without extension\n"
		"  --access=WHO        who may call RDOS gates: kernel, app or both (default)\n"
		"\n"
		"  --help              print this help and exit\n"
		"  --version           print the version and exit\n"
		"\n"
		"Every output is written to a temporary file and renamed into place once all\n"
		"of them were written; on any error no output file is created or changed.\n"
		"\n"
		"Exit status: 0 ok, 1 errors in the definition, 2 usage or I/O trouble.\n"
		"The .gates language is described in gates.md and gatec(1).\n");
}

static void usage_error(const char *fmt, ...)
	__attribute__((__format__(__printf__, 1, 2), __noreturn__));
static void usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("gatec: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'gatec --help' for more information.\n", stderr);
	exit(2);
}

static int is_ident(const char *s)
{
	const char *p;

	if (!*s || (*s >= '0' && *s <= '9'))
		return 0;
	for (p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_'))
			return 0;
	return 1;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

/* PATH's base name without its last extension, malloc'ed. */
static char *stem(const char *path)
{
	const char *b = base_name(path), *dot = strrchr(b, '.');
	return xstrndup(b, dot && dot != b ? (size_t)(dot - b) : strlen(b));
}

/* A file name for a comment: printable, and never "*" + "/". */
static char *printable(const char *s)
{
	char *r = xstrdup(s), *p;

	for (p = r; *p; p++)
		if ((unsigned char)*p < ' ' || (unsigned char)*p >= 0x7f || (*p == '/' && p > r &&
									       p[-1] == '*'))
			*p = '?';
	return r;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0, got;

	if (!f) {
		diag_tool("cannot read '%s': %s", path, strerror(errno));
		exit(2);
	}
	for (;;) {
		if (cap - n < 65536) {
			cap = cap ? 2 * cap : 65536;
			if (cap > (size_t)MAX_INPUT + 65536) {
				diag_tool("cannot read '%s': larger than %ld MiB", path, MAX_INPUT >> 20);
				exit(2);
			}
			buf = xrealloc(buf, cap);
		}
		got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		diag_tool("cannot read '%s': %s", path, strerror(errno));
		exit(2);
	}
	fclose(f);
	buf[n] = 0;
	*len = n;
	return buf;
}

/* Do two paths name the same file (existing or not)? */
static int same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	if (!strcmp(a, b))
		return 1;
	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

/* What the command line asks for. */
struct opts {
	const char *out[NOUT]; /* NULL: not asked for */
	const char *format, *api_name, *access, *input;
	int list;
};

/* Exits for --help, --version and what getopt rejects. */
static void parse_options(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "header", required_argument, NULL, 'H' },
		{ "asm", required_argument, NULL, 'A' },
		{ "provider", required_argument, NULL, 'P' },
		{ "generic-asm", required_argument, NULL, 'G' },
		{ "list", no_argument, NULL, 'L' },
		{ "format", required_argument, NULL, 'f' },
		{ "api", required_argument, NULL, 'a' },
		{ "access", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof *o);
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'H':
			o->out[OUT_HEADER] = optarg;
			break;
		case 'A':
			o->out[OUT_ASM] = optarg;
			break;
		case 'P':
			o->out[OUT_PROVIDER] = optarg;
			break;
		case 'G':
			o->out[OUT_GENERIC] = optarg;
			break;
		case 'L':
			o->list = 1;
			break;
		case 'f':
			o->format = optarg;
			break;
		case 'a':
			o->api_name = optarg;
			break;
		case 'c':
			o->access = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(ferror(stdout) || fflush(stdout) ? 2 : 0);
		case 'V':
			printf("gatec (lazygate) %s\n", gatec_version);
			exit(ferror(stdout) || fflush(stdout) ? 2 : 0);
		default: /* getopt said what is wrong */
			fputs("Try 'gatec --help' for more information.\n", stderr);
			exit(2);
		}
	}
	if (optind < argc - 1)
		usage_error("more than one input file ('%s' ...)", argv[optind + 1]);
	o->input = optind < argc ? argv[optind] : NULL;
}

/* The usage errors that need no look at the input. */
static void check_options(const struct opts *o)
{
	int i, j;

	if (o->format && strcmp(o->format, "gates") && strcmp(o->format, "rdos"))
		usage_error("unknown --format '%s' (use gates or rdos)", o->format);
	if (o->access && strcmp(o->access, "kernel") && strcmp(o->access, "app") &&
	    strcmp(o->access, "both"))
		usage_error("unknown --access '%s' (use kernel, app or both)", o->access);
	if (o->api_name && !is_ident(o->api_name))
		usage_error("--api '%s' is not a C identifier", o->api_name);
	for (i = 0; i < NOUT; i++)
		for (j = i + 1; j < NOUT; j++)
			if (o->out[i] && o->out[j] && same_file(o->out[i], o->out[j]))
				usage_error("%s: two outputs to the same file", o->out[j]);
	if (!o->input && o->list)
		usage_error("no input file for --list");
	if (!o->input && !o->out[OUT_GENERIC])
		usage_error("no input file");
	if (!o->input && (o->out[OUT_HEADER] || o->out[OUT_ASM] || o->out[OUT_PROVIDER]))
		usage_error("no input file for --header, --asm or --provider");
}

/* How to read the input: its format (by name unless --format), who may
 * call RDOS gates, the API's name. */
static void setup_reader(struct reader *rd, const struct opts *o)
{
	const char *input = o->input;
	size_t n = strlen(input);
	int i;

	for (i = 0; i < NOUT; i++)
		if (o->out[i] && same_file(o->out[i], input))
			usage_error("%s: would overwrite the input", o->out[i]);
	if (o->format)
		rd->format = !strcmp(o->format, "rdos") ? FMT_RDOS : FMT_GATES;
	else
		rd->format = n > 4 && !strcmp(input + n - 4, ".def") ? FMT_RDOS : FMT_GATES;
	if (o->access && rd->format != FMT_RDOS)
		usage_error("--access is for RDOS gate lists (in .gates files, write "
			    "'kernel gate' or 'app gate')");
	rd->rdos_access = !o->access || !strcmp(o->access, "both") ? ACC_BOTH :
			  !strcmp(o->access, "kernel") ? ACC_KERNEL : ACC_APP;
	rd->api_override = o->api_name;
	if (rd->format == FMT_RDOS && !o->api_name) {
		char *s = stem(input);
		if (!is_ident(s))
			usage_error("cannot make an API name of '%s': use --api=NAME", s);
		rd->api_override = s;
	}
}

/* The names the outputs print: the input's, and the header the provider
 * C file includes (--header's, else the input's stem + ".h"). */
static void name_outputs(struct emit_info *ei, const struct opts *o)
{
	char *s, *h;

	ei->source = printable(base_name(o->input));
	if (o->out[OUT_HEADER]) {
		ei->header_include = printable(base_name(o->out[OUT_HEADER]));
		return;
	}
	s = stem(o->input);
	h = xmalloc(strlen(s) + 3);
	sprintf(h, "%s.h", s);
	free(s);
	ei->header_include = h;
}

static void emit(int which, FILE *f, const struct api *api, const struct emit_info *ei)
{
	switch (which) {
	case OUT_HEADER:
		emit_header(f, api, ei);
		break;
	case OUT_ASM:
		emit_asm(f, api, ei);
		break;
	case OUT_PROVIDER:
		emit_provider(f, api, ei);
		break;
	case OUT_GENERIC:
		emit_generic_asm(f, NULL);
		break;
	}
}

/* Every output goes to a temporary file, renamed into place once all were
 * written: on any error no output is created or changed.  0 or 2. */
static int write_outputs(const char *const out[NOUT], const struct api *api,
			 const struct emit_info *ei)
{
	struct outfile of[NOUT];
	int i, failed = 0;

	memset(of, 0, sizeof of);
	for (i = 0; i < NOUT && !failed; i++) {
		if (!out[i])
			continue;
		if (out_open(&of[i], out[i]) < 0) {
			failed = 1;
			break;
		}
		emit(i, of[i].f, api, ei);
		if (out_close(&of[i]) < 0)
			failed = 1;
	}
	for (i = 0; i < NOUT && !failed; i++)
		if (out[i] && out_commit(&of[i]) < 0)
			failed = 1;
	for (i = 0; i < NOUT; i++)
		out_discard(&of[i]);
	return failed ? 2 : 0;
}

int main(int argc, char **argv)
{
	struct opts o;
	struct reader rd;
	struct api api;
	struct emit_info ei = { NULL, NULL };
	char *text;
	size_t len;

	parse_options(argc, argv, &o);
	check_options(&o);
	memset(&rd, 0, sizeof rd);
	memset(&api, 0, sizeof api);
	rd.api = &api;
	if (o.input) { /* else only --generic-asm */
		setup_reader(&rd, &o);
		text = read_file(o.input, &len);
		diag_init(o.input, text, len);
		if (read_definition(&rd, text, len))
			return 1;
		name_outputs(&ei, &o);
	}
	if (o.list) {
		emit_list(stdout, &api);
		if (ferror(stdout) || fflush(stdout))
			return 2;
	}
	return write_outputs(o.out, &api, &ei);
}
