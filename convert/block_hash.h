/* XXH3, as the sync engine and the target's digests use it.
 *
 * libxxhash's dispatching entry points, where the library has them, pick
 * the CPU's widest vectors at run time (x86-64: SSE2, AVX2 or AVX-512); the
 * plain ones are built for the baseline (SSE2). The digests are the same
 * either way, so digests kept by either stay valid; only the speed differs
 * (64 KiB blocks on this project's machine: 12 GB/s plain, 20 GB/s
 * dispatched, which picked AVX-512). xxh_x86dispatch.h replaces the plain
 * names with the dispatching ones. */
#ifndef REHOST_BLOCK_HASH_H
#define REHOST_BLOCK_HASH_H

#include <xxhash.h>
#ifdef REHOST_XXH_DISPATCH
#include <xxh_x86dispatch.h>
#endif

#endif
