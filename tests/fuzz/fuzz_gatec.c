/* libFuzzer harness for gatec's reader: the input is a .gates file (or,
 * built with -DFUZZ_RDOS, an RDOS .def gate list) in memory.  It is read
 * with read_definition() as gatec reads it; a definition without errors is
 * also emitted (header, gas include, provider C, --list) to /dev/null.
 * Then the whole model is freed, so LeakSanitizer sees every leak of the
 * reader.
 *
 * Built from every gas-plugin source but gatec.c (the driver), with
 * FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION: diag.c then keeps reading after
 * DIAG_MAX_ERRORS errors instead of exiting.  The messages go to /dev/null
 * (set GATEC_FUZZ_STDERR=1 to see them when replaying an input). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gates.h"

static FILE *null_out;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	null_out = fopen("/dev/null", "w");
	if (!null_out)
		abort();
	/* libFuzzer and the sanitizers keep their own handle or descriptor. */
	if (!getenv("GATEC_FUZZ_STDERR"))
		stderr = null_out;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reader rd;
	struct api api;
	struct emit_info ei = { "fuzz.gates", "fuzz.h" };
	char *text;

	if (size > (1u << 20))
		return 0;
	/* gatec reads the file into a NUL-terminated buffer */
	text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = 0;
	memset(&rd, 0, sizeof rd);
	memset(&api, 0, sizeof api);
	rd.api = &api;
#ifdef FUZZ_RDOS
	rd.format = FMT_RDOS;
	rd.api_override = "fuzz";
	rd.rdos_access = (enum access)(size % 3);
#else
	rd.format = FMT_GATES;
#endif
	diag_init("fuzz", text, size);
	if (read_definition(&rd, text, size) == 0) {
		emit_header(null_out, &api, &ei);
		emit_asm(null_out, &api, &ei);
		emit_provider(null_out, &api, &ei);
		emit_list(null_out, &api);
	}
	model_free(&api);
	free(rd.size_name);
	free(text);
	return 0;
}
