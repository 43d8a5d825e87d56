/* Libraries the lean rehost loads only when a command needs them.
 *
 * rehost runs replicate from libvirt hooks and CI on every sync; most syncs
 * never check a package's SHA digests. Loaded at start, libcrypto costs a
 * cold sync about 8 ms of page-ins before it does anything. In the lean
 * executable, the few functions rehost calls from it are trampolines
 * (lazy_libs.c) that load it on first use; every other build links it as
 * usual. libnbd (with gnutls) and libxml2 (with ICU and libstdc++) cost a
 * cold start about 40 ms more; they are loaded the same way, and replicate
 * loads libnbd while qemu-img probes the source (rh_lazy_load). */
#ifndef REHOST_LAZY_LOAD_H
#define REHOST_LAZY_LOAD_H

/* The address of sym in the shared library soname, loaded (RTLD_LOCAL) on
 * first use. A library or symbol that cannot be loaded ends the process with
 * a message naming it and exit status 1: it is one of rehost's package
 * dependencies, so its absence is a broken installation. */
void *rh_lazy_sym(const char *soname, const char *sym);

/* Load soname now, for a command that will need it, at a moment when its
 * helpers are starting anyway: the loading overlaps with theirs instead of
 * coming after. (No thread does this: rehost forks its helpers, and a fork
 * while another thread is inside the dynamic loader is not safe.) Any
 * failure is left to the first trampoline into the library to report. */
void rh_lazy_load(const char *soname);

#endif
