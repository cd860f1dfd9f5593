/* use_demo.S: gatec's gas include (demo.inc) in 32-bit and 16-bit code.
 * asm.test assembles it with gcc -m32 -c and with as --32 and checks every
 * byte of .text and lazygate_sites. */
	.include "demo.inc"
	.include "demo.inc"		/* a second .include changes nothing */

	.text
	.code32
	demo_version			/* k32, gate 1 */
	demo_open_file			/* k32, gate 3 (an alias) */
	demo_map_page			/* k32, gate 5 (kernel only) */
	lg_stub 0x1234			/* k32, any gate number */
	demo_add LG_A32			/* a32, gate 2 */
	demo_beep LG_A32		/* a32, gate 6 (applications only) */

	.code16
	.set	LG_CALLER, LG_K16	/* the default kind for 16-bit kernel code */
	demo_divmod			/* k16, gate 8 */
	demo_kraw_too			/* k16, gate 0xffffff */
	demo_app_info LG_A16		/* a16, gate 18 */
	.set	LG_CALLER, LG_K32
	.code32
	.section .note.GNU-stack,"",@progbits
