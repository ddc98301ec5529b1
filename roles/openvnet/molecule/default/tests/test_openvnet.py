"""OpenVNet's configuration, database and registrations, from inside the container
(the WebAPI is the emulator from tests/support; Redis and MariaDB are real)."""

import json
import os


testinfra_hosts = ['all']
EXPECTED = os.path.join(os.path.dirname(__file__), 'expected')


def test_configuration_files_are_exactly_as_expected(host):
    # The default layout (every service on this host): DCell on 127.0.0.1, although the host has an underlay.
    for name in ('common', 'vnmgr', 'webapi', 'vna', 'vnctl'):
        with open(os.path.join(EXPECTED, name + '.conf')) as f:
            wanted = f.read()
        assert host.file('/etc/openvnet/%s.conf' % name).content_string == wanted, name


def listeners(host):
    """Every local address:port with a TCP listener (`ss -ltn`)."""
    return sorted(line.split()[3] for line in host.check_output('ss -Htln').splitlines())


def test_the_control_plane_listens_on_loopback_only(host):
    """Redis (6379) and the WebAPI (9090, the emulator here) on 127.0.0.1 only; DCell (9101-9103) would be
    there too (node.addr, above)."""
    ours = [a for a in listeners(host) if a.rsplit(':', 1)[1] in ('6379', '9090', '9101', '9102', '9103')]
    assert ours == ['127.0.0.1:6379', '127.0.0.1:9090']


def test_vnas_openflow_port_is_loopback_only_by_our_table(host):
    """vna listens on every address (trema's switch_manager): in the default layout too, our table admits only
    loopback (the bridge's controller connection) to 6633 and resets the rest; DCell on loopback needs no rule."""
    table = host.check_output('nft list table inet openvnet_dcell')
    rules = [line.strip() for line in table.splitlines()]
    assert rules.index('iif "lo" tcp dport 6633 accept') + 1 == rules.index('tcp dport 6633 reject with tcp reset')
    assert 'policy accept' in table and table.count('reject') == 1 and '9101' not in table
    unit = host.service('openvnet-dcell-firewall')
    assert unit.is_enabled and unit.is_running


def test_mariadb_listens_on_loopback_only(host):
    # Debian's mariadb.socket would listen on *:3306 (MariaDB then ignores bind-address): masked
    for unit in ('mariadb.socket', 'mariadb-extra.socket'):
        assert host.run('systemctl is-enabled %s' % unit).stdout.strip() in ('masked', ''), unit
    assert [a for a in listeners(host) if a.endswith(':3306')] == ['127.0.0.1:3306']


def test_the_database_password_is_not_world_readable(host):
    conf = host.file('/etc/openvnet/common.conf')
    assert (conf.user, conf.group, conf.mode) == ('root', 'openvnet', 0o640)


def test_the_database_is_migrated_once(host):
    result = host.run("mysql -N -u vnet -pmolecule-not-a-secret vnet -e 'SELECT version FROM schema_info'")
    assert result.rc == 0, result.stderr
    assert result.stdout.split() == ['18']


def vnctl(host, *words):
    # vnctl reads /etc/openvnet/vnctl.conf, written by the role: JSON output.
    result = host.run('vnctl ' + ' '.join(words))
    assert result.rc == 0 and not result.stderr, result.stderr
    return json.loads(result.stdout)


def test_the_seed_resources_are_registered(host):
    dp = vnctl(host, 'datapaths', 'show', 'dp-test1')
    assert (dp['dpid'], dp['node_id']) == ('0x000002000a00010a', 'vna')
    # vna's node.id is the datapath's node_id.
    assert host.file('/etc/openvnet/vna.conf').contains('id "%s"' % dp['node_id'])
    nw = vnctl(host, 'networks', 'show', 'nw-test1')
    assert (nw['ipv4_network'], nw['ipv4_prefix'], nw['mode']) == ('10.0.0.0', 24, 'virtual')
    for uuid, mac, address, port in (('if-inst1', 'ee:99:d5:67:fd:52', '10.0.0.1', 'tap1'),
                                     ('if-inst2', '2a:27:6e:63:5e:e5', '10.0.0.2', 'tap2')):
        interface = vnctl(host, 'interfaces', 'show', uuid)
        assert (interface['mode'], interface['mac_address'], interface['ipv4_address']) == ('vif', mac, address)
        ports = vnctl(host, 'interfaces', 'ports', 'show', uuid)['items']
        assert [p['port_name'] for p in ports] == [port]
    assert vnctl(host, 'interfaces', 'show')['total_count'] == 2


def test_the_webapi_listens_on_loopback_only(host):
    dropin = host.file('/etc/systemd/system/vnet-webapi.service.d/ansible.conf')
    assert dropin.content_string == '# Ansible managed\n[Service]\nEnvironment=BIND_ADDR=127.0.0.1 PORT=9090\n'
