/* libFuzzer: libvirt domain and snapshot XML (as the hook reads it from
 * stdin), and writing a target domain from what was read. */
#include "../virt/domain.h"

#include <json-c/json.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *text = malloc(size + 1);
  if (!text) return 0;
  memcpy(text, data, size);
  text[size] = 0;
  struct rh_domain d;
  char err[256];
  if (rh_domain_parse(text, &d, err, sizeof err) == 0) {
    struct rh_target_domain t = {.name = d.name, .image = "/srv/x.qcow2", .format = "qcow2",
                                 .vcpus = d.vcpus, .memory_kib = d.memory_kib, .uefi = d.uefi,
                                 .nics = d.nics, .n_nics = d.n_nics, .keep_mac = size % 2};
    char *xml = rh_domain_xml_for_target(&t);
    struct rh_domain back;
    if (xml && rh_domain_parse(xml, &back, err, sizeof err) == 0) {
      if (strcmp(back.name, d.name) != 0) abort(); /* names survive escaping */
      rh_domain_free(&back);
    }
    free(xml);
    json_object_put(rh_domain_to_json(&d, NULL));
    rh_domain_free(&d);
  }
  free(text);
  return 0;
}
