# rehost scan of the real Debian 12 fixture guests (MBR and GPT), asserted field
# by field against what the fixture builder put in; the source is unchanged.
source "$(dirname "$0")/lib.sh"
FX=$(fixtures)
source "$FX/facts.env"

img=$FX/debian12-mbr.qcow2
before=$(sum "$img")
"$REHOST" scan "$img" -o "$T/mbr.json" > "$T/summary.txt"
expect_eq "source checksum unchanged by scan" "$(sum "$img")" "$before"
R=$T/mbr.json
jq_eq $R .schema rehost.scan/1
jq_eq $R '.sources[0].format' qcow2
jq_eq $R '.sources[0].virtual_size' 3221225472
# storage
jq_eq $R '.storage.disks[0].partition_table' msdos
jq_eq $R '.storage.disks[0].partitions | length' 1
jq_eq $R '.storage.disks[0].partitions[0].bootable' true
jq_eq $R '.storage.disks[0].partitions[0].mbr_id' 131
jq_eq $R '[.storage.filesystems[] | select(.device=="/dev/sda1")][0].type' ext4
expect_match "root fs uuid" "$(jq -r '[.storage.filesystems[] | select(.device=="/dev/sda1")][0].uuid' $R)" '^[0-9a-f-]{36}$'
jq_eq $R '.storage.lvm.lvs | length' 0
jq_eq $R '.storage.lvm.devices_file' null
jq_eq $R '.storage.lvm.filters_rejecting_target_disks' '[]'
# os
jq_eq $R .os.type linux
jq_eq $R .os.distro "$FIX_DISTRO"
jq_eq $R .os.version "$FIX_VERSION"
jq_eq $R .os.major_version 12
jq_eq $R .os.arch x86_64
jq_eq $R .os.hostname "$FIX_HOSTNAME"
jq_eq $R .os.root /dev/sda1
jq_eq $R .os.init_system systemd
jq_eq $R .os.package_format deb
jq_eq $R .os.package_manager apt
expect_match "product name" "$(jq -r .os.product_name $R)" 'Debian GNU/Linux 12'
# boot
jq_eq $R .boot.bootloader grub2
jq_eq $R .boot.firmware bios
jq_eq $R .boot.config /boot/grub/grub.cfg
# kernels: exactly the one installed, with its initramfs and driver modules
jq_eq $R '.kernels | length' 1
jq_eq $R '.kernels[0].version' "$FIX_KERNEL"
jq_eq $R '.kernels[0].initramfs' "/boot/initrd.img-$FIX_KERNEL"
for m in virtio_blk virtio_net virtio_scsi; do
  jq_eq $R "[.kernels[0].modules.virtio[] | select(.==\"$m\")] | length" 1
done
jq_eq $R '[.kernels[0].modules.xen[] | select(.=="xen-blkfront")] | length' 1
jq_eq $R '[.kernels[0].modules.nvme[] | select(.=="nvme")] | length' 1
jq_eq $R '[.kernels[0].modules.ena[] | select(.=="ena")] | length' 1
for m in hv_vmbus hv_storvsc hv_netvsc hv_utils; do
  jq_eq $R "[.kernels[0].modules.hyperv[] | select(.==\"$m\")] | length" 1
done
# fstab: root by device name, NFS and CIFS flagged as network mounts
jq_eq $R '[.fstab[] | select(.mountpoint=="/")][0].spec' /dev/sda1
jq_eq $R '[.fstab[] | select(.mountpoint=="/")][0].bus_device_name' true
jq_eq $R '[.fstab[] | select(.mountpoint=="/")][0].network' false
jq_eq $R '[.fstab[] | select(.type=="nfs")][0].network' true
jq_eq $R '[.fstab[] | select(.type=="nfs")][0].spec' fileserver.example.com:/export/home
jq_eq $R '[.fstab[] | select(.type=="cifs")][0].network' true
jq_eq $R '[.fstab[] | select(.type=="cifs")][0].mountpoint' /mnt/share
jq_eq $R '[.fstab[] | select(.network)] | length' 2
# network: static IP, MAC-bound rule
jq_eq $R '.network.managers | index("ifupdown") != null' true
jq_eq $R '[.network.interfaces[] | select(.name=="eth0" and .family=="inet")][0].method' static
jq_eq $R '[.network.interfaces[] | select(.name=="eth0")][0].address' "$FIX_STATIC_IP"
jq_eq $R '[.network.interfaces[] | select(.name=="eth0")][0].gateway' 10.0.2.2
jq_eq $R '[.network.interfaces[] | select(.name=="lo")][0].method' loopback
jq_eq $R '.network.mac_bound_rules | length' 1
jq_eq $R '.network.mac_bound_rules[0].mac' "$FIX_MAC"
jq_eq $R '.network.mac_bound_rules[0].name' eth0
jq_eq $R '.network.mac_bound_rules[0].file' /etc/udev/rules.d/70-persistent-net.rules
# resolv.conf: a file the guest keeps (debootstrap copied the build host's), with its servers
jq_eq $R '.network.resolv_conf.link' null
expect_match "scan lists the servers resolv.conf names" "$(jq -r '.network.resolv_conf.nameservers | length' $R)" '^[1-9]'
# clock
jq_eq $R .adjtime.mode "$FIX_ADJTIME"
jq_eq $R .adjtime.valid true
# services
for s in libvirtd iptables ssh cron rsyslog; do
  jq_eq $R ".services.enabled | index(\"$s\") != null" true
done
jq_eq $R '[.services.systemd_links[] | select(.unit=="libvirtd.service")][0].wanted_by' multi-user.target
# agents: none of the cloud agents yet
for a in cloud-init walinuxagent hyperv-daemons qemu-guest-agent; do
  jq_eq $R ".agents[\"$a\"]" false
done
# the terminal summary names the essentials
s=$(cat "$T/summary.txt")
expect_match "summary: distro" "$s" 'debian 12'
expect_match "summary: nfs flagged" "$s" 'nfs +\[network mount\]'
expect_match "summary: MAC rule" "$s" "$FIX_MAC -> eth0"
expect_match "summary: the resolver, a file, and its servers" "$s" \
  "resolver +/etc/resolv.conf \(a file\): $(jq -r '.network.resolv_conf.nameservers | join(" ")' "$T/mbr.json")"
expect_match "summary: disk size" "$s" "debian12-mbr.qcow2: 3.0 GiB, msdos, 1 partitions"

# GPT variant as a machine with two disks (the second has no OS), report on stdout
img=$FX/debian12-gpt.qcow2
before=$(sum "$img")
before2=$(sum "$FX/empty-fs.qcow2")
"$REHOST" scan --json "$img" "$FX/empty-fs.qcow2" > "$T/gpt.json"
expect_eq "gpt source unchanged" "$(sum "$img")" "$before"
expect_eq "second disk unchanged" "$(sum "$FX/empty-fs.qcow2")" "$before2"
R=$T/gpt.json
jq_eq $R '.storage.disks | length' 2
jq_eq $R '.sources | length' 2
jq_eq $R '.storage.disks[1].source' "$FX/empty-fs.qcow2"
jq_eq $R '.storage.disks[1].device' /dev/sdb
jq_eq $R '[.storage.filesystems[] | select(.device=="/dev/sdb1")][0].type' ext4
jq_eq $R '.storage.disks[0].partition_table' gpt
jq_eq $R '.storage.disks[0].partitions | length' 2
jq_eq $R '.storage.disks[0].partitions[0].gpt_type' 21686148-6449-6E6F-744E-656564454649
jq_eq $R .os.root /dev/sda2
jq_eq $R .os.distro debian
jq_eq $R .boot.firmware bios
jq_eq $R '[.fstab[] | select(.mountpoint=="/")][0].spec' /dev/sda2
finish
