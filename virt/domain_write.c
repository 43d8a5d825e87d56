/* Domain XML for a converted image (libxml2's writer: every value escaped). */
#include "domain.h"

#include <libxml/xmlwriter.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define W(x) ok &= (x) >= 0

static int attr(xmlTextWriterPtr w, const char *k, const char *v)
{
  return xmlTextWriterWriteAttribute(w, (const xmlChar *)k, (const xmlChar *)v);
}
static int start(xmlTextWriterPtr w, const char *e) { return xmlTextWriterStartElement(w, (const xmlChar *)e); }
static int end(xmlTextWriterPtr w) { return xmlTextWriterEndElement(w); }
static int elem(xmlTextWriterPtr w, const char *e, const char *v)
{
  return xmlTextWriterWriteElement(w, (const xmlChar *)e, (const xmlChar *)v);
}

char *rh_domain_xml_for_target(const struct rh_target_domain *t)
{
  xmlBufferPtr buf = xmlBufferCreate();
  xmlTextWriterPtr w = buf ? xmlNewTextWriterMemory(buf, 0) : NULL;
  if (!w) {
    xmlBufferFree(buf);
    return NULL;
  }
  bool ok = true;
  char num[32];
  xmlTextWriterSetIndent(w, 1);
  xmlTextWriterSetIndentString(w, (const xmlChar *)"  ");
  W(start(w, "domain"));
  W(attr(w, "type", t->domain_type ? t->domain_type : "kvm"));
  W(elem(w, "name", t->name));
  snprintf(num, sizeof num, "%llu", (unsigned long long)(t->memory_kib ? t->memory_kib : 2097152));
  W(start(w, "memory")), W(attr(w, "unit", "KiB")), W(xmlTextWriterWriteString(w, (const xmlChar *)num)), W(end(w));
  snprintf(num, sizeof num, "%u", t->vcpus ? t->vcpus : 2);
  W(elem(w, "vcpu", num));
  W(start(w, "os"));
  if (t->uefi) W(attr(w, "firmware", "efi"));
  W(start(w, "type")), W(attr(w, "arch", t->arch ? t->arch : "x86_64"));
  if (t->machine) W(attr(w, "machine", t->machine));
  W(xmlTextWriterWriteString(w, (const xmlChar *)"hvm")), W(end(w));
  W(start(w, "boot")), W(attr(w, "dev", "hd")), W(end(w));
  W(end(w)); /* os */
  W(start(w, "features")), W(start(w, "acpi")), W(end(w)), W(start(w, "apic")), W(end(w)), W(end(w));
  W(start(w, "cpu")), W(attr(w, "mode", "host-model")), W(end(w));
  W(start(w, "clock")), W(attr(w, "offset", "utc")), W(end(w));
  W(elem(w, "on_poweroff", "destroy"));
  W(elem(w, "on_reboot", "restart"));
  W(elem(w, "on_crash", "destroy"));
  W(start(w, "devices"));
  for (size_t i = 0; i <= t->n_extra && i < 26; i++) {
    char dev[8];
    snprintf(dev, sizeof dev, "vd%c", (char)('a' + i));
    W(start(w, "disk")), W(attr(w, "type", "file")), W(attr(w, "device", "disk"));
    W(start(w, "driver")), W(attr(w, "name", "qemu")), W(attr(w, "type", t->format)), W(end(w));
    W(start(w, "source")), W(attr(w, "file", i ? t->extra_images[i - 1] : t->image)), W(end(w));
    W(start(w, "target")), W(attr(w, "dev", dev)), W(attr(w, "bus", "virtio")), W(end(w));
    W(end(w)); /* disk */
  }
  size_t nics = t->n_nics ? t->n_nics : 1;
  for (size_t i = 0; i < nics; i++) {
    const struct rh_dom_nic *c = t->n_nics ? &t->nics[i] : NULL;
    bool bridge = c && c->type && !strcmp(c->type, "bridge") && c->source;
    W(start(w, "interface")), W(attr(w, "type", bridge ? "bridge" : "network"));
    if (t->keep_mac && c && c->mac) W(start(w, "mac")), W(attr(w, "address", c->mac)), W(end(w));
    W(start(w, "source"));
    W(attr(w, bridge ? "bridge" : "network",
           bridge ? c->source : (c && c->source && c->type && !strcmp(c->type, "network")) ? c->source : "default"));
    W(end(w));
    W(start(w, "model")), W(attr(w, "type", "virtio")), W(end(w));
    W(end(w));
  }
  W(start(w, "serial")), W(attr(w, "type", "pty")), W(start(w, "target")), W(attr(w, "port", "0")), W(end(w)), W(end(w));
  W(start(w, "console")), W(attr(w, "type", "pty")), W(start(w, "target")), W(attr(w, "type", "serial")),
      W(attr(w, "port", "0")), W(end(w)), W(end(w));
  W(start(w, "channel")), W(attr(w, "type", "unix"));
  W(start(w, "target")), W(attr(w, "type", "virtio")), W(attr(w, "name", "org.qemu.guest_agent.0")), W(end(w));
  W(end(w));
  W(start(w, "rng")), W(attr(w, "model", "virtio")), W(start(w, "backend")), W(attr(w, "model", "random")),
      W(xmlTextWriterWriteString(w, (const xmlChar *)"/dev/urandom")), W(end(w)), W(end(w));
  W(start(w, "memballoon")), W(attr(w, "model", "virtio")), W(end(w));
  W(end(w)); /* devices */
  W(end(w)); /* domain */
  W(xmlTextWriterEndDocument(w));
  xmlFreeTextWriter(w);
  char *out = ok ? strdup((const char *)xmlBufferContent(buf)) : NULL;
  xmlBufferFree(buf);
  return out;
}
