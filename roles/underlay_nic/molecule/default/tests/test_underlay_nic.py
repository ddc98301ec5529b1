"""The stand-in ENI as the role left it (and after networking restarted): its DHCP lease,
no default route through it in the main table although the DHCP server offered a router,
and what its address sends leaving through it although the primary NIC (pnic0) is in the
same subnet. Shared by the default (systemd-networkd) and ifupdown scenarios."""

import json
import os
import re
import subprocess
import time

testinfra_hosts = ['all']
ADDRESS = '198.51.100.10'
TABLE = '1001'


def addresses(host):
    links = json.loads(host.check_output('ip -json -4 addr show dev tnic0'))
    return [a['local'] for link in links for a in link['addr_info']]


def test_has_its_lease_from_the_vpc(host):
    for attempt in range(30):
        found = addresses(host)
        if found or attempt == 29:
            break
        time.sleep(1)
    assert found == [ADDRESS]


def test_no_default_route_through_it_in_the_main_table(host):
    routes = json.loads(host.check_output('ip -json -4 route show default'))
    assert [r for r in routes if r.get('dev') == 'tnic0'] == []
    # the server did offer one: the role, not the server, kept it out
    assert host.run('ip netns exec vpc true').rc == 0
    assert 'option:router,198.51.100.1' in host.check_output('systemctl show -p ExecStart vpc-dhcp')


def route_from_the_tunnel_address(host, destination):
    for attempt in range(30):  # after a restart of networking the rule and table come back with the lease
        found = json.loads(host.check_output('ip -json -4 route get %s from %s' % (destination, ADDRESS)))[0]
        if found['dev'] == 'tnic0' or attempt == 29:
            return found
        time.sleep(1)


def test_the_primary_nic_takes_the_subnet_in_the_main_table(host):
    """What makes the test mean something: without the rule, the kernel sends through pnic0."""
    assert json.loads(host.check_output('ip -json -4 route get 198.51.100.1'))[0]['dev'] == 'pnic0'


def test_traffic_from_the_tunnel_address_is_routed_through_it(host):
    rules = host.check_output('ip -4 rule show')
    assert re.search(r'^1001:\s+from %s lookup %s\b' % (re.escape(ADDRESS), TABLE), rules, re.M), rules
    # in the subnet (the router) and beyond it
    for destination in ('198.51.100.1', '203.0.113.7'):
        found = route_from_the_tunnel_address(host, destination)
        assert found['dev'] == 'tnic0', (destination, found)
    assert json.loads(host.check_output('ip -json -4 route get 203.0.113.7 from %s' % ADDRESS))[0]['gateway'] == \
        '198.51.100.1'


def test_a_packet_from_the_tunnel_address_leaves_through_it(host):
    """203.0.113.7 is only reachable through the VPC's router behind tnic0; vpc0 counts what arrives."""
    route_from_the_tunnel_address(host, '203.0.113.7')

    def received():
        return int(host.check_output('ip netns exec vpc cat /sys/class/net/vpc0/statistics/rx_packets'))

    before = received()
    ping = host.run('ping -c 3 -W 2 -I %s 203.0.113.7' % ADDRESS)
    assert ping.rc == 0, ping.stdout + ping.stderr
    assert received() - before >= 3


def test_persistent_files_of_the_backend(host):
    if host.ansible.get_variables().get('underlay_nic_backend') == 'ifupdown':
        stanza = host.file('/etc/network/interfaces.d/60-openvnet-underlay')
        assert stanza.contains(r'^iface tnic0 inet dhcp$')
        assert stanza.contains(r'^    post-up ip -4 rule add from %s lookup %s priority 1001$' % (ADDRESS, TABLE))
        assert host.file('/etc/dhcp/dhclient-enter-hooks.d/openvnet-underlay').contains('unset new_routers')
        assert host.file('/etc/dhcp/dhclient-exit-hooks.d/openvnet-underlay').contains('table %s' % TABLE)
        assert host.file('/etc/network/interfaces').contains(r'^source /etc/network/interfaces\.d/\*$')
    else:
        network = host.file('/etc/systemd/network/50-openvnet-underlay.network')
        assert network.contains('^MACAddress=02:00:5e:00:53:0a$')
        assert network.contains('^From=%s$' % ADDRESS)
        assert network.contains('^RouteTable=%s$' % TABLE)
        assert host.service('systemd-networkd').is_enabled


def test_check_mode_on_the_converged_instance_changes_nothing():
    """converge.yml with --check --diff, as `molecule check` runs it, after converge: changed=0."""
    scenario = os.environ['MOLECULE_SCENARIO_DIRECTORY']
    converge = os.path.join(scenario, '..', 'default', 'converge.yml')
    run = subprocess.run(['ansible-playbook', '--check', '--diff', '-i', os.environ['MOLECULE_INVENTORY_FILE'], converge],
                         capture_output=True, text=True, check=False, env=dict(os.environ, ANSIBLE_NOCOLOR='1',
                                                                               ANSIBLE_FORCE_COLOR='0'))
    recap = re.search(r'^instance\s+: ok=\d+\s+changed=(\d+)\s+unreachable=0\s+failed=(\d+)', run.stdout, re.M)
    assert run.returncode == 0 and recap, run.stdout[-3000:] + run.stderr[-2000:]
    assert (recap.group(1), recap.group(2)) == ('0', '0'), run.stdout[-3000:]
