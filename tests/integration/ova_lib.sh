# OVA and OVF packages as VMware exports them, built by hand for the tests
# and benchmarks (sourced by lib.sh and bench/convert_multi.sh).

# ovf_envelope NAME VCPUS MEM_MIB FIRMWARE DISK...: a VMware-style OVF 1.0
# descriptor (VirtualSystem, DiskSection, VirtualHardwareSection with rasd
# items, one VmxNet3 and one E1000 NIC) for stream-optimized VMDKs, written
# by hand as VMware's published envelope lays it out
ovf_envelope() {
  local name=$1 vcpus=$2 mem=$3 fw=$4 i=0 d refs="" disks="" items=""
  shift 4
  for d in "$@"; do
    i=$((i + 1))
    refs+="    <File ovf:href=\"$(basename "$d")\" ovf:id=\"file$i\" ovf:size=\"$(stat -c %s "$d")\"/>
"
    disks+="    <Disk ovf:capacity=\"$(qemu-img info --output=json "$d" | jq '.["virtual-size"]')\" ovf:capacityAllocationUnits=\"byte\" ovf:diskId=\"vmdisk$i\" ovf:fileRef=\"file$i\" ovf:format=\"http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized\"/>
"
    items+="      <Item>
        <rasd:AddressOnParent>$((i - 1))</rasd:AddressOnParent>
        <rasd:ElementName>Hard disk $i</rasd:ElementName>
        <rasd:HostResource>ovf:/disk/vmdisk$i</rasd:HostResource>
        <rasd:InstanceID>$((10 + i))</rasd:InstanceID>
        <rasd:Parent>3</rasd:Parent>
        <rasd:ResourceType>17</rasd:ResourceType>
      </Item>
"
  done
  cat <<X
<?xml version="1.0" encoding="UTF-8"?>
<Envelope vmw:buildId="build-1" xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:cim="http://schemas.dmtf.org/wbem/wscim/1/common" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1" xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData" xmlns:vmw="http://www.vmware.com/schema/ovf" xmlns:vssd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <References>
$refs  </References>
  <DiskSection>
    <Info>Virtual disk information</Info>
$disks  </DiskSection>
  <NetworkSection>
    <Info>The list of logical networks</Info>
    <Network ovf:name="VM Network">
      <Description>The VM Network network</Description>
    </Network>
  </NetworkSection>
  <VirtualSystem ovf:id="$name">
    <Info>A virtual machine</Info>
    <Name>$name</Name>
    <OperatingSystemSection ovf:id="96" vmw:osType="debian11_64Guest">
      <Info>The kind of installed guest operating system</Info>
    </OperatingSystemSection>
    <VirtualHardwareSection>
      <Info>Virtual hardware requirements</Info>
      <System>
        <vssd:ElementName>Virtual Hardware Family</vssd:ElementName>
        <vssd:InstanceID>0</vssd:InstanceID>
        <vssd:VirtualSystemIdentifier>$name</vssd:VirtualSystemIdentifier>
        <vssd:VirtualSystemType>vmx-13</vssd:VirtualSystemType>
      </System>
      <Item>
        <rasd:AllocationUnits>hertz * 10^6</rasd:AllocationUnits>
        <rasd:Description>Number of Virtual CPUs</rasd:Description>
        <rasd:ElementName>$vcpus virtual CPU(s)</rasd:ElementName>
        <rasd:InstanceID>1</rasd:InstanceID>
        <rasd:ResourceType>3</rasd:ResourceType>
        <rasd:VirtualQuantity>$vcpus</rasd:VirtualQuantity>
      </Item>
      <Item>
        <rasd:AllocationUnits>byte * 2^20</rasd:AllocationUnits>
        <rasd:Description>Memory Size</rasd:Description>
        <rasd:ElementName>${mem}MB of memory</rasd:ElementName>
        <rasd:InstanceID>2</rasd:InstanceID>
        <rasd:ResourceType>4</rasd:ResourceType>
        <rasd:VirtualQuantity>$mem</rasd:VirtualQuantity>
      </Item>
      <Item>
        <rasd:Address>0</rasd:Address>
        <rasd:Description>SCSI Controller</rasd:Description>
        <rasd:ElementName>SCSI controller 0</rasd:ElementName>
        <rasd:InstanceID>3</rasd:InstanceID>
        <rasd:ResourceSubType>VirtualSCSI</rasd:ResourceSubType>
        <rasd:ResourceType>6</rasd:ResourceType>
      </Item>
$items      <Item>
        <rasd:AddressOnParent>7</rasd:AddressOnParent>
        <rasd:AutomaticAllocation>true</rasd:AutomaticAllocation>
        <rasd:Connection>VM Network</rasd:Connection>
        <rasd:Description>VmxNet3 ethernet adapter on "VM Network"</rasd:Description>
        <rasd:ElementName>Network adapter 1</rasd:ElementName>
        <rasd:InstanceID>5</rasd:InstanceID>
        <rasd:ResourceSubType>VmxNet3</rasd:ResourceSubType>
        <rasd:ResourceType>10</rasd:ResourceType>
      </Item>
      <Item>
        <rasd:AddressOnParent>8</rasd:AddressOnParent>
        <rasd:AutomaticAllocation>true</rasd:AutomaticAllocation>
        <rasd:Connection>VM Network</rasd:Connection>
        <rasd:Description>E1000 ethernet adapter on "VM Network"</rasd:Description>
        <rasd:ElementName>Network adapter 2</rasd:ElementName>
        <rasd:InstanceID>6</rasd:InstanceID>
        <rasd:ResourceSubType>E1000</rasd:ResourceSubType>
        <rasd:ResourceType>10</rasd:ResourceType>
      </Item>
      <vmw:Config ovf:required="false" vmw:key="firmware" vmw:value="$fw"/>
    </VirtualHardwareSection>
  </VirtualSystem>
</Envelope>
X
}

# make_ova OUT.ova|OUT.ovf IMAGE [VCPUS MEM_MIB FIRMWARE]: IMAGE as a
# stream-optimized VMDK (STEM-disk1.vmdk) with its OVF and SHA256 manifest;
# an .ova is a ustar archive (descriptor first, as VMware writes it), an
# .ovf is left as files side by side
make_ova() {
  local out=$1 img=$2 vcpus=${3:-2} mem=${4:-3072} fw=${5:-bios}
  local dir stem w
  dir=$(dirname "$out"); stem=$(basename "${out%.*}")
  w=$(mktemp -d "$dir/.ova.XXXXXX")
  qemu-img convert -O vmdk -o subformat=streamOptimized "$img" "$w/$stem-disk1.vmdk"
  ovf_envelope "$stem" "$vcpus" "$mem" "$fw" "$w/$stem-disk1.vmdk" > "$w/$stem.ovf"
  (cd "$w" && for f in "$stem.ovf" "$stem-disk1.vmdk"; do echo "SHA256($f)= $(sha256sum "$f" | cut -d' ' -f1)"; done > "$stem.mf")
  if [ "${out##*.}" = ova ]; then
    tar --format=ustar -C "$w" -cf "$out" "$stem.ovf" "$stem.mf" "$stem-disk1.vmdk"
    rm -rf "$w"
  else
    mv "$w"/* "$dir/" && rmdir "$w"
  fi
}
