/* Replication pairs: "domain D's disk DEV replicates into TARGET", one JSON
 * file per pair in STATE_DIR/pairs/ (schema rehost.pair/1, written
 * atomically), read by `rehost pair` and by the libvirt hook. */
#ifndef REHOST_PAIRS_H
#define REHOST_PAIRS_H

#include <stddef.h>

struct rh_pair {
  char id[17];        /* hex, from domain + disk + target: adding again updates */
  char *domain, *uuid, *uri, *disk, *source, *format, *target, *mode, *created;
  char *allow_backing;  /* "true": the source may have a backing file (an overlay) */
};

#include "../lib/private_files.h" /* rh_state_dir */
void rh_pair_make_id(struct rh_pair *p);
/* Parse / format one pair file's text (pure). Parse returns 0, or -1 with err. */
int rh_pair_parse(const char *text, struct rh_pair *p, char *err, size_t errsz);
char *rh_pair_format(const struct rh_pair *p);
void rh_pair_free(struct rh_pair *p);
/* Store operations; print one error naming the file and return an exit code. */
int rh_pair_save(const char *dir, const struct rh_pair *p);
int rh_pair_remove(const char *dir, const char *id);
/* All pairs, sorted by domain then disk. Malformed files, and files that
 * are symlinks or that another user owns or can write, are reported and
 * skipped (*bad counts them). */
int rh_pairs_load(const char *dir, struct rh_pair **v, size_t *n, int *bad);
void rh_pairs_free(struct rh_pair *v, size_t n);
/* Path of a pair's log and lock: STATE_DIR/logs/ID.log, STATE_DIR/locks/ID.lock (malloc'd). */
char *rh_pair_file(const char *dir, const char *sub, const char *id, const char *ext);

#endif
