#include "replicate.h"

#include <stdio.h>
#include <string.h>

static const char *const mode_names[] = {"auto", "full", "compare", "bitmap"};

const char *rh_repl_mode_name(enum rh_repl_mode m)
{
  return (unsigned)m < 4 ? mode_names[m] : "?";
}

int rh_repl_mode_parse(const char *s)
{
  for (int i = 0; i < 4; i++)
    if (!strcmp(s, mode_names[i])) return i;
  return -1;
}

enum rh_repl_mode rh_choose_mode(enum rh_repl_mode requested, const struct rh_mode_facts *f,
                                 char *why, size_t whysz)
{
  why[0] = 0;
  if (!f->target_exists) {
    if (requested != RH_MODE_FULL) snprintf(why, whysz, "the target does not exist yet");
    return RH_MODE_FULL;
  }
  if (requested == RH_MODE_FULL || requested == RH_MODE_COMPARE) return requested;

  if (f->state == RH_TS_SYNCING)
    snprintf(why, whysz, "the previous sync (pid %ld) did not finish, so the target is "
             "inconsistent", f->state_pid);
  else if (f->state == RH_TS_INCONSISTENT)
    snprintf(why, whysz, "the target is marked inconsistent (%s)",
             f->state_reason ? f->state_reason : "a sync failed");
  else if (f->state == RH_TS_NONE)
    snprintf(why, whysz, "the target has no replication state");
  else if (f->state == RH_TS_FINALIZED)
    snprintf(why, whysz, "the target was finalized");
  else if (f->identity_forced)
    snprintf(why, whysz, "--force: the source is not the one the target was replicated from");
  else if (!f->source_qcow2)
    snprintf(why, whysz, "change tracking needs a qcow2 source, not %s",
             f->source_format ? f->source_format : "this format");
  else if (!f->recorded_bitmap)
    snprintf(why, whysz, "no change-tracking generation is recorded for this target");
  else if (!f->bitmap_present)
    snprintf(why, whysz, "the source has no bitmap %s (removed, or the image was replaced)",
             f->recorded_bitmap);
  else if (f->bitmap_in_use)
    snprintf(why, whysz, "the source's bitmap %s is inconsistent (its VM did not shut down "
             "cleanly)", f->recorded_bitmap);
  else if (f->bitmap_disabled)
    snprintf(why, whysz, "the source's bitmap %s is disabled (qemu-img bitmap --disable?), so "
             "it did not record every write", f->recorded_bitmap);
  else if (f->size_changed)
    snprintf(why, whysz, "the source's virtual size changed");
  else if (f->target_changed)
    snprintf(why, whysz, "the target was modified since the last sync");
  else
    return RH_MODE_BITMAP;
  return RH_MODE_COMPARE;
}
