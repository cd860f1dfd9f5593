/* <bfd.h> insists on config.h or PACKAGE being defined first. */
#ifndef GATELINK_BFDH_H
#define GATELINK_BFDH_H
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif
#ifndef PACKAGE
#define PACKAGE "lazygate"
#endif
#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "0"
#endif
#include <bfd.h>

/* The special function of the ELF howtos that need none of their own
 * (all of elf32-i386's).  libbfd exports it but declares it only in its
 * private elf-bfd.h; weak, so that a libbfd without it just takes the
 * slow path (sites.c). */
extern bfd_reloc_status_type bfd_elf_generic_reloc(bfd *, arelent *, struct bfd_symbol *, void *,
						   asection *, bfd *, char **)
	__attribute__((weak));
#endif
