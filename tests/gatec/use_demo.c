/* use_demo.c: calls every wrapper of demo.gates once (gatec's compile
 * test).  Built as C and as C++, for every caller kind: 15 call sites in
 * each, whose gates compile.test and check_sites.c know. */
#include "demo.h"

struct node {
	int x;
};

#ifdef __cplusplus
extern "C" {
#endif
int use_all(char *buf);
unsigned int use_raw(unsigned int b);
void *use_kernel(void);
struct info *use_app(struct node *nd);
#ifdef __cplusplus
}
#endif

/* 12 sites: gates 1, 2, 3, 3 (alias), 4, 4, 4 (aliases), 8, 9, 16, 17, 19 */
int use_all(char *buf)
{
	uint32_t q, r;
	int h = 0, t = 0;
	ssize_t n;
	bool ok;
	short s;
	unsigned char u;
	struct node *next;
	const char **name;

	t += (int)demo_version();
	t += demo_add(1, 2);
	t += demo_open("x", 0, &h);
	t += demo_open_file("y", 1, &h);
	t += demo_close(h);
	t += demo_shut(h);
	t += demo_bye(h);
	demo_divmod(7, 2, &q, &r);
	t += demo_every(1, 2u, 3L, 4u, buf, buf, &n, &ok, &s, &u, &next, &name);
	t += demo_narrow('a', 5, true);
	t += (int)demo_address(buf);
	demo_sync();
	return t + (int)q + (int)r + h + (int)n + ok + s + u + (next != 0) + (name != 0);
}

/* 1 site: gate 7, through the stub macro in hand-written inline asm */
unsigned int use_raw(unsigned int b)
{
	unsigned int a;

	__asm__ __volatile__(LG_STUB_demo_raw_thing : "=a"(a) : "b"(b), "c"(b + 1) : "memory");
	return a;
}

#if !LG_CALLER_IS_APP
/* 2 sites: gates 5 and 0xffffff (kernel only) */
void *use_kernel(void)
{
	void *v = 0;

	if (demo_map_page(0x1000, &v))
		return 0;
	__asm__ __volatile__(LG_STUB_demo_kraw_too : : : "memory");
	return v;
}
#else
/* 2 sites: gates 6 and 18 (applications only) */
struct info *use_app(struct node *nd)
{
	demo_beep(440);
	return demo_app_info(nd, 3);
}
#endif
