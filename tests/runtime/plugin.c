/* A library with its own sites, loaded by dlopen after start. */
#include "t.h"

int plugin_twice(int x);
int plugin_twice(int x)
{
	return t_add(x, x);
}

/* A second site: with LAZYGATE_BIND_NOW, the library's first trap binds
 * both (tests/runtime/bindall.c). */
int plugin_plus_one(int x);
int plugin_plus_one(int x)
{
	return t_add(x, 1);
}
