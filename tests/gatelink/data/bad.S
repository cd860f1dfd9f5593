/* A relocatable object that breaks every rule of gatelink check
 * (bad.check is the expected output). */
#include <lazygate/stub.h>
#include "stubs.inc"

	note
	.text
	.code32
ok:	k32	1			/* fine */
	.fill	16, 1, 0x90
	/* state: the entry says k32 gate 1, the bytes are no stub */
770:	.fill	9, 1, 0x90
	entry	LG_K32, 1
	/* state: an initial stub of gate 5, the entry says gate 4 */
	k32b	5
	entry	LG_K32, 4
	/* state: an a32 stub, the entry says k32 */
	a32b	2
	entry	LG_K32, 2
	.fill	4, 1, 0x90
	/* overlap: an entry for the middle of the site at ok */
	entry	LG_K32, 1, ok+3
	/* overlap: a second entry for the site at ok */
	entry	LG_K32, 1, ok
	/* unknown-gate */
	k32	99
	/* access: application code calls a kernel-only gate, and kernel
	 * code an application-only one */
	a32	3
	k32	5
	/* kind, flags (a reserved bit: the C-call flag, bit 0, is fine on k32) */
	k32b	2
	entry	7, 2
	k32b	2
	entry	LG_K32, 2 + (2 << 28)
	/* by-name: the stub and the entry name different gates */
	k32b	__lg_gate_gl_add
	entry	LG_K32, __lg_gate_gl_neg
	/* by-name: not a gate symbol */
	k32	some_symbol
	/* reloc: a relocation inside the site */
	k32b	(elsewhere-.)
	entry	LG_K32, 0
	/* stray: a stub that no entry describes */
	a16b	4
	ret

	.data
	/* outside: a site in a data section */
	k32	1
	.pushsection lazygate_sites, "a", @progbits
	/* reloc: an absolute relocation in a rel field */
	.long	ok
	.long	1
	/* outside: a constant rel, pointing past the end of the table */
	.long	0x100000
	.long	1
	.popsection
	.section .note.GNU-stack, "", @progbits
