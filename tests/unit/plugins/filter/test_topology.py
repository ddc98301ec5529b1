import copy
import re

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.openvnet.openvnet.plugins.filter.topology import (
    derived_mac, nic_with_address, overlay_mtu, topology, tunnel_protocols)


def nic(mac, mtu=1500):
    return {'device': 'eth1', 'macaddress': mac, 'mtu': mtu}


HOSTVARS = {
    'sv0': {'openvnet_underlay_address': '192.0.2.10', 'openvnet_underlay_nic': nic('52:54:00:00:01:10')},
    'sv1': {'openvnet_underlay_address': '192.0.2.11', 'openvnet_overlay_address': '10.0.0.1/24',
            'openvnet_underlay_nic': nic('52:54:00:00:01:11')},
    'sv2': {'openvnet_underlay_address': '192.0.2.12', 'openvnet_overlay_address': '10.0.0.2/24',
            'openvnet_underlay_nic': nic('52:54:00:00:01:12', 9001), 'openvnet_tunnel_name': 'gre-second'},
}
GROUPS = {'openvnet_hubs': ['sv0'], 'openvnet_peers': ['sv1', 'sv2']}


def model(hostvars=None, groups=None):
    return topology(hostvars or HOSTVARS, groups or GROUPS)


def changed(**per_host):
    hostvars = copy.deepcopy(HOSTVARS)
    for host, values in per_host.items():
        hostvars.setdefault(host, {}).update(values)
    return hostvars


def test_the_hub_from_its_underlay_nic():
    hub = model()['hubs']['sv0']
    assert {k: hub[k] for k in ('bridge', 'datapath_id', 'hwaddr', 'fail_mode', 'controllers', 'node_id', 'key')} == {
        'bridge': 'br0', 'datapath_id': '0000525400000110', 'hwaddr': '52:54:00:00:01:10', 'fail_mode': 'secure',
        'controllers': ['tcp:127.0.0.1:6633'], 'node_id': 'vna', 'key': None}
    gre = {'type': 'gre', 'local_ip': '192.0.2.10', 'key': None, 'dst_port': None, 'csum': None}
    assert hub['ports'] == [dict(gre, name='gre-sv1', remote_ip='192.0.2.11'),
                            dict(gre, name='gre-second', remote_ip='192.0.2.12')]


def test_both_ends_and_the_registration_of_every_tunnel_come_from_one_entry():
    m = model()
    hub = m['hubs']['sv0']
    interfaces = dict((i['uuid'], i) for i in hub['registrations']['interfaces'])
    for name, peer in m['peers'].items():
        assert peer['remote_ip'] == '192.0.2.10'
        assert {'name': peer['port'], 'remote_ip': peer['local_ip'], 'local_ip': peer['remote_ip'], 'type': peer['type'],
                'key': peer['key'], 'dst_port': peer['dst_port'], 'csum': peer['csum'] or None} in hub['ports']
        registered = interfaces[peer['interface_uuid']]
        # vna binds by port name and passes only the registered MAC and address
        assert registered['port_name'] == peer['port']
        assert registered['mac_address'] == peer['mac']
        assert registered['ipv4_address'] == peer['address'].split('/')[0]
        assert registered['owner_datapath_uuid'] == 'dp-sv0'
        assert registered['network_uuid'] == hub['registrations']['networks'][0]['uuid']


def test_registrations_for_the_lab():
    regs = model()['hubs']['sv0']['registrations']
    assert regs['datapaths'] == [{'uuid': 'dp-sv0', 'display_name': 'sv0', 'dpid': '0x0000525400000110', 'node_id': 'vna'}]
    assert regs['networks'] == [{'uuid': 'nw-0a00000024', 'display_name': '10.0.0.0/24', 'ipv4_network': '10.0.0.0/24',
                                 'mode': 'virtual'}]
    assert regs['interfaces'][0] == {
        'uuid': 'if-sv1', 'display_name': 'sv1', 'mode': 'vif', 'owner_datapath_uuid': 'dp-sv0',
        'network_uuid': 'nw-0a00000024', 'mac_address': derived_mac('sv1'), 'ipv4_address': '10.0.0.1',
        'port_name': 'gre-sv1'}


def test_peer_tunnel_mtu_is_the_smaller_end_minus_the_overhead():
    m = model()
    assert m['peers']['sv1']['tunnel_mtu'] == 1462
    # sv2's NIC has 9001 but the hub's 1500 limits the path
    assert m['peers']['sv2']['tunnel_mtu'] == 1462
    big = model(changed(sv0={'openvnet_underlay_nic': nic('52:54:00:00:01:10', 9001)}))
    assert big['peers']['sv2']['tunnel_mtu'] == 8963 and big['peers']['sv1']['tunnel_mtu'] == 1462
    # one network, one MTU: the smaller
    assert big['peers']['sv2']['mtu'] == big['peers']['sv1']['mtu'] == big['hubs']['sv0']['network_mtu'] == 1462
    # the inventory's MTU wins over the NIC's
    assert model(changed(sv1={'openvnet_underlay_mtu': 1400}))['peers']['sv1']['tunnel_mtu'] == 1362


def test_the_hubs_key_serves_both_ends():
    m = model(changed(sv0={'openvnet_tunnel_key': 5}))
    assert (m['hubs']['sv0']['key'], m['peers']['sv1']['key'], m['peers']['sv2']['key']) == (5, 5, 5)
    assert m['peers']['sv1']['mtu'] == 1458


def test_a_forced_overlay_mtu_must_fit_the_path():
    assert model(changed(sv1={'openvnet_overlay_mtu': '1400'}))['peers']['sv1']['mtu'] == 1400
    for value, message in ((9000, 'is more than the tunnel of sv1 carries'), ('abc', 'not a whole number'),
                           (True, 'not a whole number'), (1400.5, 'not a whole number'),
                           (0, 'is less than the 576 the overlay needs')):
        with pytest.raises(AnsibleFilterError, match=message):
            model(changed(sv1={'openvnet_overlay_mtu': value}))


def test_a_key_is_the_same_at_both_ends_and_costs_four_bytes():
    m = model(changed(sv0={'openvnet_tunnel_key': 7}, sv1={'openvnet_tunnel_key': 7}, sv2={'openvnet_tunnel_key': '7'}))
    assert m['hubs']['sv0']['key'] == 7 and m['peers']['sv1']['key'] == 7
    assert m['peers']['sv1']['mtu'] == 1458
    with pytest.raises(AnsibleFilterError, match='sv1: openvnet_tunnel_key 8 differs from its hub sv0'):
        model(changed(sv0={'openvnet_tunnel_key': 7}, sv1={'openvnet_tunnel_key': 8}, sv2={'openvnet_tunnel_key': 7}))


def test_derived_macs_are_stable_unicast_locally_administered_and_unique():
    macs = [derived_mac('peer%d' % i) for i in range(2000)]
    assert len(set(macs)) == len(macs)
    for mac in macs:
        assert re.fullmatch(r'02(:[0-9a-f]{2}){5}', mac)
    assert derived_mac('sv1') == derived_mac('sv1')
    assert model()['peers']['sv1']['mac'] == derived_mac('sv1')
    given = model(changed(sv1={'openvnet_tunnel_mac': 'EE-99-D5-67-FD-52'}))
    assert given['peers']['sv1']['mac'] == 'ee:99:d5:67:fd:52'


def test_two_hubs_each_serve_only_their_own_peers():
    hostvars = changed(hub2={'openvnet_underlay_address': '192.0.2.20', 'openvnet_underlay_nic': nic('52:54:00:00:01:20')},
                       sv3={'openvnet_underlay_address': '192.0.2.13', 'openvnet_overlay_address': '10.1.0.1/24',
                            'openvnet_hub': 'hub2', 'openvnet_underlay_nic': nic('52:54:00:00:01:13')})
    groups = {'openvnet_hubs': ['sv0', 'hub2'], 'openvnet_peers': ['sv1', 'sv2', 'sv3']}
    # with several hubs every peer names its own: inventories (aws_ec2) do not promise an order
    with pytest.raises(AnsibleFilterError, match='sv1 has no openvnet_hub: with several hubs'):
        model(hostvars, groups)
    hostvars['sv1']['openvnet_hub'] = hostvars['sv2']['openvnet_hub'] = 'sv0'
    m = model(hostvars, groups)
    assert [p['peer'] for p in m['hubs']['sv0']['peers']] == ['sv1', 'sv2']
    assert [(p['name'], p['remote_ip'], p['local_ip']) for p in m['hubs']['hub2']['ports']] == [
        ('gre-sv3', '192.0.2.13', '192.0.2.20')]
    assert m['peers']['sv3']['remote_ip'] == '192.0.2.20' and m['peers']['sv3']['name'] == 'gre-hub2'
    assert m['hubs']['hub2']['registrations']['networks'][0]['ipv4_network'] == '10.1.0.0/24'
    # a single peer has nobody to probe
    assert m['hubs']['hub2']['probes'] == {'sv3': []}
    assert m['hubs']['sv0']['probes'] == {'sv1': ['sv2'], 'sv2': ['sv1']}


def test_a_plain_gre_hub_has_no_controller_and_no_registrations():
    hub = model(changed(sv0={'openvnet_controller': False}))['hubs']['sv0']
    assert (hub['fail_mode'], hub['controllers'], hub['registrations']) == ('standalone', [], None)
    # and needs no datapath id
    hostvars = changed(sv0={'openvnet_controller': False, 'openvnet_underlay_nic': {'mtu': 1500}})
    assert model(hostvars)['hubs']['sv0']['datapath_id'] is None
    # nor one from a NIC without a hardware address (Open vSwitch refuses an all-zero id: it chooses)
    hostvars = changed(sv0={'openvnet_controller': False, 'openvnet_underlay_nic': nic('00:00:00:00:00:00')})
    hub = model(hostvars)['hubs']['sv0']
    assert (hub['datapath_id'], hub['hwaddr']) == (None, None)


def test_names_that_are_not_uuids_get_a_stable_hash():
    hostvars = changed(**{'SV-1.example': dict(HOSTVARS['sv1'], openvnet_overlay_address='10.0.0.9/24',
                                               openvnet_underlay_address='192.0.2.19', openvnet_tunnel_name='gre-x')})
    m = model(hostvars, {'openvnet_hubs': ['sv0'], 'openvnet_peers': ['sv1', 'SV-1.example']})
    uuid = m['peers']['SV-1.example']['interface_uuid']
    assert re.fullmatch(r'if-x[0-9a-f]{15}', uuid)


@pytest.mark.parametrize('per_host, message', [
    ({'sv2': {'openvnet_overlay_address': '10.0.0.1/24'}}, 'sv1 and sv2 have the same overlay address 10.0.0.1'),
    ({'sv2': {'openvnet_tunnel_mac': derived_mac('sv1')}}, 'sv1 and sv2 have the same tunnel MAC'),
    ({'sv2': {'openvnet_tunnel_name': 'gre-sv1'}}, 'sv1 and sv2 have the same hub port name gre-sv1'),
    ({'sv2': {'openvnet_underlay_address': '192.0.2.11'}}, 'sv1 and sv2 have the same underlay address'),
    ({'sv2': {'openvnet_overlay_address': '10.9.0.2/24'}}, 'peers of sv0 in different subnets'),
    ({'sv2': {'openvnet_interface_uuid': 'if-sv1'}}, 'sv1 and sv2 have the same interface uuid'),
    ({'sv2': {'openvnet_tunnel_name': 't-abc'}}, 'starts with t-: OpenVNet vna deletes'),
    ({'sv2': {'openvnet_tunnel_name': 'a-very-long-port-name'}}, 'not an interface name'),
    ({'sv2': {'openvnet_tunnel_name': 'gre sv2'}}, 'not an interface name'),
    ({'sv2': {'openvnet_tunnel_name': 'gre-sv2\n'}}, 'not an interface name'),
    ({'sv2': {'openvnet_tunnel_mac': '01:00:5e:00:00:01'}}, 'not a unicast'),
    ({'sv2': {'openvnet_tunnel_mac': 'ee:99:d5:67:fd:52\n'}}, 'not a MAC'),
    ({'sv2': {'openvnet_tunnel_mac': 525400000112}}, 'quote it'),
    ({'sv2': {'openvnet_overlay_address': '10.0.0.2'}}, 'with a prefix'),
    ({'sv2': {'openvnet_overlay_address': '10.0.0.0/24'}}, 'host address'),
    ({'sv2': {'openvnet_overlay_address': 'fe80::1/64'}}, 'not an IPv4 address'),
    ({'sv2': {'openvnet_underlay_address': '224.0.0.1'}}, 'cannot be a tunnel endpoint'),
    ({'sv2': {'openvnet_underlay_address': '0.0.0.0'}}, 'cannot be a tunnel endpoint'),
    ({'sv2': {'openvnet_underlay_address': None}}, 'sv2 has no openvnet_underlay_address'),
    ({'sv2': {'openvnet_overlay_address': None}}, 'sv2 has no openvnet_overlay_address'),
    ({'sv2': {'openvnet_hub': 'nowhere'}}, 'its hub nowhere is not in openvnet_hubs'),
    ({'sv2': {'openvnet_underlay_nic': None}}, 'sv2: its underlay MTU is unknown'),
    ({'sv0': {'openvnet_underlay_nic': {'mtu': 1500}}}, "sv0: its datapath id is unknown"),
    ({'sv0': {'openvnet_datapath_id': '0000000000000000'}}, 'is zero'),
    ({'sv0': {'openvnet_datapath_id': 1234}}, 'quote it'),
    ({'sv0': {'openvnet_datapath_uuid': 'dp-Bad'}}, 'must be dp- followed by'),
    ({'sv0': {'openvnet_tunnel_key': 2 ** 32}, 'sv1': {'openvnet_tunnel_key': 2 ** 32}}, 'not a 32-bit number'),
    ({'sv0': {'openvnet_tunnel_key': True}}, 'not a whole number'),
    ({'sv0': {'openvnet_tunnel_key': 1.5}}, 'not a whole number'),
    ({'sv1': {'openvnet_underlay_mtu': 'lots'}}, 'not a whole number'),
    ({'sv0': {'openvnet_bridge': 'gre-second'}}, 'its hub port is named like the bridge gre-second'),
    ({'sv2': {'openvnet_hub': ['sv0']}}, 'must be a string'),
    ({'sv2': {'openvnet_tunnel_name': '..'}}, 'not an interface name'),
    ({'sv2': {'openvnet_hub_tunnel_name': 'eth1'}}, 'openvnet_hub_tunnel_name eth1 is its underlay NIC'),
    ({'sv2': {'openvnet_underlay_address': '192.0.2.10'}}, 'sv2 has the underlay address of its hub sv0'),
    ({'sv1': {'openvnet_overlay_address': '192.0.2.101/24'}}, 'holds the underlay address of sv1'),
    ({'sv0': {'openvnet_underlay_nic': nic('00:00:00:00:00:00')}}, 'is zero: set openvnet_datapath_id'),
])
def test_conflicts_and_bad_values_fail_before_any_change_naming_the_hosts(per_host, message):
    with pytest.raises(AnsibleFilterError, match=re.escape(message) if '(' not in message else message):
        model(changed(**per_host))


def test_a_peer_without_a_hub_group():
    with pytest.raises(AnsibleFilterError, match='group openvnet_hubs is empty'):
        model(HOSTVARS, {'openvnet_peers': ['sv1']})


@pytest.mark.parametrize('underlay, key, mtu', [(1500, False, 1462), (1500, True, 1458), (9001, False, 8963)])
def test_overlay_mtu(underlay, key, mtu):
    assert overlay_mtu(underlay, key) == mtu


def test_nic_with_address_finds_primary_and_secondary_addresses():
    facts = {'interfaces': ['lo', 'eth0', 'eth1', 'br-x'],
             'lo': {'device': 'lo', 'ipv4': {'address': '127.0.0.1'}},
             'eth0': {'device': 'eth0', 'ipv4': {'address': '10.0.2.15'}},
             'eth1': {'device': 'eth1', 'ipv4': {'address': '192.0.2.10'},
                      'ipv4_secondaries': [{'address': '192.0.2.20'}]},
             'br_x': {'device': 'br-x'}}
    assert nic_with_address(facts, '192.0.2.10')['device'] == 'eth1'
    assert nic_with_address(facts, '192.0.2.20')['device'] == 'eth1'
    assert nic_with_address(facts, '192.0.2.99') == {}


def test_nic_with_address_finds_ipv6_addresses_in_any_spelling():
    eth1 = {'device': 'eth1', 'ipv4': {'address': '192.0.2.10'},
            'ipv6': [{'address': '2001:db8::10', 'prefix': '64', 'scope': 'global'}]}
    facts = {'interfaces': ['eth1'], 'eth1': eth1}
    assert nic_with_address(facts, '2001:db8:0::10')['device'] == 'eth1'
    assert nic_with_address(facts, '2001:db8::11') == {}
    assert nic_with_address(facts, 'not an address') == {}


@pytest.mark.parametrize('encapsulation, family, key, mtu', [
    ('gre', 4, False, 1462), ('gre', 4, True, 1458), ('gre', 6, False, 1434), ('gre', 6, True, 1430),
    ('vxlan', 4, False, 1450), ('vxlan', 6, False, 1430), ('vxlan', 4, True, 1450),
    ('geneve', 4, False, 1450), ('geneve', 6, False, 1430)])
def test_overlay_mtu_of_every_encapsulation(encapsulation, family, key, mtu):
    assert overlay_mtu(1500, key, encapsulation, family) == mtu


def test_overlay_mtu_refuses_an_unknown_encapsulation():
    with pytest.raises(AnsibleFilterError, match='encapsulation must be one of geneve, gre, vxlan'):
        overlay_mtu(1500, False, 'ipip')


V6 = {'sv0': {'openvnet_underlay_ipv6_address': '2001:db8::10', 'openvnet_underlay_ipv6_nic': nic('52:54:00:00:01:10')},
      'sv2': {'openvnet_underlay_address': '2001:db8:0:0::12', 'openvnet_tunnel_encapsulation': 'vxlan',
              'openvnet_tunnel_name': None}}


def test_a_vxlan_peer_over_ipv6_beside_a_gre_peer_over_ipv4():
    m = model(changed(**V6))
    sv1, sv2 = m['peers']['sv1'], m['peers']['sv2']
    assert (sv1['encapsulation'], sv1['kind'], sv1['type'], sv1['family'], sv1['tunnel_mtu'], sv1['remote_ip']) == (
        'gre', 'gretap', 'gre', 4, 1462, '192.0.2.10')
    # VXLAN over IPv6: 70 bytes, from the smaller underlay (the hub's 1500, not sv2's 9001); VNI 0 explicit
    assert {k: sv2[k] for k in ('encapsulation', 'kind', 'type', 'family', 'mtu', 'overhead', 'key', 'dst_port',
                                'csum', 'local_ip', 'remote_ip', 'name', 'port')} == {
        'encapsulation': 'vxlan', 'kind': 'vxlan', 'type': 'vxlan', 'family': 6, 'mtu': 1430, 'overhead': 70,
        'key': 0, 'dst_port': 4789, 'csum': True, 'local_ip': '2001:db8::12', 'remote_ip': '2001:db8::10',
        'name': 'vxlan-sv0', 'port': 'vxlan-sv2'}
    assert m['hubs']['sv0']['ports'][1] == {'name': 'vxlan-sv2', 'remote_ip': '2001:db8::12', 'local_ip': '2001:db8::10',
                                            'type': 'vxlan', 'key': 0, 'dst_port': 4789, 'csum': True}
    assert m['hubs']['sv0']['registrations']['interfaces'][1]['port_name'] == 'vxlan-sv2'


def test_gre_over_ipv6_and_geneve_with_a_port_and_a_key():
    m = model(changed(sv0=dict(V6['sv0'], openvnet_tunnel_key=5000),
                      sv1={'openvnet_underlay_address': '2001:db8::11'},
                      sv2={'openvnet_tunnel_encapsulation': 'geneve', 'openvnet_tunnel_udp_port': '16081'}))
    sv1, sv2 = m['peers']['sv1'], m['peers']['sv2']
    assert (sv1['kind'], sv1['type'], sv1['overhead'], sv1['tunnel_mtu'], sv1['key'], sv1['csum']) == (
        'ip6gretap', 'ip6gre', 70, 1430, 5000, False)
    assert (sv2['kind'], sv2['dst_port'], sv2['key'], sv2['tunnel_mtu'], sv2['csum']) == (
        'geneve', 16081, 5000, 1450, False)
    assert sv1['mtu'] == sv2['mtu'] == 1430


def test_the_ipv6_mtu_comes_from_the_nic_holding_the_hubs_ipv6_address():
    m = model(changed(sv0=dict(V6['sv0'], openvnet_underlay_ipv6_nic=nic('52:54:00:00:02:10', 1280 + 70)), sv2=V6['sv2']))
    assert m['peers']['sv2']['tunnel_mtu'] == 1280
    assert m['peers']['sv1']['tunnel_mtu'] == 1462
    assert m['peers']['sv1']['mtu'] == 1280


@pytest.mark.parametrize('per_host, message', [
    ({'sv2': {'openvnet_underlay_address': '2001:db8::12'}},
     'sv2: its underlay address 2001:db8::12 is IPv6 but its hub sv0 has none'),
    ({'sv0': {'openvnet_underlay_address': '2001:db8::10', 'openvnet_underlay_ipv6_address': '2001:db8::20'}},
     'openvnet_underlay_ipv6_address is for a dual-stack hub'),
    ({'sv0': {'openvnet_underlay_ipv6_address': '192.0.2.99'}}, "openvnet_underlay_ipv6_address '192.0.2.99' is not an IPv6"),
    ({'sv2': {'openvnet_underlay_address': 'fe80::12'}}, 'link-local'),
    ({'sv2': {'openvnet_underlay_address': 'ff02::1'}}, 'multicast'),
    ({'sv2': {'openvnet_underlay_address': '::'}}, 'unspecified'),
    ({'sv2': {'openvnet_underlay_address': '2001:db8::12/64'}}, 'is not an IPv4 or IPv6 address'),
    ({'sv2': {'openvnet_tunnel_encapsulation': 'VXLAN'}}, "openvnet_tunnel_encapsulation 'VXLAN' is not one of geneve, gre, vxlan"),
    ({'sv2': {'openvnet_tunnel_encapsulation': 'gre', 'openvnet_tunnel_udp_port': 4789}}, 'GRE has no port'),
    ({'sv2': {'openvnet_tunnel_encapsulation': 'vxlan', 'openvnet_tunnel_udp_port': 70000}}, 'is not a UDP port'),
    ({'sv2': {'openvnet_tunnel_encapsulation': 'vxlan', 'openvnet_tunnel_udp_port': '4789x'}}, 'is not a whole number'),
    ({'sv2': {'openvnet_tunnel_encapsulation': 'vxlan', 'openvnet_tunnel_udp_port': True}}, 'is not a whole number'),
    ({'sv0': {'openvnet_tunnel_key': 16777216}, 'sv2': {'openvnet_tunnel_encapsulation': 'vxlan'}},
     'its vxlan VNI, which has 24 bits'),
    ({'sv0': dict(V6['sv0'], openvnet_underlay_ipv6_address='2001:db8::12'), 'sv2': {'openvnet_underlay_address': '2001:db8::12'}},
     'sv2 has the underlay address of its hub sv0'),
    ({'sv2': {'openvnet_tunnel_encapsulation': 'geneve', 'openvnet_overlay_mtu': 1451}},
     'more than the tunnel of sv2 carries (geneve over IPv4, geneve-sv0): 1450 bytes'),
])
def test_bad_encapsulations_and_families_are_refused(per_host, message):
    with pytest.raises(AnsibleFilterError, match=re.escape(message)):
        model(changed(**per_host))


def test_tunnel_protocols_from_the_inventory_alone():
    hostvars = {'sv1': {}, 'sv2': {'openvnet_tunnel_encapsulation': 'vxlan'},
                'sv3': {'openvnet_tunnel_encapsulation': 'geneve', 'openvnet_tunnel_udp_port': 16081},
                'sv4': {'openvnet_tunnel_encapsulation': 'vxlan'}}
    assert tunnel_protocols(hostvars, {'openvnet_peers': ['sv1', 'sv2', 'sv3', 'sv4']}) == [
        {'protocol': 'gre'}, {'protocol': 'udp', 'port': 4789}, {'protocol': 'udp', 'port': 16081}]
    assert tunnel_protocols({'sv2': {'openvnet_tunnel_encapsulation': 'vxlan'}}, {'openvnet_peers': ['sv2']}) == [
        {'protocol': 'udp', 'port': 4789}]
    assert tunnel_protocols({}, {}) == []
    with pytest.raises(AnsibleFilterError, match='is not one of'):
        tunnel_protocols({'sv2': {'openvnet_tunnel_encapsulation': 'ipip'}}, {'openvnet_peers': ['sv2']})


# Issue 23, 2: one L2 network has one MTU.
def test_every_device_of_one_network_gets_the_smallest_mtu_its_tunnels_carry():
    m = model(changed(**V6))
    sv1, sv2 = m['peers']['sv1'], m['peers']['sv2']
    # GRE over IPv4 carries 1462, VXLAN over IPv6 1430: the network is one broadcast domain
    assert (sv1['tunnel_mtu'], sv2['tunnel_mtu']) == (1462, 1430)
    assert (sv1['mtu'], sv2['mtu'], m['hubs']['sv0']['network_mtu']) == (1430, 1430, 1430)


def test_each_hub_has_its_own_network_mtu():
    hostvars = changed(sv3=dict(HOSTVARS['sv1'], openvnet_underlay_address='192.0.2.13', openvnet_hub='sv4',
                                openvnet_underlay_nic=nic('52:54:00:00:01:13', 1400)),
                       sv4=dict(HOSTVARS['sv0'], openvnet_underlay_address='192.0.2.14'),
                       sv1={'openvnet_hub': 'sv0'}, sv2={'openvnet_hub': 'sv0'})
    m = model(hostvars, {'openvnet_hubs': ['sv0', 'sv4'], 'openvnet_peers': ['sv1', 'sv2', 'sv3']})
    assert (m['hubs']['sv0']['network_mtu'], m['hubs']['sv4']['network_mtu']) == (1462, 1362)


def test_a_forced_overlay_mtu_is_the_networks_and_must_fit_every_tunnel_of_it():
    m = model(changed(sv1={'openvnet_overlay_mtu': 1400}))
    assert (m['peers']['sv1']['mtu'], m['peers']['sv2']['mtu'], m['hubs']['sv0']['network_mtu']) == (1400, 1400, 1400)
    with pytest.raises(AnsibleFilterError, match=re.escape(
            'openvnet_overlay_mtu 1440 (set on sv1) is more than the tunnel of sv2 carries (vxlan over IPv6, '
            'vxlan-sv0): 1430 bytes (its underlay MTU 1500 minus 70): every device of the network of sv0 has one MTU')):
        model(changed(sv1={'openvnet_overlay_mtu': 1440}, **V6))
    with pytest.raises(AnsibleFilterError, match=re.escape(
            'sv1 (openvnet_overlay_mtu 1400) and sv2 (openvnet_overlay_mtu 1300) are peers of sv0, one network with '
            'one MTU: force one value (e.g. in group_vars)')):
        model(changed(sv1={'openvnet_overlay_mtu': 1400}, sv2={'openvnet_overlay_mtu': 1300}))
    both = model(changed(sv1={'openvnet_overlay_mtu': 1400}, sv2={'openvnet_overlay_mtu': '1400'}))
    assert both['hubs']['sv0']['network_mtu'] == 1400


# Issue 23, 6: bounds without contradictions.
def test_a_tunnel_that_carries_less_than_the_overlay_needs_is_refused_by_the_forced_mtus_rule():
    with pytest.raises(AnsibleFilterError, match=re.escape(
            'sv1: its gre tunnel over IPv4 carries 538 bytes (underlay MTU 576 minus 38), less than the 576 the '
            'overlay needs: raise the underlay MTU (openvnet_underlay_mtu or the NIC\'s)')):
        model(changed(sv1={'openvnet_underlay_mtu': 576}))
    with pytest.raises(AnsibleFilterError, match=re.escape(
            'sv1: openvnet_overlay_mtu 500 is less than the 576 the overlay needs')):
        model(changed(sv1={'openvnet_overlay_mtu': 500}))


def test_an_ipv6_underlay_mtu_below_1280_is_refused():
    with pytest.raises(AnsibleFilterError, match=re.escape(
            'sv2: underlay MTU 1200 is below 1280, the least an IPv6 link carries (RFC 8200)')):
        model(changed(sv2=dict(V6['sv2'], openvnet_underlay_mtu=1200), sv0=V6['sv0']))
    with pytest.raises(AnsibleFilterError, match='sv0: underlay MTU 1279 is below 1280'):
        model(changed(sv0=dict(V6['sv0'], openvnet_underlay_ipv6_nic=nic('52:54:00:00:02:10', 1279)), sv2=V6['sv2']))
    # an IPv4 underlay may be smaller
    assert model(changed(sv1={'openvnet_underlay_mtu': 1200}))['peers']['sv1']['tunnel_mtu'] == 1162


# Issue 23, 3: collisions judged as Open vSwitch and Linux judge them.
@pytest.mark.parametrize('per_host, message', [
    ({'sv2': {'openvnet_underlay_address': '::ffff:192.0.2.11'}}, 'sv1 and sv2 have the same underlay address 192.0.2.11'),
    ({'sv2': {'openvnet_underlay_address': '::FFFF:c000:020a'}}, 'sv2 has the underlay address of its hub sv0 (192.0.2.10)'),
    ({'sv0': V6['sv0'], 'sv1': {'openvnet_underlay_address': '2001:DB8:0::12'}, 'sv2': V6['sv2']},
     'sv1 and sv2 have the same underlay address 2001:db8::12'),
    ({'sv0': V6['sv0'], 'sv2': dict(V6['sv2'], openvnet_underlay_address='2001:db8::12%eth1')}, 'has a scope id'),
    ({'sv0': dict(V6['sv0'], openvnet_underlay_ipv6_address='2001:db8::10%eth1')}, 'has a scope id'),
    ({'sv1': {'openvnet_tunnel_encapsulation': 'vxlan'}, 'sv2': {'openvnet_tunnel_encapsulation': 'geneve',
                                                                 'openvnet_tunnel_udp_port': 4789}},
     'sv1 (vxlan) and sv2 (geneve) are peers of sv0 on UDP port 4789: a host receives one encapsulation on one UDP '
     'port; give one of them another openvnet_tunnel_udp_port'),
])
def test_one_endpoint_in_any_spelling_and_one_udp_port_per_encapsulation(per_host, message):
    with pytest.raises(AnsibleFilterError, match=re.escape(message)):
        model(changed(**per_host))


def test_an_ipv4_mapped_underlay_address_is_the_ipv4_address():
    sv1 = model(changed(sv1={'openvnet_underlay_address': '::ffff:192.0.2.11'}))['peers']['sv1']
    assert (sv1['local_ip'], sv1['family'], sv1['kind']) == ('192.0.2.11', 4, 'gretap')


def test_keys_are_read_by_the_shared_rule():
    m = model(changed(sv0={'openvnet_tunnel_key': '0x10'}, sv1={'openvnet_tunnel_key': 16}))
    assert m['peers']['sv1']['key'] == 16


# Issue 23, 6: a VXLAN peer restating VNI 0.
def test_a_vxlan_peer_that_restates_vni_0_when_the_hub_has_no_key_is_no_conflict():
    m = model(changed(sv2={'openvnet_tunnel_encapsulation': 'vxlan', 'openvnet_tunnel_key': 0}))
    assert m['peers']['sv2']['key'] == 0
    with pytest.raises(AnsibleFilterError, match='sv1: openvnet_tunnel_key 0 differs from its hub sv0 '):
        model(changed(sv1={'openvnet_tunnel_key': 0}))  # GRE: key 0 is a key, none is none


# Issue 23, 6: a missing hub names the settings.
def test_a_peer_without_any_hub_names_the_settings():
    with pytest.raises(AnsibleFilterError, match=re.escape(
            'sv1 has no hub: group openvnet_hubs is empty and sv1 sets no openvnet_hub; put the hub in '
            'openvnet_hubs (and name it in openvnet_hub when there are several)')):
        model(HOSTVARS, {'openvnet_peers': ['sv1']})
    assert 'None' not in str(pytest.raises(AnsibleFilterError, model, HOSTVARS, {'openvnet_peers': ['sv1']}).value)


# Issue 23, 6: inventory names that are FQDNs.
def fqdn_inventory(*names):
    hostvars = {'hub.example.com': dict(HOSTVARS['sv0'])}
    for index, name in enumerate(names, start=1):
        hostvars[name] = dict(HOSTVARS['sv1'], openvnet_underlay_address='192.0.2.%d' % (20 + index),
                              openvnet_overlay_address='10.0.0.%d/24' % index)
    return model(hostvars, {'openvnet_hubs': ['hub.example.com'], 'openvnet_peers': list(names)})


def test_fqdn_inventory_names_give_names_from_their_first_label():
    m = fqdn_inventory('sv1.example.com', 'sv2.example.com')
    sv1 = m['peers']['sv1.example.com']
    assert (sv1['name'], sv1['port']) == ('gre-hub', 'gre-sv1')
    assert m['peers']['sv2.example.com']['port'] == 'gre-sv2'
    assert m['hubs']['hub.example.com']['datapath_uuid'].startswith('dp-x')


def test_fqdn_inventory_names_with_one_first_label_get_a_stable_hash():
    m = fqdn_inventory('web.a.example.com', 'web.b.example.com')
    ports = [m['peers'][n]['port'] for n in ('web.a.example.com', 'web.b.example.com')]
    assert all(re.fullmatch(r'gre-x[0-9a-f]{10}', p) for p in ports) and ports[0] != ports[1]
    assert ports == [fqdn_inventory('web.a.example.com', 'web.b.example.com')['peers'][n]['port']
                     for n in ('web.a.example.com', 'web.b.example.com')]


def test_a_name_too_long_even_as_its_first_label_gets_a_hash():
    m = fqdn_inventory('a-very-long-host-name.example.com')
    port = m['peers']['a-very-long-host-name.example.com']['port']
    assert re.fullmatch(r'gre-x[0-9a-f]{10}', port)


# Issue 23, 4: the peer's device name can only name our tunnel.
def facts(*devices, **macs):
    """ansible_interfaces and each device's facts, as fact gathering gives them on the peer."""
    found = {'ansible_interfaces': list(devices)}
    for name in devices:
        found['ansible_' + name.replace('-', '_')] = {'device': name, 'macaddress': macs.get(name.replace('-', '_'))}
    return found


@pytest.mark.parametrize('name, message', [
    ('eth0', "sv1: openvnet_hub_tunnel_name eth0 names a device sv1 already has (MAC 52:54:00:12:34:56), not this "
             "tunnel (02:"),
    ('lo', 'sv1: openvnet_hub_tunnel_name lo names a device sv1 already has'),
    ('br-lan', 'sv1: openvnet_hub_tunnel_name br-lan names a device sv1 already has'),
    ('gretap0', "sv1: openvnet_hub_tunnel_name gretap0 is a device the kernel makes itself (a tunnel module's "
                "fallback device): choose another name"),
    ('vxlan_sys_4789', 'is a device the kernel makes itself'),
    ('ip6tnl0', 'is a device the kernel makes itself'),
])
def test_a_device_name_of_another_device_of_the_peer_is_refused(name, message):
    with pytest.raises(AnsibleFilterError, match=re.escape(message)):
        model(changed(sv1=dict(facts('lo', 'eth0', 'eth1', 'br-lan', eth0='52:54:00:12:34:56'),
                               openvnet_hub_tunnel_name=name)))


def test_our_own_tunnel_device_from_a_previous_run_is_no_conflict():
    mac = derived_mac('sv1')
    m = model(changed(sv1=facts('lo', 'eth1', 'gre-sv0', gre_sv0=mac)))
    assert m['peers']['sv1']['name'] == 'gre-sv0'


def test_a_derived_device_name_taken_by_another_device_gets_a_hash():
    m = model(changed(sv1=facts('lo', 'eth1', 'gre-sv0', gre_sv0='52:54:00:99:99:99')))
    assert re.fullmatch(r'gre-x[0-9a-f]{10}', m['peers']['sv1']['name'])
