"""OpenVNet in the cluster layout: DCell's node.addr is the underlay address (192.0.2.10), and
only loopback and the cluster (192.0.2.11, in the namespace "underlay") reach the DCell ports;
192.0.2.99 is refused. vna's OpenFlow port (6633, on every address as vna listens) stays loopback-only:
the cluster is refused there too. A stand-in listens on those ports (prepare.yml), since OpenVNet
cannot run here."""

import pytest

testinfra_hosts = ['all']
PORTS = (9101, 9102, 9103)

PROBE = '''
import socket, sys
try:
    socket.create_connection(('192.0.2.10', int(sys.argv[2])), timeout=5, source_address=(sys.argv[1], 0)).close()
    print('connected')
except OSError as e:
    print(type(e).__name__)
'''


def probe(host, source, port):
    return host.check_output('ip netns exec underlay python3 -c %s %s %s', PROBE, source, str(port))


def test_every_node_listens_on_the_underlay(host):
    for name, port in (('vnmgr', 9102), ('webapi', 9101), ('vna', 9103)):
        conf = host.file('/etc/openvnet/%s.conf' % name).content_string
        assert '    host "192.0.2.10"\n' in conf and '    port %d\n' % port in conf, name
    out = host.check_output('ss -Htln')
    assert {'192.0.2.10:%d' % p for p in PORTS} <= {line.split()[3] for line in out.splitlines()}


@pytest.mark.parametrize('port', PORTS)
def test_a_cluster_address_is_admitted_and_an_outsider_refused(host, port):
    assert probe(host, '192.0.2.11', port) == 'connected'
    assert probe(host, '192.0.2.99', port) == 'ConnectionRefusedError'


def test_vnas_openflow_port_admits_loopback_only_even_from_the_cluster(host):
    assert probe(host, '192.0.2.11', 6633) == 'ConnectionRefusedError'
    assert probe(host, '192.0.2.99', 6633) == 'ConnectionRefusedError'
    local = host.check_output("python3 -c %s", "import socket; socket.create_connection(('127.0.0.1', 6633), timeout=5)"
                              ".close(); print('connected')")
    assert local == 'connected'


def test_our_own_table(host):
    table = host.check_output('nft list table inet openvnet_dcell')
    assert '192.0.2.10' in table and '192.0.2.11' in table and '192.0.2.99' not in table
    reject = [line.strip() for line in table.splitlines() if 'reject' in line]
    assert len(reject) == 2 and all(r.endswith('reject with tcp reset') for r in reject), reject
    assert all(str(port) in reject[0] for port in PORTS), reject
    assert reject[1] == 'tcp dport 6633 reject with tcp reset', reject
    unit = host.service('openvnet-dcell-firewall')
    assert unit.is_enabled and unit.is_running


def test_other_ports_are_not_touched(host):
    """The table only guards the DCell ports and vna's OpenFlow port: anything else the host allows stays allowed."""
    table = host.check_output('nft list table inet openvnet_dcell')
    assert 'policy accept' in table and table.count('reject') == 2


def test_the_database_password_is_not_world_readable(host):
    conf = host.file('/etc/openvnet/common.conf')
    assert (conf.user, conf.group, conf.mode) == ('root', 'openvnet', 0o640)
    assert host.file('/etc/openvnet').mode == 0o750
