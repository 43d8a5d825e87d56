#include "lazy_load.h"

#include "exitcodes.h"
#include "log.h"

#include <dlfcn.h>
#include <stdlib.h>

/* Each trampoline resolves its symbol once; dlopen of a library already
 * loaded only returns its handle, and dlerror is per thread. */
void *rh_lazy_sym(const char *soname, const char *sym)
{
  void *handle = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
  void *addr = handle ? dlsym(handle, sym) : NULL;
  if (!addr) {
    const char *why = dlerror();
    rh_error("cannot load %s from %s: %s (reinstall rehost's dependencies)", sym, soname,
             why ? why : "not found");
    exit(RH_EXIT_FAILURE);
  }
  return addr;
}

void rh_lazy_load(const char *soname)
{
  dlopen(soname, RTLD_NOW | RTLD_LOCAL); /* kept loaded: the trampolines use it */
}
