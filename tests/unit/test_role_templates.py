"""Files the network roles write for systems that cannot run here (EL network-scripts,
NetworkManager): rendered with Ansible's template settings and compared line by line."""

import fnmatch
import os
import re
import shutil
import subprocess

import jinja2
import pytest
import yaml

ROLES = os.path.join(os.path.dirname(__file__), '..', '..', 'roles')
TUNNEL = dict(name='gre-sv0', mac='02:aa:bb:cc:dd:01', local_ip='192.0.2.11', remote_ip='192.0.2.10', address='10.0.0.1/24',
              mtu=1462, key=None, kind='gretap', family=4, dst_port=None, csum=False)
# A peer's tunnel of each other kind, as the topology model gives it (its contract).
IPV6 = dict(family=6, local_ip='2001:db8::12', remote_ip='2001:db8::10')
TUNNELS = {
    'ip6gretap': dict(TUNNEL, kind='ip6gretap', key=7, mtu=1430, **IPV6),
    'vxlan4': dict(TUNNEL, name='vxlan-sv0', kind='vxlan', key=42, dst_port=4789, mtu=1450),
    'vxlan6': dict(TUNNEL, name='vxlan-sv0', kind='vxlan', key=0, dst_port=4789, csum=True, mtu=1430, **IPV6),
    'geneve4': dict(TUNNEL, name='geneve-sv0', kind='geneve', key=5, dst_port=6081, mtu=1450),
    'geneve6': dict(TUNNEL, name='geneve-sv0', kind='geneve', key=5, dst_port=6081, csum=True, mtu=1430, **IPV6),
}


def render(role, template, **variables):
    # ansible.builtin.template: trim_blocks on, trailing newline kept
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(os.path.join(ROLES, role, 'templates')),
                             undefined=jinja2.StrictUndefined, trim_blocks=True, keep_trailing_newline=True)
    role_vars = {}
    if os.path.exists(os.path.join(ROLES, role, 'vars', 'main.yml')):
        with open(os.path.join(ROLES, role, 'vars', 'main.yml')) as f:
            role_vars = yaml.safe_load(f)
    role_vars.update(ansible_managed='Ansible managed', **variables)
    return env.get_template(template).render(**role_vars)


def body(text):
    """The lines after the two comment lines every file starts with."""
    return text.splitlines()[2:]


def gretap_layouts():
    with open(os.path.join(ROLES, 'gretap_peer', 'vars', 'main.yml')) as f:
        return yaml.safe_load(f)['__gretap_peer_layouts']


# every backend with every kind it makes (NetworkManager makes no geneve: refused)
@pytest.mark.parametrize('backend, tunnel', [(b, t) for b in sorted(gretap_layouts()) for t in [TUNNEL] + list(TUNNELS.values())
                                             if (b, t['kind']) != ('networkmanager', 'geneve')],
                         ids=lambda v: v['kind'] if isinstance(v, dict) else v)
def test_every_gretap_backend_marks_its_files_and_names_its_device(backend, tunnel):
    layout = gretap_layouts()[backend]
    for item in layout['files']:
        text = render('gretap_peer', item['template'], gretap_peer_tunnel=tunnel)
        assert 'written by openvnet.openvnet.gretap_peer' in text.splitlines()[1]
        name = item['name'] % tunnel['name']
        assert re.sub(layout['device_regex'], r'\1', name) == tunnel['name']
        assert any(fnmatch.fnmatch(name, p) for p in layout['patterns'])


def test_gretap_ifcfg_for_el7():
    assert body(render('gretap_peer', 'ifcfg.j2', gretap_peer_tunnel=dict(TUNNEL, key=7))) == [
        '# network-scripts have no gretap type: ifup runs ifup-gretap for DEVICETYPE=gretap.',
        'DEVICE=gre-sv0',
        'DEVICETYPE=gretap',
        '# The MAC OpenVNet has registered for this peer (ifup-gretap sets it).',
        'MACADDR=02:aa:bb:cc:dd:01',
        'ONBOOT=yes',
        'BOOTPROTO=none',
        'NM_CONTROLLED=no',
        '# ifup-gretap runs: ip link add $DEVICE address $MACADDR $TUNNEL_LINK',
        'TUNNEL_LINK="type gretap local 192.0.2.11 remote 192.0.2.10 key 7"',
        'IPADDR=10.0.0.1',
        'PREFIX=24',
        'MTU=1462',
        'DEFROUTE=no',
    ]


def test_gretap_networkmanager_keyfile_for_el8_el9():
    assert body(render('gretap_peer', 'nmconnection.j2', gretap_peer_tunnel=TUNNEL)) == [
        '[connection]', 'id=openvnet-gre-sv0', 'type=ip-tunnel', 'interface-name=gre-sv0', 'autoconnect=true', '',
        '[ip-tunnel]', '# 10 = gretap', 'mode=10', 'local=192.0.2.11', 'remote=192.0.2.10', 'mtu=1462', '',
        '[ethernet]', '# The MAC OpenVNet has registered for this peer.', 'cloned-mac-address=02:aa:bb:cc:dd:01', '',
        '[ipv4]', 'method=manual', 'address1=10.0.0.1/24', 'never-default=true', '',
        '[ipv6]', 'method=disabled',
    ]


@pytest.mark.parametrize('key, suffix', [(None, ''), (42, ' key 42')])
def test_gretap_ifupdown_stanza(key, suffix):
    assert body(render('gretap_peer', 'ifupdown.j2', gretap_peer_tunnel=dict(TUNNEL, key=key))) == [
        'auto gre-sv0',
        'iface gre-sv0 inet static',
        '    address 10.0.0.1/24',
        '    mtu 1462',
        '    pre-up ip link add $IFACE address 02:aa:bb:cc:dd:01 type gretap local 192.0.2.11 remote 192.0.2.10' + suffix,
        '    post-down ip link delete $IFACE',
    ]


@pytest.mark.parametrize('script', ['ifup-tunnel', 'ifdown-tunnel'])
def test_gretap_network_scripts_parse(script):
    path = os.path.join(ROLES, 'gretap_peer', 'templates', script + '.j2')
    assert '{{' not in open(path).read()
    subprocess.run(['bash', '-n', path], check=True)


def test_gretap_networkd_netdev_pins_the_registered_mac():
    assert body(render('gretap_peer', 'networkd.netdev.j2', gretap_peer_tunnel=dict(TUNNEL, key=5))) == [
        '[NetDev]', 'Name=gre-sv0', 'Kind=gretap',
        '# The MAC OpenVNet has registered for this peer: vna drops frames from any other.',
        'MACAddress=02:aa:bb:cc:dd:01', 'MTUBytes=1462', '',
        '[Tunnel]', 'Local=192.0.2.11', 'Remote=192.0.2.10', 'Key=5',
        '# Not bound to one underlay link: the kernel routes to Remote.', 'Independent=true',
    ]


@pytest.mark.parametrize('tunnel, section', [
    # systemd 252 (Debian 12) systemd.netdev: [Tunnel] for the GRE kinds, [VXLAN] VNI= (0 accepted), [GENEVE] Id=
    ('ip6gretap', ['[Tunnel]', 'Local=2001:db8::12', 'Remote=2001:db8::10', 'Key=7',
                   '# Not bound to one underlay link: the kernel routes to Remote.', 'Independent=true']),
    ('vxlan4', ['[VXLAN]', 'VNI=42', 'Remote=192.0.2.10', 'Local=192.0.2.11',
                "# unset, the kernel's default (8472), not IANA's 4789", 'DestinationPort=4789',
                '# Everything goes to the hub (Remote): nothing to learn.', 'MacLearning=no',
                '# Not bound to one underlay link: the kernel routes to Remote.', 'Independent=true']),
    ('vxlan6', ['[VXLAN]', 'VNI=0', 'Remote=2001:db8::10', 'Local=2001:db8::12',
                "# unset, the kernel's default (8472), not IANA's 4789", 'DestinationPort=4789',
                '# Everything goes to the hub (Remote): nothing to learn.', 'MacLearning=no',
                'UDP6ZeroChecksumTx=no', 'UDP6ZeroChecksumRx=no',
                '# Not bound to one underlay link: the kernel routes to Remote.', 'Independent=true']),
    # geneve has no local address: the kernel picks the source of its route to Remote
    ('geneve4', ['[GENEVE]', 'Id=5', 'Remote=192.0.2.10', 'DestinationPort=6081']),
    ('geneve6', ['[GENEVE]', 'Id=5', 'Remote=2001:db8::10', 'DestinationPort=6081',
                 'UDPChecksum=yes', 'UDP6ZeroChecksumTx=no', 'UDP6ZeroChecksumRx=no']),
])
def test_networkd_netdev_of_each_kind(tunnel, section):
    t = TUNNELS[tunnel]
    assert body(render('gretap_peer', 'networkd.netdev.j2', gretap_peer_tunnel=t)) == [
        '[NetDev]', 'Name=' + t['name'], 'Kind=' + t['kind'],
        '# The MAC OpenVNet has registered for this peer: vna drops frames from any other.',
        'MACAddress=02:aa:bb:cc:dd:01', 'MTUBytes=%d' % t['mtu'], ''] + section


# What follows `ip link add NAME address MAC` (ifupdown's pre-up, ifcfg's TUNNEL_LINK), for each kind:
# iproute2's keywords (ip-link(8)); over IPv6, UDP checksums stay on (Linux's default, said out loud).
LINK_ARGS = {
    'gretap': 'type gretap local 192.0.2.11 remote 192.0.2.10',
    'ip6gretap': 'type ip6gretap local 2001:db8::12 remote 2001:db8::10 key 7',
    'vxlan4': 'type vxlan id 42 remote 192.0.2.10 local 192.0.2.11 dstport 4789 nolearning',
    'vxlan6': 'type vxlan id 0 remote 2001:db8::10 local 2001:db8::12 dstport 4789 nolearning noudp6zerocsumtx noudp6zerocsumrx',
    'geneve4': 'type geneve id 5 remote 192.0.2.10 dstport 6081',
    'geneve6': 'type geneve id 5 remote 2001:db8::10 dstport 6081 udpcsum noudp6zerocsumtx noudp6zerocsumrx',
}


@pytest.mark.parametrize('tunnel', sorted(TUNNELS))
def test_ifupdown_stanza_of_each_kind(tunnel):
    t = TUNNELS[tunnel]
    assert body(render('gretap_peer', 'ifupdown.j2', gretap_peer_tunnel=t)) == [
        'auto %s' % t['name'],
        'iface %s inet static' % t['name'],
        '    address 10.0.0.1/24',
        '    mtu %d' % t['mtu'],
        '    pre-up ip link add $IFACE address 02:aa:bb:cc:dd:01 ' + LINK_ARGS[tunnel],
        '    post-down ip link delete $IFACE',
    ]


@pytest.mark.parametrize('tunnel', sorted(TUNNELS))
def test_ifcfg_of_each_kind_for_el7(tunnel):
    t = TUNNELS[tunnel]
    kind = t['kind']
    assert body(render('gretap_peer', 'ifcfg.j2', gretap_peer_tunnel=t)) == [
        '# network-scripts have no %s type: ifup runs ifup-%s for DEVICETYPE=%s.' % (kind, kind, kind),
        'DEVICE=%s' % t['name'],
        'DEVICETYPE=%s' % kind,
        '# The MAC OpenVNet has registered for this peer (ifup-%s sets it).' % kind,
        'MACADDR=02:aa:bb:cc:dd:01',
        'ONBOOT=yes',
        'BOOTPROTO=none',
        'NM_CONTROLLED=no',
        '# ifup-%s runs: ip link add $DEVICE address $MACADDR $TUNNEL_LINK' % kind,
        'TUNNEL_LINK="%s"' % LINK_ARGS[tunnel],
        'IPADDR=10.0.0.1',
        'PREFIX=24',
        'MTU=%d' % t['mtu'],
        'DEFROUTE=no',
    ]


NM_TAIL = ['[ethernet]', '# The MAC OpenVNet has registered for this peer.', 'cloned-mac-address=02:aa:bb:cc:dd:01']
NM_IPV4 = ['', '[ipv4]', 'method=manual', 'address1=10.0.0.1/24', 'never-default=true', '', '[ipv6]', 'method=disabled']


@pytest.mark.parametrize('tunnel, connection', [
    # NetworkManager's NMIPTunnelMode: 10 gretap, 11 ip6gretap; its ip6 tunnels' encapsulation-limit defaults to 0
    ('ip6gretap', ['[connection]', 'id=openvnet-gre-sv0', 'type=ip-tunnel', 'interface-name=gre-sv0', 'autoconnect=true', '',
                   '[ip-tunnel]', '# 11 = ip6gretap', 'mode=11', 'local=2001:db8::12', 'remote=2001:db8::10', 'mtu=1430',
                   'input-key=7', 'output-key=7', "# Linux's default (NetworkManager's is 0); the model counts the option's 8 bytes",
                   'encapsulation-limit=4', ''] + NM_TAIL),
    # vxlan's destination-port defaults to 8472; its MTU is the [ethernet] one (NetworkManager's vxlan devices are wired)
    ('vxlan4', ['[connection]', 'id=openvnet-vxlan-sv0', 'type=vxlan', 'interface-name=vxlan-sv0', 'autoconnect=true', '',
                '[vxlan]', 'id=42', 'remote=192.0.2.10', 'local=192.0.2.11',
                "# unset, NetworkManager's default (8472), not IANA's 4789", 'destination-port=4789',
                "# Everything goes to the hub (remote): nothing to learn. NetworkManager keeps the kernel's UDP checksums",
                '# (computed, and required, over IPv6).', 'learning=false', ''] + NM_TAIL + ['mtu=1450']),
    ('vxlan6', ['[connection]', 'id=openvnet-vxlan-sv0', 'type=vxlan', 'interface-name=vxlan-sv0', 'autoconnect=true', '',
                '[vxlan]', 'id=0', 'remote=2001:db8::10', 'local=2001:db8::12',
                "# unset, NetworkManager's default (8472), not IANA's 4789", 'destination-port=4789',
                "# Everything goes to the hub (remote): nothing to learn. NetworkManager keeps the kernel's UDP checksums",
                '# (computed, and required, over IPv6).', 'learning=false', ''] + NM_TAIL + ['mtu=1430']),
])
def test_networkmanager_keyfile_of_each_kind(tunnel, connection):
    assert body(render('gretap_peer', 'nmconnection.j2', gretap_peer_tunnel=TUNNELS[tunnel])) == connection + NM_IPV4


def test_networkmanager_refuses_geneve_before_any_change():
    """NetworkManager has no geneve type before 1.58 (EL8/9 ship older): the role's first check after
    the backend's refuses it, with the alternatives."""
    with open(os.path.join(ROLES, 'gretap_peer', 'tasks', 'main.yml')) as f:
        tasks = yaml.safe_load(f)
    names = [t['name'] for t in tasks]
    check = tasks[names.index("The backend must make the tunnel's kind")]
    # only reads and asserts before it
    assert all(set(t) & {'ansible.builtin.include_vars', 'ansible.builtin.set_fact', 'ansible.builtin.assert'}
               for t in tasks[:names.index(check['name'])])
    env = jinja2.Environment(undefined=jinja2.StrictUndefined)
    refused = env.compile_expression(check['ansible.builtin.assert']['that'])
    for backend in ('networkd', 'ifupdown', 'ifcfg', 'networkmanager'):
        for name, tunnel in sorted(TUNNELS.items()):
            ok = refused(gretap_peer_used_backend=backend, gretap_peer_tunnel=tunnel)
            assert ok == (backend != 'networkmanager' or tunnel['kind'] != 'geneve'), (backend, name)
    message = ' '.join(check['ansible.builtin.assert']['fail_msg'].split())
    assert 'gretap_peer_backend to networkd' in message and 'openvnet_tunnel_encapsulation to vxlan' in message


def test_ovs_bridge_attached_ifcfg_as_the_manual_procedure():
    facts = dict(ovs_bridge_name='br0', ovs_bridge_protocols=['OpenFlow10', 'OpenFlow12', 'OpenFlow13'],
                 ovs_bridge_disable_in_band=True, ovs_bridge_fail_mode='standalone',
                 ovs_bridge_controllers=['tcp:127.0.0.1:6633'],
                 ovs_bridge_ifcfg=dict(uplink='eth1', address='172.31.5.10', prefix='20',
                                       datapath_id='00000a1b2c3d4e5f', hwaddr='0a:1b:2c:3d:4e:5f'))
    assert body(render('ovs_bridge', 'ifcfg-uplink.j2', **facts)) == [
        'DEVICE=eth1', 'DEVICETYPE=ovs', 'TYPE=OVSPort', 'OVS_BRIDGE=br0', 'BOOTPROTO=none', 'ONBOOT=yes',
        'HOTPLUG=no']
    assert body(render('ovs_bridge', 'ifcfg-bridge.j2', **facts)) == [
        'DEVICE=br0', 'DEVICETYPE=ovs', 'TYPE=OVSBridge', 'ONBOOT=yes', 'BOOTPROTO=static',
        'IPADDR=172.31.5.10', 'PREFIX=20', 'HOTPLUG=no',
        'OVS_EXTRA="set bridge ${DEVICE} protocols=OpenFlow10,OpenFlow12,OpenFlow13'
        ' -- set bridge ${DEVICE} other-config:disable-in-band=true'
        ' -- set bridge ${DEVICE} other-config:datapath-id=00000a1b2c3d4e5f'
        ' -- set bridge ${DEVICE} other-config:hwaddr=0a:1b:2c:3d:4e:5f'
        ' -- set-fail-mode ${DEVICE} standalone -- set-controller ${DEVICE} tcp:127.0.0.1:6633"']
    # a plain GRE hub (no OpenVNet): no controller, which the ifcfg must remove, not leave empty
    facts['ovs_bridge_controllers'] = []
    plain = body(render('ovs_bridge', 'ifcfg-bridge.j2', **facts))[-1]
    assert plain.endswith(' -- set-fail-mode ${DEVICE} standalone -- del-controller ${DEVICE}"')


def underlay_nic_vars(routing):
    return {'underlay_nic_mac': '0A:1B:2C:3D:4E:5F', 'underlay_nic_device': 'ens6', 'underlay_nic_address': '172.31.5.10',
            'underlay_nic_gateway': '172.31.0.1', '__underlay_nic_routing': dict(enabled=routing, table=1001, priority=1001)}


NIC = underlay_nic_vars(True)
NO_RULE = underlay_nic_vars(False)


def underlay_layouts():
    with open(os.path.join(ROLES, 'underlay_nic', 'vars', 'main.yml')) as f:
        return yaml.safe_load(f)['__underlay_nic_layouts']


@pytest.mark.parametrize('backend', sorted(underlay_layouts()))
def test_every_underlay_nic_file_is_marked_and_has_the_rule_from_the_tunnel_address(backend):
    """Every backend carries the policy rule from the NIC's address, and none without policy routing."""
    layout = underlay_layouts()[backend]
    templates = [layout['template']] + [item['template'] for item in layout.get('routing', [])]
    if backend == 'ifupdown':
        templates += ['dhclient-hook.j2', 'dhclient-exit-hook.j2']
    texts = [render('underlay_nic', template, **NIC) for template in templates]
    assert all('written by openvnet.openvnet.underlay_nic' in text.splitlines()[1] for text in texts)
    assert any('172.31.5.10' in text and '1001' in text for text in texts)
    assert '172.31.5.10' not in render('underlay_nic', layout['template'], **NO_RULE)


def test_underlay_nic_ifcfg_for_el7_as_the_manual_procedure():
    assert body(render('underlay_nic', 'ifcfg.j2', **NIC)) == [
        'DEVICE=ens6', 'HWADDR=0a:1b:2c:3d:4e:5f', 'TYPE=Ethernet', 'ONBOOT=yes', 'BOOTPROTO=dhcp',
        '# The primary NIC keeps the default route and the resolver.', 'DEFROUTE=no', 'PEERDNS=no', 'IPV6INIT=no']


def test_underlay_nic_ifcfg_rule_and_route_files_for_el7():
    """ifup-routes runs `ip rule add <line>` and `ip route add <line>` for every line that is not a comment."""
    lines = [line for line in body(render('underlay_nic', 'ifcfg-rule.j2', **NIC)) if not line.startswith('#')]
    assert lines == ['from 172.31.5.10 table 1001 priority 1001']
    lines = [line for line in body(render('underlay_nic', 'ifcfg-route.j2', **NIC)) if not line.startswith('#')]
    assert lines == ['default via 172.31.0.1 dev ens6 table 1001']


def test_underlay_nic_netplan_matches_the_mac_with_the_rule_and_the_table():
    netplan = yaml.safe_load(render('underlay_nic', 'netplan.yaml.j2', **NIC))
    nic = netplan['network']['ethernets']['openvnet-underlay']
    assert nic['match'] == {'macaddress': '0a:1b:2c:3d:4e:5f'}
    assert nic['dhcp4'] is True and nic['dhcp4-overrides']['use-routes'] is False
    assert nic['routes'] == [{'to': 'default', 'via': '172.31.0.1', 'table': 1001, 'on-link': True}]
    assert nic['routing-policy'] == [{'from': '172.31.5.10', 'table': 1001, 'priority': 1001}]
    plain = yaml.safe_load(render('underlay_nic', 'netplan.yaml.j2', **NO_RULE))['network']['ethernets']
    assert 'routes' not in plain['openvnet-underlay'] and 'routing-policy' not in plain['openvnet-underlay']


def test_underlay_nic_networkmanager_routes_the_lease_into_the_table():
    lines = render('underlay_nic', 'nmconnection.j2', **NIC).splitlines()
    assert 'mac-address=0A:1B:2C:3D:4E:5F' in lines and 'method=auto' in lines
    # route-table moves every route of the lease, the default route included, out of the main table
    assert 'route-table=1001' in lines and 'never-default=true' not in lines
    assert 'routing-rule1=priority 1001 from 172.31.5.10 table 1001' in lines
    plain = render('underlay_nic', 'nmconnection.j2', **NO_RULE).splitlines()
    assert 'never-default=true' in plain and not any(line.startswith('rout') for line in plain)


def test_underlay_nic_networkd_routes_the_lease_into_the_table():
    text = render('underlay_nic', 'networkd.network.j2', **NIC)
    assert '[RoutingPolicyRule]\n# What the tunnel address sends leaves through this NIC, even with the primary NIC in ' \
        'its subnet.\nFrom=172.31.5.10\nTable=1001\nPriority=1001\n' in text
    assert 'RouteTable=1001' in text.splitlines() and 'UseGateway=false' not in text.splitlines()
    plain = render('underlay_nic', 'networkd.network.j2', **NO_RULE).splitlines()
    assert 'UseGateway=false' in plain and 'UseRoutes=false' in plain and '[RoutingPolicyRule]' not in plain


def test_underlay_nic_ifupdown_stanza_and_dhclient_hooks():
    assert body(render('underlay_nic', 'ifupdown.j2', **NO_RULE))[2:] == ['auto ens6', 'iface ens6 inet dhcp']
    assert body(render('underlay_nic', 'ifupdown.j2', **NIC))[-3:] == [
        '    post-up ip -4 rule del priority 1001 2>/dev/null || true',
        '    post-up ip -4 rule add from 172.31.5.10 lookup 1001 priority 1001',
        '    pre-down ip -4 rule del priority 1001 2>/dev/null || true']
    for template in ('dhclient-hook.j2', 'dhclient-exit-hook.j2'):
        hook = render('underlay_nic', template, **NIC)
        assert 'if [ "$interface" = "ens6" ]; then' in hook.splitlines()
        subprocess.run(['bash', '-n'], input=hook, text=True, check=True)
    assert 'openvnet_underlay_routers=$new_routers' in render('underlay_nic', 'dhclient-hook.j2', **NIC)


# --- redis and openvnet: the control plane's firewall (nftables on Debian, firewalld on EL) ---

def render_ansible(role, template, **variables):
    """render() with Ansible's own tests (search, match...), which these templates use."""
    from ansible.plugins.test.core import TestModule
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(os.path.join(ROLES, role, 'templates')),
                             undefined=jinja2.StrictUndefined, trim_blocks=True, keep_trailing_newline=True)
    env.tests.update(TestModule().tests())
    return env.get_template(template).render(ansible_managed='Ansible managed', **variables)


def nft_rules(text):
    """The rule set without comments and blank lines."""
    return [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith('#')]


def test_redis_nftables_table_admits_loopback_and_the_cluster_only():
    rules = nft_rules(render_ansible('redis', 'firewall.nft.j2', redis_port=6379, __redis_nft_table='openvnet_redis',
                                     redis_cluster_addresses=['192.0.2.10', '192.0.2.11', '2001:db8::b']))
    # replaced as a whole in one nft transaction; no `flush ruleset`, no other table
    assert rules[:3] == ['table inet openvnet_redis', 'delete table inet openvnet_redis', 'table inet openvnet_redis {']
    assert 'elements = { 192.0.2.10, 192.0.2.11 }' in rules and 'elements = { 2001:db8::b }' in rules
    assert rules[-8:] == [
        'chain input {', 'type filter hook input priority filter - 10; policy accept;',
        'iif lo tcp dport 6379 accept',
        'ip saddr @cluster_ipv4 tcp dport 6379 accept',
        'ip6 saddr @cluster_ipv6 tcp dport 6379 accept',
        'tcp dport 6379 reject with tcp reset', '}', '}']
    assert not any('flush' in rule for rule in rules)


def openvnet_nft(cluster_addresses=(), dcell_ports=(), openflow_ports=(6633,)):
    """The openvnet role's table as vars/main.yml feeds it: DCell's ports only while DCell listens beyond loopback
    (the cluster layout), vna's OpenFlow port wherever vna runs."""
    return render_ansible('openvnet', 'firewall.nft.j2', __openvnet_nft_table='openvnet_dcell',
                          openvnet_cluster_addresses=list(cluster_addresses),
                          __openvnet_firewall_dcell_ports=list(dcell_ports),
                          __openvnet_firewall_openflow_ports=list(openflow_ports))


def test_openvnet_nftables_table_guards_the_dcell_ports_of_this_host():
    rules = nft_rules(openvnet_nft(['192.0.2.0/24'], [9101, 9102, 9103]))
    assert rules[:3] == ['table inet openvnet_dcell', 'delete table inet openvnet_dcell', 'table inet openvnet_dcell {']
    assert 'elements = { 192.0.2.0/24 }' in rules and 'set cluster_ipv6 {' not in rules
    assert [rule for rule in rules if 'dport' in rule] == [
        'iif lo tcp dport { 9101, 9102, 9103 } accept',
        'ip saddr @cluster_ipv4 tcp dport { 9101, 9102, 9103 } accept',
        'tcp dport { 9101, 9102, 9103 } reject with tcp reset',
        # vna's OpenFlow port stays loopback-only although the cluster reaches DCell
        'iif lo tcp dport 6633 accept',
        'tcp dport 6633 reject with tcp reset']
    assert not any('flush' in rule for rule in rules)


def test_openvnet_nftables_table_in_the_default_layout_guards_vnas_openflow_port_only():
    """DCell on loopback needs no rule; vna listens on every address (as trema's switch_manager does): only
    loopback, where the bridge's controller connects, reaches 6633, over IPv4 and IPv6 (an inet table)."""
    rules = nft_rules(openvnet_nft())
    assert rules == ['table inet openvnet_dcell', 'delete table inet openvnet_dcell', 'table inet openvnet_dcell {',
                     'chain input {', 'type filter hook input priority filter - 10; policy accept;',
                     'iif lo tcp dport 6633 accept',
                     'tcp dport 6633 reject with tcp reset', '}', '}']


def test_openvnet_nftables_table_follows_openvnet_vna_openflow_port_and_an_ipv6_cluster():
    rules = nft_rules(openvnet_nft(['192.0.2.10', '2001:db8::b'], [9103], [16633]))
    assert 'elements = { 192.0.2.10 }' in rules and 'elements = { 2001:db8::b }' in rules
    assert [rule for rule in rules if 'dport' in rule] == [
        'iif lo tcp dport { 9103 } accept',
        'ip saddr @cluster_ipv4 tcp dport { 9103 } accept',
        'ip6 saddr @cluster_ipv6 tcp dport { 9103 } accept',
        'tcp dport { 9103 } reject with tcp reset',
        'iif lo tcp dport 16633 accept',
        'tcp dport 16633 reject with tcp reset']


@pytest.mark.skipif(not shutil.which('nft') or not shutil.which('unshare'), reason='needs nft and unshare')
@pytest.mark.parametrize('layout', ['default', 'cluster'])
def test_openvnet_nftables_table_loads_and_lists_as_the_lab_reads_it(layout, tmp_path):
    """nft itself, in a network namespace of its own: the file loads twice (the unit's reload), and
    `nft list table` shows the rules the lab looks for (tests/lab/test_lab_e2e.py, exposed())."""
    text = openvnet_nft(['192.0.2.0/24', '2001:db8::/64'], [9101, 9102, 9103]) if layout == 'cluster' else openvnet_nft()
    path = tmp_path / 'openvnet-dcell.nft'
    path.write_text(text)
    proc = subprocess.run(['unshare', '-rn', 'sh', '-c', 'nft -f "$1" && nft -f "$1" && nft list table inet openvnet_dcell',
                           'sh', str(path)], capture_output=True, text=True, check=False)
    if proc.returncode and 'Operation not permitted' in proc.stderr:
        pytest.skip('no network namespace here: %s' % proc.stderr.strip())
    assert proc.returncode == 0, proc.stderr
    listed = [line.strip() for line in proc.stdout.splitlines()]
    assert listed.index('iif "lo" tcp dport 6633 accept') + 1 == listed.index('tcp dport 6633 reject with tcp reset')
    assert ('tcp dport { 9101, 9102, 9103 } reject with tcp reset' in listed) == (layout == 'cluster')


@pytest.mark.parametrize('role, table, extra', [
    ('redis', 'openvnet_redis', dict(__redis_nft_table='openvnet_redis', __redis_nft_file='/etc/nftables.d/openvnet-redis.nft')),
    ('openvnet', 'openvnet_dcell', dict(__openvnet_nft_table='openvnet_dcell',
                                        __openvnet_nft_file='/etc/nftables.d/openvnet-dcell.nft')),
])
def test_firewall_unit_loads_only_its_table_after_nftables_service(role, table, extra):
    lines = render_ansible(role, 'firewall.service.j2', **extra).splitlines()
    nft_file = '/etc/nftables.d/openvnet-%s.nft' % ('redis' if role == 'redis' else 'dcell')
    for line in ('After=nftables.service', 'PartOf=nftables.service', 'ReloadPropagatedFrom=nftables.service',
                 'Before=network-pre.target shutdown.target', 'ExecStart=/usr/sbin/nft -f ' + nft_file,
                 'ExecReload=/usr/sbin/nft -f ' + nft_file, 'ExecStop=-/usr/sbin/nft delete table inet ' + table,
                 'WantedBy=sysinit.target'):
        assert line in lines
    assert not any('flush' in line for line in lines if not line.startswith('#'))


def test_redis_firewalld_rich_rules_for_el():
    text = render_ansible('redis', 'firewalld.rules.j2', redis_port=6379,
                          redis_cluster_addresses=['192.0.2.10', '2001:db8::b'])
    assert [line for line in text.splitlines() if line] == [
        'rule family="ipv4" source address="192.0.2.10" port port="6379" protocol="tcp" accept',
        'rule family="ipv6" source address="2001:db8::b" port port="6379" protocol="tcp" accept']


OPENFLOW_REJECTS = ['rule family="ipv4" port port="6633" protocol="tcp" reject type="tcp-reset"',
                    'rule family="ipv6" port port="6633" protocol="tcp" reject type="tcp-reset"']


def test_openvnet_firewalld_rich_rules_for_el():
    text = render_ansible('openvnet', 'firewalld.rules.j2', __openvnet_firewall_dcell_ports=[9101, 9103],
                          __openvnet_firewall_openflow_ports=[6633], openvnet_cluster_addresses=['192.0.2.10', '192.0.2.11'])
    assert [line for line in text.splitlines() if line] == [
        'rule family="ipv4" source address="192.0.2.%s" port port="%d" protocol="tcp" accept' % (host, port)
        for host in (10, 11) for port in (9101, 9103)] + OPENFLOW_REJECTS


def test_openvnet_firewalld_rich_rules_in_the_default_layout_refuse_vnas_openflow_port_only():
    """DCell on loopback: no cluster rule even with addresses given; 6633 refused with a reset, IPv4 and IPv6
    (firewalld admits loopback, where the bridge's controller connects, before any zone)."""
    text = render_ansible('openvnet', 'firewalld.rules.j2', __openvnet_firewall_dcell_ports=[],
                          __openvnet_firewall_openflow_ports=[6633], openvnet_cluster_addresses=['192.0.2.10'])
    assert [line for line in text.splitlines() if line] == OPENFLOW_REJECTS
    # a host without vna: nothing of OpenFlow's
    text = render_ansible('openvnet', 'firewalld.rules.j2', __openvnet_firewall_dcell_ports=[9101],
                          __openvnet_firewall_openflow_ports=[], openvnet_cluster_addresses=['2001:db8::b'])
    assert [line for line in text.splitlines() if line] == [
        'rule family="ipv6" source address="2001:db8::b" port port="9101" protocol="tcp" accept']


def test_openvnet_firewall_absent_removes_the_openflow_rules_firewall_yml_adds():
    """firewall_absent.yml writes the OpenFlow rich rules out by hand: the same strings as the template's."""
    with open(os.path.join(ROLES, 'openvnet', 'tasks', 'firewall_absent.yml')) as f:
        tasks = yaml.safe_load(f)
    task = next(t for t in tasks if 'ansible.posix.firewalld' in t)
    rendered = [jinja2.Template(task['ansible.posix.firewalld']['rich_rule']).render(item=family, openvnet_vna_openflow_port=6633)
                for family in task['loop']]
    assert rendered == OPENFLOW_REJECTS
    assert task['ansible.posix.firewalld']['state'] == 'disabled'


@pytest.mark.parametrize('address', ['127.0.0.1', '192.0.2.10'])
def test_openvnet_node_conf_listens_where_openvnet_node_address_says(address):
    text = render_ansible('openvnet', 'node.conf.j2', openvnet_node=dict(name='vnmgr', id='vnmgr', port=9102),
                          openvnet_node_address=address, openvnet_webapi_pagination_limit=0)
    assert '    host "%s"' % address in text.splitlines() and '    port 9102' in text.splitlines()
