# -*- coding: utf-8 -*-
# Copyright: (c) 2026, OpenVNet collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Open vSwitch tunnel ports: the code of ovs_gre_port (GRE only) and ovs_tunnel_port (GRE,
ip6gre, VXLAN, Geneve). The modules declare their options and call :func:`run` with a
:class:`Flavour`, which says what differs: the types offered, the address families each
carries, and the words of a few messages."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress

from ansible_collections.openvnet.openvnet.plugins.module_utils.addresses import (
    AddressProblem, canonical_address, endpoint_problem)
from ansible_collections.openvnet.openvnet.plugins.module_utils.ovs import (
    OWNER_KEY, OWNER_VALUE, TUNNEL_TYPES, OvsError, OvsRefused, OvsVsctl, format_map, interface_fault,
    interface_name_problem, quote, read_ports)

KEYS = ('key', 'in_key', 'out_key')
# Options an item of ``ports`` takes from the top level when it does not set them.
INHERITED = ('type', 'dst_port', 'local_ip', 'tos', 'ttl', 'csum', 'df_default', 'mtu_request', 'pmtud',
             'local')
# The options of one port, in ovs_gre_port and in ovs_tunnel_port.
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
TYPES = ('gre', 'ip6gre', 'vxlan', 'geneve')
# ovs_tunnel_port's own; the top-level type defaults to gre, an item's to the top-level one.
TYPE_OPTIONS = dict(
    type=dict(type='str', choices=list(TYPES)),
    dst_port=dict(type='int'),
)
# AnsibleModule's other arguments, the same in both modules.
MODULE_RULES = dict(
    mutually_exclusive=[('name', 'ports')],
    required_one_of=[('name', 'ports')],
    supports_check_mode=True,
)


def argument_spec(port_options, **top):
    """The options of a module whose ports take ``port_options``; ``top`` overrides some at the
    top level (ovs_tunnel_port's type default)."""
    spec = dict(
        port_options,
        bridge=dict(type='str', required=True),
        name=dict(type='str'),
        ports=dict(type='list', elements='dict', options=dict(port_options, name=dict(type='str', required=True))),
        purge=dict(type='bool', default=False),
        force=dict(type='bool', default=False),
        state=dict(type='str', choices=['present', 'absent'], default='present'),
        db=dict(type='str'),
        timeout=dict(type='int', default=30),
    )
    spec.update(top)
    return spec


# The UDP destination port OVS uses when dst_port is unset (IANA's).
UDP_PORTS = {'vxlan': 4789, 'geneve': 6081}
# Every tunnel type that receives on a UDP port, with OVS's default one (bareudp has none: its
# dst_port is required). A datapath receives on one UDP port for one of these types only.
UDP_TYPES = dict(UDP_PORTS, lisp=4341, gtpu=2152, bareudp=None)
# Keys are 32 bits on GRE, 24 bits (the VNI) on VXLAN and Geneve; OVS 3.1 takes a larger VNI
# without an error.
KEY_MAX = {'gre': 4294967295, 'ip6gre': 4294967295, 'vxlan': 16777215, 'geneve': 16777215}
LABELS = {'gre': 'GRE', 'ip6gre': 'ip6gre', 'vxlan': 'VXLAN', 'geneve': 'Geneve', 'lisp': 'LISP',
          'gtpu': 'GTP-U', 'bareudp': 'bareudp'}


class Flavour:
    """What one module offers: ``families`` maps each type it offers to the IP versions its
    remote_ip may have; ``kind`` names its ports in messages; ``devices`` names the peers'
    overlay devices."""

    def __init__(self, families, kind, devices):
        self.families = families
        self.kind = kind
        self.devices = devices

    def mtu_refused(self):
        return ('mtu_request: Open vSwitch ignores mtu_request on tunnel ports (%s has no MTU of '
                'its own); set the MTU on the underlay NIC and on the overlay devices (the peers\' '
                '%s, the VMs\' interfaces) instead, and remove mtu_request' % (self.kind, self.devices))


# ovs_gre_port has always written type=gre for IPv6 endpoints too (userspace OVS sets them up).
GRE = Flavour({'gre': (4, 6)}, 'a GRE port', 'gretap')
# ovs-vswitchd.conf.db(5): gre is GRE over IPv4, ip6gre GRE over IPv6 (userspace OVS 3.1 sets up
# either family on both; other datapaths need not); VXLAN and Geneve carry both.
TUNNEL = Flavour({'gre': (4,), 'ip6gre': (6,), 'vxlan': (4, 6), 'geneve': (4, 6)}, 'a tunnel port',
                 'tunnel devices')
FAMILY_REFUSED = {
    'gre': ('remote_ip: %s is an IPv6 address, and type gre is GRE over IPv4; Open vSwitch\'s type '
            'for GRE over IPv6 is ip6gre: set type to ip6gre'),
    'ip6gre': ('remote_ip: %s is an IPv4 address, and type ip6gre is GRE over IPv6: set type to gre '
               'for GRE over IPv4'),
}


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


class Endpoint:
    """One address as Open vSwitch and Linux take it (addresses.canonical_address): ``text``,
    ``version``, and ``written``, a note for messages when the value was an IPv4-mapped IPv6
    address (now its IPv4 address)."""

    def __init__(self, value):
        self.text, self.version = canonical_address(value)
        mapped = ':' in str(value) and self.version == 4
        self.written = ' (written %s, an IPv4-mapped IPv6 address)' % str(value).strip() if mapped else ''

    def __str__(self):
        return self.text + self.written


def address(field, value):
    """``value`` as an :class:`Endpoint` that can be a tunnel's end, or Invalid naming ``field``."""
    try:
        found = Endpoint(value)
    except AddressProblem as e:
        bare = str(value).partition('%')[0].strip()
        try:
            problem = endpoint_problem(ipaddress.ip_address(u'%s' % bare))
        except ValueError:
            problem = None
        if problem:  # fe80::1%eth1: the address itself cannot be an endpoint, scope or not
            raise Invalid('%s: %s %s; a tunnel endpoint must be a unicast address of a host' % (field, value, problem))
        raise Invalid('%s: %s' % (field, e))
    problem = endpoint_problem(ipaddress.ip_address(u'%s' % found.text))
    if problem:
        raise Invalid('%s: %s %s; a tunnel endpoint must be a unicast address of a host' % (field, found, problem))
    return found


def check_name(field, name, kind):
    problem = interface_name_problem(field, name, kind)
    if problem:
        raise Invalid(problem)


def tunnel_key(value):
    """OVS reads keys with strtoull(base 0): 0x10 and 16 are the same key."""
    try:
        return int(value, 0)
    except ValueError:
        return value


def udp_port(value):
    try:
        return int(value, 10)
    except ValueError:
        return value


def endpoint_text(text):
    """An address of OVSDB as OVS compares it (another spelling of it, an IPv4-mapped IPv6
    address, is the same endpoint); a text that is no address as it is."""
    try:
        return canonical_address(text)[0]
    except AddressProblem:
        return text


def endpoints(kind, options):
    """What OVS tells tunnel ports on one datapath apart by: the datapath port they share (one
    per type, and for vxlan and geneve one per UDP destination port: dst_port, else IANA's),
    remote_ip, local_ip (unset differs from any address) and the key expected on received
    packets (in_key, else key, else 0). Ports of different types never have the same endpoints,
    but see :func:`udp_port_of`."""
    port = udp_port(options.get('dst_port', str(UDP_PORTS[kind]))) if kind in UDP_PORTS else None
    return (kind, endpoint_text(options.get('remote_ip', '')), endpoint_text(options.get('local_ip', '')),
            tunnel_key(options.get('in_key', options.get('key', '0'))), port)


def udp_port_of(kind, options):
    """The UDP port an interface of ``kind`` receives on (dst_port, else OVS's default), or None
    for a type that is not a UDP tunnel (or a dst_port that is no number). OVS receives on one UDP
    port of a datapath for one tunnel type only: a VXLAN and a Geneve port on it are both set up,
    without an error, and the packets of one of them are dropped."""
    if kind not in UDP_TYPES:
        return None
    port = udp_port(options['dst_port']) if 'dst_port' in options else UDP_TYPES[kind]
    return port if isinstance(port, int) else None


def udp_clash(kind):
    return ('Open vSwitch receives on a UDP port for one tunnel type only and would drop the packets of '
            'the other without an error (give the %s port another dst_port)' % LABELS[kind])


def describe(ends):
    kind, remote, local, key, port = ends
    if kind in UDP_PORTS:
        return '%s with local_ip %s, VNI %s and dst_port %s' % (remote, local or 'unset', key, port)
    return '%s with local_ip %s and key %s' % (remote, local or 'unset', key)


def refuses_same(ends):
    if ends[0] in UDP_PORTS:
        return ('Open vSwitch refuses a second %s port with the same endpoints, VNI and dst_port (use '
                'another VNI, dst_port or address)' % LABELS[ends[0]])
    return ('Open vSwitch refuses a second %s port with the same endpoints and key (use another key or '
            'address)' % LABELS[ends[0]])


def wanted(spec, bridge, state, flavour):
    """Validate one port's options; return the Interface row it should have."""
    check_name('name', spec['name'], 'port')
    if spec['local'] is not None:
        raise Invalid('local: options:local is not an Open vSwitch option (OVS ignores it, the '
                      'tunnel would use any source address); use local_ip')
    if state == 'absent':
        return None
    kind = spec['type']
    if not spec['remote_ip']:
        raise Invalid('remote_ip: required when state is present')
    remote = address('remote_ip', spec['remote_ip'])
    options = {'remote_ip': remote.text}
    if spec['local_ip']:
        local = address('local_ip', spec['local_ip'])
        if local.version != remote.version:
            raise Invalid('local_ip: %s and remote_ip %s are not the same address family'
                          % (local, remote))
        options['local_ip'] = local.text
    if remote.version not in flavour.families[kind]:
        raise Invalid(FAMILY_REFUSED[kind] % remote)
    if spec['key'] is not None and (spec['in_key'] is not None or spec['out_key'] is not None):
        raise Invalid('key: conflicts with in_key/out_key; give either key, or in_key and out_key')
    for field in KEYS:
        if spec[field] is not None:
            try:
                options[field] = bounded(field, spec[field], 0, KEY_MAX[kind], ('flow',))
            except Invalid as e:
                raise Invalid('%s (the VNI of a %s port is 24 bits)' % (e, kind) if kind in UDP_PORTS else str(e))
    if spec['dst_port'] is not None:
        if kind not in UDP_PORTS:
            raise Invalid('dst_port: only vxlan and geneve ports have a UDP destination port; Open vSwitch '
                          'ignores dst_port on %s ports' % kind)
        options['dst_port'] = bounded('dst_port', str(spec['dst_port']), 1, 65535)
    if spec['tos'] is not None:
        options['tos'] = bounded('tos', spec['tos'], 0, 255, ('inherit',))
    if spec['ttl'] is not None:
        options['ttl'] = bounded('ttl', spec['ttl'], 1, 255, ('inherit',))
    for field in ('csum', 'df_default'):
        if spec[field] is not None:
            options[field] = 'true' if spec[field] else 'false'
    if spec['mtu_request'] is not None:
        raise Invalid(flavour.mtu_refused())
    external_ids = dict((str(k), str(v)) for k, v in (spec['external_ids'] or {}).items())
    if OWNER_KEY in external_ids:
        raise Invalid('external_ids: the key %r is reserved for the ownership mark' % OWNER_KEY)
    external_ids[OWNER_KEY] = OWNER_VALUE
    return dict(bridge=bridge, type=kind, options=options, external_ids=external_ids,
                mtu_request=None)


def port_specs(params):
    """The declared ports, each a dict of PORT_OPTIONS, type, dst_port and name, defaults
    applied (ovs_gre_port has no type and dst_port: gre and none)."""
    params = dict(params, type=params.get('type', 'gre'), dst_port=params.get('dst_port'))
    if params['ports'] is None:
        return [dict((k, params[k]) for k in list(PORT_OPTIONS) + list(TYPE_OPTIONS) + ['name'])]
    specs = []
    for item in params['ports']:
        spec = dict(item)
        for field in INHERITED:
            if spec.get(field) is None:
                spec[field] = params[field]
        if all(item[k] is None for k in KEYS):
            spec.update((k, params[k]) for k in KEYS)
        spec['external_ids'] = dict(params['external_ids'] or {})
        spec['external_ids'].update(item['external_ids'] or {})
        specs.append(spec)
    return specs


def check_shared_endpoints(specs, wants):
    """Two ports of the task with the same endpoints and key: OVS would refuse the second."""
    seen, udp = {}, {}
    for index, (spec, want) in enumerate(zip(specs, wants)):
        ends = endpoints(want['type'], want['options'])
        if ends in seen:
            raise Invalid('ports[%d] (%s): remote_ip %s is also that of %s; %s'
                          % (index, spec['name'], describe(ends), seen[ends], refuses_same(ends)))
        seen[ends] = spec['name']
        port = udp_port_of(want['type'], want['options'])
        other = udp.setdefault(port, (spec['name'], want['type'])) if port is not None else None
        if other and other[1] != want['type']:
            raise Invalid('ports[%d] (%s): dst_port %d is also the UDP destination port of %s, a %s port; %s'
                          % (index, spec['name'], port, other[0], LABELS[other[1]], udp_clash(want['type'])))


# Seen with OVS 3.1: a port deleted in the transaction that adds another with its endpoints
# still holds them while ovs-vswitchd sets the new one up ("File exists").
PURGED_TOO = (' (purged by this task, but Open vSwitch frees its endpoints only after the transaction '
              'that deletes it: purge it in a run without the new port first)')


def datapath_interfaces(ovsdb, bridge, skip):
    """(name, interface) of the interfaces OVSDB has on ``bridge``'s datapath (every bridge of
    one datapath type shares it), but those in ``skip``: the task's own ports, which its
    transaction rewrites."""
    def datapath(name):
        return ovsdb['bridges'][name]['datapath_type'] or 'system'
    return [(name, iface) for name, iface in sorted(ovsdb['interfaces'].items())
            if iface['bridge'] in ovsdb['bridges'] and name not in skip
            and datapath(iface['bridge']) == datapath(bridge)]


def taken_endpoints(ovsdb, bridge, skip):
    """Endpoints -> (port, bridge) of the tunnel interfaces on ``bridge``'s datapath."""
    taken = {}
    for name, iface in datapath_interfaces(ovsdb, bridge, skip):
        if iface['type'] in TYPES:
            taken.setdefault(endpoints(iface['type'], iface['options']), (iface['port'] or name, iface['bridge']))
    return taken


def taken_udp_ports(ovsdb, bridge, skip):
    """UDP port -> [(port, bridge, type)] of the UDP tunnel interfaces (ours or not, of any UDP
    type) on ``bridge``'s datapath."""
    taken = {}
    for name, iface in datapath_interfaces(ovsdb, bridge, skip):
        port = udp_port_of(iface['type'], iface['options'])
        if port is not None:
            taken.setdefault(port, []).append((iface['port'] or name, iface['bridge'], iface['type']))
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


def refuse_foreign(name, port, force, flavour):
    if len(port['interfaces']) != 1:
        raise Invalid('name: port %s on bridge %s has %d interfaces; it is not %s this '
                      'module can manage' % (name, port['bridge'], len(port['interfaces']), flavour.kind))
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


def plan_present(name, want, port, force, flavour):
    """Commands and the row after them, for one port that should exist. Another type is
    changed in place with the options (OVS 3.1 keeps the port and its ofport)."""
    if port is None or port['bridge'] != want['bridge']:
        commands = []
        if port is not None:
            refuse_foreign(name, port, force, flavour)
            commands.append(['del-port', port['bridge'], name])
        commands += [['add-port', want['bridge'], name], set_interface(name, want)]
        return commands, want
    refuse_foreign(name, port, force, flavour)
    have = row_of(port)
    after = dict(have, type=want['type'], options=want['options'],
                 external_ids=dict(have['external_ids'], **want['external_ids']))
    changes = {}
    if have['type'] != want['type']:
        changes['type'] = want['type']
    if have['options'] != want['options']:
        changes['options'] = want['options']
    ids = dict((k, v) for k, v in want['external_ids'].items() if have['external_ids'].get(k) != v)
    if ids:
        changes['external_ids'] = ids
    return ([set_interface(name, changes)] if changes else []), after


class Failed(Exception):
    """The task fails: the message, and the other keys of the module's result."""

    def __init__(self, msg, **result):
        super(Failed, self).__init__(msg)
        self.result = result


class Task:
    """The validated input: ``specs`` (port_specs) and ``wants`` (each one's row, None when
    absent) in the order given."""

    def __init__(self, params, specs, wants):
        self.bridge = params['bridge']
        self.bulk = params['ports'] is not None
        self.state = params['state']
        self.purge = params['purge']
        self.force = params['force']
        self.specs = specs
        self.wants = wants
        self.names = [spec['name'] for spec in specs]


class Plan:
    """One transaction: its ``commands``, each port's row ``before`` and ``after`` it (only the
    ports it touches, and those it leaves as they should be), the ports it ``purged`` and the
    names of those it ``touched``."""

    def __init__(self):
        self.commands, self.before, self.after, self.purged, self.touched = [], {}, {}, [], set()


def validate(params, flavour):
    """Phase 1, before any call: the Task, or Invalid."""
    bulk = params['ports'] is not None
    check_name('bridge', params['bridge'], 'bridge')
    if params['purge'] and not (bulk and params['state'] == 'present'):
        raise Invalid('purge: only with ports and state=present')
    if bulk and params['mtu_request'] is not None:
        raise Invalid(flavour.mtu_refused())
    specs = port_specs(params)
    names = [spec['name'] for spec in specs]
    duplicates = sorted(set(n for n in names if names.count(n) > 1))
    if duplicates:
        raise Invalid('ports: %s listed more than once' % ', '.join(duplicates))
    wants = []
    for index, spec in enumerate(specs):
        try:
            wants.append(wanted(spec, params['bridge'], params['state'], flavour))
        except Invalid as e:
            raise Invalid('ports[%d] (%s): %s' % (index, spec['name'], e) if bulk else str(e))
    if params['state'] == 'present':
        check_shared_endpoints(specs, wants)
    return Task(params, specs, wants)


def check_taken(task, ovsdb, purged):
    """The task's ports against the tunnels OVSDB has on the datapath: the same endpoints, or
    the UDP port of another type."""
    taken = taken_endpoints(ovsdb, task.bridge, set(task.names))
    udp = taken_udp_ports(ovsdb, task.bridge, set(task.names))
    for index, (spec, want) in enumerate(zip(task.specs, task.wants)):
        where = 'ports[%d] (%s): ' % (index, spec['name']) if task.bulk else ''
        ends = endpoints(want['type'], want['options'])
        other = taken.get(ends)
        if other:
            raise Invalid('%sremote_ip %s is already that of port %s on bridge %s%s; %s'
                          % (where, describe(ends), other[0], other[1],
                             PURGED_TOO if other[0] in purged else '', refuses_same(ends)))
        port = udp_port_of(want['type'], want['options'])
        for name, bridge, kind in udp.get(port, []) if port is not None else []:
            if kind != want['type']:
                raise Invalid('%sdst_port %d is already the UDP destination port of port %s on bridge %s, a %s '
                              'port%s; %s' % (where, port, name, bridge, LABELS[kind],
                                              PURGED_TOO if name in purged else '', udp_clash(want['type'])))


def plan(task, bridges, current, ovsdb, flavour):
    """Phase 3: the Plan that makes OVSDB (as read: ``bridges``, ``current`` ports, the whole
    ``ovsdb``) what the task wants, or Invalid."""
    planned = Plan()
    if task.state == 'present' and task.bridge not in bridges:
        raise Invalid('bridge: %s does not exist (known bridges: %s)'
                      % (task.bridge, ', '.join(sorted(bridges)) or 'none'))
    if task.purge:
        planned.purged = [name for name, port in sorted(current.items())
                          if port['bridge'] == task.bridge and name not in task.names and purgeable(port)]
    if task.state == 'present':
        check_taken(task, ovsdb, planned.purged)
    for name, want in zip(task.names, task.wants):
        port = current.get(name)
        if task.state == 'present':
            steps, row = plan_present(name, want, port, task.force, flavour)
        elif port is not None and port['bridge'] not in (task.bridge, None):
            raise Invalid('bridge: port %s is on bridge %s, not %s; it is left alone'
                          % (name, port['bridge'], task.bridge))
        elif port is not None and port['bridge'] is not None:
            refuse_foreign(name, port, task.force, flavour)
            steps, row = [['del-port', port['bridge'], name]], None
        else:  # no bridge holds it: nothing to do
            steps, row = [], None
        planned.commands += steps
        if steps:
            planned.touched.add(name)
            planned.before[name] = row_of(port) if port else {}
            planned.after[name] = row or {}
        elif row:
            planned.before[name] = planned.after[name] = row
    for name in planned.purged:
        planned.commands.append(['del-port', task.bridge, name])
        planned.touched.add(name)
        planned.before[name], planned.after[name] = row_of(current[name]), {}
    return planned


def port_text(port):
    """A port as read, for a message: where it is and its columns."""
    row = row_of(port) if port['interfaces'] else dict(bridge=port['bridge'], type='?', options={})
    return 'on bridge %s (type %s, options %s)' % (
        row['bridge'], row['type'], ', '.join('%s=%s' % item for item in sorted(row['options'].items())) or 'none')


def moved(names, first, then):
    """What became of ``names`` between two reads (``first`` and ``then`` ports), by name."""
    found = {}
    for name in names:
        was, now = first.get(name), then.get(name)
        if was == now:
            continue
        if was is None:
            found[name] = 'port %s was created %s' % (name, port_text(now))
        elif now is None:
            found[name] = 'port %s was deleted' % name
        else:
            found[name] = 'port %s was changed, now %s' % (name, port_text(now))
    return found


RACED = ("another run changed OVSDB between this task's read and its write, to something else than this "
         "task wants, so this task wrote nothing: %s; %s (ovs-vsctl: %s)")


def apply(module, client, task, planned, current, flavour):
    """Phase 4: run the Plan, one transaction. Returns ``(argv, planned, current)``: the command
    line that changed OVSDB (None when none did), the Plan that holds, and the ports as they are.

    Every command is conditional on what was read: add-port on no port of that name, del-port
    and set on the port being there (ovs-vsctl verifies what it read and re-runs its commands
    on a newer OVSDB, then refuses them, atomically). When it refuses, OVSDB is read again: if
    another run made (or deleted) the task's ports exactly as wanted, the task converges on it
    (changed=false, or one more transaction for the rest); if into something else, it fails
    naming what changed."""
    if not planned.commands or module.check_mode:
        return None, planned, current
    try:
        return client.transact(planned.commands), planned, current
    except OvsRefused as e:
        refused = e
    except OvsError as e:
        raise Failed(str(e), changed=False, commands=[client.transact_argv(planned.commands)])
    failure = Failed(str(refused), changed=False, commands=[client.transact_argv(planned.commands)])
    try:
        bridges, fresh, ovsdb = read_ports(client)
    except OvsError:
        raise failure
    changed = moved(sorted(set(task.names) | set(planned.purged)), current, fresh)
    if not changed:  # not a race: OVSDB is as read, and ovs-vsctl refused
        raise failure
    race = '; '.join(changed[n] for n in sorted(changed))
    said = ' '.join(refused.err.split())
    said = said[len('ovs-vsctl: '):] if said.startswith('ovs-vsctl: ') else said
    try:
        again = plan(task, bridges, fresh, ovsdb, flavour)
    except Invalid as e:
        raise Failed(RACED % (race, e, said), changed=False, commands=[])
    if again.touched & set(changed):
        raise Failed(RACED % (race, 'run the task again to make it what this task wants', said),
                     changed=False, commands=[])
    # The other run made exactly what this task wants of the ports it changed.
    if not again.commands:
        return None, again, fresh
    try:
        return client.transact(again.commands), again, fresh
    except OvsError as e:
        raise Failed(str(e), changed=False, commands=[client.transact_argv(again.commands)])


def outcome(module, client, task, planned, argv, current):
    """Phase 5: the module's result, or Failed when ovs-vswitchd did not set up a port that
    should exist (read back after a write)."""
    result = dict(changed=bool(planned.commands), commands=[])
    # The ports that should exist, checked against what ovs-vswitchd made of them: after a
    # write, all of them in a read-back; otherwise those the plan leaves alone (in check mode
    # the others have not been written).
    checked = task.names if task.state == 'present' else []
    if module.check_mode and planned.commands:
        result['commands'] = [client.transact_argv(planned.commands)]
        checked = [n for n in checked if n not in planned.after or planned.before.get(n) == planned.after[n]]
    elif argv is not None:
        result['commands'] = [argv]
        if checked:  # ovs-vsctl has waited for ovs-vswitchd to apply the transaction.
            try:
                dummy, current, dummy = read_ports(client)
            except OvsError as e:
                raise Failed(str(e), changed=True, commands=[argv])
    after, before = planned.after, planned.before
    if task.bulk:
        result['ports'] = dict((n, row) for n, row in after.items() if row and n in task.names)
        result['purged'] = planned.purged
        changed_names = [n for n in after if before.get(n) != after[n]]
        result['diff'] = dict(before=dict((n, before[n]) for n in changed_names),
                              after=dict((n, after[n]) for n in changed_names))
    else:
        name = task.names[0]
        result['port'] = after.get(name, {})
        result['diff'] = dict(before=before.get(name, {}), after=after.get(name, {}))
    refused = refusals(checked, current)
    if refused:
        raise Failed('ovs-vswitchd did not set up %s' % '; '.join(refused[n] for n in sorted(refused)),
                     refused=refused, **result)
    return result


def run(module, flavour):
    """The whole task: validate, one read, plan, one transaction, one read-back. Returns the
    module's result, or raises Failed; the module exits."""
    params = module.params
    try:
        task = validate(params, flavour)
    except Invalid as e:
        raise Failed(str(e))
    if any(spec['pmtud'] is not None for spec in task.specs):
        module.warn('pmtud has done nothing since Open vSwitch 1.10 and is ignored; remove it')
    try:
        client = OvsVsctl(module, db=params['db'], timeout=params['timeout'])
        bridges, current, ovsdb = read_ports(client)
    except OvsError as e:
        raise Failed(str(e))
    try:
        planned = plan(task, bridges, current, ovsdb, flavour)
    except Invalid as e:
        raise Failed(str(e))
    argv, planned, current = apply(module, client, task, planned, current, flavour)
    return outcome(module, client, task, planned, argv, current)


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
