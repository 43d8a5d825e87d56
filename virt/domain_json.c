/* The "domain" section of a scan report (schema rehost.scan/1). */
#include "domain.h"

#include <json-c/json.h>

static json_object *str_or_null(const char *s) { return s ? json_object_new_string(s) : NULL; }

json_object *rh_domain_to_json(const struct rh_domain *d, const char *snapshot)
{
  json_object *j = json_object_new_object();
  json_object_object_add(j, "name", json_object_new_string(d->name));
  json_object_object_add(j, "uuid", str_or_null(d->uuid));
  json_object_object_add(j, "running", json_object_new_boolean(d->running));
  json_object_object_add(j, "snapshot", str_or_null(snapshot));
  json_object_object_add(j, "firmware", json_object_new_string(d->uefi ? "uefi" : "bios"));
  json_object_object_add(j, "arch", str_or_null(d->arch));
  json_object_object_add(j, "vcpus", json_object_new_int((int)d->vcpus));
  json_object_object_add(j, "memory_kib", json_object_new_int64((int64_t)d->memory_kib));
  json_object *disks = json_object_new_array();
  for (size_t i = 0; i < d->n_disks; i++) {
    const struct rh_dom_disk *k = &d->disks[i];
    json_object *o = json_object_new_object();
    json_object_object_add(o, "dev", str_or_null(k->dev));
    json_object_object_add(o, "bus", str_or_null(k->bus));
    json_object_object_add(o, "path", str_or_null(k->path));
    json_object_object_add(o, "format", str_or_null(k->format));
    json_object_object_add(o, "boot_order", json_object_new_int(k->boot_order));
    json_object_object_add(o, "readonly", json_object_new_boolean(k->readonly));
    json_object_array_add(disks, o);
  }
  json_object_object_add(j, "disks", disks);
  json_object *nics = json_object_new_array();
  for (size_t i = 0; i < d->n_nics; i++) {
    const struct rh_dom_nic *c = &d->nics[i];
    json_object *o = json_object_new_object();
    json_object_object_add(o, "type", str_or_null(c->type));
    json_object_object_add(o, "mac", str_or_null(c->mac));
    json_object_object_add(o, "model", str_or_null(c->model));
    json_object_object_add(o, "source", str_or_null(c->source));
    json_object_array_add(nics, o);
  }
  json_object_object_add(j, "nics", nics);
  return j;
}
