import copy
import re

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.openvnet.openvnet.plugins.filter.topology import topology
from ansible_collections.openvnet.openvnet.plugins.filter import verify as verify_filters
from ansible_collections.openvnet.openvnet.plugins.filter.verify import (
    FilterModule, hub_faults, overlay_faults, overlay_probes, probe_matrix, read_device, tunnel_drift,
    tunnel_table)

NIC = {'device': 'eth1', 'mtu': 1500}
HOSTVARS = {
    'sv0': {'openvnet_underlay_address': '192.0.2.10', 'openvnet_underlay_nic': dict(NIC, macaddress='52:54:00:00:01:10')},
    'sv1': {'openvnet_underlay_address': '192.0.2.11', 'openvnet_overlay_address': '10.0.0.1/24',
            'openvnet_underlay_nic': NIC, 'openvnet_tunnel_mac': '02:00:00:00:00:01'},
    'sv2': {'openvnet_underlay_address': '192.0.2.12', 'openvnet_overlay_address': '10.0.0.2/24',
            'openvnet_underlay_nic': NIC, 'openvnet_tunnel_mac': '02:00:00:00:00:02'},
    'sv3': {'openvnet_underlay_address': '192.0.2.13', 'openvnet_overlay_address': '10.0.0.3/24',
            'openvnet_underlay_nic': dict(NIC, mtu=1400), 'openvnet_tunnel_mac': '02:00:00:00:00:03'},
}
GROUPS = {'openvnet_hubs': ['sv0'], 'openvnet_peers': ['sv1', 'sv2', 'sv3']}
MODEL = topology(HOSTVARS, GROUPS)
HUB = MODEL['hubs']['sv0']


def flows_for(ofport, mac, ip):
    """What ovs_info parses from vna's flows for one bound vif (OVS's own field names)."""
    return [
        {'table': 0, 'priority': 2, 'match': {'in_port': str(ofport)}, 'actions': 'write_metadata:...,goto_table:17'},
        {'table': 20, 'priority': 40, 'match': {'ip': '', 'dl_src': mac, 'nw_src': ip}, 'actions': 'goto_table:26'},
        {'table': 43, 'priority': 60, 'match': {'ip': '', 'dl_dst': mac, 'nw_dst': ip}, 'actions': 'goto_table:46'},
    ]


def healthy_info():
    interfaces, flows = {}, []
    for ofport, peer in enumerate(HUB['peers'], start=1):
        interfaces[peer['port']] = {'type': 'gre', 'options': {'remote_ip': peer['local_ip'], 'local_ip': '192.0.2.10'},
                                    'ofport': ofport, 'error': None}
        flows += flows_for(ofport, peer['mac'], peer['address'].split('/')[0])
    return {'bridges': {'br0': {'controllers': [{'target': 'tcp:127.0.0.1:6633', 'is_connected': True}],
                                'ports': ['br0'] + list(interfaces)}},
            'interfaces': interfaces, 'flows': {'br0': flows}}


def test_a_healthy_hub_has_no_fault():
    assert hub_faults(HUB, healthy_info()) == []


def test_hub_faults_name_the_port_the_peer_and_the_reason():
    info = healthy_info()
    info['bridges']['br0']['controllers'][0]['is_connected'] = False
    info['interfaces']['gre-sv1']['options']['remote_ip'] = '192.0.2.99'
    info['interfaces']['gre-sv2'].update(error='could not add network device gre-sv2 to ofproto (File exists)', ofport=-1)
    info['bridges']['br0']['ports'].remove('gre-sv3')
    assert hub_faults(HUB, info) == [
        'sv0: br0 has no connected controller (vna): the bridge forwards nothing (fail mode secure)',
        'sv0: port gre-sv1 (to sv1): remote_ip is 192.0.2.99, not 192.0.2.11',
        'sv0: port gre-sv2 (to sv2): could not add network device gre-sv2 to ofproto (File exists)',
        'sv0: port gre-sv3 (to sv3): missing',
    ]


def test_hub_faults_without_vna_flows_for_a_peer():
    info = healthy_info()
    info['flows']['br0'] = [f for f in info['flows']['br0'] if f['match'].get('in_port') != '2'
                            and f['match'].get('dl_src') != '02:00:00:00:00:03']
    assert hub_faults(HUB, info) == [
        'sv0: port gre-sv2 (to sv2): no vna flow classifies it (table 0): its interface is not bound, check port_name',
        'sv0: port gre-sv3 (to sv3): vna does not admit 02:00:00:00:00:03 10.0.0.3 (table 20): registration differs',
    ]


def test_a_plain_gre_hub_needs_no_controller_nor_flows():
    hostvars = copy.deepcopy(HOSTVARS)
    hostvars['sv0']['openvnet_controller'] = False
    hub = topology(hostvars, GROUPS)['hubs']['sv0']
    info = healthy_info()
    info['bridges']['br0']['controllers'] = []
    del info['flows']
    assert hub_faults(hub, info) == []


def device(mac, *addresses, **tunnel):
    """What verify.yml registers on a peer: ``ip -d -o link show dev`` (as iproute2 6.1 prints a gretap)
    and ``ip -o -4 address show dev``. ``tunnel``: the peer whose model it matches, then any of mtu,
    remote, local, key (None: no key) to differ from it."""
    peer = MODEL['peers'][tunnel.pop('peer')]
    t = dict(dict(mtu=peer['mtu'], remote=peer['remote_ip'], local=peer['local_ip'], key=peer['key']), **tunnel)
    keys = '' if t['key'] is None else ' ikey 0.0.%d.%d okey 0.0.%d.%d' % ((t['key'] >> 8, t['key'] & 255) * 2)
    line = ('7: gre-sv0@NONE: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu %s qdisc fq_codel state UNKNOWN '
            'mode DEFAULT group default qlen 1000\\    link/ether %s brd ff:ff:ff:ff:ff:ff promiscuity 0  allmulti 0 '
            'minmtu 68 maxmtu 0 \\    gretap remote %s local %s ttl inherit%s addrgenmode eui64 numtxqueues 1 '
            'numrxqueues 1 gso_max_size 65536' % (t['mtu'], mac, t['remote'], t['local'], keys))
    link = {'rc': 0, 'stdout': line}
    addrs = {'rc': 0, 'stdout': '\n'.join(
        '7: gre-sv0    inet %s/24 brd 10.0.0.255 scope global gre-sv0\\       valid_lft forever preferred_lft forever' % a
        for a in addresses)}
    return {'verify_link': link, 'verify_addresses': addrs}


MISSING = {'verify_link': {'rc': 1, 'stdout': '', 'stderr': 'Device "gre-sv0" does not exist.'},
           'verify_addresses': {'rc': 1, 'stdout': '', 'stderr': 'Device "gre-sv0" does not exist.'}}


def registered(*changes):
    objects = [{'uuid': p['interface_uuid'], 'mac_address': p['mac'], 'ipv4_address': p['address'].split('/')[0]}
               for p in HUB['peers']]
    for index, values in changes:
        objects[index].update(values)
    return {'objects': objects, 'total_count': len(objects)}


def devices(**overrides):
    result = dict((name, device(p['mac'], p['address'].split('/')[0], peer=name)) for name, p in MODEL['peers'].items())
    result.update(overrides)
    return result


def faults(ovs, registered_by_hub, devices_by_peer):
    """overlay_faults reads what verify.yml registered on each host from hostvars."""
    hostvars = dict((host, {}) for host in HOSTVARS)
    for hub, value in ovs.items():
        hostvars[hub]['verify_ovs'] = value
    for hub, value in registered_by_hub.items():
        hostvars[hub]['openvnet_registered'] = value
    for peer, value in devices_by_peer.items():
        hostvars[peer].update(value)
    return overlay_faults(MODEL, hostvars)


def test_overlay_faults_of_a_healthy_overlay():
    assert faults({'sv0': healthy_info()}, {'sv0': registered()}, devices()) == []


def test_a_device_with_an_unregistered_address_or_mac_is_reported_with_the_reason():
    found = faults({'sv0': healthy_info()}, {'sv0': registered()}, devices(
        sv1=device('02:00:00:00:00:01', '10.0.0.1', '10.0.0.99', peer='sv1'),
        sv2=device('aa:bb:cc:dd:ee:ff', '10.0.0.2', peer='sv2'),
        sv3=MISSING))
    assert found == [
        'sv1: gre-sv0: address 10.0.0.99 is not registered (OpenVNet has 10.0.0.1): vna drops what it sends',
        'sv2: gre-sv0: MAC aa:bb:cc:dd:ee:ff, but OpenVNet has 02:00:00:00:00:02: vna drops its frames',
        'sv3: gre-sv0: no such device (Device "gre-sv0" does not exist.)',
    ]


def test_a_registration_that_lags_the_inventory_or_is_missing():
    found = faults({'sv0': healthy_info()}, {'sv0': registered((0, {'ipv4_address': '10.0.0.11'}))}, devices())
    assert 'sv1: gre-sv0: address 10.0.0.1 is not registered (OpenVNet has 10.0.0.11): vna drops what it sends' in found
    assert 'sv1: gre-sv0: lacks its address 10.0.0.11' in found
    assert 'sv1: gre-sv0: registration 02:00:00:00:00:01 10.0.0.11 differs from the inventory 02:00:00:00:00:01 10.0.0.1: run site.yml' in found
    missing = registered()
    missing['objects'].pop(1)
    missing['total_count'] = 2
    assert faults({'sv0': healthy_info()}, {'sv0': missing}, devices()) == [
        'sv2: gre-sv0: no interface if-sv2 registered in OpenVNet']
    missing['total_count'] = 40
    assert 'cannot tell whether if-sv2 is registered' in faults(
        {'sv0': healthy_info()}, {'sv0': missing}, devices())[0]


def test_a_registration_without_leases_passes_nothing():
    # vna binds no MAC or address without a lease: the model's values must not stand in for them
    found = faults({'sv0': healthy_info()}, {'sv0': registered((0, {'mac_address': None}), (1, {'ipv4_address': None}))},
                   devices())
    assert 'sv1: gre-sv0: OpenVNet if-sv1 has no MAC lease: vna passes nothing for it' in found
    assert 'sv2: gre-sv0: OpenVNet if-sv2 has no IPv4 lease: vna passes nothing for it' in found


def test_unreachable_peers_and_unreadable_registrations():
    found = faults({'sv0': healthy_info()}, {'sv0': registered()}, devices(sv2={}))
    assert found == ['sv2: gre-sv0: no result (unreachable?)']
    unreachable = {'unreachable': True, 'msg': 'Failed to connect'}
    assert faults({'sv0': healthy_info()}, {'sv0': registered()}, devices(
        sv2={'verify_link': unreachable, 'verify_addresses': unreachable})) == ['sv2: gre-sv0: unreachable']
    assert faults({'sv0': healthy_info()}, {'sv0': {'failed': True, 'msg': 'cannot reach the WebAPI'}}, devices()) == [
        "sv0: could not read OpenVNet's interfaces: cannot reach the WebAPI"]
    # nonsense where a list of objects belongs is no registration, not a crash
    assert faults({'sv0': healthy_info()}, {'sv0': {'objects': 'x', 'total_count': 0}}, devices())[0] == (
        'sv1: gre-sv0: no interface if-sv1 registered in OpenVNet')


def test_a_plain_gre_hubs_peers_are_checked_against_the_inventory():
    hostvars = copy.deepcopy(HOSTVARS)
    hostvars['sv0']['openvnet_controller'] = False
    model = topology(hostvars, GROUPS)
    info = healthy_info()
    info['bridges']['br0']['controllers'] = []
    ok = dict((h, {}) for h in HOSTVARS)
    ok['sv0']['verify_ovs'] = info
    for peer, value in devices(sv2=device('aa:bb:cc:dd:ee:ff', '10.0.0.2', peer='sv2')).items():
        ok[peer].update(value)
    assert overlay_faults(model, ok) == [
        'sv2: gre-sv0: MAC aa:bb:cc:dd:ee:ff, but the inventory has 02:00:00:00:00:02: run site.yml']


def test_an_unreadable_hub_is_a_fault():
    assert faults({'sv0': {'failed': True, 'msg': 'database connection failed'}},
                  {'sv0': registered()}, devices()) == ['sv0: could not read Open vSwitch: database connection failed']
    assert faults({}, {'sv0': registered()}, devices()) == ['sv0: could not read Open vSwitch: no result']


def test_ring_probes_within_a_hub_at_the_smaller_mtu():
    probes = overlay_probes('sv2', MODEL)
    assert [(p['peer'], p['kind']) for p in probes] == [('sv3', 'ping'), ('sv3', 'df 1362')]
    assert probes[1]['argv'] == ['ping', '-M', 'do', '-c', '2', '-i', '0.2', '-w', '20', '-s', '1334', '10.0.0.3']
    assert [p['peer'] for p in overlay_probes('sv3', MODEL)] == ['sv1', 'sv1']
    assert sorted(set(p['peer'] for p in overlay_probes('sv1', MODEL, 'mesh'))) == ['sv2', 'sv3']


def test_probe_errors():
    with pytest.raises(AnsibleFilterError, match='ring'):
        overlay_probes('sv1', MODEL, 'star')
    with pytest.raises(AnsibleFilterError, match='not a peer'):
        overlay_probes('sv0', MODEL)


def test_probe_matrix_rows():
    hostvars = {'sv1': {'verify_pings': {'results': [{'item': {'peer': 'sv2', 'kind': 'ping'}, 'rc': 0}]}},
                'sv2': {'verify_pings': {'results': [{'item': {'peer': 'sv1', 'kind': 'df 1462'}, 'rc': 1}]}},
                'sv3': {}}
    rows = probe_matrix(['sv2', 'sv1', 'sv3'], hostvars)
    assert [(r['from'], r['to'], r['ok']) for r in rows] == [('sv1', 'sv2', True), ('sv2', 'sv1', False)]
    assert rows[1]['line'] == 'sv2    -> sv1    df 1462   FAILED'


def test_a_df_probe_that_fails_where_a_small_ping_passes_says_the_path_is_narrower():
    hostvars = {'sv1': {'verify_pings': {'results': [{'item': {'peer': 'sv2', 'kind': 'ping'}, 'rc': 0},
                                                     {'item': {'peer': 'sv2', 'kind': 'df 1462'}, 'rc': 1}]}}}
    rows = probe_matrix(['sv1'], hostvars)
    assert rows[1]['line'] == (
        "sv1    -> sv2    df 1462   FAILED (a small ping passes, 1462 bytes with don't-fragment do not: the path's "
        "MTU is below the overlay MTU; check the underlay MTUs or set openvnet_underlay_mtu)")


# What iproute2 6.1 printed for gretap devices in the lab (ip -d -o link show), trimmed after the tunnel.
LAB_GRETAP = ('5: g1@NONE: <BROADCAST,MULTICAST> mtu 1458 qdisc noop state DOWN mode DEFAULT group default qlen 1000\\'
              '    link/ether 46:7e:97:38:86:e1 brd ff:ff:ff:ff:ff:ff promiscuity 0  allmulti 0 minmtu 68 maxmtu 0 \\'
              '    gretap remote 192.0.2.10 local 192.0.2.11 ttl inherit ikey 0.0.0.99 okey 0.0.0.99 addrgenmode eui64')


@pytest.mark.parametrize('keys, parsed', [
    (' ikey 0.0.0.99 okey 0.0.0.99', (99, 99)),
    (' ikey 0.0.1.2 okey 0.0.0.7', (258, 7)),
    (' key 5', (5, 5)),                      # older iproute2: one key when both are equal
    ('', (None, None)),
])
def test_the_device_read_gives_the_tunnel_settings(keys, parsed):
    got = read_device({'rc': 0, 'stdout': LAB_GRETAP.replace(' ikey 0.0.0.99 okey 0.0.0.99', keys)},
                      {'rc': 0, 'stdout': ''})
    assert got == {'mac': '46:7e:97:38:86:e1', 'mtu': 1458, 'addresses': [], 'kind': 'gretap', 'remote': '192.0.2.10',
                   'local': '192.0.2.11', 'keys': parsed}


def test_a_peer_device_with_the_wrong_key_mtu_or_hub_is_named_with_the_reason():
    sv1, sv2, sv3 = (MODEL['peers'][p] for p in ('sv1', 'sv2', 'sv3'))
    found = faults({'sv0': healthy_info()}, {'sv0': registered()}, devices(
        sv1=device(sv1['mac'], '10.0.0.1', peer='sv1', key=99),
        sv2=device(sv2['mac'], '10.0.0.2', peer='sv2', mtu=1500),
        sv3=device(sv3['mac'], '10.0.0.3', peer='sv3', remote='192.0.2.99')))
    assert found == [
        "sv1: gre-sv0: key 99, the hub's port has none: GRE frames of the other end are dropped",
        "sv2: gre-sv0: mtu 1500, the network's MTU is 1362: frames that large do not fit the path",
        'sv3: gre-sv0: remote 192.0.2.99, the hub is 192.0.2.10',
        "sv0: sv2 (gre-sv0, mtu 1500) and sv1 (gre-sv0, mtu 1362) are on one network: sv1 drops sv2's frames over "
        "1362 bytes",
    ]


def test_a_hub_port_with_the_wrong_key_is_named_with_the_reason():
    info = healthy_info()
    info['interfaces']['gre-sv2']['options']['key'] = '99'
    info['interfaces']['gre-sv3']['options'].update(in_key='0x7', out_key='flow')
    assert hub_faults(HUB, info) == [
        'sv0: port gre-sv2 (to sv2): key 99, the model has none: frames of the other end are dropped',
        'sv0: port gre-sv3 (to sv3): key in 7 out flow, the model has none: frames of the other end are dropped',
    ]


def test_a_hub_port_of_another_type_or_udp_port_is_named_with_the_reason():
    hostvars = copy.deepcopy(HOSTVARS)
    hostvars['sv2'].update(openvnet_tunnel_encapsulation='vxlan', openvnet_tunnel_name='gre-sv2')
    hostvars['sv3'].update(openvnet_tunnel_encapsulation='geneve', openvnet_tunnel_name='gre-sv3')
    hub = topology(hostvars, GROUPS)['hubs']['sv0']
    info = healthy_info()
    info['interfaces']['gre-sv2'].update(type='vxlan')
    info['interfaces']['gre-sv2']['options'].update(key='0', dst_port='4789')
    assert hub_faults(hub, info) == [
        # another type's settings do not compare with the model's
        'sv0: port gre-sv3 (to sv3): type gre, the model has geneve (geneve over IPv4)',
    ]
    info['interfaces']['gre-sv2']['options'].update(dst_port='8472')
    assert hub_faults(hub, info)[0] == 'sv0: port gre-sv2 (to sv2): dst_port 8472, the peer sends to 4789'


def test_tunnel_drift_is_what_gretap_peer_re_applies_for():
    sv1 = MODEL['peers']['sv1']
    assert tunnel_drift(sv1, device(sv1['mac'], peer='sv1')['verify_link']) == []
    assert tunnel_drift(sv1, device('02:00:00:00:00:09', peer='sv1', key=7, mtu=1400)['verify_link']) == [
        "sv1: gre-sv0: key 7, the hub's port has none: GRE frames of the other end are dropped",
        "sv1: gre-sv0: mtu 1400, the network's MTU is 1362: frames that large do not fit the path",
        'sv1: gre-sv0: MAC 02:00:00:00:00:09, the model has 02:00:00:00:00:01',
    ]
    assert tunnel_drift(sv1, MISSING['verify_link']) == ['sv1: gre-sv0: no such device (Device "gre-sv0" does not exist.)']
    # a device of that name that is not a gretap (ip -d shows no gretap settings)
    plain = {'rc': 0, 'stdout': '7: gre-sv0: <BROADCAST> mtu 1362 qdisc noop\\    link/ether %s brd ff:ff:ff:ff:ff:ff' % sv1['mac']}
    assert tunnel_drift(sv1, plain) == ['sv1: gre-sv0: not a gretap device']


# ip -d -o link show of each kind a peer's device can be, trimmed after the kind's settings. vxlan: what
# this machine's iproute2 6.1 printed for devices made by `ip link add` in a network namespace. Its kernel
# has no ip6_gre nor geneve: those lines follow iproute2 6.1's print code (ip/link_gre6.c,
# ip/iplink_geneve.c) and what it printed elsewhere for ip6gre and geneve devices.
LINES = {
    'vxlan6': '6: vxlan-sv0: <BROADCAST,MULTICAST> mtu 1430 qdisc noop state DOWN mode DEFAULT group default qlen 1000\\'
              '    link/ether 02:aa:bb:cc:dd:03 brd ff:ff:ff:ff:ff:ff promiscuity 0  allmulti 0 minmtu 68 maxmtu 65535 \\'
              '    vxlan id 0 remote 2001:db8::10 local 2001:db8::12 srcport 0 0 dstport 4789 nolearning ttl auto ageing 300'
              ' udpcsum noudp6zerocsumtx noudp6zerocsumrx addrgenmode eui64 numtxqueues 1 numrxqueues 1 gso_max_size 65536 ',
    'vxlan4': '7: vx4: <BROADCAST,MULTICAST> mtu 1450 qdisc noop state DOWN mode DEFAULT group default qlen 1000\\'
              '    link/ether 02:aa:bb:cc:dd:04 brd ff:ff:ff:ff:ff:ff promiscuity 0  allmulti 0 minmtu 68 maxmtu 65535 \\'
              '    vxlan id 42 remote 192.0.2.10 local 192.0.2.11 srcport 0 0 dstport 4789 nolearning ttl auto ageing 300'
              ' udpcsum noudp6zerocsumtx noudp6zerocsumrx addrgenmode eui64 numtxqueues 1 numrxqueues 1 gso_max_size 65536 ',
    # the sender of zero checksums over IPv6 (`udp6zerocsumtx udp6zerocsumrx`), to another port
    'vxlan6z': '8: vx6z: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\\'
               '    link/ether 02:aa:bb:cc:dd:05 brd ff:ff:ff:ff:ff:ff promiscuity 0  allmulti 0 minmtu 68 maxmtu 65535 \\'
               '    vxlan id 7 remote 2001:db8::10 local 2001:db8::12 srcport 0 0 dstport 4790 ttl auto ageing 300'
               ' udpcsum udp6zerocsumtx udp6zerocsumrx addrgenmode eui64 numtxqueues 1 numrxqueues 1 gso_max_size 65536 ',
    'ip6gretap': '9: gre-sv0@NONE: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1424 qdisc fq_codel state UNKNOWN mode DEFAULT '
                 'group default qlen 1000\\    link/ether 02:aa:bb:cc:dd:02 brd ff:ff:ff:ff:ff:ff promiscuity 0  allmulti 0 '
                 'minmtu 68 maxmtu 0 \\    ip6gretap remote 2001:db8::10 local 2001:db8::12 hoplimit 64 encaplimit 4 '
                 'tclass 0x00 flowlabel 0x00000 ikey 0.0.0.7 okey 0.0.0.7 addrgenmode eui64 numtxqueues 1 numrxqueues 1 ',
    'geneve4': '10: geneve-sv0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450 qdisc noqueue state UNKNOWN mode DEFAULT '
               'group default qlen 1000\\    link/ether 02:aa:bb:cc:dd:06 brd ff:ff:ff:ff:ff:ff promiscuity 0  allmulti 0 '
               'minmtu 68 maxmtu 65485 \\    geneve id 5 remote 192.0.2.10 ttl auto dstport 6081 noudpcsum udp6zerocsumrx '
               'addrgenmode eui64 numtxqueues 1 numrxqueues 1 ',
    'geneve6': '11: geneve-sv0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1430 qdisc noqueue state UNKNOWN mode DEFAULT '
               'group default qlen 1000\\    link/ether 02:aa:bb:cc:dd:06 brd ff:ff:ff:ff:ff:ff promiscuity 0  allmulti 0 '
               'minmtu 68 maxmtu 65465 \\    geneve id 5 remote 2001:db8::10 ttl auto dstport 6081 noudp6zerocsumtx '
               'noudp6zerocsumrx addrgenmode eui64 numtxqueues 1 numrxqueues 1 ',
}


@pytest.mark.parametrize('line, settings', [
    ('vxlan6', dict(kind='vxlan', remote='2001:db8::10', local='2001:db8::12', vni=0, dst_port=4789, csum=True)),
    ('vxlan4', dict(kind='vxlan', remote='192.0.2.10', local='192.0.2.11', vni=42, dst_port=4789, csum=True)),
    ('vxlan6z', dict(kind='vxlan', remote='2001:db8::10', local='2001:db8::12', vni=7, dst_port=4790, csum=False)),
    ('ip6gretap', dict(kind='ip6gretap', remote='2001:db8::10', local='2001:db8::12', keys=(7, 7))),
    ('geneve4', dict(kind='geneve', remote='192.0.2.10', vni=5, dst_port=6081, csum=False)),
    ('geneve6', dict(kind='geneve', remote='2001:db8::10', vni=5, dst_port=6081, csum=True)),
])
def test_the_device_read_gives_each_kinds_settings(line, settings):
    got = read_device({'rc': 0, 'stdout': LINES[line]}, {'rc': 0, 'stdout': ''})
    mac, mtu = re.search(r'link/ether (\S+)', LINES[line]).group(1), int(re.search(r' mtu (\d+)', LINES[line]).group(1))
    assert got == dict(settings, mac=mac, mtu=mtu, addresses=[])


def test_the_device_read_without_details_or_of_a_device_without_a_kind():
    plain = ('2: eth1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc fq_codel state UP mode DEFAULT group default '
             'qlen 1000\\    link/ether 52:54:00:00:01:10 brd ff:ff:ff:ff:ff:ff')
    nic = plain + ' promiscuity 0  allmulti 0 minmtu 68 maxmtu 65535 addrgenmode eui64 \\    altname enp0s4'
    for text in (plain, nic):
        assert read_device({'rc': 0, 'stdout': text}, {'rc': 0, 'stdout': ''}) == {
            'mac': '52:54:00:00:01:10', 'mtu': 1500, 'addresses': [], 'kind': None}


# Peers of the model (its contract), one per kind, whose devices are LINES.
TUNNELS = {
    'vxlan6': dict(peer='sv2', name='vxlan-sv0', kind='vxlan', family=6, local_ip='2001:db8::12', remote_ip='2001:db8::10',
                   key=0, dst_port=4789, csum=True, mtu=1430, mac='02:aa:bb:cc:dd:03'),
    'vxlan4': dict(peer='sv4', name='vx4', kind='vxlan', family=4, local_ip='192.0.2.11', remote_ip='192.0.2.10',
                   key=42, dst_port=4789, csum=False, mtu=1450, mac='02:aa:bb:cc:dd:04'),
    'ip6gretap': dict(peer='sv3', name='gre-sv0', kind='ip6gretap', family=6, local_ip='2001:db8::12',
                      remote_ip='2001:db8::10', key=7, dst_port=None, csum=False, mtu=1424, mac='02:aa:bb:cc:dd:02'),
    'geneve4': dict(peer='sv5', name='geneve-sv0', kind='geneve', family=4, local_ip='192.0.2.11', remote_ip='192.0.2.10',
                    key=5, dst_port=6081, csum=False, mtu=1450, mac='02:aa:bb:cc:dd:06'),
    'geneve6': dict(peer='sv5', name='geneve-sv0', kind='geneve', family=6, local_ip='2001:db8::12',
                    remote_ip='2001:db8::10', key=5, dst_port=6081, csum=True, mtu=1430, mac='02:aa:bb:cc:dd:06'),
}


@pytest.mark.parametrize('line', sorted(TUNNELS))
def test_a_device_of_each_kind_as_the_model_has_it_has_no_drift(line):
    assert tunnel_drift(TUNNELS[line], {'rc': 0, 'stdout': LINES[line]}) == []


@pytest.mark.parametrize('line, peer, drift', [
    # another kind: its settings are not compared
    ('vxlan6', dict(TUNNELS['ip6gretap'], name='vxlan-sv0', mac='02:aa:bb:cc:dd:03'),
     ['sv3: vxlan-sv0: a vxlan device, the model has ip6gretap']),
    ('geneve6', dict(TUNNELS['vxlan6'], name='geneve-sv0'),
     ['sv2: geneve-sv0: a geneve device, the model has vxlan',
      'sv2: geneve-sv0: MAC 02:aa:bb:cc:dd:06, the model has 02:aa:bb:cc:dd:03']),
    ('vxlan6', dict(TUNNELS['vxlan6'], key=42, dst_port=4790, remote_ip='2001:db8::11', local_ip='2001:db8::13', mtu=1400),
     ["sv2: vxlan-sv0: remote 2001:db8::10, the hub is 2001:db8::11",
      'sv2: vxlan-sv0: local 2001:db8::12, the model has 2001:db8::13',
      "sv2: vxlan-sv0: VNI 0, the hub's port has 42: frames of the other end are dropped",
      "sv2: vxlan-sv0: sends to UDP port 4789, the hub's port listens on 4790",
      "sv2: vxlan-sv0: mtu 1430, the network's MTU is 1400: frames that large do not fit the path"]),
    # zero checksums over IPv6: the hub drops them
    ('vxlan6z', dict(TUNNELS['vxlan6'], name='vx6z', key=7, dst_port=4790, mtu=1500, mac='02:aa:bb:cc:dd:05'),
     ['sv2: vx6z: sends UDP without checksums over IPv6, which the hub drops']),
    ('ip6gretap', dict(TUNNELS['ip6gretap'], key=None),
     ["sv3: gre-sv0: key 7, the hub's port has none: GRE frames of the other end are dropped"]),
    ('geneve4', dict(TUNNELS['geneve4'], key=6, dst_port=6082),
     ["sv5: geneve-sv0: VNI 5, the hub's port has 6: frames of the other end are dropped",
      "sv5: geneve-sv0: sends to UDP port 6081, the hub's port listens on 6082"]),
])
def test_tunnel_drift_of_each_kind(line, peer, drift):
    assert tunnel_drift(peer, {'rc': 0, 'stdout': LINES[line]}) == drift


V6 = {'sv0': {'openvnet_underlay_ipv6_address': '2001:db8::10', 'openvnet_underlay_ipv6_nic': NIC},
      'sv2': {'openvnet_underlay_address': '2001:db8::12', 'openvnet_tunnel_encapsulation': 'vxlan'}}


def lab_like():
    """sv1 over GRE/IPv4 and sv2 over VXLAN/IPv6, as in the lab."""
    hostvars = copy.deepcopy(HOSTVARS)
    for host, values in V6.items():
        hostvars[host].update(values)
    return topology(hostvars, {'openvnet_hubs': ['sv0'], 'openvnet_peers': ['sv1', 'sv2']})


def link_with_mtu(mtu):
    return {'rc': 0, 'stdout': LINES['vxlan6'].replace(' mtu 1430 ', ' mtu %d ' % mtu)}


# Issue 23, 2: the don't-fragment probe at the sender's own MTU.
def test_the_df_probe_is_sent_at_the_senders_own_mtu_as_read():
    model = lab_like()
    assert model['peers']['sv1']['mtu'] == model['peers']['sv2']['mtu'] == 1430
    assert [p['kind'] for p in overlay_probes('sv1', model)] == ['ping', 'df 1430']
    # sv2's device MTU forced larger by hand: its probe goes at that size, and must fail
    probes = overlay_probes('sv2', model, 'ring', link_with_mtu(1450))
    assert probes[1]['kind'] == 'df 1450'
    assert probes[1]['argv'][-3:] == ['-s', '1422', '10.0.0.1']
    assert (probes[1]['mtu'], probes[1]['peer_mtu']) == (1450, 1430)
    # an unreadable device: the model's MTU
    assert overlay_probes('sv2', model, 'ring', {'rc': 1, 'stderr': 'no device'})[1]['kind'] == 'df 1430'


def test_a_df_probe_larger_than_the_other_ends_mtu_names_both_ends_and_both_mtus():
    hostvars = {'sv2': {'verify_pings': {'results': [
        {'item': {'peer': 'sv1', 'kind': 'ping'}, 'rc': 0},
        {'item': {'peer': 'sv1', 'kind': 'df 1450', 'mtu': 1450, 'peer_mtu': 1430}, 'rc': 1}]}}}
    assert probe_matrix(['sv2'], hostvars)[1]['line'] == (
        "sv2    -> sv1    df 1450   FAILED (sv2 sends 1450 bytes, sv1's MTU is 1430: one network has one MTU, "
        "run site.yml)")


def test_devices_of_one_network_with_different_mtus_are_a_fault_naming_both():
    sv1, sv2 = (MODEL['peers'][p] for p in ('sv1', 'sv2'))
    found = faults({'sv0': healthy_info()}, {'sv0': registered()}, devices(
        sv2=device(sv2['mac'], '10.0.0.2', peer='sv2', mtu=1462)))
    assert found == [
        "sv2: gre-sv0: mtu 1462, the network's MTU is 1362: frames that large do not fit the path",
        "sv0: sv2 (gre-sv0, mtu 1462) and sv1 (gre-sv0, mtu 1362) are on one network: sv1 drops sv2's frames "
        "over 1362 bytes",
    ]


# Issue 23, 3: canonical addresses and OVS's defaults, no false faults.
def test_addresses_in_another_spelling_are_the_same_endpoint():
    info = healthy_info()
    info['interfaces']['gre-sv1']['options']['remote_ip'] = '::ffff:192.0.2.11'
    assert hub_faults(HUB, info) == []
    peer = TUNNELS['vxlan6']
    assert tunnel_drift(dict(peer, remote_ip='2001:DB8:0::10'), {'rc': 0, 'stdout': LINES['vxlan6']}) == []


def test_a_udp_port_without_key_or_dst_port_has_ovs_defaults():
    model = lab_like()
    hub = model['hubs']['sv0']
    info = healthy_info()
    info['interfaces'] = dict((k, v) for k, v in info['interfaces'].items() if k == 'gre-sv1')
    info['interfaces']['vxlan-sv2'] = {'type': 'vxlan', 'options': {'remote_ip': '2001:db8::12'}, 'ofport': 2,
                                       'error': None}
    info['bridges']['br0']['ports'] = ['br0', 'gre-sv1', 'vxlan-sv2']
    info['flows']['br0'] = flows_for(1, model['peers']['sv1']['mac'], '10.0.0.1') + flows_for(
        2, model['peers']['sv2']['mac'], '10.0.0.2')
    assert hub_faults(hub, info) == []
    info['interfaces']['vxlan-sv2']['options'].update(key='0x0', dst_port='4789')
    assert hub_faults(hub, info) == []


# Issue 23, 6: the filters check their inputs.
@pytest.mark.parametrize('call', [
    lambda: overlay_faults(None, {}),
    lambda: overlay_faults({'hubs': {'sv0': {}}, 'peers': {}}, {}),
    lambda: overlay_faults(MODEL, None),
    lambda: hub_faults('sv0', {}),
    lambda: hub_faults({'name': 'sv0'}, {'bridges': {}}),
    lambda: probe_matrix(['sv1'], {'sv1': {'verify_pings': {'results': [{'rc': 0}]}}}),
    lambda: probe_matrix('sv1', None),
    lambda: tunnel_table(None),
    lambda: tunnel_table({'peers': {'sv1': {}}}),
    lambda: tunnel_drift(None, {'rc': 0, 'stdout': ''}),
    lambda: tunnel_drift({'peer': 'sv1'}, {'rc': 0, 'stdout': LINES['vxlan6']}),
    lambda: overlay_probes('sv1', None),
    lambda: overlay_probes('sv1', {'peers': {'sv1': {'hub': 'sv0'}}, 'hubs': {}}),
    lambda: verify_filters.foreign_device(None, {}, []),
])
def test_the_filters_fail_with_a_sentence_on_bad_input(call):
    with pytest.raises(AnsibleFilterError) as raised:
        call()
    assert not isinstance(raised.value, TypeError) and str(raised.value)[0].isalpha()


# Issue 23, 4: gretap_peer deletes only its own tunnel.
@pytest.mark.parametrize('link, owned, reason', [
    ({'rc': 1, 'stderr': 'Device "vxlan-sv0" does not exist.'}, [], ''),
    ({'rc': 0, 'stdout': LINES['vxlan6']}, [], ''),                             # the model's MAC
    ({'rc': 0, 'stdout': LINES['vxlan6'].replace('02:aa:bb:cc:dd:03', '02:11:11:11:11:11')}, ['vxlan-sv0'], ''),
    ({'rc': 0, 'stdout': LINES['vxlan6'].replace('02:aa:bb:cc:dd:03', '02:11:11:11:11:11')}, [],
     'sv2: vxlan-sv0 is a vxlan device this collection did not make (MAC 02:11:11:11:11:11, no file of gretap_peer '
     'names it): it is left alone; set openvnet_hub_tunnel_name to another name, or delete it'),
    ({'rc': 0, 'stdout': '2: vxlan-sv0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc fq_codel state UP\\'
                         '    link/ether 02:aa:bb:cc:dd:03 brd ff:ff:ff:ff:ff:ff\\    bridge forward_delay 1500 '},
     ['vxlan-sv0'],
     'sv2: vxlan-sv0 is a bridge device, not a tunnel this collection makes: it is left alone; set '
     'openvnet_hub_tunnel_name to another name, or delete it'),
])
def test_foreign_device_says_which_device_gretap_peer_leaves_alone(link, owned, reason):
    assert verify_filters.foreign_device(TUNNELS['vxlan6'], link, owned) == reason
    assert 'foreign_device' in FilterModule().filters()


def test_the_tunnel_table_shows_the_networks_mtu_and_each_tunnels_own():
    lines = tunnel_table(lab_like())
    assert lines[0].endswith('mtu (tunnel = underlay - overhead)  local -> remote')
    assert lines[1] == 'sv1    sv0    gre-sv0         gre    IPv4  none     -      1430 (1462 = 1500 - 38)  192.0.2.11 -> 192.0.2.10'
    assert lines[2] == 'sv2    sv0    vxlan-sv0       vxlan  IPv6  0        4789   1430 (1430 = 1500 - 70)  2001:db8::12 -> 2001:db8::10'
