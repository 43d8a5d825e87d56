/* Work directories: created private, removed with their contents, and those
 * of a dead rehost swept by the next one - never following a symlink out. */
#include "../../lib/workdir.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char base[64];

static void touch(const char *dir, const char *name, const char *text)
{
  char p[512];
  snprintf(p, sizeof p, "%s/%s", dir, name);
  FILE *f = fopen(p, "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
}

static bool exists(const char *p)
{
  struct stat sb;
  return lstat(p, &sb) == 0;
}

/* A pid that ran and is gone. */
static long dead_pid(void)
{
  pid_t p = fork();
  if (p == 0) _exit(0);
  waitpid(p, NULL, 0);
  return (long)p;
}

static void create_and_remove(void **state)
{
  (void)state;
  char dir[256];
  assert_int_equal(rh_workdir_create("unit", true, dir, sizeof dir), 0);
  char want[128];
  snprintf(want, sizeof want, "%s/rehost-unit.%ld.", base, (long)getpid());
  assert_memory_equal(dir, want, strlen(want));
  struct stat sb;
  assert_int_equal(stat(dir, &sb), 0);
  assert_int_equal(sb.st_mode & 0777, 0700);
  assert_true(rh_workdir_is(dir, "unit"));
  assert_false(rh_workdir_is(dir, "nbd"));
  assert_false(rh_workdir_is("/tmp", "unit"));
  assert_false(rh_workdir_is("/tmp/rehost-unit.12x.abcdef", "unit"));
  assert_false(rh_workdir_is(NULL, "unit"));
  touch(dir, "overlay.qcow2", "x");
  char sub[300];
  snprintf(sub, sizeof sub, "%s/libguestfsXYZ", dir);
  assert_int_equal(mkdir(sub, 0700), 0);
  touch(sub, "overlay1.qcow2", "y");
  rh_workdir_remove(dir);
  assert_false(exists(dir));
}

static void stale_swept_live_kept(void **state)
{
  (void)state;
  /* a file outside, which a symlink in the stale directory names */
  char outside[256], stale[256], live[256], link[300], other[256];
  snprintf(outside, sizeof outside, "%s/keep-me", base);
  touch(base, "keep-me", "precious");
  snprintf(stale, sizeof stale, "%s/rehost-unit.%ld.AbCdEf", base, dead_pid());
  assert_int_equal(mkdir(stale, 0700), 0);
  touch(stale, "overlay.qcow2", "x");
  snprintf(link, sizeof link, "%s/link", stale);
  assert_int_equal(symlink(outside, link), 0);
  /* a directory of a running process (ours), and another purpose's */
  snprintf(live, sizeof live, "%s/rehost-unit.%ld.GhIjKl", base, (long)getppid());
  assert_int_equal(mkdir(live, 0700), 0);
  snprintf(other, sizeof other, "%s/rehost-nbd.%ld.MnOpQr", base, dead_pid());
  assert_int_equal(mkdir(other, 0700), 0);

  char dir[256];
  assert_int_equal(rh_workdir_create("unit", true, dir, sizeof dir), 0);
  assert_false(exists(stale));
  assert_true(exists(outside));
  assert_true(exists(live));
  assert_true(exists(other)); /* swept when an nbd directory is made there */
  rh_workdir_remove(dir);
  rmdir(live);
  rmdir(other);
}

/* A live run whose PID means nothing here (another PID namespace, or a
 * PID since reused): its directory's .lock is held, so it is kept. */
static void held_directory_kept(void **state)
{
  (void)state;
  char foreign[256], lock[300];
  snprintf(foreign, sizeof foreign, "%s/rehost-unit.%ld.StUvWx", base, dead_pid());
  assert_int_equal(mkdir(foreign, 0700), 0);
  snprintf(lock, sizeof lock, "%s/.lock", foreign);
  int fd = open(lock, O_RDWR | O_CREAT, 0600);
  assert_true(fd >= 0);
  /* another open file description holds it, as another process would */
  pid_t holder = fork();
  if (holder == 0) {
    flock(fd, LOCK_EX);
    pause();
    _exit(0);
  }
  for (int i = 0; i < 200; i++) {
    int probe = open(lock, O_RDONLY);
    int busy = flock(probe, LOCK_EX | LOCK_NB) < 0;
    close(probe);
    if (busy) break;
    usleep(10000);
  }
  char dir[256];
  assert_int_equal(rh_workdir_create("unit", true, dir, sizeof dir), 0);
  assert_true(exists(foreign));
  /* and its own directory holds a lock too */
  char own[300];
  snprintf(own, sizeof own, "%s/.lock", dir);
  int probe = open(own, O_RDONLY);
  assert_true(probe >= 0);
  assert_int_equal(flock(probe, LOCK_EX | LOCK_NB), -1);
  close(probe);
  rh_workdir_remove(dir);
  kill(holder, SIGKILL);
  waitpid(holder, NULL, 0);
  close(fd);
  /* its holder gone, the next run sweeps it */
  assert_int_equal(rh_workdir_create("unit", true, dir, sizeof dir), 0);
  assert_false(exists(foreign));
  rh_workdir_remove(dir);
}

int main(void)
{
  snprintf(base, sizeof base, "/tmp/rehost-unit-workdir.XXXXXX");
  if (!mkdtemp(base)) return 1;
  setenv("TMPDIR", base, 1);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(create_and_remove),
      cmocka_unit_test(stale_swept_live_kept),
      cmocka_unit_test(held_directory_kept),
  };
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  unlink(strcat(base, "/keep-me"));
  rmdir(dirname(base));
  return rc;
}
