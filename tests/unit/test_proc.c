/* Helper programs: run in one go, or started and collected later while
 * another runs (qemu-img check beside qemu-img info): outputs and statuses
 * stay apart, a large output is read whole, a program that cannot run says
 * why, and a stopped helper is reaped. */
#include "../../lib/proc.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

static void run_captures_status_and_both_outputs(void **state)
{
  (void)state;
  char *argv[] = {"sh", "-c", "echo out; echo err >&2; exit 3", NULL};
  struct rh_proc_result r;
  assert_int_equal(rh_proc_run(argv, &r, NULL, NULL), 0);
  assert_int_equal(r.status, 3);
  assert_string_equal(r.out, "out\n");
  assert_string_equal(r.err, "err\n");
  rh_proc_result_free(&r);
}

static void two_helpers_side_by_side(void **state)
{
  (void)state;
  /* the first writes more than a pipe holds before the second is even
   * collected: it waits for its finish, and nothing is lost */
  char *big[] = {"sh", "-c", "head -c 300000 /dev/zero | tr '\\0' x; exit 2", NULL};
  char *small[] = {"sh", "-c", "echo second >&2", NULL};
  struct rh_proc a, b;
  char *why = NULL;
  assert_int_equal(rh_proc_start(big, &a, &why), 0);
  assert_null(why);
  assert_int_equal(rh_proc_start(small, &b, &why), 0);
  assert_int_equal(rh_proc_running(), 2); /* both are what a signal handler stops */
  struct rh_proc_result rb, ra;
  assert_int_equal(rh_proc_finish(&b, &rb, NULL, NULL), 0);
  assert_int_equal(rb.status, 0);
  assert_string_equal(rb.out, "");
  assert_string_equal(rb.err, "second\n");
  assert_int_equal(rh_proc_finish(&a, &ra, NULL, NULL), 0);
  assert_int_equal(ra.status, 2);
  assert_int_equal(strlen(ra.out), 300000);
  assert_int_equal(strspn(ra.out, "x"), 300000);
  assert_int_equal(rh_proc_running(), 0);
  rh_proc_result_free(&ra);
  rh_proc_result_free(&rb);
}

static void a_missing_program_says_why(void **state)
{
  (void)state;
  char *argv[] = {"rehost-test-no-such-program", NULL};
  struct rh_proc p;
  char *why = NULL;
  assert_int_equal(rh_proc_start(argv, &p, &why), -1);
  assert_int_equal(errno, ENOENT);
  assert_non_null(why);
  assert_non_null(strstr(why, "No such file"));
  free(why);
  struct rh_proc_result r;
  assert_int_equal(rh_proc_run(argv, &r, NULL, NULL), -1);
  assert_non_null(r.err);
  assert_non_null(strstr(r.err, "No such file"));
  rh_proc_result_free(&r);
}

/* what the signal handler does: every helper still running is stopped,
 * the one started beside another as much as the one waited for */
static void a_signal_stops_every_running_helper(void **state)
{
  (void)state;
  char *argv[] = {"sleep", "30", NULL};
  struct rh_proc a, b;
  char *why = NULL;
  assert_int_equal(rh_proc_start(argv, &a, &why), 0);
  assert_int_equal(rh_proc_start(argv, &b, &why), 0);
  assert_int_equal(rh_proc_running(), 2);
  rh_proc_signal_running(SIGTERM);
  struct rh_proc_result ra, rb;
  assert_int_equal(rh_proc_finish(&a, &ra, NULL, NULL), 0);
  assert_int_equal(rh_proc_finish(&b, &rb, NULL, NULL), 0);
  assert_int_equal(ra.status, 128 + SIGTERM);
  assert_int_equal(rb.status, 128 + SIGTERM);
  assert_int_equal(rh_proc_running(), 0);
  rh_proc_result_free(&ra);
  rh_proc_result_free(&rb);
}

static void a_stopped_helper_is_reaped(void **state)
{
  (void)state;
  char *argv[] = {"sleep", "30", NULL};
  struct rh_proc p;
  char *why = NULL;
  assert_int_equal(rh_proc_start(argv, &p, &why), 0);
  pid_t pid = p.pid;
  assert_int_equal(kill(pid, SIGTERM), 0);
  struct rh_proc_result r;
  assert_int_equal(rh_proc_finish(&p, &r, NULL, NULL), 0);
  assert_int_equal(r.status, 128 + SIGTERM);
  assert_int_equal(p.pid, 0);
  /* reaped: no child of that pid is left to wait for */
  assert_int_equal(waitpid(pid, NULL, WNOHANG), -1);
  assert_int_equal(errno, ECHILD);
  rh_proc_result_free(&r);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(run_captures_status_and_both_outputs),
      cmocka_unit_test(two_helpers_side_by_side),
      cmocka_unit_test(a_missing_program_says_why),
      cmocka_unit_test(a_stopped_helper_is_reaped),
      cmocka_unit_test(a_signal_stops_every_running_helper),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
