/* Domains through a libvirt connection. */
#include "domain.h"

#include "../lib/exitcodes.h"
#include "../lib/log.h"

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <stdlib.h>
#include <string.h>

static void quiet_errors(void *opaque, virErrorPtr e)
{
  (void)opaque;
  (void)e; /* reported by the caller, once, with context */
}

static const char *last_error(void)
{
  const char *m = virGetLastErrorMessage();
  return m && *m ? m : "unknown libvirt error";
}

int rh_domain_load(const char *uri, const char *name, const char *snapshot, struct rh_domain *d)
{
  memset(d, 0, sizeof *d);
  virSetErrorFunc(NULL, quiet_errors);
  virConnectPtr conn = virConnectOpenReadOnly(uri);
  if (!conn) {
    rh_error("cannot connect to libvirt%s%s: %s", uri ? " at " : "", uri ? uri : "", last_error());
    return RH_EXIT_FAILURE;
  }
  int rc = RH_EXIT_INPUT;
  virDomainSnapshotPtr snap = NULL;
  char *xml = NULL;
  virDomainPtr dom = virDomainLookupByName(conn, name);
  if (!dom) {
    rh_error("libvirt domain '%s' not found%s%s", name, uri ? " on " : "", uri ? uri : "");
    goto out;
  }
  int active = virDomainIsActive(dom);
  if (snapshot) {
    snap = virDomainSnapshotLookupByName(dom, snapshot, 0);
    if (!snap) {
      rh_error("domain '%s' has no snapshot '%s'", name, snapshot);
      goto out;
    }
    xml = virDomainSnapshotGetXMLDesc(snap, 0);
  } else {
    xml = virDomainGetXMLDesc(dom, 0);
  }
  if (!xml) {
    rh_error("domain '%s': cannot read its XML: %s", name, last_error());
    goto out;
  }
  char err[300];
  if (rh_domain_parse(xml, d, err, sizeof err) < 0) {
    rh_error("domain '%s'%s%s: malformed XML: %s", name, snapshot ? " snapshot " : "",
             snapshot ? snapshot : "", err);
    goto out;
  }
  d->running = active == 1;
  if (snapshot && d->snapshot_internal) {
    rh_error("snapshot '%s' of domain '%s' is internal (inside the qcow2 file that keeps "
             "changing): name an external, disk-only snapshot (virsh snapshot-create-as "
             "--disk-only)", snapshot, name);
    rh_domain_free(d);
    rc = RH_EXIT_INPUT;
    goto out;
  }
  rc = RH_EXIT_OK;
out:
  free(xml);
  if (snap) virDomainSnapshotFree(snap);
  if (dom) virDomainFree(dom);
  virConnectClose(conn);
  return rc;
}

int rh_domain_check_quiet(const struct rh_domain *d, const char *snapshot, const char *what)
{
  if (!d->running || snapshot) return RH_EXIT_OK;
  rh_error("domain '%s' is running: its disks change while they are read, so %s would copy "
           "an inconsistent image. Shut it down, or name a snapshot whose disks are frozen "
           "(--snapshot NAME; e.g. virsh snapshot-create-as --disk-only)",
           d->name, what);
  return RH_EXIT_INPUT;
}
