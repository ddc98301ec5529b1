"""ovs_bridge against a real Open vSwitch."""

import json

from tests.support.runner import run_module

SEED = dict(name='br1', datapath_id='02:00:0A:00:01:0A', hwaddr='02:00:0a:00:01:0a',
            protocols=['OpenFlow10', 'OpenFlow12', 'OpenFlow13'], disable_in_band=True,
            fail_mode='standalone', controllers=['tcp:127.0.0.1:6633'], datapath_type='netdev')


def bridge(ovs, check=False, **args):
    return run_module('ovs_bridge', dict(args, db=ovs.db), check=check, diff=True)


def row(ovs, name):
    out = ovs.vsctl('--format=json', '--data=json', '--columns=fail_mode,protocols,other_config,external_ids',
                    'list', 'Bridge', name)
    fail_mode, protocols, other, ids = json.loads(out)['data'][0]
    protocols = [protocols] if isinstance(protocols, str) else protocols[1]
    return fail_mode, sorted(protocols), dict(other[1]), dict(ids[1])


def test_the_manual_procedures_bridge_then_nothing_to_do(ovs):
    result = bridge(ovs, **SEED)
    assert result['changed'] is True and len(result['commands']) == 1
    fail_mode, protocols, other, ids = row(ovs, 'br1')
    assert fail_mode == 'standalone'
    assert protocols == ['OpenFlow10', 'OpenFlow12', 'OpenFlow13']
    assert other == {'datapath-id': '000002000a00010a', 'hwaddr': '02:00:0a:00:01:0a', 'disable-in-band': 'true'}
    assert ids == {'managed_by': 'openvnet.openvnet'}
    assert ovs.vsctl('get-controller', 'br1').split() == ['tcp:127.0.0.1:6633']
    # ovs-vswitchd took the datapath id.
    assert ovs.vsctl('get', 'Bridge', 'br1', 'datapath_id').strip() == '"000002000a00010a"'
    before = ovs.snapshot()
    again = bridge(ovs, **SEED)
    assert again['changed'] is False and again['commands'] == []
    assert ovs.snapshot() == before


def test_drift_is_corrected(ovs):
    bridge(ovs, **SEED)
    ovs.vsctl('set-fail-mode', 'br1', 'secure', '--', 'del-controller', 'br1', '--',
              'set', 'Bridge', 'br1', 'protocols=OpenFlow13')
    result = bridge(ovs, **SEED)
    assert result['changed'] is True
    assert row(ovs, 'br1')[:2] == ('standalone', ['OpenFlow10', 'OpenFlow12', 'OpenFlow13'])
    assert ovs.vsctl('get-controller', 'br1').split() == ['tcp:127.0.0.1:6633']


def test_check_mode_and_absent(ovs):
    before = ovs.snapshot()
    assert bridge(ovs, check=True, **SEED)['changed'] is True
    assert ovs.snapshot() == before
    bridge(ovs, **SEED)
    assert bridge(ovs, name='br1', state='absent')['changed'] is True
    assert 'br1' not in ovs.vsctl('list-br').split()


def test_a_bridge_made_by_hand_is_left_alone(ovs):
    # br0 comes from the fixture, made by plain ovs-vsctl.
    before = ovs.snapshot()
    for args in (dict(name='br0', fail_mode='secure'), dict(name='br0', state='absent')):
        result = bridge(ovs, **args)
        assert result.get('failed') is True and 'not created by this module' in result['msg']
    assert bridge(ovs, name='br1', datapath_id='0x12')['msg'].startswith('datapath_id:')
    assert ovs.snapshot() == before


def test_an_all_zero_datapath_id_is_refused_now_and_later(ovs):
    """OVS 3.1 stores other_config:datapath-id=0000000000000000 but ovs-vswitchd ignores it
    (no error anywhere, not even in its log) and derives the id from a MAC."""
    args = dict(SEED)
    args['datapath_id'] = '0000000000000000'
    result = bridge(ovs, **args)
    assert result['failed'] is True and result['changed'] is True
    in_use = json.loads(ovs.vsctl('--format=json', 'get', 'Bridge', 'br1', 'datapath_id'))
    assert in_use != '0000000000000000'
    assert result['msg'] == ('ovs-vswitchd did not take datapath-id 0000000000000000 for bridge br1: it uses %s '
                             '(it ignores an all-zero datapath-id)' % in_use)
    before = ovs.snapshot()
    again = bridge(ovs, **args)
    assert again['failed'] is True and again['changed'] is False and again['commands'] == []
    assert ovs.snapshot() == before
    fixed = bridge(ovs, **SEED)
    assert fixed.get('failed') is None and fixed['changed'] is True


def test_a_bridge_ovs_vswitchd_cannot_create(ovs):
    """An unknown datapath_type: OVS 3.1 keeps the row, gives it no datapath_id and no error
    column (only its log, and ovs-vsctl's stderr, say so)."""
    result = bridge(ovs, name='br2', datapath_type='nosuch')
    assert result['failed'] is True and result['changed'] is True
    assert result['msg'] == ('ovs-vswitchd did not set up bridge br2 (it has no datapath_id; datapath_type nosuch); '
                             'see the ovs-vswitchd log')
