#!/usr/bin/env bash
# The lab's VM image: Debian 12 with its own kernel (real ip_gre and Open vSwitch
# kernel datapath), the packages the roles install already in place (the VMs run
# under software emulation, where installing is slow), systemd-networkd, and two
# units that give each clone its identity from the kernel command line and say
# READY on the serial console. The base image also holds python3-os-ken, which the
# vna emulator (tests/support/vna_emulator.py) runs on.
# LAB_IMAGE=bare builds bare.img instead: the same without the roles' packages, a
# host as users start from (bench/lab.py measures the first run on it).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
LAB=${LAB:-$(cd "$HERE/../.." && pwd)/.build/lab}
FLAVOUR=${LAB_IMAGE:-base}
case $FLAVOUR in
  base) ROLE_PACKAGES=,ifupdown,openvswitch-switch,redis-server,redis-tools,mariadb-server,mariadb-client,python3-pymysql,python3-os-ken,python3-cffi-backend,nftables
        KERNEL_PREFIX= ;;
  bare) ROLE_PACKAGES= KERNEL_PREFIX=bare- ;;
  *) echo "LAB_IMAGE must be base or bare" >&2; exit 2 ;;
esac
IMAGE="$LAB/$FLAVOUR.img"
STAMP="$LAB/$FLAVOUR.version"
VERSION=5   # bump when this script or guest/ changes what the image holds

mkdir -p "$LAB"
[ -f "$LAB/id_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C openvnet-lab -f "$LAB/id_ed25519"
if [ -f "$IMAGE" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$VERSION" ]; then
  exit 0
fi

mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n1)
mirror=${mirror:-$(awk '/^deb /{print $2; exit}' /etc/apt/sources.list 2>/dev/null)}
rootfs="$LAB/rootfs"
[ -n "$rootfs" ] && rm -rf "$rootfs" "$IMAGE"
mkdir -p "$rootfs"
echo "building the lab image (debootstrap from $mirror)"
debootstrap --variant=minbase \
  --include=systemd,systemd-sysv,udev,kmod,dbus,openssh-server,iproute2,iputils-ping,procps,netbase,sudo,ca-certificates,python3,python3-apt,linux-image-amd64$ROLE_PACKAGES \
  bookworm "$rootfs" "$mirror" >"$LAB/debootstrap.log" 2>&1 || { tail -30 "$LAB/debootstrap.log"; exit 1; }

# Every clone must get its own machine-id and OVS database, or gretap devices and
# OVS ports get the same MAC addresses on every VM and MAC learning flaps.
: >"$rootfs/etc/machine-id"
rm -f "$rootfs/var/lib/dbus/machine-id" "$rootfs/etc/openvswitch/conf.db" "$rootfs/etc/openvswitch/system-id.conf"
echo '/dev/vda / ext4 defaults 0 1' >"$rootfs/etc/fstab"
install -d -m 0700 "$rootfs/root/.ssh"
install -m 0600 "$LAB/id_ed25519.pub" "$rootfs/root/.ssh/authorized_keys"
install -m 0644 "$HERE/guest/10-eth0.network" "$rootfs/etc/systemd/network/10-eth0.network"
install -m 0755 "$HERE/guest/lab-identity" "$rootfs/usr/local/sbin/lab-identity"
install -m 0644 "$HERE/guest/lab-identity.service" "$HERE/guest/lab-ready.service" "$rootfs/etc/systemd/system/"

chroot "$rootfs" systemctl enable systemd-networkd.service lab-identity.service lab-ready.service >/dev/null 2>&1
# The roles start these themselves.
chroot "$rootfs" systemctl disable redis-server.service mariadb.service >/dev/null 2>&1 || true
rm -rf "$rootfs"/var/cache/apt/archives/*.deb

cp "$rootfs"/boot/vmlinuz-* "$LAB/${KERNEL_PREFIX}vmlinuz"
cp "$rootfs"/boot/initrd.img-* "$LAB/${KERNEL_PREFIX}initrd.img"
mkfs.ext4 -q -F -L labroot -d "$rootfs" "$IMAGE" 3G
rm -rf "$rootfs"
echo "$VERSION" >"$STAMP"
echo "built $IMAGE"
