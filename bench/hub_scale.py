"""Hub scale: N GRE ports on a real Open vSwitch (userspace, started here), converged
then re-run with nothing to do, three ways in the same run:

  bulk         ovs_gre_port with `ports` (what the ovs_bridge role does)
  loop         ovs_gre_port once per port
  openvswitch  openvswitch.openvswitch: openvswitch_port + openvswitch_db per port

Prints wall time, the tunnel step's time (profile_tasks), ovs-vsctl invocations (and
writes) and how many times faster than openvswitch.openvswitch each is; writes a CSV."""

import argparse
import glob
import os
import shutil
import subprocess
import sys
import zipfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..'))

from bench.lib import BUILD, ROOT, CallLog, playbook, real, table, vsctl_counts, write_csv  # noqa: E402
from tests.support.ovs_sandbox import OvsSandbox  # noqa: E402

# The openvswitch.openvswitch collection left the `ansible` package after 10.x.
ANSIBLE_WITH_OPENVSWITCH = '10.7.0'
LOCAL_IP = '192.0.2.10'
VARIANTS = {
    'bulk': """
    - name: Tunnels
      openvnet.openvnet.ovs_gre_port:
        bridge: br0
        local_ip: {local_ip}
        ports: "{{{{ ports }}}}"
        purge: true
""",
    'loop': """
    - name: Tunnels
      openvnet.openvnet.ovs_gre_port:
        bridge: br0
        name: "{{{{ item.name }}}}"
        local_ip: {local_ip}
        remote_ip: "{{{{ item.remote_ip }}}}"
      loop: "{{{{ ports }}}}"
""",
    'openvswitch': """
    - name: Tunnels
      openvswitch.openvswitch.openvswitch_port:
        bridge: br0
        port: "{{{{ item.name }}}}"
        set: "Interface {{{{ item.name }}}} type=gre"
      loop: "{{{{ ports }}}}"

    - name: Tunnel remote_ip
      openvswitch.openvswitch.openvswitch_db:
        table: Interface
        record: "{{{{ item.name }}}}"
        col: options
        key: remote_ip
        value: "{{{{ item.remote_ip }}}}"
      loop: "{{{{ ports }}}}"

    - name: Tunnel local_ip
      openvswitch.openvswitch.openvswitch_db:
        table: Interface
        record: "{{{{ item.name }}}}"
        col: options
        key: local_ip
        value: {local_ip}
      loop: "{{{{ ports }}}}"
""",
}
COLUMNS = ['n', 'variant', 'run', 'wall_s', 'tunnel_step_s', 'vsctl_calls', 'vsctl_writes', 'changed',
           'x_faster_than_openvswitch']


def openvswitch_collection():
    """openvswitch.openvswitch from the `ansible` wheel, in a bench-only collections path."""
    dest = os.path.join(BUILD, 'collections')
    if os.path.isdir(os.path.join(dest, 'ansible_collections', 'openvswitch', 'openvswitch')):
        return dest
    wheels = os.path.join(BUILD, 'wheels')
    subprocess.run([sys.executable, '-m', 'pip', 'download', '--no-deps', '-q', '-d', wheels,
                    'ansible==' + ANSIBLE_WITH_OPENVSWITCH], check=True)
    wheel = glob.glob(os.path.join(wheels, 'ansible-%s-*.whl' % ANSIBLE_WITH_OPENVSWITCH))[0]
    with zipfile.ZipFile(wheel) as z:
        z.extractall(dest, [m for m in z.namelist() if m.startswith('ansible_collections/openvswitch/openvswitch/')])
    return dest


def write_playbook(workdir, variant, n):
    ports = ''.join('      - {name: gre-p%d, remote_ip: 10.%d.%d.%d}\n' % (i, i // 65536, i // 256 % 256, i % 256)
                    for i in range(1, n + 1))
    path = os.path.join(workdir, '%s-%d.yml' % (variant, n))
    with open(path, 'w') as f:
        f.write('---\n- name: Hub with %d peers (%s)\n  hosts: localhost\n  connection: local\n'
                '  gather_facts: false\n  vars:\n    ports:\n%s  tasks:\n%s'
                % (n, variant, ports, VARIANTS[variant].format(local_ip=LOCAL_IP)))
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--sizes', default=os.environ.get('BENCH_SIZES', '10,50,200,500'))
    parser.add_argument('--variants', default='bulk,loop,openvswitch')
    parser.add_argument('--csv', default=os.path.join(BUILD, 'hub_scale.csv'))
    args = parser.parse_args()
    sizes = [int(n) for n in args.sizes.split(',')]
    variants = args.variants.split(',')

    workdir = os.path.join(BUILD, 'hub_scale')
    shutil.rmtree(workdir, ignore_errors=True)
    os.makedirs(workdir)
    sandbox = OvsSandbox(os.path.join(workdir, 'ovs')).start()
    log = CallLog(workdir, {'ovs-vsctl': real('ovs-vsctl')})
    # modules find the sandbox through OVS_RUNDIR (ovs-vsctl's default socket), none is told --db
    env = log.env(sandbox.env)
    env['ANSIBLE_COLLECTIONS_PATH'] = os.pathsep.join([os.path.join(ROOT, '.build', 'collections'),
                                                       openvswitch_collection()])
    env['ANSIBLE_LOCALHOST_WARNING'] = 'false'
    env['ANSIBLE_INVENTORY_UNPARSED_WARNING'] = 'false'
    rows = []
    try:
        for n in sizes:
            for variant in variants:
                sandbox.vsctl('--if-exists', 'del-br', 'br0')
                sandbox.add_bridge('br0')
                path = write_playbook(workdir, variant, n)
                for run in ('converge', 'no-op'):
                    log.reset()
                    seconds, recap, tasks = playbook(path, env)[:3]
                    calls, writes = vsctl_counts(log.calls())
                    rows.append(dict(n=n, variant=variant, run=run, wall_s=seconds,
                                     tunnel_step_s=sum(t for name, t in tasks if name.startswith('Tunnel')),
                                     vsctl_calls=calls, vsctl_writes=writes,
                                     changed=recap['localhost']['changed']))
                    print('n=%-4d %-12s %-8s %7.2f s  %5d ovs-vsctl' % (n, variant, run, seconds, calls), flush=True)
                ports = sandbox.ports('br0')
                assert len(ports) == n, '%s left %d ports, not %d' % (variant, len(ports), n)
                assert all(sandbox.interface(p)['options'] == {'local_ip': LOCAL_IP, 'remote_ip': ip}
                           for p, ip in [('gre-p1', '10.0.0.1')]), sandbox.interface('gre-p1')
    finally:
        sandbox.stop()

    reference = dict(((r['n'], r['run']), r['wall_s']) for r in rows if r['variant'] == 'openvswitch')
    for r in rows:
        if (r['n'], r['run']) in reference:
            r['x_faster_than_openvswitch'] = reference[(r['n'], r['run'])] / r['wall_s']
    print()
    print(table(rows, COLUMNS))
    write_csv(args.csv, rows, COLUMNS)
    print('\nCSV: %s' % os.path.relpath(args.csv, ROOT))


if __name__ == '__main__':
    main()
