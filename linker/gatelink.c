/* gatelink: static call-gate relocation, checking, listing and
 * ahead-of-time binding of lazygate site tables (doc/gatelink.1). */
#include "bfdh.h"
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include "gatelink.h"

enum {
	OPT_DEFS_LIST = 256,
	OPT_GATEC,
	OPT_JSON,
	OPT_NEAR,
	OPT_KEEP_SYMBOLS,
};

static const struct option long_opts[] = {
	{"defs", required_argument, 0, 'd'},
	{"defs-list", required_argument, 0, OPT_DEFS_LIST},
	{"gatec", required_argument, 0, OPT_GATEC},
	{"map", required_argument, 0, 'm'},
	{"output", required_argument, 0, 'o'},
	{"json", no_argument, 0, OPT_JSON},
	{"near", no_argument, 0, OPT_NEAR},
	{"keep-symbols", no_argument, 0, OPT_KEEP_SYMBOLS},
	{"help", no_argument, 0, 'h'},
	{"version", no_argument, 0, 'V'},
	{0, 0, 0, 0},
};

struct command {
	const char *name;
	int (*run)(struct gl_opts *o, int argc, char **argv);
	int writes;
};

static const struct command commands[] = {
	{"list", gl_cmd_list, 0},
	{"check", gl_cmd_check, 0},
	{"resolve", gl_cmd_resolve, 1},
	{"bind", gl_cmd_bind, 1},
	{"unbind", gl_cmd_unbind, 1},
	{"sort", gl_cmd_sort, 1},
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: %s COMMAND [OPTION]... FILE...\n"
		"Relocate, check, list and bind lazygate call-gate sites (format %d).\n\n"
		"Commands:\n"
		"  list FILE...            one line per site: file, section, offset, address,\n"
		"                          kind, state, gate, name, bound target\n"
		"  check FILE...           check every site against the rules; exit 1 on findings\n"
		"  resolve IN -o OUT       number by-name gates from the API (needs --defs)\n"
		"  bind IN -o OUT          bind every site from a provider map (needs --map)\n"
		"  unbind IN -o OUT        restore every site to its initial state\n"
		"  sort IN -o OUT          sort the site table of a linked image\n\n"
		"Options:\n"
		"  -d, --defs=API          API definitions (.gates or RDOS .def, read by gatec)\n"
		"      --defs-list=FILE    API definitions as 'NUMBER NAME ACCESS' lines\n"
		"      --gatec=PROGRAM     gatec to run for --defs (default: $GATEC, the gatec\n"
		"                          next to gatelink, or gatec in PATH)\n"
		"  -m, --map=FILE          provider map for bind\n"
		"  -o, --output=FILE       output file (default: rewrite IN in place)\n"
		"      --json              list: JSON instead of text\n"
		"      --near              bind: near calls for k32 sites the map gives both for\n"
		"      --keep-symbols      resolve: keep the resolved gate symbols\n"
		"  -h, --help              display this help and exit\n"
		"  -V, --version           output version information and exit\n\n"
		"Input files are read with libbfd: ELF, PE/COFF, archives of them.  Output is\n"
		"ELF, written to a temporary file and renamed into place when complete.\n"
		"Exit status: 0 fine, 1 findings (check), 2 trouble.\n",
		gl_progname, LG_FORMAT_VERSION);
}

static void version(void)
{
	printf("gatelink (%s) %s\n", PACKAGE, PACKAGE_VERSION);
	printf("lazygate format %d\n", LG_FORMAT_VERSION);
}

static int parse(struct gl_opts *o, int argc, char **argv)
{
	int c;

	while ((c = getopt_long(argc, argv, "d:m:o:hV", long_opts, 0)) != -1) {
		switch (c) {
		case 'd': o->defs = optarg; break;
		case OPT_DEFS_LIST: o->defs_list = optarg; break;
		case OPT_GATEC: o->gatec = optarg; break;
		case 'm': o->map = optarg; break;
		case 'o': o->output = optarg; break;
		case OPT_JSON: o->json = 1; break;
		case OPT_NEAR: o->near = 1; break;
		case OPT_KEEP_SYMBOLS: o->keep_symbols = 1; break;
		case 'h': usage(stdout); exit(GL_EXIT_OK);
		case 'V': version(); exit(GL_EXIT_OK);
		default:
			fprintf(stderr, "Try '%s --help' for more information.\n", gl_progname);
			return -1;
		}
	}
	return 0;
}

static int load_defs(struct gl_opts *o, struct gl_defs *d)
{
	int r;

	if (o->defs && o->defs_list) {
		gl_error("--defs and --defs-list: give one");
		return -1;
	}
	if (!o->defs && !o->defs_list)
		return 0;
	r = o->defs ? gl_defs_load_gatec(d, o->defs, o->gatec) : gl_defs_load_list(d, o->defs_list);
	if (r == 0)
		o->api = d;
	return r;
}

static const struct command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return 0;
}

int main(int argc, char **argv)
{
	struct gl_opts o;
	struct gl_defs defs;
	const struct command *cmd;
	int r;

	memset(&o, 0, sizeof o);
	memset(&defs, 0, sizeof defs);
	if (parse(&o, argc, argv))
		return GL_EXIT_FAIL;
	if (optind >= argc) {
		usage(stderr);
		return GL_EXIT_FAIL;
	}
	cmd = find_command(argv[optind]);
	if (!cmd) {
		gl_error("unknown command '%s' (try --help)", argv[optind]);
		return GL_EXIT_FAIL;
	}
	if (optind + 1 >= argc) {
		gl_error("%s: no input files", cmd->name);
		return GL_EXIT_FAIL;
	}
	if (o.output && !cmd->writes) {
		gl_error("%s: -o is for resolve, bind, unbind and sort", cmd->name);
		return GL_EXIT_FAIL;
	}
	gl_bfd_init();
	if (load_defs(&o, &defs))
		return GL_EXIT_FAIL;
	r = cmd->run(&o, argc - optind - 1, argv + optind + 1);
	gl_defs_free(&defs);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		gl_error("standard output: write error");
		r = GL_EXIT_FAIL;
	}
	return r > gl_status ? r : gl_status;
}
