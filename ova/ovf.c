/* The OVF descriptor (ova.h): libxml2 with no network, and no DOCTYPE at all
 * (so no entities, internal or external). Names are matched by local name:
 * VMware, VirtualBox and ovftool write the same elements under the OVF,
 * rasd and vmw namespaces. */
#include "ova.h"

#include "../lib/xml_str.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ITEMS 256

static bool is(const xmlNode *n, const char *name)
{
  return n && n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name);
}

static xmlNode *child(const xmlNode *n, const char *name)
{
  for (xmlNode *c = n ? n->children : NULL; c; c = c->next)
    if (is(c, name)) return c;
  return NULL;
}

/* An attribute by local name, whatever its namespace prefix (ovf:href, vmw:key) */
static char *attr(const xmlNode *n, const char *name)
{
  for (xmlAttr *a = n ? n->properties : NULL; a; a = a->next)
    if (!strcmp((const char *)a->name, name)) {
      char *s = rh_xml_take(xmlNodeListGetString(n->doc, a->children, 1));
      return s ? s : strdup("");
    }
  return NULL;
}

static char *child_text(const xmlNode *n, const char *name)
{
  xmlNode *c = child(n, name);
  return rh_xml_take(c ? xmlNodeGetContent(c) : NULL);
}

/* "byte", "byte * 2^20", "byte * 1024", "MegaBytes" -> a multiplier; 0 if unknown */
static uint64_t unit_bytes(const char *u, uint64_t dflt)
{
  if (!u || !*u) return dflt;
  if (!strcmp(u, "MegaBytes") || !strcmp(u, "MB")) return 1u << 20;
  if (!strcmp(u, "GigaBytes") || !strcmp(u, "GB")) return 1u << 30;
  if (strncmp(u, "byte", 4)) return 0;
  const char *p = u + 4;
  while (*p == ' ') p++;
  if (!*p) return 1;
  if (*p++ != '*') return 0;
  while (*p == ' ') p++;
  char *end;
  unsigned long base = strtoul(p, &end, 10);
  if (*end == '^') {
    unsigned long exp = strtoul(end + 1, &end, 10);
    if (*end || base != 2 || exp > 40) return 0;
    return 1ull << exp;
  }
  return *end || !base || base > (1ul << 40) ? 0 : base;
}

/* value * unit, refusing overflow; 0 if not a number */
static uint64_t scaled(const char *v, uint64_t unit)
{
  if (!v || !unit) return 0;
  char *end;
  unsigned long long x = strtoull(v, &end, 10);
  while (*end == ' ') end++;
  if (*end || v[0] == '-' || (x && unit > UINT64_MAX / x)) return 0;
  return (uint64_t)x * unit;
}

/* An array for parent's children called name, at most MAX_ITEMS of them
 * (what: how the error names them); NULL with err set. */
static void *alloc_children(const xmlNode *parent, const char *name, size_t size, const char *what,
                            char *err, size_t errsz)
{
  size_t n = 0;
  for (xmlNode *c = parent ? parent->children : NULL; c; c = c->next) n += is(c, name);
  if (n > MAX_ITEMS) {
    snprintf(err, errsz, "more than %d %s", MAX_ITEMS, what);
    return NULL;
  }
  void *v = calloc(n ? n : 1, size);
  if (!v) snprintf(err, errsz, "out of memory");
  return v;
}

static int parse_references(xmlNode *env, struct rh_ovf *o, char *err, size_t errsz)
{
  xmlNode *refs = child(env, "References");
  o->files = alloc_children(refs, "File", sizeof *o->files, "files in References", err, errsz);
  if (!o->files) return -1;
  for (xmlNode *c = refs ? refs->children : NULL; c; c = c->next) {
    if (!is(c, "File")) continue;
    struct rh_ovf_file *f = &o->files[o->n_files++];
    f->id = attr(c, "id");
    f->href = attr(c, "href");
    f->compression = attr(c, "compression");
    char *size = attr(c, "size");
    f->size = scaled(size, 1);
    free(size);
    if (!f->id || !f->href || !*f->id) {
      snprintf(err, errsz, "a File in References without ovf:id or ovf:href");
      return -1;
    }
    /* a disk is read from the package itself, never from a URL or a path
     * elsewhere on this machine */
    if (!rh_ova_plain_name(f->href)) {
      snprintf(err, errsz, "File '%.64s' refers to '%.96s': only a file beside the descriptor is read",
               f->id, f->href);
      return -1;
    }
    for (size_t i = 0; i + 1 < o->n_files; i++)
      if (!strcmp(o->files[i].id, f->id) || !strcmp(o->files[i].href, f->href)) {
        snprintf(err, errsz, "File '%.64s' (%.64s) is listed twice in References", f->id, f->href);
        return -1;
      }
  }
  return 0;
}

static int parse_disks(xmlNode *env, struct rh_ovf *o, char *err, size_t errsz)
{
  xmlNode *ds = child(env, "DiskSection");
  o->disks = alloc_children(ds, "Disk", sizeof *o->disks, "disks", err, errsz);
  if (!o->disks) return -1;
  for (xmlNode *c = ds ? ds->children : NULL; c; c = c->next) {
    if (!is(c, "Disk")) continue;
    struct rh_ovf_disk *d = &o->disks[o->n_disks++];
    d->disk_id = attr(c, "diskId");
    d->file_ref = attr(c, "fileRef");
    d->format = attr(c, "format");
    char *cap = attr(c, "capacity"), *units = attr(c, "capacityAllocationUnits");
    d->capacity = scaled(cap, unit_bytes(units, 1));
    free(cap);
    free(units);
    if (!d->disk_id || !d->file_ref) {
      snprintf(err, errsz, "a Disk without ovf:diskId or ovf:fileRef (disks with no file are not supported)");
      return -1;
    }
    if (!rh_ovf_file_by_id(o, d->file_ref)) {
      snprintf(err, errsz, "Disk '%.64s' refers to file '%.64s', which References does not list",
               d->disk_id, d->file_ref);
      return -1;
    }
    if (!d->capacity) {
      snprintf(err, errsz, "Disk '%.64s': no usable ovf:capacity", d->disk_id);
      return -1;
    }
  }
  return 0;
}

/* The hardware: vCPUs, memory, NICs, firmware, and the order disks attach in */
static int parse_hardware(xmlNode *vs, struct rh_ovf *o, char *err, size_t errsz)
{
  xmlNode *hw = child(vs, "VirtualHardwareSection");
  size_t order = 0, n_items = 0;
  for (xmlNode *c = hw ? hw->children : NULL; c; c = c->next) {
    if (is(c, "Config") || is(c, "ExtraConfig")) {
      char *k = attr(c, "key"), *v = attr(c, "value");
      if (k && v && !strcmp(k, "firmware")) o->uefi = !strcmp(v, "efi");
      free(k);
      free(v);
      continue;
    }
    if (!is(c, "Item") && !is(c, "EthernetPortItem") && !is(c, "StorageItem")) continue;
    if (++n_items > MAX_ITEMS) {
      snprintf(err, errsz, "more than %d hardware items", MAX_ITEMS);
      return -1;
    }
    char *type = child_text(c, "ResourceType");
    int rt = type ? atoi(type) : 0;
    free(type);
    if (rt == 3) { /* processor */
      char *q = child_text(c, "VirtualQuantity");
      uint64_t v = scaled(q, 1);
      o->vcpus = v && v <= 4096 ? (unsigned)v : o->vcpus;
      free(q);
    } else if (rt == 4) { /* memory */
      char *q = child_text(c, "VirtualQuantity"), *u = child_text(c, "AllocationUnits");
      uint64_t b = scaled(q, unit_bytes(u, 1u << 20));
      if (b) o->memory_mib = b >> 20;
      free(q);
      free(u);
    } else if (rt == 10) { /* Ethernet adapter */
      struct rh_ovf_nic *nn = realloc(o->nics, (o->n_nics + 1) * sizeof *nn);
      if (!nn) return -1;
      o->nics = nn;
      struct rh_ovf_nic *nic = &o->nics[o->n_nics++];
      nic->name = child_text(c, "ElementName");
      nic->network = child_text(c, "Connection");
      nic->model = child_text(c, "ResourceSubType");
    } else if (rt == 17) { /* disk drive: HostResource "ovf:/disk/ID" */
      char *hr = child_text(c, "HostResource");
      const char *id = hr ? strrchr(hr, '/') : NULL;
      for (size_t i = order; id && i < o->n_disks; i++)
        if (!strcmp(o->disks[i].disk_id, id + 1)) { /* move it to the next attach position */
          struct rh_ovf_disk t = o->disks[i];
          memmove(&o->disks[order + 1], &o->disks[order], (i - order) * sizeof t);
          o->disks[order++] = t;
          break;
        }
      free(hr);
    }
  }
  return 0;
}

int rh_ovf_parse(const char *xml, size_t len, struct rh_ovf *out, char *err, size_t errsz)
{
  memset(out, 0, sizeof *out);
  if (len > 4u << 20) {
    snprintf(err, errsz, "the descriptor is larger than 4 MiB");
    return -1;
  }
  /* refused before any parsing: no DTD, so no entity of any kind */
  if (memmem(xml, len, "<!DOCTYPE", 9) || memmem(xml, len, "<!ENTITY", 8)) {
    snprintf(err, errsz, "the descriptor has a DOCTYPE: entities and DTDs are refused");
    return -1;
  }
  xmlDoc *doc = xmlReadMemory(xml, (int)len, "descriptor.ovf", NULL,
                              XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  if (!doc) {
    const xmlError *e = xmlGetLastError();
    snprintf(err, errsz, "not well-formed XML%s%.160s", e && e->message ? ": " : "",
             e && e->message ? e->message : "");
    char *nl = strchr(err, '\n');
    if (nl) *nl = 0;
    return -1;
  }
  int rc = -1;
  xmlNode *env = xmlDocGetRootElement(doc);
  if (doc->intSubset || doc->extSubset) {
    snprintf(err, errsz, "the descriptor has a DOCTYPE: entities and DTDs are refused");
    goto out;
  }
  if (!is(env, "Envelope")) {
    snprintf(err, errsz, "not an OVF envelope (the root element is not Envelope)");
    goto out;
  }
  /* one machine per package: a VirtualSystem, or a collection of exactly one */
  xmlNode *vs = child(env, "VirtualSystem"), *coll = child(env, "VirtualSystemCollection");
  size_t n_vs = 0;
  for (xmlNode *c = vs ? NULL : coll ? coll->children : NULL; c; c = c->next)
    if (is(c, "VirtualSystem")) vs = ++n_vs == 1 ? c : vs;
  if (n_vs > 1) {
    snprintf(err, errsz, "the envelope holds %zu virtual systems; rehost converts one machine", n_vs);
    goto out;
  }
  if (!vs) {
    snprintf(err, errsz, "no VirtualSystem in the envelope");
    goto out;
  }
  out->name = attr(vs, "id");
  if (parse_references(env, out, err, errsz) < 0 || parse_disks(env, out, err, errsz) < 0 ||
      parse_hardware(vs, out, err, errsz) < 0)
    goto out;
  if (!out->n_disks) {
    snprintf(err, errsz, "the envelope describes no disk");
    goto out;
  }
  rc = 0;
out:
  xmlFreeDoc(doc);
  if (rc) rh_ovf_free(out);
  return rc;
}

const struct rh_ovf_file *rh_ovf_file_by_id(const struct rh_ovf *o, const char *id)
{
  for (size_t i = 0; id && i < o->n_files; i++)
    if (!strcmp(o->files[i].id, id)) return &o->files[i];
  return NULL;
}

void rh_ovf_free(struct rh_ovf *o)
{
  for (size_t i = 0; o->files && i < o->n_files; i++) {
    free(o->files[i].id);
    free(o->files[i].href);
    free(o->files[i].compression);
  }
  for (size_t i = 0; o->disks && i < o->n_disks; i++) {
    free(o->disks[i].disk_id);
    free(o->disks[i].file_ref);
    free(o->disks[i].format);
  }
  for (size_t i = 0; o->nics && i < o->n_nics; i++) {
    free(o->nics[i].name);
    free(o->nics[i].network);
    free(o->nics[i].model);
  }
  free(o->files);
  free(o->disks);
  free(o->nics);
  free(o->name);
  memset(o, 0, sizeof *o);
}
