/* Running qemu-img for image.c: its JSON answer with errors that name the
 * image, runs started before their answer is wanted, and qemu-img check. */
#ifndef REHOST_IMAGE_QEMU_H
#define REHOST_IMAGE_QEMU_H

#include "../lib/proc.h"

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

/* Run a qemu-img --output=json command: its JSON in *out (NULL on failure,
 * with an error naming path). Returns its exit status, or -1 if it could
 * not run. */
int rh_qemu_img_json(char *const argv[], const char *path, json_object **out);
/* The same for a run that has finished (run_rc: rh_proc_run's or
 * rh_proc_finish's); frees r. */
int rh_qemu_img_json_result(int run_rc, struct rh_proc_result *r, const char *prog,
                            const char *path, json_object **out);

/* A number in qemu-img's JSON answer (o[k]), 0 when it is absent. */
uint64_t rh_qemu_json_u64(json_object *o, const char *k);

/* A qemu-img run started before its answer is wanted (the probe starts
 * check and info at once, only for an image whose header names no other
 * file: qcow2 without backing or data file, since they would open them). */
struct rh_qemu_img_early {
  struct rh_proc proc;
  int start_rc; /* 0: running; -1: not started (its answer is asked for by running it) */
};
/* Start argv; a failure to start is silent: the wait runs it and says why. */
void rh_qemu_img_start(struct rh_qemu_img_early *e, char *const argv[]);
/* rh_qemu_img_json's answer for argv: that of e when e runs it, else of a
 * run now. e may be NULL. */
int rh_qemu_img_json_wait(struct rh_qemu_img_early *e, char *const argv[], const char *path,
                          json_object **out);
/* Stop a run whose answer is not wanted (the image was refused, or is not
 * checked after all) and reap it; nothing if it is not running. */
void rh_qemu_img_drop(struct rh_qemu_img_early *e);
/* rh_qemu_img_start of the check rh_image_check runs. */
void rh_early_check_start(struct rh_qemu_img_early *e, const char *path, const char *driver,
                          bool share);

/* qemu-img check: corruptions and check errors refuse the image, and so does
 * data past the file's end (file_size: 0 skips that test; slack: the cluster
 * size, as the last cluster of a qcow2 file may be partly written). early:
 * that check already started with the same arguments, or NULL. Returns
 * RH_EXIT_*. */
int rh_image_check(const char *path, const char *driver, uint64_t file_size, uint64_t slack,
                   bool share, struct rh_qemu_img_early *early);

/* A path as a value in qemu's QemuOpts syntax (--image-opts), where a ','
 * is doubled; malloc'd, NULL when out of memory. */
char *rh_qemu_opts_path(const char *path);
/* Options that open the image file at path (a regular file) in format
 * driver through qemu's preallocate filter, for a writer that grows the file
 * at its end (a qcow2 taking new clusters): each write past the end extends
 * the file by 128 MiB (fallocate), not by itself, which the file system
 * would serialise and journal write by write; qemu trims the file to its
 * data when it closes the image cleanly. malloc'd, NULL when out of memory. */
char *rh_qemu_preallocate_opts(const char *driver, const char *path);

#endif
