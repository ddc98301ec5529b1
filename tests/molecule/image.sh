#!/usr/bin/env bash
# The container image Molecule scenarios run in: Debian 12 with systemd as PID 1,
# built locally (no registry is reachable) with debootstrap, then `docker import`.
# Starts Docker's daemon first when it is not running (only that with --daemon-only).
set -euo pipefail
IMAGE=${MOLECULE_IMAGE:-localhost/openvnet-molecule/debian12:2}
WORK=${WORK:-$(cd "$(dirname "$0")/../.." && pwd)/.build/image}

if ! docker info >/dev/null 2>&1; then
  mkdir -p "$WORK"
  nohup /usr/sbin/dockerd >"$WORK/../dockerd.log" 2>&1 &
  for _ in $(seq 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
  docker info >/dev/null
  # dockerd sets the FORWARD policy to DROP; the lab routes through this host.
  iptables -P FORWARD ACCEPT 2>/dev/null || true
fi
# `make test` starts the daemon before the lab boots, so that it does not change the
# host's firewall under a running lab; the image comes later, beside the lab.
[ "${1:-}" = --daemon-only ] && exit 0

if docker image inspect "$IMAGE" >/dev/null 2>&1; then
  exit 0
fi

# The Debian mirror this machine's apt already uses.
mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n1)
mirror=${mirror:-$(awk '/^deb /{print $2; exit}' /etc/apt/sources.list 2>/dev/null)}
rootfs="$WORK/rootfs"
rm -rf "$rootfs"
mkdir -p "$rootfs"
debootstrap --variant=minbase \
  --include=python3,python3-apt,systemd,systemd-sysv,dbus,iproute2,procps,sudo,ca-certificates \
  bookworm "$rootfs" "$mirror" >"$WORK/debootstrap.log" 2>&1 || { tail -20 "$WORK/debootstrap.log"; exit 1; }
# Every container gets its own machine-id at boot.
: >"$rootfs/etc/machine-id"
rm -rf "$rootfs"/var/cache/apt/archives/*.deb
tar -C "$rootfs" -c . | docker import -c 'CMD ["/lib/systemd/systemd"]' - "$IMAGE" >/dev/null
rm -rf "$rootfs"
echo "built $IMAGE"
