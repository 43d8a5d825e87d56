/* Process exit statuses of every rehost command (documented in rehost(1)). */
#ifndef REHOST_EXITCODES_H
#define REHOST_EXITCODES_H

enum rh_exit {
  RH_EXIT_OK = 0,
  RH_EXIT_FAILURE = 1,    /* internal or unclassified failure */
  RH_EXIT_USAGE = 2,      /* bad command line */
  RH_EXIT_INPUT = 3,      /* missing, unreadable, malformed or unsupported input file */
  RH_EXIT_GUEST = 4,      /* no OS found, encrypted guest, guest tools failed */
  RH_EXIT_IO = 5,         /* read/write error, out of space */
  RH_EXIT_INTERRUPTED = 6,/* SIGINT/SIGTERM */
  RH_EXIT_INTEGRITY = 7,  /* refused to protect data (source mismatch, finalized target) */
};

#endif
