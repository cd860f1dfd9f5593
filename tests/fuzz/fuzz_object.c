/* libFuzzer harness for gatelink's reading of objects: the input is written
 * to a memfd and read through its /proc/self/fd path as gatelink reads any
 * file (libbfd: ELF, COFF, PE, archives...), then listed (text and JSON)
 * and checked, which runs every rule on what was read.
 *
 * Built from every linker source, with gatelink.c's main renamed.  The
 * listings and findings go to /dev/null (set GATELINK_FUZZ_STDOUT=1 to see
 * them when replaying an input). */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "gatelink.h"

static int fd = -1;
static char path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	FILE *null_out = fopen("/dev/null", "w");

	(void)argc;
	(void)argv;
	if (!null_out)
		abort();
	/* libFuzzer and the sanitizers keep their own handle or descriptor. */
	if (!getenv("GATELINK_FUZZ_STDOUT")) {
		stdout = null_out;
		stderr = null_out;
	}
	gl_bfd_init();
	fd = memfd_create("fuzz_object", 0);
	if (fd < 0)
		abort();
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gl_opts o;
	char *argv[] = { path, NULL };
	size_t done = 0;

	if (size > (1u << 20))
		return 0;
	if (ftruncate(fd, 0) != 0 || lseek(fd, 0, SEEK_SET) != 0)
		abort();
	while (done < size) {
		ssize_t n = write(fd, data + done, size - done);
		if (n <= 0)
			abort();
		done += (size_t)n;
	}
	memset(&o, 0, sizeof o);
	gl_cmd_list(&o, 1, argv);
	o.json = 1;
	gl_cmd_list(&o, 1, argv);
	gl_cmd_check(&o, 1, argv);
	gl_findings_fp = NULL;
	gl_nerrors = gl_nwarnings = 0;
	gl_status = GL_EXIT_OK;
	return 0;
}
