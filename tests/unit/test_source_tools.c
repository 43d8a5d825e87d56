/* Unit tests for the source platforms' tools (profiles/source-tools/NAME.json):
 * the shipped files load; package patterns match names and prefixes only;
 * the guest's package lists (dpkg's and rpm's) are read, with what is not
 * installed, what the target keeps and names unfit for a command line left
 * out; malformed files are refused with a reason; the word lists the
 * names are carried in match whole words only. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/words.h"
#include "../../profiles/source_tools.h"

static const struct rh_source_tools *named(const struct rh_source_tools *v, size_t n,
                                           const char *name)
{
  for (size_t i = 0; i < n; i++)
    if (!strcmp(v[i].name, name)) return &v[i];
  return NULL;
}

static void shipped_files_load(void **state)
{
  (void)state;
  struct rh_source_tools *v;
  size_t n;
  assert_int_equal(rh_source_tools_load(&v, &n), 0);
  assert_int_equal(n, 4);
  const char *want[] = {"citrix", "parallels", "virtualbox", "vmware"}; /* sorted by file */
  for (size_t i = 0; i < 4; i++) assert_string_equal(v[i].name, want[i]);
  const struct rh_source_tools *vm = named(v, n, "vmware");
  assert_non_null(vm);
  assert_true(rh_source_tools_match(vm->packages, "open-vm-tools"));
  assert_true(rh_source_tools_match(vm->packages, "open-vm-tools-desktop"));
  assert_true(rh_source_tools_match(vm->packages, "vmware-tools-services"));
  assert_true(rh_source_tools_match(vm->packages, "kmod-vmware-tools-vmxnet"));
  assert_false(rh_source_tools_match(vm->packages, "open-vm-toolsx"));
  assert_false(rh_source_tools_match(vm->packages, "vmware-tool"));
  assert_int_equal(vm->n_uninstallers, 1);
  assert_string_equal(vm->uninstallers[0].path, "/usr/bin/vmware-uninstall-tools.pl");
  assert_string_equal(vm->uninstallers[0].append_file, "/etc/vmware-tools/locations");
  assert_string_equal(vm->uninstallers[0].append_lines[0], "remove_answer RESTORE_RAMDISK_CMD");
  const struct rh_source_tools *prl = named(v, n, "parallels");
  assert_string_equal(prl->uninstallers[0].args[0], "-r");
  assert_null(prl->packages[0]);
  assert_string_equal(named(v, n, "virtualbox")->uninstallers[0].path,
                      "/opt/VBoxGuestAdditions-*/uninstall.sh");
  rh_source_tools_free_all(v, n);
}

static void vmware(struct rh_source_tools *t)
{
  char err[256];
  assert_int_equal(rh_source_tools_parse("{\"schema\": \"rehost.source-tools/1\", \"name\": \"vm\","
                                         "\"packages\": [\"open-vm-tools\", \"open-vm-tools-*\","
                                         " \"VMwareTools\"]}",
                                         t, err, sizeof err),
                   0);
}

static void dpkg_list_selected(void **state)
{
  (void)state;
  struct rh_source_tools t;
  vmware(&t);
  const char *dpkg = "install ok installed bash\n"
                     "install ok installed open-vm-tools\n"
                     "deinstall ok config-files open-vm-tools-dev\n"
                     "unknown ok not-installed open-vm-tools-sdmp\n"
                     "install ok unpacked open-vm-tools-desktop\n"
                     "install ok installed open-vm-tools-$(reboot)\n"
                     "install ok installed open-vm-tools;x\n"
                     "install ok installed open-vm-tools-containerinfo extra words\n"
                     "install ok installed open-vm-tools\n"
                     "install ok installed -open-vm-tools\n"
                     "install ok installed open-vm-tools-salt-minion"; /* no newline at the end */
  char out[256] = "";
  assert_true(rh_source_tools_select(&t, dpkg, NULL, out, sizeof out));
  assert_string_equal(out, "open-vm-tools open-vm-tools-desktop open-vm-tools-salt-minion");
  /* what the target profile installs stays */
  char *keep[] = {"open-vm-tools-desktop", NULL};
  out[0] = 0;
  assert_true(rh_source_tools_select(&t, dpkg, keep, out, sizeof out));
  assert_string_equal(out, "open-vm-tools open-vm-tools-salt-minion");
  /* a list that does not fit: the names that fit, and false */
  char small[20] = "";
  assert_false(rh_source_tools_select(&t, dpkg, NULL, small, sizeof small));
  assert_string_equal(small, "open-vm-tools");
  rh_source_tools_free(&t);
  /* one line at a time, as the check after a removal reads them */
  char l1[] = "install ok installed open-vm-tools", l2[] = "deinstall ok config-files x",
       l3[] = "install ok installed a;b", l4[] = "open-vm-tools", l5[] = "a b c d e", l6[] = "";
  assert_string_equal(rh_pkg_query_name(l1), "open-vm-tools");
  assert_null(rh_pkg_query_name(l2));
  assert_null(rh_pkg_query_name(l3));
  assert_string_equal(rh_pkg_query_name(l4), "open-vm-tools");
  assert_null(rh_pkg_query_name(l5));
  assert_null(rh_pkg_query_name(l6));
}

static void rpm_list_selected(void **state)
{
  (void)state;
  struct rh_source_tools t;
  vmware(&t);
  char out[256] = "";
  assert_true(rh_source_tools_select(&t, "kernel\nVMwareTools\n\nopen-vm-tools-desktop\nglibc\n",
                                     NULL, out, sizeof out));
  assert_string_equal(out, "VMwareTools open-vm-tools-desktop");
  out[0] = 0;
  assert_true(rh_source_tools_select(&t, "", NULL, out, sizeof out));
  assert_string_equal(out, "");
  assert_true(rh_source_tools_select(&t, NULL, NULL, out, sizeof out));
  rh_source_tools_free(&t);
}

static void malformed_files_refused(void **state)
{
  (void)state;
  static const struct {
    const char *doc, *why;
  } bad[] = {
      {"[]", "not a JSON object"},
      {"{\"schema\": \"rehost.profile/1\", \"name\": \"x\", \"packages\": [\"a\"]}", "\"schema\""},
      {"{\"schema\": \"rehost.source-tools/1\", \"name\": \"x y\", \"packages\": [\"a\"]}", "\"name\""},
      {"{\"schema\": \"rehost.source-tools/1\", \"name\": \"x\", \"packges\": [\"a\"]}", "unknown key"},
      {"{\"schema\": \"rehost.source-tools/1\", \"name\": \"x\"}", "nothing to remove"},
      {"{\"schema\": \"rehost.source-tools/1\", \"name\": \"x\", \"packages\": [\"a*b\"]}", "prefix"},
      {"{\"schema\": \"rehost.source-tools/1\", \"name\": \"x\", \"packages\": [\"*\"]}", "prefix"},
      {"{\"schema\": \"rehost.source-tools/1\", \"name\": \"x\", \"packages\": [\"a;b\"]}", "valid name"},
      {"{\"schema\": \"rehost.source-tools/1\", \"name\": \"x\", \"uninstallers\": {}}", "array"},
      {"{\"schema\": \"rehost.source-tools/1\", \"name\": \"x\", \"uninstallers\": [{\"path\": \"bin/u\"}]}",
       "absolute"},
      {"{\"schema\": \"rehost.source-tools/1\", \"name\": \"x\", \"uninstallers\": [{\"path\": \"/opt/../bin/u\"}]}",
       "absolute"},
      {"{\"schema\": \"rehost.source-tools/1\", \"name\": \"x\", \"uninstallers\": [{\"path\": \"/u $(id)\"}]}",
       "absolute"},
      {"{\"schema\": \"rehost.source-tools/1\", \"name\": \"x\", \"uninstallers\": [{\"path\": \"/u\", \"args\": [\"-r;id\"]}]}",
       "valid name"},
      {"{\"schema\": \"rehost.source-tools/1\", \"name\": \"x\", \"uninstallers\": [{\"path\": \"/u\", \"run\": 1}]}",
       "unknown key"},
      {"{\"schema\": \"rehost.source-tools/1\", \"name\": \"x\", \"uninstallers\": [{\"path\": \"/u\", \"append\": {\"lines\": [\"a\"]}}]}",
       "\"append\""},
      {"{\"schema\": \"rehost.source-tools/1\", \"name\": \"x\", \"uninstallers\": [{\"path\": \"/u\", \"append\": {\"file\": \"/e/*\", \"lines\": [\"a\"]}}]}",
       "\"append\""},
      {"{\"schema\": \"rehost.source-tools/1\", \"name\": \"x\", \"uninstallers\": [{\"path\": \"/u\", \"append\": {\"file\": \"/e\", \"lines\": [\"a\\nb\"]}}]}",
       "valid name"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    struct rh_source_tools t;
    char err[256] = "";
    if (rh_source_tools_parse(bad[i].doc, &t, err, sizeof err) != -1 || !strstr(err, bad[i].why))
      fail_msg("document %zu: want an error with '%s', got '%s'", i, bad[i].why, err);
  }
  struct rh_source_tools t;
  char err[256];
  assert_int_equal(rh_source_tools_parse("{\"schema\": \"rehost.source-tools/1\", \"name\": \"x\","
                                         "\"uninstallers\": [{\"path\": \"/opt/X-*/un.sh\","
                                         "\"args\": [\"--mode=remove\"]}]}",
                                         &t, err, sizeof err),
                   0);
  assert_string_equal(t.description, "x");
  assert_string_equal(t.uninstallers[0].args[0], "--mode=remove");
  assert_null(t.uninstallers[0].append_file);
  rh_source_tools_free(&t);
}

/* lib/words.h: a name is one of the list's words, never part of one */
static void word_lists(void **state)
{
  (void)state;
  char list[24] = "";
  assert_false(rh_words_has(list, "vm"));
  rh_words_add(list, sizeof list, "open-vm-tools");
  rh_words_add(list, sizeof list, "vm");
  rh_words_add(list, sizeof list, "open-vm-tools");
  assert_false(rh_words_add(list, sizeof list, ""));
  assert_false(rh_words_add(list, sizeof list, "a b")); /* not one word: never two */
  assert_false(rh_words_add(list, sizeof list, "a\tb"));
  assert_false(rh_words_add(list, sizeof list, "x\033"));
  assert_string_equal(list, "open-vm-tools vm");
  assert_true(rh_is_word("lib/modules/6.1.0/x.ko"));
  assert_false(rh_is_word("lib/a\nb"));
  assert_false(rh_is_word("\x7f"));
  assert_true(rh_words_has(list, "vm"));
  assert_true(rh_words_has(list, "open-vm-tools"));
  assert_false(rh_words_has(list, "open"));
  assert_false(rh_words_has(list, "tools"));
  assert_false(rh_words_has(list, "vm-tools"));
  assert_false(rh_words_has(list, ""));
  assert_false(rh_words_add(list, sizeof list, "toolong")); /* 16 + 1 + 7 = 24: no room for the NUL */
  assert_string_equal(list, "open-vm-tools vm");
  assert_true(rh_words_add(list, sizeof list, "vm")); /* there already */
  assert_true(rh_words_add(list, sizeof list, "sixsix"));
  assert_string_equal(list, "open-vm-tools vm sixsix");
}

int main(void)
{
  setenv("REHOST_PROFILE_DIR", REHOST_TEST_PROFILES, 1);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(shipped_files_load),
      cmocka_unit_test(dpkg_list_selected),
      cmocka_unit_test(rpm_list_selected),
      cmocka_unit_test(malformed_files_refused),
      cmocka_unit_test(word_lists),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
