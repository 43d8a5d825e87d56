/* Libraries the lean rehost loads only when a command needs them.
 *
 * rehost runs replicate from libvirt hooks and CI on every sync; most syncs
 * never parse XML (a domain or an OVF) nor check a package's SHA digests.
 * Loaded at start, libxml2 (with ICU) and libcrypto cost a cold sync about
 * 35 ms of page-ins before it does anything. In the lean executable, the
 * few functions rehost calls from them are trampolines (lazy_libs.c) that
 * load the library on first use; every other build links them as usual. */
#ifndef REHOST_LAZY_LOAD_H
#define REHOST_LAZY_LOAD_H

/* The address of sym in the shared library soname, loaded (RTLD_LOCAL) on
 * first use. A library or symbol that cannot be loaded ends the process with
 * a message naming it and exit status 1: it is one of rehost's package
 * dependencies, so its absence is a broken installation. */
void *rh_lazy_sym(const char *soname, const char *sym);

#endif
