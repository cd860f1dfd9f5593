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
#endif
