/* How much of a file is in the page cache: whether reading it again is a
 * copy from memory or a trip to the disk. */
#ifndef REHOST_PAGE_CACHE_H
#define REHOST_PAGE_CACHE_H

/* The percentage (0-100) of the file's data that is in the page cache,
 * estimated from up to 256 pages spread over it (each the first data page
 * at or after its point: holes are never read, so they do not count). A
 * file with no data is 100. Nothing is read: mincore(2) on one mapped page
 * at a time. -1 with errno set when the file cannot be opened or mapped. */
int rh_page_cache_percent(const char *path);

#endif
