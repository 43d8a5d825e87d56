/* How much of a file is in the page cache: whether reading it again is a
 * copy from memory or a trip to the disk. */
#ifndef REHOST_PAGE_CACHE_H
#define REHOST_PAGE_CACHE_H

#include <stdbool.h>

/* The percentage (0-100) of the file's data that is in the page cache,
 * estimated from up to 256 pages spread over it (each the first data page
 * at or after its point: holes are never read, so they do not count). A
 * file with no data is 100. Nothing is read: mincore(2) on one mapped page
 * at a time. -1 with errno set when the file cannot be opened or mapped. */
int rh_page_cache_percent(const char *path);

/* Does the file system take O_DIRECT for path, opened with mode (O_RDONLY,
 * O_WRONLY)? tmpfs does not. Opens and closes it; reads nothing. */
bool rh_opens_direct(const char *path, int mode);

/* Is path written with O_DIRECT? Yes where its file system takes it
 * (rh_opens_direct with mode), saying which in a debug line naming path. */
bool rh_write_direct(const char *path, int mode);

/* Is path (a file or device holding an image's data, named name in the
 * debug line that says which) better read with O_DIRECT, bypassing the page
 * cache? When less than half of its data is cached, yes: parallel reads go
 * to the disk as they are, where buffered ones share one descriptor's
 * readahead and undo each other's, and a scattered read does not pull in
 * the readahead around it. When most of it is cached, no: memory is faster
 * than the disk. Never when it refuses O_DIRECT or its residency cannot be
 * measured. */
bool rh_read_direct_when_cold(const char *path, const char *name);

#endif
