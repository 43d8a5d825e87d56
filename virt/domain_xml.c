/* Domain XML -> struct rh_domain (libxml2; no network, no entities, no DTD). */
#include "domain.h"

#include "../lib/xml_str.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *prop(xmlNode *n, const char *name)
{
  return rh_xml_take(n ? xmlGetProp(n, (const xmlChar *)name) : NULL);
}

static xmlNode *child(xmlNode *n, const char *name)
{
  for (xmlNode *c = n ? n->children : NULL; c; c = c->next)
    if (c->type == XML_ELEMENT_NODE && !strcmp((const char *)c->name, name)) return c;
  return NULL;
}

static char *text(xmlNode *n)
{
  return rh_xml_take(n ? xmlNodeGetContent(n) : NULL);
}

/* memory in KiB from <memory unit='...'>N</memory> */
static uint64_t memory_kib(xmlNode *n)
{
  char *v = text(n), *unit = prop(n, "unit");
  uint64_t m = v ? strtoull(v, NULL, 10) : 0;
  struct { const char *u; uint64_t mul, div; } units[] = {
      {"b", 1, 1024}, {"bytes", 1, 1024}, {"KB", 1000, 1024}, {"k", 1, 1}, {"KiB", 1, 1},
      {"MB", 1000000, 1024}, {"M", 1024, 1}, {"MiB", 1024, 1}, {"GB", 1000000000, 1024},
      {"G", 1048576, 1}, {"GiB", 1048576, 1}};
  for (size_t i = 0; unit && i < sizeof units / sizeof units[0]; i++)
    if (!strcmp(unit, units[i].u)) {
      m = m * units[i].mul / units[i].div;
      break;
    }
  free(v);
  free(unit);
  return m;
}

static void parse_disk(xmlNode *n, struct rh_domain *d)
{
  char *device = prop(n, "device");
  bool disk = !device || !strcmp(device, "disk");
  free(device);
  if (!disk) return; /* cdrom, floppy, lun: not migrated as disks */
  struct rh_dom_disk k = {0};
  k.kind = prop(n, "type");
  xmlNode *src = child(n, "source"), *tgt = child(n, "target"), *drv = child(n, "driver");
  if (src) {
    k.path = prop(src, "file");
    if (!k.path) k.path = prop(src, "dev");
  }
  k.dev = prop(tgt, "dev");
  k.bus = prop(tgt, "bus");
  k.format = prop(drv, "type");
  char *order = prop(child(n, "boot"), "order");
  k.boot_order = order ? atoi(order) : 0;
  free(order);
  k.readonly = child(n, "readonly") != NULL;
  struct rh_dom_disk *v = realloc(d->disks, (d->n_disks + 1) * sizeof *v);
  if (!v) {
    free(k.kind), free(k.path), free(k.dev), free(k.bus), free(k.format);
    return;
  }
  d->disks = v;
  d->disks[d->n_disks++] = k;
}

static void parse_nic(xmlNode *n, struct rh_domain *d)
{
  struct rh_dom_nic c = {0};
  c.type = prop(n, "type");
  c.mac = prop(child(n, "mac"), "address");
  c.model = prop(child(n, "model"), "type");
  xmlNode *src = child(n, "source");
  c.source = prop(src, "network");
  if (!c.source) c.source = prop(src, "bridge");
  struct rh_dom_nic *v = realloc(d->nics, (d->n_nics + 1) * sizeof *v);
  if (!v) {
    free(c.type), free(c.mac), free(c.model), free(c.source);
    return;
  }
  d->nics = v;
  d->nics[d->n_nics++] = c;
}

/* Boot disk first: the lowest <boot order>, else (no per-device order) the
 * first disk in document order, as libvirt's <os><boot dev='hd'/> boots. */
static int by_boot(const void *a, const void *b)
{
  const struct rh_dom_disk *x = a, *y = b;
  int ox = x->boot_order > 0 ? x->boot_order : 1 << 30, oy = y->boot_order > 0 ? y->boot_order : 1 << 30;
  return (ox > oy) - (ox < oy);
}

int rh_domain_parse(const char *xml, struct rh_domain *d, char *err, size_t errsz)
{
  memset(d, 0, sizeof *d);
  if (!xml || !*xml) {
    snprintf(err, errsz, "empty domain XML");
    return -1;
  }
  xmlDoc *doc = xmlReadMemory(xml, (int)strnlen(xml, 1 << 24), "domain.xml", NULL,
                              XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
  if (!root) {
    const xmlError *e = xmlGetLastError();
    snprintf(err, errsz, "not XML%s%.200s", e && e->message ? ": " : "", e && e->message ? e->message : "");
    if (err[strlen(err) - 1] == '\n') err[strlen(err) - 1] = 0;
    xmlFreeDoc(doc);
    return -1;
  }
  /* a snapshot's XML carries the domain it froze */
  bool internal = false;
  if (!strcmp((const char *)root->name, "domainsnapshot")) {
    xmlNode *disks = child(root, "disks");
    for (xmlNode *c = disks ? disks->children : NULL; c; c = c->next) {
      char *how = c->type == XML_ELEMENT_NODE ? prop(c, "snapshot") : NULL;
      internal |= how && !strcmp(how, "internal");
      free(how);
    }
    char *mem = prop(child(root, "memory"), "snapshot");
    internal |= mem && !strcmp(mem, "internal");
    free(mem);
    root = child(root, "domain");
  }
  if (!root || strcmp((const char *)root->name, "domain") != 0) {
    snprintf(err, errsz, "not a libvirt domain (root element <%s>)", root ? (const char *)root->name : "?");
    xmlFreeDoc(doc);
    return -1;
  }
  d->snapshot_internal = internal;
  d->name = text(child(root, "name"));
  d->uuid = text(child(root, "uuid"));
  if (!d->name || !*d->name) {
    snprintf(err, errsz, "domain XML without <name>");
    xmlFreeDoc(doc);
    rh_domain_free(d);
    return -1;
  }
  char *vc = text(child(root, "vcpu"));
  d->vcpus = vc ? (unsigned)strtoul(vc, NULL, 10) : 1;
  if (d->vcpus == 0) d->vcpus = 1;
  free(vc);
  d->memory_kib = memory_kib(child(root, "memory"));
  xmlNode *os = child(root, "os"), *type = child(os, "type");
  d->arch = prop(type, "arch");
  d->machine = prop(type, "machine");
  char *fw = prop(os, "firmware");
  char *loader = text(child(os, "loader"));
  d->uefi = (fw && !strcmp(fw, "efi")) ||
            (loader && (strstr(loader, "OVMF") || strstr(loader, "AAVMF") || strstr(loader, "edk2")));
  free(fw);
  free(loader);
  for (xmlNode *c = child(root, "devices") ? child(root, "devices")->children : NULL; c; c = c->next) {
    if (c->type != XML_ELEMENT_NODE) continue;
    if (!strcmp((const char *)c->name, "disk")) parse_disk(c, d);
    else if (!strcmp((const char *)c->name, "interface")) parse_nic(c, d);
  }
  /* stable: equal orders keep document order */
  for (size_t i = 1; i < d->n_disks; i++)
    for (size_t j = i; j > 0 && by_boot(&d->disks[j - 1], &d->disks[j]) > 0; j--) {
      struct rh_dom_disk t = d->disks[j];
      d->disks[j] = d->disks[j - 1];
      d->disks[j - 1] = t;
    }
  xmlFreeDoc(doc);
  return 0;
}

void rh_domain_free(struct rh_domain *d)
{
  for (size_t i = 0; i < d->n_disks; i++) {
    struct rh_dom_disk *k = &d->disks[i];
    free(k->dev), free(k->bus), free(k->path), free(k->format), free(k->kind);
  }
  for (size_t i = 0; i < d->n_nics; i++) {
    struct rh_dom_nic *c = &d->nics[i];
    free(c->mac), free(c->model), free(c->type), free(c->source);
  }
  free(d->disks);
  free(d->nics);
  free(d->name), free(d->uuid), free(d->arch), free(d->machine);
  memset(d, 0, sizeof *d);
}

const struct rh_dom_disk *rh_domain_disk(const struct rh_domain *d, const char *dev)
{
  for (size_t i = 0; i < d->n_disks; i++)
    if (!dev || (d->disks[i].dev && !strcmp(d->disks[i].dev, dev))) return &d->disks[i];
  return NULL;
}
