"""The stand-in ENI as the role left it (and after networking restarted): a DHCP lease,
no default route through it although the DHCP server offered a router. Shared by the
default (systemd-networkd) and ifupdown scenarios."""

import json
import time

testinfra_hosts = ['all']


def addresses(host):
    links = json.loads(host.check_output('ip -json -4 addr show dev tnic0'))
    return [a['local'] for link in links for a in link['addr_info']]


def test_has_a_lease_from_the_vpc(host):
    for attempt in range(30):
        found = addresses(host)
        if found or attempt == 29:
            break
        time.sleep(1)
    assert len(found) == 1 and found[0].startswith('198.51.100.'), found


def test_no_default_route_through_it(host):
    routes = json.loads(host.check_output('ip -json -4 route show default'))
    assert [r for r in routes if r.get('dev') == 'tnic0'] == []
    # the server did offer one: the role, not the server, kept it out
    assert host.run('ip netns exec vpc true').rc == 0
    assert 'option:router,198.51.100.1' in host.check_output('systemctl show -p ExecStart vpc-dhcp')


def test_persistent_files_of_the_backend(host):
    if host.ansible.get_variables().get('underlay_nic_backend') == 'ifupdown':
        stanza = host.file('/etc/network/interfaces.d/60-openvnet-underlay')
        assert stanza.contains(r'^iface tnic0 inet dhcp$')
        assert host.file('/etc/dhcp/dhclient-enter-hooks.d/openvnet-underlay').contains('unset new_routers')
        assert host.file('/etc/network/interfaces').contains(r'^source /etc/network/interfaces\.d/\*$')
    else:
        network = host.file('/etc/systemd/network/50-openvnet-underlay.network')
        assert network.contains('^MACAddress=02:00:5e:00:53:0a$')
        assert network.contains('^UseGateway=false$')
        assert host.service('systemd-networkd').is_enabled
