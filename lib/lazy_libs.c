/* The lean rehost's trampolines into libcrypto, libnbd and libxml2
 * (lazy_load.h): the functions rehost calls, with the libraries' own
 * prototypes (their headers are included, so the compiler checks each one),
 * loading each library on first use. Linked into the lean executable only,
 * with --as-needed, so none of them is loaded at start; no library loaded at
 * start needs them, so these symbols interpose on nothing. */
#include "lazy_load.h"
#include "xml_str.h"

#include <libnbd.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <openssl/evp.h>

#define CRYPTO "libcrypto.so.3"
#define NBD "libnbd.so.0"
#define XML "libxml2.so.2"

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

LAZY(NBD, struct nbd_handle *, nbd_create, (void), ())
LAZY_VOID(NBD, nbd_close, (struct nbd_handle *h), (h))
LAZY(NBD, const char *, nbd_get_error, (void), ())
LAZY(NBD, int, nbd_get_errno, (void), ())
LAZY(NBD, int, nbd_add_meta_context, (struct nbd_handle *h, const char *name), (h, name))
LAZY(NBD, int, nbd_connect_unix, (struct nbd_handle *h, const char *unixsocket), (h, unixsocket))
LAZY(NBD, int, nbd_can_meta_context, (struct nbd_handle *h, const char *metacontext),
     (h, metacontext))
LAZY(NBD, int64_t, nbd_get_size, (struct nbd_handle *h), (h))
LAZY(NBD, int, nbd_pread,
     (struct nbd_handle *h, void *buf, size_t count, uint64_t offset, uint32_t flags),
     (h, buf, count, offset, flags))
LAZY(NBD, int64_t, nbd_aio_pwrite,
     (struct nbd_handle *h, const void *buf, size_t count, uint64_t offset,
      nbd_completion_callback completion_callback, uint32_t flags),
     (h, buf, count, offset, completion_callback, flags))
LAZY(NBD, int64_t, nbd_aio_zero,
     (struct nbd_handle *h, uint64_t count, uint64_t offset,
      nbd_completion_callback completion_callback, uint32_t flags),
     (h, count, offset, completion_callback, flags))
LAZY(NBD, int, nbd_aio_in_flight, (struct nbd_handle *h), (h))
LAZY(NBD, int, nbd_poll, (struct nbd_handle *h, int timeout), (h, timeout))
LAZY(NBD, int, nbd_flush, (struct nbd_handle *h, uint32_t flags), (h, flags))
LAZY(NBD, int, nbd_shutdown, (struct nbd_handle *h, uint32_t flags), (h, flags))
LAZY(NBD, int, nbd_block_status,
     (struct nbd_handle *h, uint64_t count, uint64_t offset, nbd_extent_callback extent_callback,
      uint32_t flags),
     (h, count, offset, extent_callback, flags))

LAZY(XML, xmlDocPtr, xmlReadMemory,
     (const char *buffer, int size, const char *URL, const char *encoding, int options),
     (buffer, size, URL, encoding, options))
LAZY(XML, xmlNodePtr, xmlDocGetRootElement, (const xmlDoc *doc), (doc))
LAZY_VOID(XML, xmlFreeDoc, (xmlDocPtr cur), (cur))
LAZY(XML, xmlErrorPtr, xmlGetLastError, (void), ())
LAZY(XML, xmlChar *, xmlGetProp, (const xmlNode *node, const xmlChar *name), (node, name))
LAZY(XML, xmlChar *, xmlNodeGetContent, (const xmlNode *cur), (cur))
LAZY(XML, xmlChar *, xmlNodeListGetString, (xmlDocPtr doc, const xmlNode *list, int inLine),
     (doc, list, inLine))

/* xmlFree is a variable (xml_str.h): its address is looked up, not a function's */
void rh_xml_free(void *p)
{
  static void *f;
  xmlFreeFunc *fn;
  RESOLVE(XML, xmlFree, f);
  if (p) (*fn)(p);
}
