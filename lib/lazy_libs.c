/* The lean rehost's trampolines into libcrypto (lazy_load.h): the functions
 * rehost calls, with the library's own prototypes (its header is included,
 * so the compiler checks each one), loading it on first use. Linked into the
 * lean executable only, with --as-needed, so it is not loaded at start; no
 * library loaded at start needs it, so these symbols interpose on nothing. */
#include "lazy_load.h"

#include <openssl/evp.h>

#define CRYPTO "libcrypto.so.3"

/* f: the function, resolved once (a race resolves it twice, to the same) */
#define RESOLVE(lib, name, f)                                                                 \
  do {                                                                                        \
    void *p_ = __atomic_load_n(&f, __ATOMIC_ACQUIRE);                                         \
    if (!p_) __atomic_store_n(&f, p_ = rh_lazy_sym(lib, #name), __ATOMIC_RELEASE);            \
    fn = (__typeof__(fn))p_;                                                                  \
  } while (0)
#define LAZY(lib, ret, name, params, args)                                                    \
  ret name params                                                                             \
  {                                                                                           \
    static void *f;                                                                           \
    ret(*fn) params;                                                                          \
    RESOLVE(lib, name, f);                                                                    \
    return fn args;                                                                           \
  }
#define LAZY_VOID(lib, name, params, args)                                                    \
  void name params                                                                            \
  {                                                                                           \
    static void *f;                                                                           \
    void(*fn) params;                                                                         \
    RESOLVE(lib, name, f);                                                                    \
    fn args;                                                                                  \
  }

LAZY(CRYPTO, EVP_MD_CTX *, EVP_MD_CTX_new, (void), ())
LAZY_VOID(CRYPTO, EVP_MD_CTX_free, (EVP_MD_CTX *ctx), (ctx))
LAZY(CRYPTO, const EVP_MD *, EVP_sha1, (void), ())
LAZY(CRYPTO, const EVP_MD *, EVP_sha256, (void), ())
LAZY(CRYPTO, int, EVP_DigestInit_ex, (EVP_MD_CTX *ctx, const EVP_MD *type, ENGINE *impl),
     (ctx, type, impl))
LAZY(CRYPTO, int, EVP_DigestUpdate, (EVP_MD_CTX *ctx, const void *d, size_t cnt), (ctx, d, cnt))
LAZY(CRYPTO, int, EVP_DigestFinal_ex, (EVP_MD_CTX *ctx, unsigned char *md, unsigned int *s),
     (ctx, md, s))
