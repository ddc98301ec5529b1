"""The three-host lab: sv0 (hub), sv1 and sv2 (peers) as QEMU VMs (software
emulation) with Debian's own kernel, so GRE and Open vSwitch run in real
kernels. Each VM has a management NIC (QEMU user networking, SSH forwarded to
127.0.0.1:222N for Ansible) and an underlay NIC on a bridge inside a private
network namespace, where the TEST-NET addresses 192.0.2.0/24 and 2001:db8::/64 live.

    python tests/lab/lab.py up|prepare|down|status

`prepare` installs, on the hub, the emulators that stand in for OpenVNet's services
(tests/support: the WebAPI's and vnctl's, and vna's as the unit vnet-vna, an OpenFlow 1.3
controller listening on every address, port 6633, as the real vna does, where br0's controller
points at 127.0.0.1:6633; the openvnet role's firewall admits it from loopback only): lab scaffolding, not part of
the product, so one SSH stream instead of a playbook (a module run costs seconds under TCG).

LAB_IMAGE=bare boots the image without the roles' packages (tests/lab/image.sh).
"""

import io
import os
import subprocess
import sys
import tarfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
LAB = os.environ.get('LAB', os.path.join(ROOT, '.build', 'lab'))
NETNS = 'openvnet-lab'
BRIDGE = 'brlab'
# name, underlay addresses (IPv4 and IPv6: documentation prefixes, inside the lab's namespace only),
# SSH port, memory (MiB)
VMS = [('sv0', '192.0.2.10/24,2001:db8::10/64', 2220, 1024), ('sv1', '192.0.2.11/24,2001:db8::11/64', 2221, 512),
       ('sv2', '192.0.2.12/24,2001:db8::12/64', 2222, 512)]
READY_TIMEOUT = 420
SUPPORT = os.path.join(ROOT, 'tests', 'support')
KEY = os.path.join(LAB, 'id_ed25519')
# The hub's emulators: files from tests/support, and their units.
EMULATORS = ['openvnet_emulator.py', 'vnctl_emulator.py', 'vna_emulator.py', 'bin/vnctl']
UNITS = {
    'openvnet-webapi-emulator.service': """[Unit]
Description=OpenVNet WebAPI emulator (tests only)
[Service]
ExecStart=/usr/bin/python3 /opt/openvnet-emulator/openvnet_emulator.py --host 127.0.0.1 --port 9090 \\
  --config /etc/openvnet/webapi.conf --state /var/lib/openvnet-emulator.json
[Install]
WantedBy=multi-user.target
""",
    'vnet-vna.service': """[Unit]
Description=OpenVNet vna emulator (tests only): OpenFlow 1.3 controller for br0
After=network.target openvnet-webapi-emulator.service
[Service]
ExecStart=/usr/bin/python3 /opt/openvnet-emulator/vna_emulator.py --api http://127.0.0.1:9090/api/1.0 \\
  --port 6633
Restart=always
RestartSec=1
[Install]
WantedBy=multi-user.target
""",
}
IMAGE = os.environ.get('LAB_IMAGE', 'base')
KERNEL_PREFIX = '' if IMAGE == 'base' else IMAGE + '-'


def sh(*argv, check=True):
    return subprocess.run(argv, check=check, capture_output=True, text=True)


def path(*parts):
    return os.path.join(LAB, *parts)


def pid_of(name):
    try:
        with open(path(name + '.pid')) as f:
            pid = int(f.read())
        os.kill(pid, 0)
        return pid
    except (OSError, ValueError):
        return None


def underlay():
    if sh('ip', 'netns', 'pids', NETNS, check=False).returncode != 0:
        sh('ip', 'netns', 'add', NETNS)
        sh('ip', '-n', NETNS, 'link', 'set', 'lo', 'up')
        sh('ip', '-n', NETNS, 'link', 'add', BRIDGE, 'type', 'bridge')
        sh('ip', '-n', NETNS, 'link', 'set', BRIDGE, 'up')


def start(index, name, address, port, memory):
    overlay = path(name + '.qcow2')
    if os.path.exists(overlay):
        os.unlink(overlay)
    sh('qemu-img', 'create', '-q', '-f', 'qcow2', '-b', path(IMAGE + '.img'), '-F', 'raw', overlay)
    tap = 'tap-' + name
    sh('ip', 'link', 'del', tap, check=False)
    sh('qemu-system-x86_64', '-name', name,
       '-accel', 'tcg,thread=multi,tb-size=128', '-cpu', 'max', '-m', str(memory), '-smp', '1',
       '-display', 'none', '-daemonize', '-pidfile', path(name + '.pid'),
       '-serial', 'file:' + path(name + '.console'),
       '-kernel', path(KERNEL_PREFIX + 'vmlinuz'), '-initrd', path(KERNEL_PREFIX + 'initrd.img'),
       '-append', 'root=/dev/vda rw console=ttyS0 net.ifnames=0 biosdevname=0 '
                  'lab.name=%s lab.underlay=%s' % (name, address),
       '-drive', 'file=%s,if=virtio,format=qcow2' % overlay,
       '-netdev', 'user,id=mgmt,hostfwd=tcp:127.0.0.1:%d-:22' % port,
       '-device', 'virtio-net-pci,netdev=mgmt,mac=52:54:00:00:00:%02x' % (0x10 + index),
       '-netdev', 'tap,id=underlay,ifname=%s,script=no,downscript=no' % tap,
       '-device', 'virtio-net-pci,netdev=underlay,mac=52:54:00:00:01:%02x' % (0x10 + index))
    # QEMU opened the tap in this namespace; the underlay lives in the lab's.
    sh('ip', 'link', 'set', tap, 'netns', NETNS)
    sh('ip', '-n', NETNS, 'link', 'set', tap, 'master', BRIDGE, 'up')


def wait_ready(names, timeout=READY_TIMEOUT):
    deadline = time.time() + timeout
    pending = set(names)
    while pending and time.time() < deadline:
        for name in sorted(pending):
            try:
                with open(path(name + '.console'), errors='replace') as f:
                    if 'LAB-READY %s' % name in f.read():
                        pending.discard(name)
            except OSError:
                pass
            if pid_of(name) is None:
                raise SystemExit('%s died; see %s' % (name, path(name + '.console')))
        time.sleep(2)
    if pending:
        raise SystemExit('not ready after %d s: %s (consoles in %s)' % (timeout, ', '.join(sorted(pending)), LAB))


def up():
    if not os.path.exists(path(IMAGE + '.img')):
        raise SystemExit('no image: run LAB_IMAGE=%s tests/lab/image.sh first' % IMAGE)
    down()
    underlay()
    began = time.time()
    for index, (name, address, port, memory) in enumerate(VMS):
        start(index, name, address, port, memory)
    wait_ready([vm[0] for vm in VMS])
    print('lab up in %.0f s: %s' % (time.time() - began, ', '.join(
        '%s (ssh 127.0.0.1:%d, underlay %s)' % (n, p, a) for n, a, p, m in VMS)))


def down():
    for vm in VMS:
        name = vm[0]
        pid = pid_of(name)
        if pid:
            os.kill(pid, 15)
            for dummy in range(50):
                if pid_of(name) is None:
                    break
                time.sleep(0.1)
    sh('ip', 'netns', 'del', NETNS, check=False)


def ssh(name, command, stdin=None):
    port = dict((vm[0], vm[2]) for vm in VMS)[name]
    return subprocess.run(['ssh', '-i', KEY, '-p', str(port), '-o', 'StrictHostKeyChecking=no',
                           '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR', '-o', 'BatchMode=yes',
                           'root@127.0.0.1', command], input=stdin, capture_output=True, check=False, timeout=300)


def emulators_archive():
    data = io.BytesIO()
    with tarfile.open(fileobj=data, mode='w:gz') as tar:
        for name in EMULATORS:
            tar.add(os.path.join(SUPPORT, name), 'opt/openvnet-emulator/' + name)
        for name, text in sorted(UNITS.items()):
            info = tarfile.TarInfo('etc/systemd/system/' + name)
            info.size, info.mode = len(text.encode()), 0o644
            tar.addfile(info, io.BytesIO(text.encode()))
    return data.getvalue()


def prepare(hub='sv0'):
    began = time.time()
    proc = ssh(hub, 'set -e; tar -xzf - --no-same-owner -C /; mkdir -p /opt/openvnet-emulator/vnet; '
                    'ln -sfn /opt/openvnet-emulator/bin/vnctl /usr/local/bin/vnctl; systemctl daemon-reload; '
                    'systemctl enable --now openvnet-webapi-emulator vnet-vna 2>&1; '
                    'systemctl is-active openvnet-webapi-emulator vnet-vna', stdin=emulators_archive())
    if proc.returncode != 0:
        raise SystemExit('preparing %s failed: %s%s' % (hub, proc.stdout.decode(), proc.stderr.decode()))
    print('%s prepared in %.0f s: WebAPI, vnctl and vna emulators' % (hub, time.time() - began))


def status():
    for name, address, port, _memory in VMS:
        print('%s: %s, ssh 127.0.0.1:%d, underlay %s' % (
            name, 'running' if pid_of(name) else 'stopped', port, address))


if __name__ == '__main__':
    {'up': up, 'prepare': prepare, 'down': down, 'status': status}[sys.argv[1]]()
