"""The main job end to end on the three-VM lab (real kernels, GRE over IPv4 and VXLAN over IPv6, real
OVS, the vna emulator as br0's controller): check mode, site.yml, forwarding through the controller, what OpenVNet
refuses, a path narrower than the overlay MTU, idempotence, persistence across reboots and a vna
restart, an inventory change and a drifted tunnel, teardown (twice, around a port it did not create).
The steps share one lab (one boot) and run in order: each site.yml or verify.yml run costs minutes
under software emulation, so each run carries as many checks as it can."""

import json
import os
import re
import shutil
import subprocess
import sys
import time

import pytest
import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
INVENTORY = os.path.join(ROOT, 'inventories', 'lab', 'hosts.yml')
KEY = os.path.join(ROOT, '.build', 'lab', 'id_ed25519')
PORTS = {'sv0': 2220, 'sv1': 2221, 'sv2': 2222}
# sv1: GRE over IPv4 (systemd-networkd); sv2: VXLAN over IPv6 (ifupdown), VNI 0, UDP 4789
DEVICES = {'sv1': 'gre-sv0', 'sv2': 'vxlan-sv0'}  # the peers' tunnel devices
HUB_PORTS = {'sv1': 'gre-sv1', 'sv2': 'vxlan-sv2'}  # the hub's ports towards them
KINDS = {'sv1': 'gretap', 'sv2': 'vxlan'}
BIN = os.path.dirname(sys.executable)
RECAP = re.compile(r'^(\S+)\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)', re.M)


def ansible(*argv, inventory=INVENTORY):
    proc = subprocess.run([os.path.join(BIN, argv[0]), '-i', inventory] + list(argv[1:]),
                          cwd=ROOT, capture_output=True, text=True, check=False)
    print(proc.stdout[-4000:], proc.stderr[-2000:])
    return proc


def play(playbook, *options, inventory=INVENTORY):
    return ansible('ansible-playbook', os.path.join(ROOT, playbook), *options, inventory=inventory)


def changes(proc):
    """changed= per host from a run's recap."""
    return dict((h, r['changed']) for h, r in recap(proc.stdout).items())


def recap(output):
    return dict((m[0], dict(ok=int(m[1]), changed=int(m[2]), unreachable=int(m[3]), failed=int(m[4])))
                for m in RECAP.findall(output))


def webapi(resource):
    """What the hub's OpenVNet (the WebAPI emulator) has registered."""
    out = ssh('sv0', "python3 -c \"import urllib.request; print(urllib.request.urlopen("
                     "'http://127.0.0.1:9090/api/1.0/%s.json').read().decode())\"" % resource)
    return json.loads(out)['items']


def device(peer):
    return json.loads(ssh(peer, 'ip -j address show dev %s' % DEVICES[peer]))[0]


def ovsdb_interface(name):
    """An interface's type and options, as OVSDB holds them on the hub."""
    out = json.loads(ssh('sv0', 'ovs-vsctl --format=json --data=json --columns=type,options list Interface %s' % name))
    kind, options = out['data'][0]
    return kind, dict(options[1])


def no_tunnel_devices():
    return all(ssh(peer, 'ip -o link show type %s' % KINDS[peer]) == '' for peer in DEVICES)


def lab_netns(*argv):
    """A command in the lab's underlay namespace (the bridge joining the VMs' underlay NICs)."""
    return subprocess.run(['ip', '-n', 'openvnet-lab'] + list(argv), capture_output=True, text=True, check=True)


# vna's OpenFlow port: vna listens there on every address, as the real one does (trema's switch_manager);
# the openvnet role's table admits loopback only (the bridge's controller connection) and resets the rest.
OPENFLOW_RULES = ('iif "lo" tcp dport 6633 accept', 'tcp dport 6633 reject with tcp reset')


def openflow_firewalled(host):
    """Whether the host's nftables table of the openvnet role (`nft list table`) admits loopback only to 6633."""
    rules = [line.strip() for line in ssh(host, 'nft list table inet openvnet_dcell').splitlines()]
    return all(r in rules for r in OPENFLOW_RULES) and \
        rules.index(OPENFLOW_RULES[0]) + 1 == rules.index(OPENFLOW_RULES[1])


def exposed(host):
    """TCP listeners beyond loopback, other than SSH (`ss -ltn`): the hub's services must have none, but vna's
    OpenFlow port (6633, on every address), and that one only while our firewall refuses it beyond loopback."""
    found = [line.split()[3] for line in ssh(host, 'ss -Htln').splitlines()]
    assert found, 'ss printed nothing'
    beyond = sorted(a for a in found if not a.startswith(('127.', '[::1]:')) and not a.endswith(':22'))
    if any(a.endswith(':6633') for a in beyond) and openflow_firewalled(host):
        beyond = [a for a in beyond if not a.endswith(':6633')]
    return beyond


def ssh(host, command):
    proc = subprocess.run(['ssh', '-i', KEY, '-p', str(PORTS[host]), '-o', 'StrictHostKeyChecking=no',
                           '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR', 'root@127.0.0.1', command],
                          capture_output=True, text=True, check=False, timeout=120)
    return proc.stdout


@pytest.fixture(scope='module')
def lab():
    subprocess.run([sys.executable, os.path.join(ROOT, 'tests', 'lab', 'lab.py'), 'up'], check=True)
    try:
        subprocess.run([sys.executable, os.path.join(ROOT, 'tests', 'lab', 'lab.py'), 'prepare'], check=True)
        yield
    finally:
        subprocess.run([sys.executable, os.path.join(ROOT, 'tests', 'lab', 'lab.py'), 'down'], check=False)


def test_0_check_mode_on_a_fresh_lab_predicts_and_changes_nothing(lab):
    proc = play('site.yml', '--check', '--diff')
    assert proc.returncode == 0
    predicted = changes(proc)
    assert all(predicted.get(h, 0) > 0 for h in ('sv0', 'sv1', 'sv2')), predicted
    assert 'br0 does not exist yet: a real run creates it with the ports gre-sv1, vxlan-sv2' in proc.stdout
    assert 'Check mode: the verification is skipped' in proc.stdout
    # nothing was built
    assert 'br0' not in ssh('sv0', 'ovs-vsctl list-br').split()
    assert no_tunnel_devices()


def test_1_site_on_a_fresh_lab_passes_its_verification(lab):
    proc = play('site.yml')
    assert proc.returncode == 0
    # VXLAN over IPv6 carries 1500 - 70 = 1430 bytes, GRE over IPv4 1462: one network, one MTU, so both devices
    # get 1430 (each tunnel's own capacity is shown beside it), and each df probe goes at its sender's 1430
    assert 'sv2    sv0    vxlan-sv0       vxlan  IPv6  0        4789   1430 (1430 = 1500 - 70)  2001:db8::12 -> 2001:db8::10' in proc.stdout
    assert 'sv1    sv0    gre-sv0         gre    IPv4  none     -      1430 (1462 = 1500 - 38)  192.0.2.11 -> 192.0.2.10' in proc.stdout
    assert 'sv1    -> sv2    df 1430   ok' in proc.stdout
    assert 'sv2    -> sv1    df 1430   ok' in proc.stdout
    assert 'sv2    -> sv1    ping      ok' in proc.stdout
    # the hub's ports: GRE to sv1's IPv4 address, VXLAN with UDP checksums to sv2's IPv6 one
    assert ovsdb_interface('vxlan-sv2') == ('vxlan', {'csum': 'true', 'dst_port': '4789', 'key': '0',
                                                      'local_ip': '2001:db8::10', 'remote_ip': '2001:db8::12'})
    assert ovsdb_interface('gre-sv1') == ('gre', {'local_ip': '192.0.2.10', 'remote_ip': '192.0.2.11'})
    # and sv2's device is a unicast VXLAN device to the hub's IPv6 address at the computed MTU
    link = ssh('sv2', 'ip -d -o link show dev vxlan-sv0')
    assert re.search(r' mtu 1430 .* vxlan id 0 remote 2001:db8::10 local 2001:db8::12 .*dstport 4789 ', link), link
    # and sv1's GRE device has the network's MTU, not its own tunnel's 1462
    assert ' mtu 1430 ' in ssh('sv1', 'ip -d -o link show dev gre-sv0')


def test_1b_the_overlay_is_forwarded_by_the_controller_with_what_openvnet_registered(lab):
    # fail mode secure and vna connected: nothing passes but what vna programmed
    assert ssh('sv0', 'ovs-vsctl get controller br0 is_connected').strip() == 'true'
    assert ssh('sv0', 'ovs-vsctl get bridge br0 fail_mode').strip() == 'secure'
    flows = ssh('sv0', 'ovs-ofctl -O OpenFlow13 dump-flows br0')
    interfaces = dict((i['uuid'], i) for i in webapi('interfaces'))
    assert sorted(interfaces) == ['if-sv1', 'if-sv2']
    for peer, address in (('sv1', '10.0.0.1'), ('sv2', '10.0.0.2')):
        registered = interfaces['if-' + peer]
        dev = device(peer)
        # the peer's device is exactly what OpenVNet passes
        assert (dev['address'], registered['mac_address']) == (registered['mac_address'], dev['address'])
        assert registered['ipv4_address'] == address
        assert [a['local'] for a in dev['addr_info'] if a['family'] == 'inet'] == [address]
        # vna's vif flows for it: its port classified, its MAC and address admitted and delivered to
        ofport = ssh('sv0', 'ovs-vsctl get interface %s ofport' % HUB_PORTS[peer]).strip()
        assert re.search(r'table=0, .*in_port=("?%s"?|%s) ' % (HUB_PORTS[peer], ofport), flows), flows
        assert re.search(r'table=20, .*dl_src=%s,nw_src=%s ' % (dev['address'], re.escape(address)), flows), flows
        assert re.search(r'table=43, .*dl_dst=%s,nw_dst=%s ' % (dev['address'], re.escape(address)), flows), flows
    # Redis, MariaDB and the WebAPI listen on loopback only (the default layout); vna listens on every address,
    # as the real one does, and the role's table admits only loopback there (br0's controller, connected above)
    assert exposed('sv0') == []
    listening = ssh('sv0', 'ss -Htln')
    for address in ('127.0.0.1:6379', '127.0.0.1:3306', '127.0.0.1:9090'):
        assert address in listening, listening
    assert {'0.0.0.0:6633', '*:6633'} & {line.split()[3] for line in listening.splitlines()}, listening
    assert openflow_firewalled('sv0'), ssh('sv0', 'nft list table inet openvnet_dcell')
    # a peer reaching the hub's underlay address on 6633 gets a TCP reset, while br0 stays connected
    probe = ssh('sv1', "timeout 5 bash -c 'exec 3<>/dev/tcp/192.0.2.10/6633' 2>&1; echo rc=$?")
    assert 'Connection refused' in probe and probe.strip().endswith('rc=1'), probe
    assert ssh('sv0', 'ovs-vsctl get controller br0 is_connected').strip() == 'true'
    # vna sets every port no-flood (an OpenFlow 1.0 flag)
    ports = ssh('sv0', 'ovs-ofctl -O OpenFlow10 show br0')
    for name in HUB_PORTS.values():
        assert re.search(r'\(%s\):.*\n\s+config:.*NO_FLOOD' % name, ports), ports


def test_1c_what_openvnet_or_the_path_does_not_pass_fails_the_verification_with_the_reason(lab):
    # sv1 sends from an address OpenVNet has not registered: vna's table 20 drops it
    ssh('sv1', 'ip address add 10.0.0.99/24 dev gre-sv0')
    # and the underlay towards sv2 carries less than the model's path: the lab's bridge drops
    # frames larger than its port's MTU, as a narrower link on the way would
    lab_netns('link', 'set', 'tap-sv2', 'mtu', '1400')
    # and sv1's device is forced to its own tunnel's 1462 by hand, above the network's 1430: sv2 would drop
    # sv1's full-size frames (one network, one MTU)
    ssh('sv1', 'ip link set dev gre-sv0 mtu 1462')
    try:
        assert ssh('sv1', 'ping -I 10.0.0.99 -c 3 -i 0.2 -w 5 10.0.0.2 >/dev/null; echo rc=$?').strip() == 'rc=1'
        assert ssh('sv1', 'ping -c 3 -i 0.2 -w 10 10.0.0.2 >/dev/null; echo rc=$?').strip() == 'rc=0'
        proc = play('playbooks/verify.yml')
        assert proc.returncode != 0
        out = proc.stdout + proc.stderr
        assert 'sv1: gre-sv0: address 10.0.0.99 is not registered (OpenVNet has 10.0.0.1)' in out
        # the probe goes at the sender's own MTU, and the fault names both ends and both MTUs
        assert "sv1: gre-sv0: mtu 1462, the network's MTU is 1430" in out
        assert "sv0: sv1 (gre-sv0, mtu 1462) and sv2 (vxlan-sv0, mtu 1430) are on one network" in out
        for line in ("sv1    -> sv2    df 1462   FAILED (sv1 sends 1462 bytes, sv2's MTU is 1430",
                     'sv2    -> sv1    df 1430   FAILED (a small'):
            assert line in out
    finally:
        ssh('sv1', 'ip address del 10.0.0.99/24 dev gre-sv0')
        ssh('sv1', 'ip link set dev gre-sv0 mtu 1430')
        lab_netns('link', 'set', 'tap-sv2', 'mtu', '1500')


def test_2_after_vna_restarts_a_second_run_changes_nothing_and_verifies(lab):
    started = time.time()
    ssh('sv0', 'systemctl restart vnet-vna')
    # the emulator (Python and os-ken under software emulation) can take a minute or more to start,
    # and OVS retries with backoff: wait for a connection made after the restart (OVS reports the old
    # one as connected for a few seconds after vna went away); site.yml's verification then proves
    # that vna programmed the bridge again

    def reconnected():
        out = ssh('sv0', 'ovs-vsctl get controller br0 is_connected status:sec_since_connect').split()
        return len(out) == 2 and out[0] == 'true' and int(out[1].strip('"')) < time.time() - started

    deadline = started + 300
    while not reconnected() and time.time() < deadline:
        time.sleep(3)
    assert reconnected(), ssh('sv0', 'ovs-vsctl list controller')
    proc = play('site.yml')
    assert proc.returncode == 0
    assert 'probes passed, no fault' in proc.stdout
    hosts = changes(proc)
    assert set(hosts) >= {'sv0', 'sv1', 'sv2'}
    assert hosts == dict((h, 0) for h in hosts)


def test_3_the_overlay_survives_a_reboot_of_hub_and_peers(lab):
    # sv1 (systemd-networkd) and sv2 (ifupdown): both backends must bring the tunnel back.
    assert ansible('ansible', 'sv0,sv1,sv2', '-m', 'ansible.builtin.reboot', '-a', 'reboot_timeout=900').returncode == 0
    assert play('playbooks/verify.yml').returncode == 0
    # what starts at boot (Debian's mariadb.socket would listen on *:3306) stays on loopback too
    assert exposed('sv0') == []


def test_4_a_changed_overlay_address_leaves_nothing_stale(lab):
    changed = os.path.join(ROOT, '.build', 'inventory-changed')
    shutil.rmtree(changed, ignore_errors=True)
    shutil.copytree(os.path.dirname(INVENTORY), changed)
    with open(os.path.join(changed, 'hosts.yml')) as f:
        inventory = yaml.safe_load(f)
    peers = inventory['all']['children']['openvnet_peers']['hosts']
    peers['sv1']['openvnet_overlay_address'] = '10.0.0.11/24'
    with open(os.path.join(changed, 'hosts.yml'), 'w') as f:
        yaml.safe_dump(inventory, f)
    # and sv2's tunnel drifted by hand (an MTU the path does not carry): site.yml must re-create it
    ssh('sv2', 'ip link set dev vxlan-sv0 mtu 1450')
    assert ' mtu 1450 ' in ssh('sv2', 'ip -d -o link show dev vxlan-sv0')
    proc = play('site.yml', inventory=os.path.join(changed, 'hosts.yml'))
    assert proc.returncode == 0
    assert ' mtu 1430 ' in ssh('sv2', 'ip -d -o link show dev vxlan-sv0')
    assert re.findall(r'inet (\S+)', ssh('sv1', 'ip -o -4 addr show dev gre-sv0')) == ['10.0.0.11/24']
    assert ssh('sv0', 'ovs-vsctl list-ports br0').split() == ['gre-sv1', 'vxlan-sv2']
    # sv1 is re-registered at its new address (the interface re-created), nothing stale
    interfaces = dict((i['uuid'], i['ipv4_address']) for i in webapi('interfaces'))
    assert interfaces == {'if-sv1': '10.0.0.11', 'if-sv2': '10.0.0.2'}
    flows = ssh('sv0', 'ovs-ofctl -O OpenFlow13 dump-flows br0')
    assert 'dl_src=%s,nw_src=10.0.0.11 ' % device('sv1')['address'] in flows
    assert 'nw_src=10.0.0.1 ' not in flows and 'arp_spa=10.0.0.1,' not in flows, flows


def test_5_teardown_leaves_what_it_did_not_create_then_runs_again_and_removes_everything(lab):
    # a port the collection did not create (a VM's tap): teardown removes its own and keeps the bridge
    ssh('sv0', 'ovs-vsctl add-port br0 vm-tap1 -- set interface vm-tap1 type=internal')
    proc = play('playbooks/teardown.yml')
    assert proc.returncode == 0
    assert 'br0 is left in place: it still holds ports this collection did not make (vm-tap1)' in proc.stdout
    assert ssh('sv0', 'ovs-vsctl list-ports br0').split() == ['vm-tap1']
    owned = json.loads(ssh('sv0', 'ovs-vsctl --format=json find Interface external_ids:managed_by=openvnet.openvnet'))
    assert owned['data'] == []
    # once the VM is gone, a second teardown (nothing else left to do) removes the bridge
    ssh('sv0', 'ovs-vsctl del-port br0 vm-tap1')
    assert play('playbooks/teardown.yml').returncode == 0
    assert 'br0' not in ssh('sv0', 'ovs-vsctl list-br').split()
    assert no_tunnel_devices()
    for peer in ('sv1', 'sv2'):
        files = ssh(peer, 'ls /etc/systemd/network /etc/network/interfaces.d').split()
        assert [f for f in files if f.startswith('60-openvnet-')] == [], files
    assert 'source /etc/network/interfaces.d/*' in ssh('sv2', 'cat /etc/network/interfaces')
    for resource in ('interfaces', 'networks', 'datapaths'):
        assert webapi(resource) == [], resource
