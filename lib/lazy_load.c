#include "lazy_load.h"

#include "exitcodes.h"
#include "log.h"

#include <dlfcn.h>
#include <pthread.h>
#include <signal.h>
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

static void *preload(void *soname)
{
  dlopen(soname, RTLD_NOW | RTLD_LOCAL); /* kept loaded: the trampolines use it */
  return NULL;
}

void rh_lazy_preload(const char *soname)
{
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  pthread_attr_t a;
  pthread_t t;
  if (pthread_attr_init(&a) == 0) {
    pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
    pthread_create(&t, &a, preload, (void *)soname);
    pthread_attr_destroy(&a);
  }
  pthread_sigmask(SIG_SETMASK, &old, NULL);
}
