# finalize/initramfs_stand_in.sh, the stand-in rehost puts first in PATH for
# update-initramfs, dracut and mkinitrd while the guest's package manager
# runs (finalize/guest_initramfs_defer.c), run here over a made /boot and
# /lib/modules: a request to update images that exist is noted and nothing
# runs; an image for a kernel that has none yet (a kernel just installed),
# and update-initramfs -c or -d, go to the real tool, with the arguments as
# given and the stand-ins' directory out of PATH.
source "$(dirname "$0")/lib.sh"
S=$REHOST_SRC/finalize/initramfs_stand_in.sh
D=$T/stand-ins R=$T/root
mkdir -p "$D" "$T/real" "$R/boot" "$R/lib/modules/6.1.0-old" "$R/lib/modules/6.1.0-new"
touch "$R/boot/initrd.img-6.1.0-old"
for n in update-initramfs dracut mkinitrd; do
  cp "$S" "$D/$n"
  chmod 755 "$D/$n"
  printf '#!/bin/sh\necho "real %s $* PATH=$PATH"\n' "$n" > "$T/real/$n"
  chmod 755 "$T/real/$n"
done
run() { # the output, and what was noted since the last run
  rm -f "$D/asked"
  env PATH="$D:$T/real:/usr/bin:/bin" REHOST_STAND_IN_DIR="$D" REHOST_STAND_IN_ROOT="$R" "$@"
  echo "asked: $(cat "$D/asked" 2> /dev/null | tr '\n' '|')"
}
expect_eq "update-initramfs -u: noted, nothing run" "$(run update-initramfs -u)" "asked: update-initramfs -u|"
expect_eq "update-initramfs -u -k all: noted" "$(run update-initramfs -k all -u)" "asked: update-initramfs -k all -u|"
expect_eq "update-initramfs -c for a new kernel: the real one, the stand-ins out of PATH" \
  "$(run update-initramfs -c -k 6.1.0-new)" \
  "real update-initramfs -c -k 6.1.0-new PATH=$T/real:/usr/bin:/bin
asked: "
expect_eq "update-initramfs -d: the real one" "$(run update-initramfs -d -k 6.1.0-old | head -1)" \
  "real update-initramfs -d -k 6.1.0-old PATH=$T/real:/usr/bin:/bin"
expect_eq "dracut -f (a kmod package's weak-modules): noted" "$(run dracut -f)" "asked: dracut -f|"
expect_eq "dracut for a kernel that has its image: noted" \
  "$(run dracut -f /boot/initrd.img-6.1.0-old 6.1.0-old)" "asked: dracut -f /boot/initrd.img-6.1.0-old 6.1.0-old|"
expect_eq "dracut --kver for a kernel with no image yet: the real one" \
  "$(run dracut --force --kver 6.1.0-new | head -1)" "real dracut --force --kver 6.1.0-new PATH=$T/real:/usr/bin:/bin"
expect_eq "dracut with an image path for a new kernel (kernel-install's): the real one" \
  "$(run dracut -f /boot/abc/6.1.0-new/initrd 6.1.0-new | head -1)" \
  "real dracut -f /boot/abc/6.1.0-new/initrd 6.1.0-new PATH=$T/real:/usr/bin:/bin"
expect_eq "mkinitrd, a name that is no kernel (.., a path): noted" "$(run mkinitrd .. /x y)" "asked: mkinitrd .. /x y|"
finish
