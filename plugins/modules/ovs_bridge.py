#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, OpenVNet collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: ovs_bridge
short_description: Manage an Open vSwitch bridge as OpenVNet's vna expects it
version_added: 1.0.0
description:
  - Creates, corrects and removes an Open vSwitch bridge with what the manual procedure puts in
    C(ifcfg-br0)'s C(OVS_EXTRA) - datapath id, C(hwaddr), OpenFlow versions, in-band control off,
    fail mode and controller - in one OVSDB transaction, after one read.
  - It marks the bridges it creates with C(external_ids:managed_by=openvnet.openvnet) and does
    not change or delete a bridge without that mark unless O(force=true).
author:
  - OpenVNet collection contributors (@openvnet)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
  platform:
    platforms: posix
requirements:
  - ovs-vsctl (Open vSwitch) on the managed host
options:
  name:
    description: The bridge.
    type: str
    required: true
  datapath_id:
    description:
      - C(other_config:datapath-id), 16 hex digits, or a MAC address from which it is derived as
        the manual procedure does (C(0000) followed by the MAC). Without it OVS derives the id from
        a port's MAC, and it can change when ports are added.
      - An all-zero id is refused (OVS ignores it). Quote the value in YAML; an unquoted C(0x...)
        or a MAC made only of digits becomes a number, and the error says so.
    type: str
  hwaddr:
    description:
      - C(other_config:hwaddr), the bridge's MAC address. A multicast (first octet odd) or all-zero
        address is refused, since OVS ignores it. Quote it in YAML, as O(datapath_id).
    type: str
  protocols:
    description: OpenFlow versions (C(protocols)); vna needs V(OpenFlow10), V(OpenFlow12), V(OpenFlow13).
    type: list
    elements: str
  disable_in_band:
    description: C(other_config:disable-in-band).
    type: bool
  fail_mode:
    description: What the bridge does without its controller; V(standalone) switches as a learning switch.
    type: str
    choices: [standalone, secure]
  controllers:
    description:
      - OpenFlow controller targets, for example V(tcp:127.0.0.1:6633) (vna); V([]) removes them.
      - Each must be C(tcp:IP[:PORT]), C(ssl:IP[:PORT]), C(ptcp:PORT[:IP]), C(pssl:PORT[:IP]),
        C(unix:PATH) or C(punix:PATH), with an IPv6 address in brackets (V(tcp:[2001:db8::1]:6653));
        OVSDB stores anything, but ovs-vswitchd ignores a malformed target. ovs-vswitchd only
        connects to C(unix:) sockets in its run directory.
    type: list
    elements: str
  datapath_type:
    description: V(system) (kernel datapath) or V(netdev) (userspace); set when the bridge is created.
    type: str
    choices: [system, netdev]
  other_config:
    description: Further C(other_config) keys to set; keys not listed are left as they are.
    type: dict
  external_ids:
    description: C(external_ids) keys to set; C(managed_by) is reserved for the ownership mark.
    type: dict
  force:
    description: Manage a bridge of that name although this module did not create it.
    type: bool
    default: false
  state:
    description: Whether the bridge should exist.
    type: str
    choices: [present, absent]
    default: present
  db:
    description: ovsdb-server to talk to, as ovs-vsctl's C(--db).
    type: str
  timeout:
    description: Seconds ovs-vsctl may take (its C(--timeout)).
    type: int
    default: 30
'''

EXAMPLES = r'''
- name: br0 as the manual procedure's ifcfg-br0 describes it, the datapath id from eth1's MAC
  openvnet.openvnet.ovs_bridge:
    name: br0
    datapath_id: "{{ ansible_facts.eth1.macaddress }}"
    hwaddr: "{{ ansible_facts.eth1.macaddress }}"
    protocols: [OpenFlow10, OpenFlow12, OpenFlow13]
    disable_in_band: true
    fail_mode: standalone
    controllers: ["tcp:127.0.0.1:6633"]
'''

RETURN = r'''
bridge:
  description: The bridge after the task (empty when absent).
  returned: always
  type: dict
  sample:
    datapath_type: system
    fail_mode: standalone
    protocols: [OpenFlow10, OpenFlow12, OpenFlow13]
    controllers: ["tcp:127.0.0.1:6633"]
    other_config: {datapath-id: "000002000a00010a", hwaddr: "02:00:0a:00:01:0a", disable-in-band: "true"}
    external_ids: {managed_by: openvnet.openvnet}
commands:
  description: The ovs-vsctl command line that changed OVSDB (in check mode, would have); empty when nothing changed.
  returned: always
  type: list
  elements: list
'''

import ipaddress
import re

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.openvnet.openvnet.plugins.module_utils.addresses import (
    dpid_hex, mac, unicast_mac_problem, yaml_number)
from ansible_collections.openvnet.openvnet.plugins.module_utils.ovs import (
    OWNER_KEY, OWNER_VALUE, OvsError, OvsVsctl, interface_name_problem, quote, read_state)

QUOTE_IT = '; YAML read it as a number (an unquoted 0x... or a MAC made of digits): quote it'
# Controller targets as ovs-vswitchd takes them (ovs-vswitchd.conf.db(5), Controller target);
# a HOST is an IPv4 address or an IPv6 address in brackets.
ACTIVE_TARGET = re.compile(r'(tcp|ssl):(\[[^\]]*\]|[0-9.]+)(?::([0-9]{1,5}))?')
PASSIVE_TARGET = re.compile(r'(ptcp|pssl):([0-9]{1,5})(?::(\[[^\]]*\]|[0-9.]+))?')
SOCKET_TARGET = re.compile(r'(unix|punix):[^\x00-\x1f\x7f]+')
TARGET_FORMS = 'tcp:IP[:PORT], ssl:IP[:PORT], ptcp:PORT[:IP], pssl:PORT[:IP], unix:PATH or punix:PATH'


class Invalid(Exception):
    pass


def datapath_id(value):
    digits = dpid_hex(value)
    if digits is None:
        raise Invalid('datapath_id: %r is not 16 hex digits or a MAC address%s'
                      % (value, QUOTE_IT if yaml_number(value) else ''))
    if digits.strip('0') == '':
        # ovs-vswitchd ignores it without a word and derives the id from a MAC.
        raise Invalid('datapath_id: %r is all zeros, which Open vSwitch ignores' % value)
    return digits


def hwaddr(value):
    address = mac(value)
    if address is None:
        raise Invalid('hwaddr: %r is not a MAC address%s' % (value, QUOTE_IT if yaml_number(value) else ''))
    problem = unicast_mac_problem(address)
    if problem:
        # ovs-vswitchd logs "cannot set MAC address" and keeps another one.
        raise Invalid('hwaddr: %s %s, which Open vSwitch refuses for a bridge' % (address, problem))
    return address


def host_ok(text):
    """An IPv4 address, or an IPv6 address in brackets."""
    try:
        if text.startswith('['):
            return text.endswith(']') and ipaddress.ip_address(text[1:-1]).version == 6
        return ipaddress.ip_address(text).version == 4
    except ValueError:
        return False


def controller(target):
    """``target`` when ovs-vswitchd can use it; it accepts anything into OVSDB and then ignores it."""
    active, passive = ACTIVE_TARGET.fullmatch(target), PASSIVE_TARGET.fullmatch(target)
    if active:
        ok = host_ok(active.group(2)) and (active.group(3) is None or 0 < int(active.group(3)) < 65536)
    elif passive:
        ok = int(passive.group(2)) < 65536 and (passive.group(3) is None or host_ok(passive.group(3)))
    else:
        ok = bool(SOCKET_TARGET.fullmatch(target))
    if not ok:
        raise Invalid('controllers: %r is not a controller target Open vSwitch takes (%s; an IPv6 '
                      'address in brackets)' % (target, TARGET_FORMS))
    return target


def read(client, name):
    """``(row, state)``: the bridge's configuration as this module compares it (None when it
    does not exist), and the whole :func:`read_state` result."""
    state = read_state(client)
    bridge = state['bridges'].get(name)
    if bridge is None:
        return None, state
    return dict(datapath_type=bridge['datapath_type'] or 'system', fail_mode=bridge['fail_mode'],
                protocols=bridge['protocols'],
                controllers=[c['target'] for c in bridge['controllers']],
                other_config=bridge['other_config'], external_ids=bridge['external_ids']), state


def refusal(name, want, state):
    """Why ovs-vswitchd did not make the bridge what was asked, or None."""
    bridge = state['bridges'].get(name)
    if bridge is None:
        return None
    local = state['interfaces'].get(name) or {}
    if bridge['datapath_id'] is None:
        kind = bridge['datapath_type'] or 'system'
        hint = ': is the openvswitch kernel module loaded?' if kind == 'system' else ''
        reason = local.get('error') or 'datapath_type %s%s' % (kind, hint)
        return ('ovs-vswitchd did not set up bridge %s (it has no datapath_id; %s); see the ovs-vswitchd log'
                % (name, reason))
    dpid = want['other_config'].get('datapath-id')
    if dpid is not None and dpid.lower() != bridge['datapath_id']:
        return ('ovs-vswitchd did not take datapath-id %s for bridge %s: it uses %s'
                % (dpid, name, bridge['datapath_id']))
    hwaddr = want['other_config'].get('hwaddr')
    if hwaddr is not None and local.get('mac_in_use') is not None and hwaddr.lower() != local['mac_in_use']:
        return ('ovs-vswitchd did not take hwaddr %s for bridge %s: its MAC is %s'
                % (hwaddr, name, local['mac_in_use']))
    return None


def wanted(p):
    other = dict((str(k), str(v)) for k, v in (p['other_config'] or {}).items())
    if p['datapath_id']:
        other['datapath-id'] = datapath_id(p['datapath_id'])
    if p['hwaddr']:
        other['hwaddr'] = hwaddr(p['hwaddr'])
    if p['disable_in_band'] is not None:
        other['disable-in-band'] = 'true' if p['disable_in_band'] else 'false'
    ids = dict((str(k), str(v)) for k, v in (p['external_ids'] or {}).items())
    if OWNER_KEY in ids:
        raise Invalid('external_ids: the key %r is reserved for the ownership mark' % OWNER_KEY)
    ids[OWNER_KEY] = OWNER_VALUE
    return dict(datapath_type=p['datapath_type'], fail_mode=p['fail_mode'],
                protocols=sorted(p['protocols']) if p['protocols'] is not None else None,
                controllers=sorted(controller(c) for c in p['controllers']) if p['controllers'] is not None else None,
                other_config=other, external_ids=ids)


def plan(name, want, have, force):
    """Commands, and the row after them."""
    commands, columns = [], []
    if have is None:
        commands.append(['add-br', name])
        have = dict(datapath_type='system', fail_mode=None, protocols=[], controllers=[],
                    other_config={}, external_ids={})
        if want['datapath_type']:
            columns.append('datapath_type=%s' % want['datapath_type'])
    elif not force and have['external_ids'].get(OWNER_KEY) != OWNER_VALUE:
        raise Invalid('name: bridge %s exists but was not created by this module (no external_ids:%s=%s); '
                      'set force=true to take it over' % (name, OWNER_KEY, OWNER_VALUE))
    elif want['datapath_type'] and want['datapath_type'] != have['datapath_type']:
        columns.append('datapath_type=%s' % want['datapath_type'])
    after = dict(have, other_config=dict(have['other_config'], **want['other_config']),
                 external_ids=dict(have['external_ids'], **want['external_ids']))
    if want['datapath_type']:
        after['datapath_type'] = want['datapath_type']
    if want['fail_mode'] and want['fail_mode'] != have['fail_mode']:
        columns.append('fail_mode=%s' % want['fail_mode'])
        after['fail_mode'] = want['fail_mode']
    if want['protocols'] is not None and want['protocols'] != have['protocols']:
        columns.append('protocols=[%s]' % ','.join(quote(v) for v in want['protocols']))
        after['protocols'] = want['protocols']
    for column in ('other_config', 'external_ids'):
        for key, value in sorted(want[column].items()):
            if have[column].get(key) != value:
                columns.append('%s:%s=%s' % (column, quote(key), quote(value)))
    if columns:
        commands.append(['set', 'Bridge', name] + columns)
    if want['controllers'] is not None and want['controllers'] != have['controllers']:
        commands.append(['set-controller', name] + want['controllers'] if want['controllers']
                        else ['del-controller', name])
        after['controllers'] = want['controllers']
    return commands, after


def main():
    module = AnsibleModule(
        argument_spec=dict(
            name=dict(type='str', required=True),
            datapath_id=dict(type='str'),
            hwaddr=dict(type='str'),
            protocols=dict(type='list', elements='str'),
            disable_in_band=dict(type='bool'),
            fail_mode=dict(type='str', choices=['standalone', 'secure']),
            controllers=dict(type='list', elements='str'),
            datapath_type=dict(type='str', choices=['system', 'netdev']),
            other_config=dict(type='dict'),
            external_ids=dict(type='dict'),
            force=dict(type='bool', default=False),
            state=dict(type='str', choices=['present', 'absent'], default='present'),
            db=dict(type='str'),
            timeout=dict(type='int', default=30),
        ),
        supports_check_mode=True,
    )
    p = module.params
    name = p['name']
    try:
        problem = interface_name_problem('name', name, 'bridge')
        if problem:
            raise Invalid(problem)
        want = wanted(p)
    except Invalid as e:
        module.fail_json(msg=str(e))
    try:
        client = OvsVsctl(module, db=p['db'], timeout=p['timeout'])
        have, state = read(client, name)
        if p['state'] == 'absent':
            if have is not None and not p['force'] and have['external_ids'].get(OWNER_KEY) != OWNER_VALUE:
                raise Invalid('name: bridge %s was not created by this module; set force=true to delete it' % name)
            commands, after = ([['del-br', name]], None) if have is not None else ([], None)
        else:
            commands, after = plan(name, want, have, p['force'])
    except (Invalid, OvsError) as e:
        module.fail_json(msg=str(e))
    result = dict(changed=bool(commands), commands=[], bridge=after or {},
                  diff=dict(before=have or {}, after=after or {}))
    if commands and module.check_mode:
        result['commands'] = [client.transact_argv(commands)]
    elif commands:
        try:
            result['commands'] = [client.transact(commands)]
            if p['state'] == 'present':  # ovs-vsctl has waited for ovs-vswitchd to apply it
                dummy, state = read(client, name)
        except OvsError as e:
            module.fail_json(msg=str(e), changed=bool(result['commands']),
                             commands=[client.transact_argv(commands)])
    # What ovs-vswitchd made of the bridge: after a write, read back; on a no-op, from the one
    # read (in check mode, only when nothing would change).
    refused = None
    if p['state'] == 'present' and not (commands and module.check_mode):
        refused = refusal(name, want, state)
    if refused:
        module.fail_json(msg=refused, **result)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
