#!/bin/sh
# rehost finalize: while the guest's package manager (or an uninstaller) runs
# in the appliance, this stands in for update-initramfs, dracut and mkinitrd.
# A request to update images that exist is noted for finalize's initramfs
# step, which makes each image once, and only when it is stale; anything
# else (an image for a new kernel, a removal) goes to the guest's own tool.
# REHOST_STAND_IN_ROOT is for rehost's tests (the guest never sets it).
d=${REHOST_STAND_IN_DIR:-/tmp/.rehost-initramfs-deferred}
r=${REHOST_STAND_IN_ROOT:-}
n=${0##*/}
PATH=${PATH#"$d":}
note() {
  echo "$n $*" >> "$d/asked"
  exit 0
}
case $n in
update-initramfs)
  for a in "$@"; do
    if [ "$a" = -u ]; then note "$@"; fi
  done ;;
*) # dracut, mkinitrd: an update unless a kernel they name has no image yet
  k=
  for a in "$@"; do
    case $a in
    "" | . | .. | */*) ;;
    *) if [ -d "$r/lib/modules/$a" ]; then k=$a; fi ;;
    esac
  done
  if [ -z "$k" ] || [ -e "$r/boot/initramfs-$k.img" ] || [ -e "$r/boot/initrd.img-$k" ]; then
    note "$@"
  fi ;;
esac
exec "$n" "$@"
