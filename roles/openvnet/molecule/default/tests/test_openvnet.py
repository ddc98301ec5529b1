"""OpenVNet's configuration, database and registrations, from inside the container
(the WebAPI is the emulator from tests/support; Redis and MariaDB are real)."""

import json
import os

testinfra_hosts = ['all']
EXPECTED = os.path.join(os.path.dirname(__file__), 'expected')


def test_configuration_files_are_exactly_as_expected(host):
    underlay = host.interface.default().addresses[0]
    for name in ('common', 'vnmgr', 'webapi', 'vna', 'vnctl'):
        with open(os.path.join(EXPECTED, name + '.conf')) as f:
            wanted = f.read().replace('@UNDERLAY@', underlay)
        assert host.file('/etc/openvnet/%s.conf' % name).content_string == wanted, name


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
