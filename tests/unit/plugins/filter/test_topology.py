import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.openvnet.openvnet.plugins.filter.topology import hub_ports, nic_with_address, overlay_mtu, peer_tunnel

HOSTVARS = {
    'sv0': {'openvnet_underlay_address': '192.0.2.10'},
    'sv1': {'openvnet_underlay_address': '192.0.2.11', 'openvnet_overlay_address': '10.0.0.1/24'},
    'sv2': {'openvnet_underlay_address': '192.0.2.12', 'openvnet_overlay_address': '10.0.0.2/24',
            'openvnet_underlay_mtu': 9001, 'openvnet_tunnel_name': 'gre-second'},
}
GROUPS = {'openvnet_hubs': ['sv0'], 'openvnet_peers': ['sv1', 'sv2']}


def test_both_ends_of_every_tunnel_come_from_the_same_data():
    ports = dict((p['name'], p['remote_ip']) for p in hub_ports(GROUPS['openvnet_peers'], HOSTVARS))
    assert ports == {'gre-sv1': '192.0.2.11', 'gre-second': '192.0.2.12'}
    for peer in GROUPS['openvnet_peers']:
        tunnel = peer_tunnel(peer, HOSTVARS, GROUPS)
        assert tunnel['remote_ip'] == HOSTVARS['sv0']['openvnet_underlay_address']
        assert ports.get(hub_ports([peer], HOSTVARS)[0]['name']) == tunnel['local_ip']


def test_peer_tunnel():
    assert peer_tunnel('sv1', HOSTVARS, GROUPS) == {
        'name': 'gre-sv0', 'hub': 'sv0', 'local_ip': '192.0.2.11', 'remote_ip': '192.0.2.10',
        'address': '10.0.0.1/24', 'mtu': 1462, 'key': None}
    assert peer_tunnel('sv2', HOSTVARS, GROUPS)['mtu'] == 8963


@pytest.mark.parametrize('underlay, key, mtu', [(1500, False, 1462), (1500, True, 1458), (9001, False, 8963)])
def test_overlay_mtu(underlay, key, mtu):
    assert overlay_mtu(underlay, key) == mtu


@pytest.mark.parametrize('hostvars, groups, message', [
    (dict(HOSTVARS, sv1={'openvnet_underlay_address': '192.0.2.11'}), GROUPS, 'openvnet_overlay_address'),
    (HOSTVARS, {'openvnet_peers': ['sv1']}, 'openvnet_hubs'),
    (dict(HOSTVARS, sv0={}), GROUPS, 'sv0 has no openvnet_underlay_address'),
])
def test_peer_tunnel_errors(hostvars, groups, message):
    with pytest.raises(AnsibleFilterError, match=message):
        peer_tunnel('sv1', hostvars, groups)


def test_hub_port_names_fit_linux():
    with pytest.raises(AnsibleFilterError, match='longer than 15'):
        hub_ports(['a-very-long-peer-name'], {'a-very-long-peer-name': {'openvnet_underlay_address': '192.0.2.1'}})


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
