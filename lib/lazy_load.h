/* Libraries the lean rehost loads only when a command needs them.
 *
 * rehost runs replicate from libvirt hooks and CI on every sync; most syncs
 * never check a package's SHA digests. Loaded at start, libcrypto costs a
 * cold sync about 8 ms of page-ins before it does anything. In the lean
 * executable, the few functions rehost calls from it are trampolines
 * (lazy_libs.c) that load it on first use; every other build links it as
 * usual. libnbd (with gnutls) and libxml2 (with ICU and libstdc++) cost a
 * cold start about 40 ms more; they are loaded the same way, and replicate
 * starts loading libnbd while qemu-img probes the images (rh_lazy_preload). */
#ifndef REHOST_LAZY_LOAD_H
#define REHOST_LAZY_LOAD_H

/* The address of sym in the shared library soname, loaded (RTLD_LOCAL) on
 * first use. A library or symbol that cannot be loaded ends the process with
 * a message naming it and exit status 1: it is one of rehost's package
 * dependencies, so its absence is a broken installation. */
void *rh_lazy_sym(const char *soname, const char *sym);

/* Start loading soname in a thread of its own (all signals blocked), for a
 * command that will need it once its helpers are running: the loading
 * overlaps with them instead of coming after. Any failure is left to the
 * first trampoline into the library to report. */
void rh_lazy_preload(const char *soname);

#endif
