#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, OpenVNet collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: ovs_gre_port
short_description: Manage Open vSwitch GRE tunnel ports, one or many in one transaction
version_added: 1.0.0
description:
  - Creates, updates in place and removes GRE ports on an Open vSwitch bridge, the ports an
    OpenVNet hub has towards each peer (C(ovs-vsctl add-port br0 NAME -- set interface NAME
    type=gre options:...)).
  - Every column it manages (C(type), the whole C(options) map and the C(external_ids) keys it
    is given) is read back and corrected when it drifted, in one OVSDB transaction.
  - Input that Open vSwitch would refuse or ignore fails the task before any change; this
    includes two GRE ports with the same O(remote_ip), O(local_ip) and key on one datapath
    (within the task, or one of them already in OVSDB), which ovs-vswitchd would not set up.
  - It marks the ports it creates with C(external_ids:managed_by=openvnet.openvnet) and never
    changes or deletes a port without that mark (OpenVNet's vna creates its own C(t-*) GRE
    ports) unless O(force=true).
  - The bulk form O(ports) manages a list of ports with one read and one transaction, and
    O(purge=true) removes the ports it owns on O(bridge) that are no longer listed.
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
  bridge:
    description:
      - The bridge the port(s) belong to. It must exist when O(state=present).
      - An owned port found on another bridge is moved to this one.
    type: str
    required: true
  name:
    description:
      - The port (and interface) name, at most 15 characters (the Linux interface name limit).
      - Mutually exclusive with O(ports).
    type: str
  ports:
    description:
      - Bulk form; each item is one port. Options given at the top level (O(local_ip), O(key),
        O(tos), ...) are defaults for the items. An item that sets any of O(key),
        O(in_key), O(out_key) inherits none of them.
      - Mutually exclusive with O(name).
    type: list
    elements: dict
    suboptions:
      name:
        description: Port name, as O(name).
        type: str
        required: true
      remote_ip:
        description: As O(remote_ip).
        type: str
      local_ip:
        description: As O(local_ip).
        type: str
      key:
        description: As O(key).
        type: str
      in_key:
        description: As O(in_key).
        type: str
      out_key:
        description: As O(out_key).
        type: str
      tos:
        description: As O(tos).
        type: str
      ttl:
        description: As O(ttl).
        type: str
      csum:
        description: As O(csum).
        type: bool
      df_default:
        description: As O(df_default).
        type: bool
      mtu_request:
        description: As O(mtu_request).
        type: int
      external_ids:
        description: As O(external_ids); merged over the top-level O(external_ids).
        type: dict
      pmtud:
        description: As O(pmtud).
        type: bool
      local:
        description: As O(local).
        type: str
  purge:
    description:
      - With O(ports) and O(state=present), delete the ports on O(bridge) that this module
        created and that are not listed. Only tunnel ports carrying the ownership mark are
        purged; ports it did not create, and marked ports of any other kind, never are.
    type: bool
    default: false
  remote_ip:
    description:
      - The peer's underlay address (IPv4 or IPv6), C(options:remote_ip). Required when
        O(state=present).
      - A unicast host address; unspecified (V(0.0.0.0), V(::)), loopback, multicast, broadcast
        and IPv6 link-local (C(fe80::/10), which needs a scope OVS cannot be given) addresses
        are refused, for O(local_ip) as well.
    type: str
  local_ip:
    description:
      - This host's underlay address, C(options:local_ip). Same address family as O(remote_ip).
    type: str
  key:
    description:
      - GRE key for both directions, C(options:key), a number from 0 to 4294967295 or V(flow).
        Both ends of a tunnel must agree. Excludes O(in_key) and O(out_key).
    type: str
  in_key:
    description: GRE key expected on received packets, C(options:in_key), as O(key).
    type: str
  out_key:
    description: GRE key set on sent packets, C(options:out_key), as O(key).
    type: str
  tos:
    description: Outer IP ToS, C(options:tos), 0 to 255 or V(inherit).
    type: str
  ttl:
    description: Outer IP TTL, C(options:ttl), 1 to 255 or V(inherit).
    type: str
  csum:
    description: GRE checksums, C(options:csum).
    type: bool
  df_default:
    description: Set the don't-fragment bit on the outer header, C(options:df_default).
    type: bool
  mtu_request:
    description:
      - Always rejected. Open vSwitch ignores C(mtu_request) on tunnel ports (a GRE port has no
        MTU of its own), so it never had an effect. Set the MTU on the underlay NIC and on the
        overlay devices (the peers' gretap, the VMs' interfaces) instead.
      - A C(mtu_request) already in OVSDB (written by an older version) is left as it is.
    type: int
  external_ids:
    description:
      - C(external_ids) keys to set on the interface. Keys not listed are left as they are.
      - The key C(managed_by) is reserved for the ownership mark.
    type: dict
  pmtud:
    description:
      - Deprecated no-op. C(options:pmtud) has done nothing since Open vSwitch 1.10; it is
        accepted for compatibility with the manual procedure, never written, and warned about.
    type: bool
  local:
    description:
      - Always rejected. C(options:local=) in the manual procedure is not an Open vSwitch
        option (OVS ignores it); the option is O(local_ip).
    type: str
  force:
    description:
      - Manage a port of that name even though this module did not create it; V(present) adopts
        it (marks it as owned), V(absent) deletes it.
    type: bool
    default: false
  state:
    description:
      - Whether the port(s) should exist.
      - V(absent) deletes a port only from O(bridge); it fails, naming the bridge, when another
        bridge holds the port.
    type: str
    choices: [present, absent]
    default: present
  db:
    description:
      - ovsdb-server to talk to, as ovs-vsctl's C(--db), for example
        V(unix:/var/run/openvswitch/db.sock) or V(tcp:192.0.2.1:6640). ovs-vsctl's default
        when not given.
    type: str
  timeout:
    description: Seconds ovs-vsctl may take (its C(--timeout)), including waiting for ovs-vswitchd.
    type: int
    default: 30
notes:
  - Reads are one C(ovs-vsctl --format=json) call; changes are one C(ovs-vsctl) call, that is one
    OVSDB transaction, whatever the number of ports.
  - The C(options) map of an owned port is replaced as a whole, so stale keys (a seed-era
    C(pmtud) or C(local)) are removed.
seealso:
  - name: Open vSwitch interface options
    description: The C(options) column of the Interface table.
    link: https://www.openvswitch.org/support/dist-docs/ovs-vswitchd.conf.db.5.txt
'''

EXAMPLES = r'''
- name: The manual procedure's hub port towards sv1, done right
  openvnet.openvnet.ovs_gre_port:
    bridge: br0
    name: gre-sv1
    remote_ip: 192.0.2.11
    local_ip: 192.0.2.10

- name: Every peer of the hub in one transaction, removing ports of peers that left
  openvnet.openvnet.ovs_gre_port:
    bridge: br0
    local_ip: 192.0.2.10
    ports:
      - name: gre-sv1
        remote_ip: 192.0.2.11
      - name: gre-sv2
        remote_ip: 192.0.2.12
    purge: true

- name: Remove a port
  openvnet.openvnet.ovs_gre_port:
    bridge: br0
    name: gre-sv1
    state: absent
'''

RETURN = r'''
port:
  description:
    - The port after the task (empty when absent); single form only.
    - C(mtu_request) is what OVSDB holds; this module does not write it.
  returned: when O(name) is given
  type: dict
  sample:
    bridge: br0
    type: gre
    options: {remote_ip: 192.0.2.11, local_ip: 192.0.2.10}
    external_ids: {managed_by: openvnet.openvnet}
    mtu_request: null
ports:
  description: Each listed port after the task, by name (absent ports are left out); bulk form only.
  returned: when O(ports) is given
  type: dict
  sample:
    gre-sv1:
      bridge: br0
      type: gre
      options: {remote_ip: 192.0.2.11}
      external_ids: {managed_by: openvnet.openvnet}
      mtu_request: null
purged:
  description: Owned ports deleted because they are no longer listed (O(purge=true)).
  returned: when O(ports) is given
  type: list
  elements: str
  sample: [gre-sv3]
commands:
  description:
    - The ovs-vsctl command lines that changed OVSDB (in check mode, that would have); empty
      when nothing changed. There is at most one, since all changes are one transaction.
  returned: always
  type: list
  elements: list
  sample: [["/usr/bin/ovs-vsctl", "--timeout=30", "--", "add-port", "br0", "gre-sv1", "--",
            "set", "Interface", "gre-sv1", "type=gre", "options={\"remote_ip\"=\"192.0.2.11\"}",
            "external_ids:\"managed_by\"=\"openvnet.openvnet\""]]
'''

import ipaddress

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.openvnet.openvnet.plugins.module_utils.addresses import endpoint_problem
from ansible_collections.openvnet.openvnet.plugins.module_utils.ovs import (
    OWNER_KEY, OWNER_VALUE, TUNNEL_TYPES, OvsError, OvsVsctl, format_map, interface_fault,
    interface_name_problem, quote, read_ports)

KEYS = ('key', 'in_key', 'out_key')
# Options an item of ``ports`` takes from the top level when it does not set them.
INHERITED = ('local_ip', 'tos', 'ttl', 'csum', 'df_default', 'mtu_request', 'pmtud', 'local')
PORT_OPTIONS = dict(
    remote_ip=dict(type='str'),
    local_ip=dict(type='str'),
    key=dict(type='str', no_log=False),
    in_key=dict(type='str', no_log=False),
    out_key=dict(type='str', no_log=False),
    tos=dict(type='str'),
    ttl=dict(type='str'),
    csum=dict(type='bool'),
    df_default=dict(type='bool'),
    mtu_request=dict(type='int'),
    external_ids=dict(type='dict'),
    pmtud=dict(type='bool'),
    local=dict(type='str'),
)


class Invalid(Exception):
    """Bad input, found before anything is changed."""


def bounded(field, value, low, high, words=()):
    if value in words:
        return value
    try:
        number = int(value)
    except ValueError:
        number = None
    if number is None or not low <= number <= high:
        allowed = ' or '.join(['a number from %d to %d' % (low, high)] + ['"%s"' % w for w in words])
        raise Invalid('%s: %r is not %s' % (field, value, allowed))
    return str(number)


def address(field, value):
    try:
        found = ipaddress.ip_address(value)
    except ValueError:
        raise Invalid('%s: %r is not an IPv4 or IPv6 address' % (field, value))
    problem = endpoint_problem(found)
    if problem:
        raise Invalid('%s: %s %s; a tunnel endpoint must be a unicast address of a host' % (field, found, problem))
    return found


def check_name(field, name, kind):
    problem = interface_name_problem(field, name, kind)
    if problem:
        raise Invalid(problem)


MTU_REFUSED = ('mtu_request: Open vSwitch ignores mtu_request on tunnel ports (a GRE port has no MTU of '
               'its own); set the MTU on the underlay NIC and on the overlay devices (the peers\' '
               'gretap, the VMs\' interfaces) instead, and remove mtu_request')


def tunnel_key(value):
    """OVS reads keys with strtoull(base 0): 0x10 and 16 are the same key."""
    try:
        return int(value, 0)
    except ValueError:
        return value


def endpoint_text(text):
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return text


def endpoints(options):
    """What OVS tells GRE ports on one datapath apart by: remote_ip, local_ip (unset differs from
    any address) and the key expected on received packets (in_key, else key, else 0)."""
    return (endpoint_text(options.get('remote_ip', '')), endpoint_text(options.get('local_ip', '')),
            tunnel_key(options.get('in_key', options.get('key', '0'))))


def describe(ends):
    remote, local, key = ends
    return '%s with local_ip %s and key %s' % (remote, local or 'unset', key)


def wanted(spec, bridge, state):
    """Validate one port's options; return the Interface row it should have."""
    check_name('name', spec['name'], 'port')
    if spec['local'] is not None:
        raise Invalid('local: options:local is not an Open vSwitch option (OVS ignores it, the '
                      'tunnel would use any source address); use local_ip')
    if state == 'absent':
        return None
    if not spec['remote_ip']:
        raise Invalid('remote_ip: required when state is present')
    remote = address('remote_ip', spec['remote_ip'])
    options = {'remote_ip': str(remote)}
    if spec['local_ip']:
        local = address('local_ip', spec['local_ip'])
        if local.version != remote.version:
            raise Invalid('local_ip: %s and remote_ip %s are not the same address family'
                          % (local, remote))
        options['local_ip'] = str(local)
    if spec['key'] is not None and (spec['in_key'] is not None or spec['out_key'] is not None):
        raise Invalid('key: conflicts with in_key/out_key; give either key, or in_key and out_key')
    for field in KEYS:
        if spec[field] is not None:
            options[field] = bounded(field, spec[field], 0, 4294967295, ('flow',))
    if spec['tos'] is not None:
        options['tos'] = bounded('tos', spec['tos'], 0, 255, ('inherit',))
    if spec['ttl'] is not None:
        options['ttl'] = bounded('ttl', spec['ttl'], 1, 255, ('inherit',))
    for field in ('csum', 'df_default'):
        if spec[field] is not None:
            options[field] = 'true' if spec[field] else 'false'
    if spec['mtu_request'] is not None:
        raise Invalid(MTU_REFUSED)
    external_ids = dict((str(k), str(v)) for k, v in (spec['external_ids'] or {}).items())
    if OWNER_KEY in external_ids:
        raise Invalid('external_ids: the key %r is reserved for the ownership mark' % OWNER_KEY)
    external_ids[OWNER_KEY] = OWNER_VALUE
    return dict(bridge=bridge, type='gre', options=options, external_ids=external_ids,
                mtu_request=None)


def port_specs(params):
    """The declared ports, each a dict of PORT_OPTIONS plus name, defaults applied."""
    if params['ports'] is None:
        return [dict((k, params[k]) for k in list(PORT_OPTIONS) + ['name'])]
    specs = []
    for item in params['ports']:
        spec = dict(item)
        for field in INHERITED:
            if spec[field] is None:
                spec[field] = params[field]
        if all(item[k] is None for k in KEYS):
            spec.update((k, params[k]) for k in KEYS)
        spec['external_ids'] = dict(params['external_ids'] or {})
        spec['external_ids'].update(item['external_ids'] or {})
        specs.append(spec)
    return specs


def check_shared_endpoints(specs, wants):
    """Two ports of the task with the same endpoints and key: OVS would refuse the second."""
    seen = {}
    for index, (spec, want) in enumerate(zip(specs, wants)):
        ends = endpoints(want['options'])
        if ends in seen:
            raise Invalid('ports[%d] (%s): remote_ip %s is also that of %s; Open vSwitch refuses a second '
                          'GRE port with the same endpoints and key (use another key or address)'
                          % (index, spec['name'], describe(ends), seen[ends]))
        seen[ends] = spec['name']


# Seen with OVS 3.1: a port deleted in the transaction that adds another with its endpoints
# still holds them while ovs-vswitchd sets the new one up ("File exists").
PURGED_TOO = (' (purged by this task, but Open vSwitch frees its endpoints only after the transaction '
              'that deletes it: purge it in a run without the new port first)')


def taken_endpoints(ovsdb, bridge, skip):
    """Endpoints -> (port, bridge) of the GRE interfaces OVSDB has on ``bridge``'s datapath (every
    bridge of one datapath type shares it), but those in ``skip``: the task's own ports, which
    its transaction rewrites."""
    def datapath(name):
        return ovsdb['bridges'][name]['datapath_type'] or 'system'
    taken = {}
    for name, iface in sorted(ovsdb['interfaces'].items()):
        if (iface['type'] == 'gre' and iface['bridge'] in ovsdb['bridges'] and name not in skip
                and datapath(iface['bridge']) == datapath(bridge)):
            taken.setdefault(endpoints(iface['options']), (iface['port'] or name, iface['bridge']))
    return taken


def row_of(port):
    iface = port['interfaces'][0]
    return dict(bridge=port['bridge'], type=iface['type'], options=iface['options'],
                external_ids=iface['external_ids'], mtu_request=iface['mtu_request'])


def owned(port):
    return (len(port['interfaces']) == 1
            and port['interfaces'][0]['external_ids'].get(OWNER_KEY) == OWNER_VALUE)


def purgeable(port):
    """Purge deletes tunnels this module made, never another kind of port carrying the mark."""
    return owned(port) and port['interfaces'][0]['type'] in TUNNEL_TYPES


def refuse_foreign(name, port, force):
    if len(port['interfaces']) != 1:
        raise Invalid('name: port %s on bridge %s has %d interfaces; it is not a GRE port this '
                      'module can manage' % (name, port['bridge'], len(port['interfaces'])))
    if not force and not owned(port):
        raise Invalid('name: port %s exists on bridge %s but was not created by this module '
                      '(no external_ids:%s=%s); it is left alone. Set force=true to take it over'
                      % (name, port['bridge'], OWNER_KEY, OWNER_VALUE))


def set_interface(name, columns):
    words = ['set', 'Interface', name]
    if 'type' in columns:
        words.append('type=%s' % columns['type'])
    if 'options' in columns:
        words.append('options=%s' % format_map(columns['options']))
    for key, value in sorted(columns.get('external_ids', {}).items()):
        words.append('external_ids:%s=%s' % (quote(key), quote(value)))
    return words


def plan_present(name, want, port, force):
    """Commands and the row after them, for one port that should exist."""
    if port is None or port['bridge'] != want['bridge']:
        commands = []
        if port is not None:
            refuse_foreign(name, port, force)
            commands.append(['del-port', port['bridge'], name])
        commands += [['add-port', want['bridge'], name], set_interface(name, want)]
        return commands, want
    refuse_foreign(name, port, force)
    have = row_of(port)
    after = dict(have, type='gre', options=want['options'],
                 external_ids=dict(have['external_ids'], **want['external_ids']))
    changes = {}
    if have['type'] != 'gre':
        changes['type'] = 'gre'
    if have['options'] != want['options']:
        changes['options'] = want['options']
    ids = dict((k, v) for k, v in want['external_ids'].items() if have['external_ids'].get(k) != v)
    if ids:
        changes['external_ids'] = ids
    return ([set_interface(name, changes)] if changes else []), after


def run_module():
    module = AnsibleModule(
        argument_spec=dict(
            PORT_OPTIONS,
            bridge=dict(type='str', required=True),
            name=dict(type='str'),
            ports=dict(type='list', elements='dict', options=dict(
                PORT_OPTIONS, name=dict(type='str', required=True))),
            purge=dict(type='bool', default=False),
            force=dict(type='bool', default=False),
            state=dict(type='str', choices=['present', 'absent'], default='present'),
            db=dict(type='str'),
            timeout=dict(type='int', default=30),
        ),
        mutually_exclusive=[('name', 'ports')],
        required_one_of=[('name', 'ports')],
        supports_check_mode=True,
    )
    params = module.params
    bulk = params['ports'] is not None
    state = params['state']
    try:
        check_name('bridge', params['bridge'], 'bridge')
        if params['purge'] and not (bulk and state == 'present'):
            raise Invalid('purge: only with ports and state=present')
        if bulk and params['mtu_request'] is not None:
            raise Invalid(MTU_REFUSED)
        specs = port_specs(params)
        names = [spec['name'] for spec in specs]
        duplicates = sorted(set(n for n in names if names.count(n) > 1))
        if duplicates:
            raise Invalid('ports: %s listed more than once' % ', '.join(duplicates))
        wants = []
        for index, spec in enumerate(specs):
            try:
                wants.append(wanted(spec, params['bridge'], state))
            except Invalid as e:
                raise Invalid('ports[%d] (%s): %s' % (index, spec['name'], e) if bulk else str(e))
        if state == 'present':
            check_shared_endpoints(specs, wants)
    except Invalid as e:
        module.fail_json(msg=str(e))
    if any(spec['pmtud'] is not None for spec in specs):
        module.warn('pmtud has done nothing since Open vSwitch 1.10 and is ignored; remove it')

    try:
        client = OvsVsctl(module, db=params['db'], timeout=params['timeout'])
        bridges, current, ovsdb = read_ports(client)
    except OvsError as e:
        module.fail_json(msg=str(e))

    commands, before, after, purged = [], {}, {}, []
    try:
        if state == 'present' and params['bridge'] not in bridges:
            raise Invalid('bridge: %s does not exist (known bridges: %s)'
                          % (params['bridge'], ', '.join(sorted(bridges)) or 'none'))
        if params['purge']:
            purged = [name for name, port in sorted(current.items())
                      if port['bridge'] == params['bridge'] and name not in names and purgeable(port)]
        if state == 'present':
            taken = taken_endpoints(ovsdb, params['bridge'], set(names))
            for index, (spec, want) in enumerate(zip(specs, wants)):
                other = taken.get(endpoints(want['options']))
                if other:
                    raise Invalid('%sremote_ip %s is already that of port %s on bridge %s%s; Open vSwitch '
                                  'refuses a second GRE port with the same endpoints and key (use another '
                                  'key or address)'
                                  % ('ports[%d] (%s): ' % (index, spec['name']) if bulk else '',
                                     describe(endpoints(want['options'])), other[0], other[1],
                                     PURGED_TOO if other[0] in purged else ''))
        for spec, want in zip(specs, wants):
            name, port = spec['name'], current.get(spec['name'])
            if state == 'present':
                steps, row = plan_present(name, want, port, params['force'])
            elif port is not None and port['bridge'] not in (params['bridge'], None):
                raise Invalid('bridge: port %s is on bridge %s, not %s; it is left alone'
                              % (name, port['bridge'], params['bridge']))
            elif port is not None and port['bridge'] is not None:
                refuse_foreign(name, port, params['force'])
                steps, row = [['del-port', port['bridge'], name]], None
            else:  # no bridge holds it: nothing to do
                steps, row = [], None
            commands += steps
            if steps:
                before[name] = row_of(port) if port else {}
                after[name] = row or {}
            elif row:
                before[name] = after[name] = row
        for name in purged:
            commands.append(['del-port', params['bridge'], name])
            before[name], after[name] = row_of(current[name]), {}
    except Invalid as e:
        module.fail_json(msg=str(e))

    result = dict(changed=bool(commands), commands=[])
    # The ports that should exist, checked against what ovs-vswitchd made of them: after a
    # write, all of them in a read-back; otherwise those the plan leaves alone (in check mode
    # the others have not been written).
    checked = names if state == 'present' else []
    if commands:
        if module.check_mode:
            result['commands'] = [client.transact_argv(commands)]
            checked = [n for n in checked if n not in after or before.get(n) == after[n]]
        else:
            try:
                result['commands'] = [client.transact(commands)]
                if checked:  # ovs-vsctl has waited for ovs-vswitchd to apply the transaction.
                    dummy, current, dummy = read_ports(client)
            except OvsError as e:
                module.fail_json(msg=str(e), changed=bool(result['commands']),
                                 commands=[client.transact_argv(commands)])
    if bulk:
        result['ports'] = dict((n, row) for n, row in after.items() if row and n in names)
        result['purged'] = purged
        changed_names = [n for n in after if before.get(n) != after[n]]
        result['diff'] = dict(before=dict((n, before[n]) for n in changed_names),
                              after=dict((n, after[n]) for n in changed_names))
    else:
        name = params['name']
        result['port'] = after.get(name, {})
        result['diff'] = dict(before=before.get(name, {}), after=after.get(name, {}))
    refused = refusals(checked, current)
    if refused:
        module.fail_json(msg='ovs-vswitchd did not set up %s' % '; '.join(refused[n] for n in sorted(refused)),
                         refused=refused, **result)
    module.exit_json(**result)


def refusals(names, ports):
    """Port name -> why ovs-vswitchd did not set it up (its Interface's error, ofport -1)."""
    refused = {}
    for name in names:
        port = ports.get(name)
        iface = port['interfaces'][0] if port and port['interfaces'] else None
        fault = interface_fault(name, iface)
        if fault:
            refused[name] = fault
    return refused


def main():
    run_module()


if __name__ == '__main__':
    main()
