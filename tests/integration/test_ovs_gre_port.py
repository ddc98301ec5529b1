"""ovs_gre_port against a real Open vSwitch (ovsdb-server + ovs-vswitchd)."""

import json
import os
import subprocess
import sys

import pytest

from tests.support.ovs_sandbox import interposed_vsctl
from tests.support.runner import ROOT, run_module

OWNER = {'managed_by': 'openvnet.openvnet'}


def gre(ovs, _check=False, **args):
    return run_module('ovs_gre_port', dict(args, db=ovs.db), check=_check, diff=True)


def uuid_of(ovs, name):
    return ovs.vsctl('get', 'Interface', name, '_uuid').strip()


def test_create_then_second_run_changes_nothing(ovs):
    result = gre(ovs, bridge='br0', name='gre-sv1', remote_ip='192.0.2.11',
                 local_ip='192.0.2.10', key='5')
    assert result['changed'] is True
    assert len(result['commands']) == 1
    assert ovs.interface('gre-sv1') == {
        'type': 'gre', 'options': {'remote_ip': '192.0.2.11', 'local_ip': '192.0.2.10', 'key': '5'},
        'external_ids': OWNER, 'mtu_request': None}
    assert ovs.ports('br0') == ['gre-sv1']
    # ovs-vswitchd accepted the tunnel: it has an OpenFlow port and no error.
    assert int(ovs.vsctl('get', 'Interface', 'gre-sv1', 'ofport')) > 0
    assert ovs.vsctl('get', 'Interface', 'gre-sv1', 'error').strip() == '[]'

    before = ovs.snapshot()
    again = gre(ovs, bridge='br0', name='gre-sv1', remote_ip='192.0.2.11',
                local_ip='192.0.2.10', key=5)
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
    gre(ovs, bridge='br0', name='gre-sv1', remote_ip='192.0.2.11')
    ovs.vsctl('set', 'Interface', 'gre-sv1', 'options:remote_ip=192.0.2.99', 'options:pmtud=true')
    result = gre(ovs, bridge='br0', name='gre-sv1', remote_ip='192.0.2.11')
    assert result['changed'] is True
    assert ovs.interface('gre-sv1')['options'] == {'remote_ip': '192.0.2.11'}


def test_mtu_request_is_refused_ovs_ignores_it_on_tunnels(ovs):
    """OVS 3.1 stores mtu_request on a GRE interface and never applies it (mtu stays empty)."""
    ovs.vsctl('add-port', 'br0', 'gre-hand', '--', 'set', 'Interface', 'gre-hand', 'type=gre',
              'options:remote_ip=192.0.2.99', 'mtu_request=1458')
    assert ovs.vsctl('get', 'Interface', 'gre-hand', 'mtu').strip() == '[]'
    before = ovs.snapshot()
    for args in (dict(name='gre-sv1', remote_ip='192.0.2.11', mtu_request=1458),
                 dict(ports=[dict(name='gre-sv1', remote_ip='192.0.2.11')], mtu_request=1458)):
        result = gre(ovs, bridge='br0', **args)
        assert result.get('failed') is True
        assert result['msg'].startswith('mtu_request: Open vSwitch ignores mtu_request on tunnel ports')
    assert ovs.snapshot() == before


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
    result = gre(ovs, bridge='br0', ports=[dict(name='gre-sv1', remote_ip='192.0.2.12')], purge=True)
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


def test_absent_from_a_bridge_that_does_not_hold_the_port_leaves_it(ovs):
    ovs.add_bridge('br1')
    gre(ovs, bridge='br0', name='gre-sv1', remote_ip='192.0.2.11')
    before = ovs.snapshot()
    result = gre(ovs, bridge='br1', name='gre-sv1', state='absent')
    assert result.get('failed') is True
    assert result['msg'] == 'bridge: port gre-sv1 is on bridge br0, not br1; it is left alone'
    assert ovs.snapshot() == before


def test_purge_leaves_a_marked_port_that_is_no_tunnel(ovs):
    ovs.vsctl('add-port', 'br0', 'tap-vm1', '--', 'set', 'Interface', 'tap-vm1', 'type=internal',
              'external_ids:managed_by=openvnet.openvnet')
    gre(ovs, bridge='br0', name='gre-sv1', remote_ip='192.0.2.11')
    result = gre(ovs, bridge='br0', ports=[], purge=True)
    assert result['purged'] == ['gre-sv1']
    assert ovs.ports('br0') == ['tap-vm1']


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
    (dict(name='gre-sv1', remote_ip='224.0.0.5'), 'remote_ip'),
    (dict(name='gre-sv1', remote_ip='0.0.0.0'), 'remote_ip'),
    (dict(name='gre-sv1', remote_ip='2001:db8::2', local_ip='fe80::1'), 'local_ip'),
    (dict(name='gre\x01sv1', remote_ip='192.0.2.11'), 'name'),
], ids=['ipv4', 'ipv6', 'family', 'name', 'bridge', 'keys', 'local', 'bulk', 'multicast', 'unspecified',
        'link-local', 'control-character'])
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
    result = gre(ovs, bridge='br0', local_ip='192.0.2.1', ports=peers)
    assert result['changed'] is True
    assert len(result['commands']) == 1, 'all five ports in one ovs-vsctl transaction'
    assert ovs.ports('br0') == ['gre-sv1', 'gre-sv2', 'gre-sv3', 'gre-sv4', 'gre-sv5', 't-vna1']
    assert ovs.interface('gre-sv3')['options'] == {'remote_ip': '192.0.2.13', 'local_ip': '192.0.2.1'}

    before = ovs.snapshot()
    again = gre(ovs, bridge='br0', local_ip='192.0.2.1', ports=peers, purge=True)
    assert again['changed'] is False
    assert ovs.snapshot() == before

    peers[0]['remote_ip'] = '192.0.2.111'
    result = gre(ovs, bridge='br0', local_ip='192.0.2.1', ports=peers[:3], purge=True)
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


def test_endpoints_of_another_tunnel_are_refused_before_any_change(ovs):
    """Two GRE ports with the same endpoints and key on one datapath: OVS 3.1 writes the second
    row, but ovs-vswitchd refuses the port ("could not add network device ... (File exists)",
    ofport -1). The module refuses it first: against ports in OVSDB, on any bridge of the
    datapath, and within the task."""
    args = dict(local_ip='192.0.2.10', remote_ip='192.0.2.11', key='5')
    assert gre(ovs, bridge='br0', name='gre-sv1', **args)['changed'] is True
    ovs.add_bridge('br1')
    before = ovs.snapshot()
    for bridge in ('br0', 'br1'):
        result = gre(ovs, bridge=bridge, name='gre-dup', **args)
        assert result['failed'] is True and result.get('changed') is not True
        assert result['msg'] == (
            'remote_ip 192.0.2.11 with local_ip 192.0.2.10 and key 5 is already that of port gre-sv1 on bridge '
            'br0; Open vSwitch refuses a second GRE port with the same endpoints and key (use another key or '
            'address)')
    bulk = gre(ovs, bridge='br0', local_ip='192.0.2.10', key='5',
               ports=[dict(name='gre-a', remote_ip='192.0.2.21'), dict(name='gre-b', remote_ip='192.0.2.21')])
    assert bulk['failed'] is True and bulk['msg'].startswith('ports[1] (gre-b): remote_ip 192.0.2.21')
    assert ovs.snapshot() == before
    # Given its own key, the port is set up.
    args['key'] = '6'
    fixed = gre(ovs, bridge='br0', name='gre-dup', **args)
    assert fixed.get('failed') is None and fixed['changed'] is True
    assert int(ovs.vsctl('get', 'Interface', 'gre-dup', 'ofport')) > 0


def test_a_purged_ports_endpoints_are_refused_in_the_same_transaction(ovs):
    """OVS 3.1 refuses (File exists) a port added in the transaction that deletes the port whose
    endpoints it takes; it sets it up on its next reconfiguration."""
    gre(ovs, bridge='br0', ports=[dict(name='gre-old', remote_ip='192.0.2.13')])
    before = ovs.snapshot()
    result = gre(ovs, bridge='br0', ports=[dict(name='gre-new', remote_ip='192.0.2.13')], purge=True)
    assert result['failed'] is True
    assert 'already that of port gre-old on bridge br0 (purged by this task' in result['msg']
    assert ovs.snapshot() == before
    assert gre(ovs, bridge='br0', ports=[], purge=True)['purged'] == ['gre-old']
    result = gre(ovs, bridge='br0', ports=[dict(name='gre-new', remote_ip='192.0.2.13')], purge=True)
    assert result.get('failed') is None and result['changed'] is True
    assert int(ovs.vsctl('get', 'Interface', 'gre-new', 'ofport')) > 0


def test_a_port_ovs_vswitchd_refused_fails_every_run(ovs):
    """A duplicate made by hand (refused by ovs-vswitchd) and then adopted: the module names the
    port it collides with, before any change, on every run."""
    gre(ovs, bridge='br0', name='gre-sv1', remote_ip='192.0.2.11', local_ip='192.0.2.10')
    ovs.vsctl('add-port', 'br0', 'gre-dup', '--', 'set', 'Interface', 'gre-dup', 'type=gre',
              'options:remote_ip=192.0.2.11', 'options:local_ip=192.0.2.10')
    assert ovs.vsctl('get', 'Interface', 'gre-dup', 'ofport').strip() == '-1'
    before = ovs.snapshot()
    result = gre(ovs, bridge='br0', name='gre-dup', remote_ip='192.0.2.11', local_ip='192.0.2.10', force=True)
    assert result['failed'] is True and 'already that of port gre-sv1 on bridge br0' in result['msg']
    result = gre(ovs, bridge='br0', name='gre-sv1', remote_ip='192.0.2.11', local_ip='192.0.2.10')
    assert result['failed'] is True and 'already that of port gre-dup on bridge br0' in result['msg']
    assert ovs.snapshot() == before


def test_an_unknown_interface_type_is_reported(ovs):
    """A port of the same name turned into an unknown type by hand, then adopted."""
    ovs.vsctl('add-port', 'br0', 'gre-x', '--', 'set', 'Interface', 'gre-x', 'type=nosuchtype')
    assert ovs.vsctl('get', 'Interface', 'gre-x', 'ofport').strip() == '-1'
    result = gre(ovs, bridge='br0', name='gre-x', remote_ip='192.0.2.11', force=True)
    # The module fixes the type: ovs-vswitchd then sets the port up.
    assert result.get('failed') is None and result['changed'] is True
    assert int(ovs.vsctl('get', 'Interface', 'gre-x', 'ofport')) > 0


# Issue 23: ovs_gre_port takes IPv6 endpoints with type gre, so an IPv4-mapped spelling of a
# port's endpoint used to be written, and ovs-vswitchd refused it (File exists).
def test_an_ipv4_mapped_spelling_of_an_endpoint_is_refused_before_any_write(ovs):
    assert gre(ovs, bridge='br0', name='gre-sv1', remote_ip='192.0.2.11')['changed'] is True
    before = ovs.snapshot()
    result = gre(ovs, bridge='br0', name='gre-dup', remote_ip='::ffff:192.0.2.11')
    assert result['failed'] is True and 'is already that of port gre-sv1 on bridge br0' in result['msg'], result
    scoped = gre(ovs, bridge='br0', name='gre-sv1', remote_ip='2001:db8::11%lo')
    assert scoped['failed'] is True and 'has a scope id' in scoped['msg'], scoped
    assert ovs.snapshot() == before


def test_two_runs_at_once_converge(ovs, tmp_path):
    """The other run's add-port lands between this run's read and its write (an ovs-vsctl first
    in PATH runs it first); then the same for del-port."""
    args = dict(bridge='br0', name='gre-sv1', remote_ip='192.0.2.11', local_ip='192.0.2.10', db=ovs.db)
    for word, state in (('add-port', 'present'), ('del-port', 'absent')):
        job = dict(args, state=state)
        spec = tmp_path / ('%s.json' % word)
        spec.write_text(json.dumps({'ANSIBLE_MODULE_ARGS': job}))
        out = tmp_path / ('%s.out' % word)
        bindir = interposed_vsctl(tmp_path / word, word, [
            sys.executable, '-m', 'ansible_collections.openvnet.openvnet.plugins.modules.ovs_gre_port', str(spec)], out)
        result = run_module('ovs_gre_port', job, diff=True, env=dict(PATH=bindir + os.pathsep + os.environ['PATH']))
        assert json.loads(out.read_text())['changed'] is True
        assert result.get('failed') is None and result['changed'] is False and result['commands'] == [], result
    assert ovs.ports('br0') == []
