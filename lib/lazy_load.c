#include "lazy_load.h"

#include "exitcodes.h"
#include "log.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_LIBS = 4 };
static struct {
  const char *soname;
  void *handle;
} g_libs[MAX_LIBS];
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;

void *rh_lazy_sym(const char *soname, const char *sym)
{
  void *handle = NULL, *addr = NULL;
  pthread_mutex_lock(&g_lock);
  int i = 0;
  for (; i < MAX_LIBS && g_libs[i].soname; i++)
    if (!strcmp(g_libs[i].soname, soname)) break;
  if (i < MAX_LIBS && g_libs[i].soname) {
    handle = g_libs[i].handle;
  } else if (i < MAX_LIBS && (handle = dlopen(soname, RTLD_NOW | RTLD_LOCAL))) {
    g_libs[i].soname = soname;
    g_libs[i].handle = handle;
  }
  const char *why = handle ? NULL : dlerror();
  if (handle && !(addr = dlsym(handle, sym))) why = dlerror();
  pthread_mutex_unlock(&g_lock);
  if (!addr) {
    rh_error("cannot load %s from %s: %s (reinstall rehost's dependencies)", sym, soname,
             why ? why : "too many libraries");
    exit(RH_EXIT_FAILURE);
  }
  return addr;
}
