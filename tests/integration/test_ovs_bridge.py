"""ovs_bridge against a real Open vSwitch."""

import json
import os
import subprocess
import sys

import pytest

from tests.support.runner import ROOT, run_module

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


@pytest.mark.parametrize('args, msg', [
    (dict(datapath_id='0000000000000000'), "datapath_id: '0000000000000000' is all zeros, which Open vSwitch ignores"),
    (dict(hwaddr='03:00:0a:00:01:0a'), 'hwaddr: 03:00:0a:00:01:0a is a multicast address (the first octet is odd), '
                                       'which Open vSwitch refuses for a bridge'),
    (dict(datapath_type='nosuch'), 'value of datapath_type must be one of: system, netdev, got: nosuch'),
    (dict(controllers=['tcp:nonsense']), "controllers: 'tcp:nonsense' is not a controller target"),
    (dict(name='br\x011'), "name: 'br\\x011' is not a valid bridge name"),
], ids=['all-zero-dpid', 'multicast-hwaddr', 'datapath-type', 'controller', 'control-character'])
def test_what_ovs_ignores_is_refused_before_any_change(ovs, args, msg):
    """OVS 3.1 stores an all-zero datapath-id, a multicast hwaddr, an unknown datapath_type or a
    malformed controller target, then ignores it (at most a line in its log)."""
    bridge(ovs, **SEED)
    before = ovs.snapshot()
    result = bridge(ovs, **dict(SEED, **args))
    assert result['failed'] is True and result.get('changed') is not True
    assert result['msg'].startswith(msg)
    assert ovs.snapshot() == before


def test_a_bridge_ovs_vswitchd_cannot_create(ovs):
    """A system (kernel) datapath without the openvswitch kernel module, as in this sandbox:
    OVS 3.1 keeps the row, gives it no datapath_id and no error column (only its log, and
    ovs-vsctl's stderr, say so)."""
    result = bridge(ovs, name='br2', datapath_type='system')
    assert result['failed'] is True and result['changed'] is True
    assert result['msg'] == ('ovs-vswitchd did not set up bridge br2 (it has no datapath_id; datapath_type system: '
                             'is the openvswitch kernel module loaded?); see the ovs-vswitchd log')


def test_an_unquoted_mac_or_dpid_gets_a_hint_through_ansible_playbook(ovs, tmp_path):
    """YAML 1.1 reads 12:34:56:12:34:56 as a base-60 number and 0x... as hex; Ansible turns the
    number into its decimal digits before the module sees it."""
    playbook = tmp_path / 'unquoted.yml'
    playbook.write_text(PLAYBOOK)
    proc = subprocess.run(
        [os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), '-i', 'localhost,', '-c', 'local',
         '-e', 'ovs_db=' + ovs.db, '-e', 'ansible_python_interpreter=' + sys.executable, str(playbook)],
        cwd=ROOT, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert 'br1' not in ovs.vsctl('list-br').split()


PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Unquoted MAC
      openvnet.openvnet.ovs_bridge: {db: "{{ ovs_db }}", name: br1, hwaddr: 12:34:56:12:34:56}
      register: mac
      ignore_errors: true
    - name: Unquoted datapath id
      openvnet.openvnet.ovs_bridge: {db: "{{ ovs_db }}", name: br1, datapath_id: 0x000002000a00010a}
      register: dpid
      ignore_errors: true
    - ansible.builtin.assert:
        that:
          - mac is failed and mac.msg.endswith('quote it')
          - dpid is failed and dpid.msg.endswith('quote it')
"""
