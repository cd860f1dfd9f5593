/* A library with its own sites, loaded by dlopen after start. */
#include "t.h"

int plugin_twice(int x);
int plugin_twice(int x)
{
	return t_add(x, x);
}
