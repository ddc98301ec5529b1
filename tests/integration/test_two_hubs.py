"""Two hubs, each with its own peers (issue 14), against two real userspace Open vSwitch instances.

ansible-playbook runs tests/integration/two_hubs/hubs.yml: the real playbooks/underlay.yml (each
host's underlay address is on its own tap device in a network namespace made here, so the NIC lookup
and the topology model run as on real hosts), the ovs_bridge role on both hubs as deploy.yml includes
it, and verify.yml's hub checks (ovs_info, hub_faults). Each hub's OVSDB is then read directly.
The expected ports are written out below from the inventory, not taken from the model: a model that
gave every hub every peer (the bug) would put four ports on each bridge and fail here."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import pytest
import yaml

from tests.support.ovs_sandbox import OvsSandbox, available
from tests.support.runner import COLLECTIONS, ROOT

HERE = os.path.join(ROOT, 'tests', 'integration', 'two_hubs')
PLAYBOOK = os.path.join(HERE, 'hubs.yml')
ANSIBLE_PLAYBOOK = os.path.join(os.path.dirname(sys.executable), 'ansible-playbook')
HUBS = ('hub1', 'hub2')
# Each host's underlay NIC: a tap device (no dummy driver in every kernel) with a fixed MAC, so the
# hubs' datapath ids show that each hub got its own NIC's facts.
UNDERLAY = {'hub1': ('192.0.2.10', '02:00:00:00:02:10'), 'hub2': ('192.0.2.20', '02:00:00:00:02:20'),
            'p1': ('192.0.2.11', '02:00:00:00:02:11'), 'p2': ('192.0.2.12', '02:00:00:00:02:12'),
            'p3': ('192.0.2.21', '02:00:00:00:02:21'), 'p4': ('192.0.2.22', '02:00:00:00:02:22')}
# What each hub's Open vSwitch must hold, from hosts.yml: its bridge, and one GRE port per peer
# that names it, to that peer's underlay address, from the hub's, with the hub's key.
EXPECTED = {
    'hub1': ('br0', {'gre-p1': {'remote_ip': '192.0.2.11', 'local_ip': '192.0.2.10', 'key': '1001'},
                     'gre-p2': {'remote_ip': '192.0.2.12', 'local_ip': '192.0.2.10', 'key': '1001'}}),
    'hub2': ('br1', {'gre-p3': {'remote_ip': '192.0.2.21', 'local_ip': '192.0.2.20', 'key': '2002'},
                     'gre-p4': {'remote_ip': '192.0.2.22', 'local_ip': '192.0.2.20', 'key': '2002'}}),
}


@pytest.fixture
def hub_ovs():
    """One fresh userspace Open vSwitch per hub, with no bridge: the role must create them."""
    if not available():
        pytest.fail('Open vSwitch is not installed (make setup installs openvswitch-switch)')
    sandboxes = {}
    try:
        for hub in HUBS:
            # short paths: unix socket paths are limited to 108 bytes
            sandboxes[hub] = OvsSandbox(tempfile.mkdtemp(prefix='ovs-%s-' % hub, dir='/tmp')).start()
        yield sandboxes
    finally:
        for sandbox in sandboxes.values():
            sandbox.stop()
            shutil.rmtree(sandbox.dir, ignore_errors=True)


def read(path):
    with open(path) as f:
        return f.read()


@pytest.fixture
def underlay():
    """A network namespace holding every host's underlay address; yields the argv prefix that runs
    a command in it. Nothing of the machine's own network is touched."""
    # and a mount namespace: fact gathering lists NICs from /sys/class/net, which shows the network
    # namespace of whoever mounted /sys, so the namespace gets its own sysfs
    holder = subprocess.Popen(['unshare', '--net', '--mount', '--propagation', 'private', 'sleep', 'infinity'])
    try:
        # until unshare has made the namespaces private and exec'd sleep, its ns links are still ours
        deadline = time.monotonic() + 10
        while read('/proc/%d/comm' % holder.pid) != 'sleep\n':
            assert holder.poll() is None and time.monotonic() < deadline, 'unshare did not start'
            time.sleep(0.01)
        # --wd: entering a mount namespace would otherwise start in /, away from ansible.cfg
        enter = ['nsenter', '--net=/proc/%d/ns/net' % holder.pid, '--mount=/proc/%d/ns/mnt' % holder.pid, '--wd=' + ROOT]
        subprocess.run(enter + ['mount', '-t', 'sysfs', 'sysfs', '/sys'], check=True, capture_output=True)
        batch = ''.join('tuntap add u-{0} mode tap\nlink set u-{0} address {2} up\naddress add {1}/24 dev u-{0}\n'.format(
            host, address, mac) for host, (address, mac) in UNDERLAY.items())
        subprocess.run(enter + ['ip', '-batch', '-'], input=batch, text=True, check=True, capture_output=True)
        yield enter
    finally:
        holder.kill()
        holder.wait()


def play(enter, inventory, hub_ovs):
    """ansible-playbook in the underlay namespace, with ansible.posix.json output: (rc, result)."""
    proc = subprocess.run(
        enter + [ANSIBLE_PLAYBOOK, '-i', inventory, '--forks', '6',
                 '-e', json.dumps({'two_hubs_ovsdb': dict((hub, s.db) for hub, s in hub_ovs.items())}), PLAYBOOK],
        cwd=ROOT, capture_output=True, text=True, check=False,
        # this checkout as openvnet.openvnet, never a copy installed in ~/.ansible/collections
        env=dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS, ANSIBLE_STDOUT_CALLBACK='ansible.posix.json',
                 ANSIBLE_NOCOLOR='1'))
    try:
        return proc.returncode, json.loads(proc.stdout)
    except ValueError:
        raise AssertionError('ansible-playbook printed no JSON: %s %s' % (proc.stdout[-3000:], proc.stderr[-3000:]))


def task_results(result, name):
    """Per host, the result of the task called name (a role's tasks are called "role : name")."""
    names = [task['task']['name'] for p in result['plays'] for task in p['tasks']]
    for p in result['plays']:
        for task in p['tasks']:
            if task['task']['name'] == name:
                return task['hosts']
    raise AssertionError('no task %r ran; these did: %s' % (name, names))


def actions(result, host):
    """(action, result) of every task that ran on host, in order."""
    return [(task['hosts'][host]['action'], task['hosts'][host])
            for p in result['plays'] for task in p['tasks'] if host in task['hosts']]


def ovsdb(sandbox):
    """What one Open vSwitch holds, read with ovs-vsctl: {bridge: {fail_mode, controllers,
    datapath_id, datapath_type, ports: {name: options}}}; a bridge's own internal port is left out."""
    state = {}
    for bridge in sandbox.vsctl('list-br').split():
        fail_mode, dpid, dp_type = json.loads(sandbox.vsctl(
            '--format=json', '--data=json', '--columns=fail_mode,other_config,datapath_type',
            'list', 'Bridge', bridge))['data'][0]
        ports = {}
        for port in sandbox.ports(bridge):
            row = sandbox.interface(port)
            assert row['type'] == 'gre', (port, row)
            ports[port] = row['options']
        state[bridge] = {'fail_mode': fail_mode, 'controllers': sandbox.vsctl('get-controller', bridge).split(),
                         'datapath_id': dict(dpid[1]).get('datapath-id'), 'datapath_type': dp_type, 'ports': ports}
    return state


def test_two_hubs_each_hold_exactly_their_own_peers_then_nothing_to_do(hub_ovs, underlay):
    inventory = os.path.join(HERE, 'hosts.yml')
    rc, result = play(underlay, inventory, hub_ovs)
    assert rc == 0, json.dumps(result, indent=1)[-6000:]
    assert result['stats']['hub1']['changed'] > 0 and result['stats']['hub2']['changed'] > 0

    for hub in HUBS:
        bridge, ports = EXPECTED[hub]
        mac = UNDERLAY[hub][1]
        # exactly one bridge per instance: each hub wrote to its own openvnet_ovsdb, nowhere else
        assert ovsdb(hub_ovs[hub]) == {bridge: {
            'fail_mode': 'standalone', 'controllers': [], 'datapath_type': 'netdev',
            # from this hub's own underlay NIC, found by underlay.yml
            'datapath_id': '0000' + mac.replace(':', ''), 'ports': ports}}, hub

    # verify.yml's hub checks find nothing wrong on either hub (the false faults)
    faults = task_results(result, "The hub's faults (the test asserts there are none)")
    assert {hub: faults[hub]['msg'] for hub in HUBS} == {'hub1': [], 'hub2': []}
    # ovs_info read each hub's own instance: its bridge, with its peers' ports and an OpenFlow port each
    info = task_results(result, 'Read the bridge and its ports')
    for hub in HUBS:
        bridge, ports = EXPECTED[hub]
        assert list(info[hub]['bridges']) == [bridge]
        assert sorted(info[hub]['bridges'][bridge]['ports']) == sorted([bridge] + list(ports))
        assert all(info[hub]['interfaces'][p]['ofport'] > 0 for p in ports)
    # the machine was left alone: the role's package tasks skipped, its service task reached the stub
    for hub in HUBS:
        done = actions(result, hub)
        packages = [r for a, r in done if a in ('ansible.builtin.apt', 'ansible.builtin.package')]
        assert packages and all(r.get('skipped') for r in packages), done
        assert all(r.get('two_hubs_stub') for a, r in done if a == 'ansible.builtin.service' and not r.get('skipped')), done

    before = dict((hub, hub_ovs[hub].snapshot()) for hub in HUBS)
    rc, again = play(underlay, inventory, hub_ovs)
    assert rc == 0, json.dumps(again, indent=1)[-6000:]
    assert dict((host, s['changed']) for host, s in again['stats'].items()) == dict(
        (host, 0) for host in UNDERLAY), again['stats']
    assert dict((hub, hub_ovs[hub].snapshot()) for hub in HUBS) == before


def test_a_peer_without_its_hub_fails_before_any_change(hub_ovs, underlay, tmp_path):
    with open(os.path.join(HERE, 'hosts.yml')) as f:
        hosts = yaml.safe_load(f)
    del hosts['all']['children']['openvnet_peers']['hosts']['p3']['openvnet_hub']
    inventory = str(tmp_path / 'hosts.yml')
    with open(inventory, 'w') as f:
        yaml.safe_dump(hosts, f)
    rc, result = play(underlay, inventory, hub_ovs)
    assert rc != 0
    model = task_results(result, 'The topology model (tunnels, MTUs, keys, MACs, OpenVNet registrations), once')
    messages = ' '.join(str(r.get('msg')) for r in model.values() if r.get('failed'))
    assert ('openvnet topology: p3 has no openvnet_hub: with several hubs every peer names its own '
            '(inventories do not promise an order)') in messages, messages
    # the run stopped there: no host changed, no play after the model ran, no row on either hub
    assert all(s['changed'] == 0 for s in result['stats'].values()), result['stats']
    assert [p['play']['name'] for p in result['plays'] if p['tasks']] == [
        'Underlay - every host holds its underlay address; record the NIC; compute the topology']
    for hub in HUBS:
        for table in ('Bridge', 'Port', 'Interface'):
            assert json.loads(hub_ovs[hub].vsctl('--format=json', 'list', table))['data'] == [], (hub, table)
