/* Test helpers: the program's own site table and the state of its sites. */
#ifndef T_SITES_H
#define T_SITES_H
#include <string.h>
#include <lazygate/core.h>

extern const struct lg_site __start_lazygate_sites[], __stop_lazygate_sites[];

/* How many sites of GATE in this module are in STATE. */
static inline int count_state(unsigned int gate, enum lg_state state)
{
	const struct lg_site *e;
	int n = 0;

	for (e = __start_lazygate_sites; e < __stop_lazygate_sites; e++)
		if (lg_site_gate(e) == gate &&
		    lg_match((const unsigned char *)lg_site_addr(e), lg_site_kind(e), gate) == state)
			n++;
	return n;
}

/* How many sites of GATE this module has. */
static inline int count_sites(unsigned int gate)
{
	const struct lg_site *e;
	int n = 0;

	for (e = __start_lazygate_sites; e < __stop_lazygate_sites; e++)
		n += lg_site_gate(e) == gate;
	return n;
}

/* Is the page holding ADDR mapped writable?  Reads /proc/self/maps. */
static inline int writable(const void *addr)
{
	FILE *f = fopen("/proc/self/maps", "r");
	unsigned long lo, hi, a = (unsigned long)addr;
	char perm[8];
	int w = -1;

	while (f && fscanf(f, "%lx-%lx %7s%*[^\n]", &lo, &hi, perm) == 3)
		if (a >= lo && a < hi)
			w = perm[1] == 'w';
	if (f)
		fclose(f);
	return w;
}
/* The address of GATE's first site in this module (0: it has none). */
static inline unsigned long first_site(unsigned int gate)
{
	const struct lg_site *e;

	for (e = __start_lazygate_sites; e < __stop_lazygate_sites; e++)
		if (lg_site_gate(e) == gate)
			return lg_site_addr(e);
	return 0;
}
#endif
