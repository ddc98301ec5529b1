"""ovs_tunnel_port against a real Open vSwitch (ovsdb-server + ovs-vswitchd, userspace datapath).

What ovs-vswitchd does is checked beside what the module does: a pair of ports the module
refuses is made by hand to show that ovs-vswitchd refuses it too, and a pair it accepts is set
up by ovs-vswitchd."""

import json
import os
import subprocess
import sys

import pytest

from tests.support.ovs_sandbox import interposed_vsctl
from tests.support.runner import ROOT, run_module

OWNER = {'managed_by': 'openvnet.openvnet'}


def tun(ovs, _check=False, **args):
    return run_module('ovs_tunnel_port', dict(args, db=ovs.db), check=_check, diff=True)


def gre(ovs, **args):
    return run_module('ovs_gre_port', dict(args, db=ovs.db), diff=True)


def ofport(ovs, name):
    return int(ovs.vsctl('get', 'Interface', name, 'ofport'))


def uuid_of(ovs, name):
    return ovs.vsctl('get', 'Interface', name, '_uuid').strip()


def by_hand(ovs, name, kind, **options):
    """A port made with plain ovs-vsctl (no mark), as vna or a person would."""
    ovs.vsctl('add-port', 'br0', name, '--', 'set', 'Interface', name, 'type=' + kind,
              *['options:%s=%s' % item for item in sorted(options.items())])


@pytest.mark.parametrize('args, options', [
    (dict(type='vxlan', remote_ip='192.0.2.11', local_ip='192.0.2.10', key=100),
     {'remote_ip': '192.0.2.11', 'local_ip': '192.0.2.10', 'key': '100'}),
    (dict(type='vxlan', remote_ip='2001:db8::11', local_ip='2001:db8::10', key='16777215', dst_port=4790, csum=True),
     {'remote_ip': '2001:db8::11', 'local_ip': '2001:db8::10', 'key': '16777215', 'dst_port': '4790', 'csum': 'true'}),
    (dict(type='geneve', remote_ip='192.0.2.11', key=0, dst_port=6081, csum=False),
     {'remote_ip': '192.0.2.11', 'key': '0', 'dst_port': '6081', 'csum': 'false'}),
    (dict(type='geneve', remote_ip='2001:db8::11', local_ip='2001:db8::10', in_key='flow', out_key=7, csum=True),
     {'remote_ip': '2001:db8::11', 'local_ip': '2001:db8::10', 'in_key': 'flow', 'out_key': '7', 'csum': 'true'}),
    (dict(type='ip6gre', remote_ip='2001:db8::11', local_ip='2001:db8::10', key=4294967295),
     {'remote_ip': '2001:db8::11', 'local_ip': '2001:db8::10', 'key': '4294967295'}),
    (dict(remote_ip='192.0.2.11', key='flow'), {'remote_ip': '192.0.2.11', 'key': 'flow'}),
], ids=['vxlan4', 'vxlan6', 'geneve4', 'geneve6', 'ip6gre', 'gre'])
def test_each_type_created_then_second_run_changes_nothing(ovs, args, options):
    checked = tun(ovs, _check=True, bridge='br0', name='tun-sv1', **args)
    assert ovs.ports('br0') == []
    result = tun(ovs, bridge='br0', name='tun-sv1', **args)
    assert result['changed'] is True
    assert result.get('warnings') is None, 'numbers given for str options pass without a warning'
    kind = args.get('type', 'gre')
    assert ovs.interface('tun-sv1') == {'type': kind, 'options': options, 'external_ids': OWNER,
                                        'mtu_request': None}
    # ovs-vswitchd set the tunnel up: an OpenFlow port and no error.
    assert ofport(ovs, 'tun-sv1') > 0
    assert ovs.vsctl('get', 'Interface', 'tun-sv1', 'error').strip() == '[]'
    # Check mode predicted the same transaction and diff.
    assert checked['changed'] is True
    assert checked['commands'] == result['commands']
    assert checked['diff'] == result['diff'] == {'before': {}, 'after': result['port']}

    before = ovs.snapshot()
    again = tun(ovs, bridge='br0', name='tun-sv1', **args)
    assert again['changed'] is False and again['commands'] == []
    assert ovs.snapshot() == before


def test_the_ovs_bridge_role_shape_with_nulls(ovs):
    """Every field in every item, as the role passes them; null means not set."""
    ports = [
        dict(name='gre-sv1', type='gre', remote_ip='192.0.2.11', local_ip='192.0.2.10', key=None, dst_port=None,
             csum=False),
        dict(name='vxlan-sv2', type='vxlan', remote_ip='192.0.2.12', local_ip='192.0.2.10', key=0, dst_port=4789,
             csum=False),
        dict(name='geneve-sv3', type='geneve', remote_ip='2001:db8::13', local_ip='2001:db8::10', key=5,
             dst_port=6081, csum=True),
        dict(name='gre-sv4', type='ip6gre', remote_ip='2001:db8::14', local_ip='2001:db8::10', key=None,
             dst_port=None, csum=False),
    ]
    result = tun(ovs, bridge='br0', ports=ports, purge=True)
    assert result['changed'] is True and len(result['commands']) == 1
    assert ovs.interface('gre-sv1')['options'] == {'remote_ip': '192.0.2.11', 'local_ip': '192.0.2.10',
                                                   'csum': 'false'}
    assert ovs.interface('geneve-sv3')['options'] == {'remote_ip': '2001:db8::13', 'local_ip': '2001:db8::10',
                                                      'key': '5', 'dst_port': '6081', 'csum': 'true'}
    assert all(ofport(ovs, p['name']) > 0 for p in ports)
    before = ovs.snapshot()
    again = tun(ovs, bridge='br0', ports=ports, purge=True)
    assert again['changed'] is False and again['purged'] == []
    assert ovs.snapshot() == before


def test_type_change_is_made_in_place(ovs):
    """gre -> vxlan -> geneve -> ip6gre under one name: the row and the OpenFlow port stay."""
    gre(ovs, bridge='br0', name='tun-sv1', remote_ip='192.0.2.11', local_ip='192.0.2.10')
    row, number = uuid_of(ovs, 'tun-sv1'), ofport(ovs, 'tun-sv1')
    steps = [dict(type='vxlan', remote_ip='192.0.2.11', local_ip='192.0.2.10', key=5),
             dict(type='geneve', remote_ip='192.0.2.11', local_ip='192.0.2.10', key=5, dst_port=6082),
             dict(type='ip6gre', remote_ip='2001:db8::11')]
    for args in steps:
        checked = tun(ovs, _check=True, bridge='br0', name='tun-sv1', **args)
        result = tun(ovs, bridge='br0', name='tun-sv1', **args)
        assert result['changed'] is True and result.get('failed') is None, result
        assert checked['commands'] == result['commands']
        # One "set Interface" with the type and the options.
        assert result['commands'][0][3:] == ['--', 'set', 'Interface', 'tun-sv1', 'type=' + args['type'],
                                             result['commands'][0][-1]]
        assert result['commands'][0][-1].startswith('options={')
        assert result['diff']['after']['type'] == args['type']
        assert ovs.interface('tun-sv1')['type'] == args['type']
        assert uuid_of(ovs, 'tun-sv1') == row, 'the row was recreated, not updated'
        assert ofport(ovs, 'tun-sv1') == number
    assert ovs.interface('tun-sv1')['options'] == {'remote_ip': '2001:db8::11'}


# Pairs of ports on one datapath: (first, second, does ovs-vswitchd refuse the second).
R4, L4, R6 = '192.0.2.21', '192.0.2.10', '2001:db8::21'
PAIRS = [
    (dict(type='vxlan', remote_ip=R4, key=5), dict(type='vxlan', remote_ip=R4, key=5), True),
    (dict(type='vxlan', remote_ip=R4, key=5), dict(type='vxlan', remote_ip=R4, key=5, dst_port=4789), True),
    (dict(type='vxlan', remote_ip=R4, in_key=5, out_key=1), dict(type='vxlan', remote_ip=R4, in_key=5, out_key=2),
     True),
    (dict(type='vxlan', remote_ip=R4), dict(type='vxlan', remote_ip=R4, key=0), True),
    (dict(type='geneve', remote_ip=R6, key=7), dict(type='geneve', remote_ip=R6, key=7, dst_port=6081), True),
    (dict(type='ip6gre', remote_ip=R6), dict(type='ip6gre', remote_ip=R6), True),
    (dict(type='vxlan', remote_ip=R4, key=5), dict(type='vxlan', remote_ip=R4, key=5, dst_port=4790), False),
    (dict(type='vxlan', remote_ip=R4, key=5), dict(type='vxlan', remote_ip=R4, key=6), False),
    (dict(type='vxlan', remote_ip=R4, key=5), dict(type='vxlan', remote_ip=R4, key=5, local_ip=L4), False),
    (dict(type='vxlan', remote_ip=R4, key=5), dict(type='geneve', remote_ip=R4, key=5), False),
    (dict(type='vxlan', remote_ip=R4, key=5), dict(type='vxlan', remote_ip=R4, key='flow'), False),
    (dict(type='gre', remote_ip=R4), dict(type='vxlan', remote_ip=R4), False),
    (dict(type='geneve', remote_ip=R6), dict(type='ip6gre', remote_ip=R6), False),
]
PAIR_IDS = ['vxlan-same', 'vxlan-default-port-written', 'vxlan-same-in-key', 'vxlan-key-0-is-no-key',
            'geneve-default-port-written', 'ip6gre-same', 'vxlan-other-port', 'vxlan-other-vni',
            'vxlan-with-local', 'vxlan-and-geneve', 'vxlan-flow-key', 'gre-and-vxlan', 'geneve-and-ip6gre']


def hand_options(args):
    return dict((k, v) for k, v in args.items() if k != 'type')


@pytest.mark.parametrize('first, second, refused', PAIRS, ids=PAIR_IDS)
def test_endpoints_ovs_vswitchd_refuses_are_refused_first(ovs, first, second, refused):
    assert tun(ovs, bridge='br0', name='tun-a', **first)['changed'] is True
    # What ovs-vswitchd does with the second port, made by hand.
    by_hand(ovs, 'hand-b', second['type'], **hand_options(second))
    assert (ofport(ovs, 'hand-b') == -1) is refused
    ovs.vsctl('del-port', 'br0', 'hand-b')
    # The module, against the port in OVSDB...
    before = ovs.snapshot()
    alone = tun(ovs, bridge='br0', name='tun-b', **second)
    if refused:
        assert alone['failed'] is True and 'is already that of port tun-a on bridge br0' in alone['msg']
        assert ovs.snapshot() == before
    else:
        assert alone.get('failed') is None and alone['changed'] is True, alone
        assert [ofport(ovs, n) > 0 for n in ('tun-a', 'tun-b')] == [True, True]
    # ... and within one task.
    assert tun(ovs, bridge='br0', ports=[], purge=True)['changed'] is True
    before = ovs.snapshot()
    both = tun(ovs, bridge='br0', ports=[dict(first, name='tun-c'), dict(second, name='tun-d')])
    if refused:
        assert both['failed'] is True and both['msg'].startswith('ports[1] (tun-d): remote_ip ')
        assert 'is also that of tun-c' in both['msg']
        assert ovs.snapshot() == before
    else:
        assert both.get('failed') is None and both['changed'] is True, both
        assert [ofport(ovs, n) > 0 for n in ('tun-c', 'tun-d')] == [True, True]


def test_purge_across_types_leaves_foreign_ports(ovs):
    gre(ovs, bridge='br0', name='gre-old', remote_ip='192.0.2.13')
    tun(ovs, bridge='br0', ports=[
        dict(name='vxlan-old', type='vxlan', remote_ip='192.0.2.14', key=1),
        dict(name='geneve-old', type='geneve', remote_ip='2001:db8::15'),
        dict(name='gre6-old', type='ip6gre', remote_ip='2001:db8::16'),
        dict(name='vxlan-sv1', type='vxlan', remote_ip='192.0.2.11', key=1)])
    # vna's ports and a tunnel made by hand: no mark.
    by_hand(ovs, 't-vna1', 'gre', remote_ip='192.0.2.99', in_key='flow', out_key='flow')
    by_hand(ovs, 'vxlan-hand', 'vxlan', remote_ip='192.0.2.98')
    keep = [dict(name='vxlan-sv1', type='vxlan', remote_ip='192.0.2.11', key=1)]
    before = ovs.snapshot()
    checked = tun(ovs, _check=True, bridge='br0', ports=keep, purge=True)
    assert ovs.snapshot() == before
    result = tun(ovs, bridge='br0', ports=keep, purge=True)
    assert result['changed'] is True and len(result['commands']) == 1
    assert sorted(result['purged']) == ['geneve-old', 'gre-old', 'gre6-old', 'vxlan-old']
    assert checked['purged'] == result['purged'] and checked['commands'] == result['commands']
    assert sorted(result['diff']['before']) == sorted(result['purged'])
    assert ovs.ports('br0') == ['t-vna1', 'vxlan-hand', 'vxlan-sv1']
    # ovs_gre_port's purge removes the owned tunnels of any type too.
    assert gre(ovs, bridge='br0', ports=[], purge=True)['purged'] == ['vxlan-sv1']
    assert ovs.ports('br0') == ['t-vna1', 'vxlan-hand']


def test_foreign_ports_are_left_alone(ovs):
    by_hand(ovs, 't-vna1', 'vxlan', remote_ip='192.0.2.99', key='flow')
    before = ovs.snapshot()
    for args in (dict(name='t-vna1', type='vxlan', remote_ip='192.0.2.12'), dict(name='t-vna1', state='absent')):
        result = tun(ovs, bridge='br0', **args)
        assert result['failed'] is True and 'was not created by this module' in result['msg']
    # Its endpoints are taken all the same.
    result = tun(ovs, bridge='br0', name='vxlan-sv1', type='vxlan', remote_ip='192.0.2.99', key='flow')
    assert result['failed'] is True and 'already that of port t-vna1 on bridge br0' in result['msg']
    assert ovs.snapshot() == before


@pytest.mark.parametrize('args, message', [
    (dict(type='vxlan', remote_ip='192.0.2.11', key=16777216), "key: '16777216' is not a number from 0 to 16777215"),
    (dict(type='gre', remote_ip='192.0.2.11', dst_port=4789), 'dst_port: only vxlan and geneve ports'),
    (dict(type='vxlan', remote_ip='192.0.2.11', dst_port=0), "dst_port: '0' is not a number from 1 to 65535"),
    (dict(type='vxlan', remote_ip='2001:db8::11', local_ip='192.0.2.10'), 'are not the same address family'),
    (dict(type='ip6gre', remote_ip='192.0.2.11'), 'type ip6gre is GRE over IPv6'),
    (dict(type='gre', remote_ip='2001:db8::11'), "Open vSwitch's type for GRE over IPv6 is ip6gre"),
    (dict(type='geneve', remote_ip='192.0.2.11', mtu_request=1450), 'mtu_request: Open vSwitch ignores'),
], ids=['vni', 'dst-port-on-gre', 'dst-port-0', 'families', 'ip6gre-ipv4', 'gre-ipv6', 'mtu'])
def test_bad_input_fails_and_leaves_ovsdb_as_it_was(ovs, args, message):
    tun(ovs, bridge='br0', name='tun-sv2', type='vxlan', remote_ip='192.0.2.12')
    before = ovs.snapshot()
    result = tun(ovs, bridge='br0', name='tun-sv1', **args)
    assert result.get('failed') is True and message in result['msg'], result
    assert ovs.snapshot() == before


def test_what_ovs_vswitchd_does_with_the_refused_inputs(ovs):
    """Why the module refuses them: ovs-vswitchd sets them up without an error (it logs
    "unknown gre argument 'dst_port'", keeps a VNI over 24 bits as another key) or refuses
    mixed families only once the row is written."""
    by_hand(ovs, 'h-gre', 'gre', remote_ip='192.0.2.11', dst_port='4789')
    by_hand(ovs, 'h-vni', 'vxlan', remote_ip='192.0.2.11', key='16777216')
    by_hand(ovs, 'h-vni0', 'vxlan', remote_ip='192.0.2.11', key='0')
    by_hand(ovs, 'h-mixed', 'vxlan', remote_ip='2001:db8::11', local_ip='192.0.2.10')
    assert [ofport(ovs, n) > 0 for n in ('h-gre', 'h-vni', 'h-vni0')] == [True] * 3
    assert ofport(ovs, 'h-mixed') == -1
    # ovs_gre_port keeps writing type=gre for IPv6 endpoints: userspace OVS sets it up.
    result = gre(ovs, bridge='br0', name='gre6', remote_ip='2001:db8::12', local_ip='2001:db8::10')
    assert result['changed'] is True and ovs.interface('gre6')['type'] == 'gre'
    assert ofport(ovs, 'gre6') > 0


def test_a_refusal_the_module_cannot_predict_is_read_back(ovs):
    """VXLAN-GBP and plain VXLAN on one UDP port: ovs-vswitchd refuses the plain one; the module
    reports it after the write, and on every later run."""
    by_hand(ovs, 'vxlan-gbp', 'vxlan', remote_ip='192.0.2.99', exts='gbp')
    assert ofport(ovs, 'vxlan-gbp') > 0
    args = dict(bridge='br0', name='vxlan-sv1', type='vxlan', remote_ip='192.0.2.11')
    result = tun(ovs, **args)
    assert result['failed'] is True and result['changed'] is True
    assert result['refused'] == {'vxlan-sv1': "vxlan-sv1: vxlan-sv1: VXLAN-GBP, and non-VXLAN-GBP tunnels can't be "
                                              "configured on the same dst_port (ofport -1)"}
    again = tun(ovs, **args)
    assert again['failed'] is True and again['changed'] is False and again['refused'] == result['refused']
    # On another UDP port it is set up.
    fixed = tun(ovs, **dict(args, dst_port=4790))
    assert fixed.get('failed') is None and fixed['changed'] is True
    assert ofport(ovs, 'vxlan-sv1') > 0


PLAYBOOK = """
- name: Ovs_tunnel_port through ansible-playbook, db from the ovs action group's defaults
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/openvnet.openvnet.ovs:
      db: "{{ ovs_db }}"
  vars:
    ports:
      - {name: vxlan-sv1, type: vxlan, remote_ip: 192.0.2.11, key: 1, dst_port: null, csum: false}
      - {name: gre-sv2, type: gre, remote_ip: 192.0.2.12, key: null, dst_port: null, csum: false}
  tasks:
    - name: Hub ports in check mode
      openvnet.openvnet.ovs_tunnel_port: {bridge: br0, local_ip: 192.0.2.10, ports: "{{ ports }}"}
      check_mode: true
      diff: true
      register: check
    - name: Hub ports
      openvnet.openvnet.ovs_tunnel_port: {bridge: br0, local_ip: 192.0.2.10, ports: "{{ ports }}"}
      register: first
    - name: Hub ports again
      openvnet.openvnet.ovs_tunnel_port: {bridge: br0, local_ip: 192.0.2.10, ports: "{{ ports }}"}
      register: second
    - name: Check mode predicted the change, the run made it, the re-run changed nothing
      ansible.builtin.assert:
        that:
          - check is changed
          - check.diff.after | length == 2
          - first is changed
          - first.ports['vxlan-sv1'].type == 'vxlan'
          - second is not changed
"""


def test_through_ansible_playbook_and_the_action_group(ovs, tmp_path):
    """FQCN resolution, the ovs action group (meta/runtime.yml), check mode and diff."""
    playbook = tmp_path / 'ovs_tunnel_port.yml'
    playbook.write_text(PLAYBOOK)
    proc = subprocess.run(
        [os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'),
         '-i', 'localhost,', '-c', 'local', '-e', 'ovs_db=' + ovs.db,
         '-e', 'ansible_python_interpreter=' + sys.executable, str(playbook)],
        cwd=ROOT, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert ovs.ports('br0') == ['gre-sv2', 'vxlan-sv1']


# Issue 23: endpoints as Open vSwitch and Linux compare them.
def test_an_ipv4_mapped_spelling_of_an_endpoint_is_that_endpoint(ovs):
    """ovs-vswitchd takes ::ffff:192.0.2.21 for 192.0.2.21 (File exists beside a port to it): the
    module refuses it before any write, and writes a mapped address alone as IPv4."""
    assert tun(ovs, bridge='br0', name='tun-a', type='vxlan', remote_ip='192.0.2.21', key=5)['changed'] is True
    by_hand(ovs, 'hand-b', 'vxlan', remote_ip='::ffff:192.0.2.21', key='5')
    assert ofport(ovs, 'hand-b') == -1
    ovs.vsctl('del-port', 'br0', 'hand-b')
    before = ovs.snapshot()
    result = tun(ovs, bridge='br0', name='tun-b', type='vxlan', remote_ip='::ffff:192.0.2.21', key=5)
    assert result['failed'] is True and result['msg'].startswith(
        'remote_ip 192.0.2.21 with local_ip unset, VNI 5 and dst_port 4789 is already that of port tun-a'), result
    both = tun(ovs, bridge='br0', ports=[dict(name='tun-c', type='geneve', remote_ip='192.0.2.22'),
                                         dict(name='tun-d', type='geneve', remote_ip='::FFFF:c000:216')])
    assert both['failed'] is True and 'is also that of tun-c' in both['msg'], both
    assert ovs.snapshot() == before
    # Alone, it is its IPv4 address: type gre applies, and a second run changes nothing.
    args = dict(bridge='br0', name='gre-m', remote_ip='::ffff:192.0.2.23', local_ip='::ffff:192.0.2.10')
    checked = tun(ovs, _check=True, **args)
    made = tun(ovs, **args)
    assert made['changed'] is True and checked['commands'] == made['commands'] and checked['diff'] == made['diff']
    assert ovs.interface('gre-m')['options'] == {'remote_ip': '192.0.2.23', 'local_ip': '192.0.2.10'}
    assert ofport(ovs, 'gre-m') > 0
    again = tun(ovs, **args)
    assert again['changed'] is False and again['commands'] == []


def test_a_scope_id_is_refused_before_it_overwrites_a_working_port(ovs):
    args = dict(bridge='br0', name='tun-sv1', type='geneve', remote_ip='2001:db8::11', key=7)
    assert tun(ovs, **args)['changed'] is True and ofport(ovs, 'tun-sv1') > 0
    # What ovs-vswitchd makes of a scoped global address: nothing ("bad geneve 'remote_ip'").
    by_hand(ovs, 'hand-b', 'geneve', remote_ip='2001:db8::12%lo', key='8')
    assert ofport(ovs, 'hand-b') == -1
    ovs.vsctl('del-port', 'br0', 'hand-b')
    before = ovs.snapshot()
    for field in ('remote_ip', 'local_ip'):
        result = tun(ovs, **dict(args, **{field: '2001:db8::11%lo'}))
        assert result['failed'] is True and result['msg'] == (
            "%s: '2001:db8::11%%lo' has a scope id (%%...), which Open vSwitch does not take; write the "
            "address alone" % field), result
    assert ovs.snapshot() == before and ofport(ovs, 'tun-sv1') > 0


# Issue 23: VXLAN and Geneve on one UDP port of one datapath.
def test_vxlan_and_geneve_on_one_udp_port_are_refused(ovs):
    """ovs-vswitchd sets both up without an error, and receives on the UDP port for one type
    only: the other peer's packets are dropped. The module refuses the second, against OVSDB
    (ours or not, on any bridge of the datapath) and within one task."""
    ovs.add_bridge('br1')
    by_hand(ovs, 'hand-vx', 'vxlan', remote_ip='192.0.2.31', dst_port='6081')
    ovs.vsctl('add-port', 'br1', 'hand-gen', '--', 'set', 'Interface', 'hand-gen', 'type=geneve',
              'options:remote_ip=192.0.2.32')
    assert [ofport(ovs, n) > 0 for n in ('hand-vx', 'hand-gen')] == [True, True]
    assert ovs.vsctl('get', 'Interface', 'hand-gen', 'error').strip() == '[]'
    ovs.vsctl('del-port', 'br1', 'hand-gen')
    before = ovs.snapshot()
    result = tun(ovs, bridge='br1', name='gen-sv1', type='geneve', remote_ip='192.0.2.33')
    assert result['failed'] is True and result['msg'] == (
        'dst_port 6081 is already the UDP destination port of port hand-vx on bridge br0, a VXLAN port; Open '
        'vSwitch receives on a UDP port for one tunnel type only and would drop the packets of the other '
        'without an error (give the Geneve port another dst_port)'), result
    both = tun(ovs, bridge='br0', ports=[dict(name='vx-a', type='vxlan', remote_ip='192.0.2.34', dst_port=4800),
                                         dict(name='gen-b', type='geneve', remote_ip='192.0.2.35', dst_port=4800)])
    assert both['failed'] is True and both['msg'].startswith(
        'ports[1] (gen-b): dst_port 4800 is also the UDP destination port of vx-a, a VXLAN port;'), both
    assert ovs.snapshot() == before
    # Another UDP port: set up, and a second run changes nothing.
    args = dict(bridge='br1', name='gen-sv1', type='geneve', remote_ip='192.0.2.33', dst_port=6082)
    assert tun(ovs, **args)['changed'] is True and ofport(ovs, 'gen-sv1') > 0
    assert tun(ovs, **args)['changed'] is False


# Issue 23: two runs at once. The other run's write is made to land between this run's read and
# its write (an ovs-vsctl first in PATH runs it before the first add-port or del-port).
MODULES = 'ansible_collections.openvnet.openvnet.plugins.modules.'


def racing(ovs, tmp_path, word, module, **args):
    """PATH for a module run whose write comes right after another run of ``module`` with
    ``args``; that run's result is read with the returned function."""
    other = tmp_path / 'other.json'
    other.write_text(json.dumps({'ANSIBLE_MODULE_ARGS': dict(args, db=ovs.db)}))
    out = tmp_path / 'other.out'
    bindir = interposed_vsctl(tmp_path / 'bin', word, [sys.executable, '-m', MODULES + module, str(other)], out)
    return dict(PATH=bindir + os.pathsep + os.environ['PATH']), lambda: json.loads(out.read_text())


def raced(ovs, env, module='ovs_tunnel_port', **args):
    return run_module(module, dict(args, db=ovs.db), diff=True, env=env)


VX1 = dict(bridge='br0', name='tun-sv1', type='vxlan', remote_ip='192.0.2.11', local_ip='192.0.2.10', key=100)


def test_two_runs_creating_the_same_port_at_once_converge(ovs, tmp_path):
    env, other = racing(ovs, tmp_path, 'add-port', 'ovs_tunnel_port', **VX1)
    result = raced(ovs, env, **VX1)
    assert other()['changed'] is True, 'the other run made the port first'
    assert result.get('failed') is None, result
    assert result['changed'] is False and result['commands'] == []
    assert result['diff'] == {'before': result['port'], 'after': result['port']}
    assert ovs.interface('tun-sv1')['options'] == {'remote_ip': '192.0.2.11', 'local_ip': '192.0.2.10', 'key': '100'}
    assert ofport(ovs, 'tun-sv1') > 0
    before = ovs.snapshot()
    assert tun(ovs, **VX1)['changed'] is False and ovs.snapshot() == before


def test_a_run_that_made_another_port_at_once_is_named(ovs, tmp_path):
    another = dict(VX1)
    another['key'] = 200
    env, other = racing(ovs, tmp_path, 'add-port', 'ovs_tunnel_port', **another)
    result = raced(ovs, env, **VX1)
    assert other()['changed'] is True
    assert result['failed'] is True and result['changed'] is False and result['commands'] == []
    assert result['msg'] == (
        "another run changed OVSDB between this task's read and its write, to something else than this task "
        "wants, so this task wrote nothing: port tun-sv1 was created on bridge br0 (type vxlan, options key=200, "
        "local_ip=192.0.2.10, remote_ip=192.0.2.11); run the task again to make it what this task wants "
        "(ovs-vsctl: cannot create a port named tun-sv1 because a port named tun-sv1 already exists on bridge br0)")
    assert ovs.interface('tun-sv1')['options']['key'] == '200', 'the other run\'s port is left as it made it'


def test_two_runs_deleting_the_same_port_at_once_converge(ovs, tmp_path):
    tun(ovs, **VX1)
    gone = dict(bridge='br0', name='tun-sv1', state='absent')
    env, other = racing(ovs, tmp_path, 'del-port', 'ovs_tunnel_port', **gone)
    result = raced(ovs, env, **gone)
    assert other()['changed'] is True
    assert result.get('failed') is None and result['changed'] is False and result['commands'] == [], result
    assert ovs.ports('br0') == []


def test_a_run_that_made_some_of_the_ports_at_once_leaves_one_more_transaction(ovs, tmp_path):
    ports = [dict(name='tun-sv1', type='vxlan', remote_ip='192.0.2.11', key=1),
             dict(name='tun-sv2', type='geneve', remote_ip='192.0.2.12', key=2)]
    env, other = racing(ovs, tmp_path, 'add-port', 'ovs_tunnel_port', bridge='br0', ports=ports[:1])
    result = raced(ovs, env, bridge='br0', ports=ports)
    assert other()['changed'] is True
    assert result.get('failed') is None and result['changed'] is True, result
    assert result['commands'][0][4:7] == ['add-port', 'br0', 'tun-sv2'] and len(result['commands']) == 1
    assert sorted(result['diff']['after']) == ['tun-sv2']
    assert [ofport(ovs, p['name']) > 0 for p in ports] == [True, True]
    assert tun(ovs, bridge='br0', ports=ports)['changed'] is False
