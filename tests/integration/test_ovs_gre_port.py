"""ovs_gre_port against a real Open vSwitch (ovsdb-server + ovs-vswitchd)."""

import os
import subprocess
import sys

import pytest

from tests.support.runner import ROOT, run_module

OWNER = {'managed_by': 'openvnet.openvnet'}


def gre(ovs, _check=False, **args):
    return run_module('ovs_gre_port', dict(args, db=ovs.db), check=_check, diff=True)


def uuid_of(ovs, name):
    return ovs.vsctl('get', 'Interface', name, '_uuid').strip()


def test_create_then_second_run_changes_nothing(ovs):
    result = gre(ovs, bridge='br0', name='gre-sv1', remote_ip='192.0.2.11',
                 local_ip='192.0.2.10', key='5', mtu_request=1458)
    assert result['changed'] is True
    assert len(result['commands']) == 1
    assert ovs.interface('gre-sv1') == {
        'type': 'gre', 'options': {'remote_ip': '192.0.2.11', 'local_ip': '192.0.2.10', 'key': '5'},
        'external_ids': OWNER, 'mtu_request': 1458}
    assert ovs.ports('br0') == ['gre-sv1']
    # ovs-vswitchd accepted the tunnel: it has an OpenFlow port and no error.
    assert int(ovs.vsctl('get', 'Interface', 'gre-sv1', 'ofport')) > 0
    assert ovs.vsctl('get', 'Interface', 'gre-sv1', 'error').strip() == '[]'

    before = ovs.snapshot()
    again = gre(ovs, bridge='br0', name='gre-sv1', remote_ip='192.0.2.11',
                local_ip='192.0.2.10', key=5, mtu_request=1458)
    assert again['changed'] is False
    assert again['commands'] == []
    assert ovs.snapshot() == before


def test_remote_ip_change_is_applied_in_place(ovs):
    gre(ovs, bridge='br0', name='gre-sv1', remote_ip='192.0.2.11', local_ip='192.0.2.10')
    row = uuid_of(ovs, 'gre-sv1')
    result = gre(ovs, bridge='br0', name='gre-sv1', remote_ip='192.0.2.21', local_ip='192.0.2.10')
    assert result['changed'] is True
    assert result['diff']['before']['options']['remote_ip'] == '192.0.2.11'
    assert result['diff']['after']['options']['remote_ip'] == '192.0.2.21'
    assert ovs.interface('gre-sv1')['options']['remote_ip'] == '192.0.2.21'
    assert uuid_of(ovs, 'gre-sv1') == row, 'the row was recreated, not updated'


def test_drift_made_by_hand_is_corrected(ovs):
    gre(ovs, bridge='br0', name='gre-sv1', remote_ip='192.0.2.11', mtu_request=1458)
    ovs.vsctl('set', 'Interface', 'gre-sv1', 'options:remote_ip=192.0.2.99', 'options:pmtud=true',
              'mtu_request=1500')
    result = gre(ovs, bridge='br0', name='gre-sv1', remote_ip='192.0.2.11', mtu_request=1458)
    assert result['changed'] is True
    assert ovs.interface('gre-sv1')['options'] == {'remote_ip': '192.0.2.11'}
    assert ovs.interface('gre-sv1')['mtu_request'] == 1458


@pytest.mark.parametrize('args', [
    dict(name='gre-sv1', remote_ip='192.0.2.11'),
    dict(name='gre-sv2', remote_ip='192.0.2.99'),
    dict(name='gre-sv2', state='absent'),
    dict(ports=[dict(name='gre-sv1', remote_ip='192.0.2.11')], purge=True),
], ids=['create', 'update', 'delete', 'purge'])
def test_check_mode_leaves_ovsdb_untouched(ovs, args):
    gre(ovs, bridge='br0', name='gre-sv2', remote_ip='192.0.2.12')
    before = ovs.snapshot()
    result = gre(ovs, bridge='br0', _check=True, **args)
    assert result['changed'] is True
    assert result['commands'], 'check mode reports the command it would run'
    assert ovs.snapshot() == before


def seed_port(ovs, name):
    """A port made the seed's way, by plain ovs-vsctl (as vna or a person would)."""
    ovs.vsctl('add-port', 'br0', name, '--', 'set', 'Interface', name, 'type=gre',
              'options:local=192.0.2.10', 'options:remote_ip=192.0.2.11', 'options:pmtud=true')


def test_port_created_by_plain_ovs_vsctl_is_left_alone(ovs):
    seed_port(ovs, 'gre-seed')
    before = ovs.snapshot()
    for args in (dict(name='gre-seed', remote_ip='192.0.2.12'),
                 dict(name='gre-seed', state='absent')):
        result = gre(ovs, bridge='br0', **args)
        assert result.get('failed') is True
        assert 'was not created by this module' in result['msg']
        assert ovs.snapshot() == before
    result = gre(ovs, bridge='br0', ports=[dict(name='gre-sv1', remote_ip='192.0.2.11')], purge=True)
    assert result['changed'] is True
    assert result['purged'] == []
    assert ovs.ports('br0') == ['gre-seed', 'gre-sv1']
    assert ovs.interface('gre-seed')['options']['pmtud'] == 'true'


def test_force_adopts_a_seed_port_and_fixes_its_options(ovs):
    seed_port(ovs, 'gre-seed')
    result = gre(ovs, bridge='br0', name='gre-seed', remote_ip='192.0.2.11',
                 local_ip='192.0.2.10', force=True)
    assert result['changed'] is True
    assert ovs.interface('gre-seed') == {
        'type': 'gre', 'options': {'remote_ip': '192.0.2.11', 'local_ip': '192.0.2.10'},
        'external_ids': OWNER, 'mtu_request': None}


def test_absent_removes_the_port(ovs):
    gre(ovs, bridge='br0', name='gre-sv1', remote_ip='192.0.2.11')
    result = gre(ovs, bridge='br0', name='gre-sv1', state='absent')
    assert result['changed'] is True
    assert ovs.interface('gre-sv1') is None
    assert ovs.ports('br0') == []
    assert gre(ovs, bridge='br0', name='gre-sv1', state='absent')['changed'] is False


def test_owned_port_on_another_bridge_is_moved(ovs):
    ovs.add_bridge('br1')
    gre(ovs, bridge='br1', name='gre-sv1', remote_ip='192.0.2.11')
    result = gre(ovs, bridge='br0', name='gre-sv1', remote_ip='192.0.2.11')
    assert result['changed'] is True
    assert ovs.ports('br1') == []
    assert ovs.ports('br0') == ['gre-sv1']


@pytest.mark.parametrize('args, field', [
    (dict(name='gre-sv1', remote_ip='192.0.2.256'), 'remote_ip'),
    (dict(name='gre-sv1', remote_ip='2001:db8::zz'), 'remote_ip'),
    (dict(name='gre-sv1', remote_ip='192.0.2.11', local_ip='2001:db8::1'), 'local_ip'),
    (dict(name='gre-0123456789ab', remote_ip='192.0.2.11'), 'name'),
    (dict(name='gre-sv1', remote_ip='192.0.2.11', bridge='br9'), 'bridge'),
    (dict(name='gre-sv1', remote_ip='192.0.2.11', key='1', out_key='2'), 'key'),
    (dict(name='gre-sv1', remote_ip='192.0.2.11', local='192.0.2.10'), 'local_ip'),
    (dict(ports=[dict(name='gre-sv1', remote_ip='192.0.2.11'),
                 dict(name='gre-sv2', remote_ip='300.1.1.1')]), 'remote_ip'),
], ids=['ipv4', 'ipv6', 'family', 'name', 'bridge', 'keys', 'local', 'bulk'])
def test_bad_input_fails_and_leaves_ovsdb_as_it_was(ovs, args, field):
    gre(ovs, bridge='br0', name='gre-sv2', remote_ip='192.0.2.12')
    before = ovs.snapshot()
    result = gre(ovs, **dict(dict(bridge='br0'), **args))
    assert result.get('failed') is True
    assert field in result['msg']
    assert ovs.snapshot() == before


def test_unreachable_ovsdb_is_a_clear_error(ovs):
    before = ovs.snapshot()
    result = run_module('ovs_gre_port', dict(bridge='br0', name='gre-sv1', remote_ip='192.0.2.11',
                                             db='unix:/nonexistent/db.sock'))
    assert result.get('failed') is True
    assert result['msg'].startswith('cannot reach ovsdb-server at unix:/nonexistent/db.sock')
    assert ovs.snapshot() == before


def test_bulk_form_one_transaction_and_purge(ovs):
    seed_port(ovs, 't-vna1')
    peers = [dict(name='gre-sv%d' % i, remote_ip='192.0.2.%d' % (10 + i)) for i in range(1, 6)]
    result = gre(ovs, bridge='br0', local_ip='192.0.2.1', mtu_request=1458, ports=peers)
    assert result['changed'] is True
    assert len(result['commands']) == 1, 'all five ports in one ovs-vsctl transaction'
    assert ovs.ports('br0') == ['gre-sv1', 'gre-sv2', 'gre-sv3', 'gre-sv4', 'gre-sv5', 't-vna1']
    assert ovs.interface('gre-sv3')['options'] == {'remote_ip': '192.0.2.13', 'local_ip': '192.0.2.1'}

    before = ovs.snapshot()
    again = gre(ovs, bridge='br0', local_ip='192.0.2.1', mtu_request=1458, ports=peers, purge=True)
    assert again['changed'] is False
    assert ovs.snapshot() == before

    peers[0]['remote_ip'] = '192.0.2.111'
    result = gre(ovs, bridge='br0', local_ip='192.0.2.1', mtu_request=1458, ports=peers[:3], purge=True)
    assert result['changed'] is True
    assert len(result['commands']) == 1
    assert sorted(result['purged']) == ['gre-sv4', 'gre-sv5']
    assert sorted(result['diff']['before']) == ['gre-sv1', 'gre-sv4', 'gre-sv5']
    assert ovs.ports('br0') == ['gre-sv1', 'gre-sv2', 'gre-sv3', 't-vna1']
    assert ovs.interface('gre-sv1')['options']['remote_ip'] == '192.0.2.111'


def test_through_ansible_playbook(ovs):
    """The same module through ansible-playbook: FQCN resolution, check mode and diff."""
    proc = subprocess.run(
        [os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'),
         '-i', 'localhost,', '-c', 'local', '-e', 'ovs_db=' + ovs.db,
         '-e', 'ansible_python_interpreter=' + sys.executable,
         os.path.join(ROOT, 'tests', 'integration', 'playbooks', 'ovs_gre_port.yml')],
        cwd=ROOT, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert ovs.ports('br0') == ['gre-sv1', 'gre-sv2']


def test_a_port_ovs_vswitchd_refuses_fails_now_and_on_every_later_run(ovs):
    """Two GRE ports with the same endpoints and key: OVS 3.1 writes the second row, but
    ovs-vswitchd refuses the port (error "could not add network device ... (File exists)",
    ofport -1)."""
    args = dict(bridge='br0', local_ip='192.0.2.10', remote_ip='192.0.2.11', key='5')
    assert gre(ovs, name='gre-sv1', **args)['changed'] is True
    result = gre(ovs, name='gre-dup', **args)
    reason = 'gre-dup: could not add network device gre-dup to ofproto (File exists) (ofport -1)'
    assert result['failed'] is True and result['changed'] is True
    assert result['msg'] == 'ovs-vswitchd did not set up ' + reason
    assert result['refused'] == {'gre-dup': reason}
    before = ovs.snapshot()
    again = gre(ovs, name='gre-dup', **args)
    assert again['failed'] is True and again['changed'] is False and again['commands'] == []
    assert again['msg'] == 'ovs-vswitchd did not set up ' + reason
    assert ovs.snapshot() == before
    bulk = gre(ovs, bridge='br0', local_ip='192.0.2.10', key='5',
               ports=[dict(name='gre-sv1', remote_ip='192.0.2.11'), dict(name='gre-dup', remote_ip='192.0.2.11')])
    assert bulk['failed'] is True and bulk['refused'] == {'gre-dup': reason}
    # Given its own endpoint, the port is set up and the task passes.
    args['remote_ip'] = '192.0.2.12'
    fixed = gre(ovs, name='gre-dup', **args)
    assert fixed.get('failed') is None and fixed['changed'] is True
    assert int(ovs.vsctl('get', 'Interface', 'gre-dup', 'ofport')) > 0


def test_an_unknown_interface_type_is_reported(ovs):
    """A port of the same name turned into an unknown type by hand, then adopted."""
    ovs.vsctl('add-port', 'br0', 'gre-x', '--', 'set', 'Interface', 'gre-x', 'type=nosuchtype')
    assert ovs.vsctl('get', 'Interface', 'gre-x', 'ofport').strip() == '-1'
    result = gre(ovs, bridge='br0', name='gre-x', remote_ip='192.0.2.11', force=True)
    # The module fixes the type: ovs-vswitchd then sets the port up.
    assert result.get('failed') is None and result['changed'] is True
    assert int(ovs.vsctl('get', 'Interface', 'gre-x', 'ofport')) > 0
