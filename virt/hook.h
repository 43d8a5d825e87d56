/* The libvirt qemu hook: libvirt runs HOOKS_DIR/qemu.d/rehost with
 * (domain, operation, sub-operation, extra) and the domain XML on stdin.
 * On "release" (the domain stopped and let go of its disks) each of the
 * domain's replication pairs is synced in the background, detached from
 * libvirt; libvirt's operation never waits for it and never fails by it. */
#ifndef REHOST_HOOK_H
#define REHOST_HOOK_H

/* Write the hook script (atomically, mode 0755) calling `rehost_path hook
 * run --state-dir state_dir`. Returns an exit code; prints the path. */
int rh_hook_install(const char *hooks_dir, const char *state_dir, const char *rehost_path);

/* The hook's entry: argv as libvirt passes it (argc 4 normally), xml the
 * domain XML read from stdin (may be NULL). Always returns 0; problems go to
 * STATE_DIR/hook.log and the pairs' logs. */
int rh_hook_run(const char *state_dir, int argc, char **argv, const char *xml);

/* Sync one pair now (the detached worker's body; also `rehost pair sync`):
 * waits for any other sync of the pair, runs replicate, and on failure
 * makes sure the target is marked inconsistent. Logs to stderr. */
struct rh_pair;
int rh_hook_sync_pair(const char *state_dir, const struct rh_pair *p, const char *event);

#endif
