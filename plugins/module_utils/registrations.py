# -*- coding: utf-8 -*-
# Copyright: (c) 2026, OpenVNet collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Converge whole sets of OpenVNet datapaths, networks and interfaces in one run.

Reads: one list per kind (paged when the server honours offset/limit, else the
wanted uuids one by one). Resources this code makes carry a marker in their
display_name (``<marker>: <label>``; interfaces also record their port and owner,
which the WebAPI does not list: ``<marker>: <label> [port P on dp-X]``), so
purge never touches what a user made and the interface ports are only read when
that fingerprint differs. Writes: only differences, in dependency order; a
re-create never loses a resource (checked first, restored on failure).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import re

from ansible_collections.openvnet.openvnet.plugins.module_utils.openvnet import (
    Catalog, Client, Incomplete, Invalid, OpenVNetError, check_ipv4, check_uuid, describe, expect_object, holder_named,
    network_cidr, normalize_dpid, normalize_mac)

NETWORK_MODES = ('virtual', 'physical', 'internal')
INTERFACE_MODES = ('vif', 'host', 'simulated', 'patch', 'internal', 'promiscuous', 'remote')
ORDER = ('datapaths', 'networks', 'interfaces')
PREFIX = {'datapaths': 'dp', 'networks': 'nw', 'interfaces': 'if'}
# Fields compared; the first group cannot change in place (re-create), the second can (PUT).
IMMUTABLE = {
    'datapaths': ('dpid', 'node_id'),
    'networks': ('ipv4_network', 'ipv4_prefix', 'mode'),
    'interfaces': ('mode', 'mac_address', 'network_uuid', 'ipv4_address', 'port_name', 'owner_datapath_uuid'),
}
MUTABLE = {'datapaths': ('display_name',), 'networks': ('display_name', 'domain_name'),
           'interfaces': ('display_name',)}
FINGERPRINT = re.compile(r'\[(?:port (?P<port>\S+))?(?: ?on (?P<owner>dp-[a-z0-9]+))?\]$')
ITEM_SPECS = {
    'datapaths': dict(uuid=dict(type='str', required=True), dpid=dict(type='raw'),
                      node_id=dict(type='raw'), display_name=dict(type='raw')),
    'networks': dict(uuid=dict(type='str', required=True), ipv4_network=dict(type='raw'),
                     ipv4_prefix=dict(type='int'), mode=dict(type='str', default='virtual', choices=list(NETWORK_MODES)),
                     display_name=dict(type='raw'), domain_name=dict(type='raw')),
    'interfaces': dict(uuid=dict(type='str', required=True),
                       mode=dict(type='str', default='vif', choices=list(INTERFACE_MODES)),
                       owner_datapath_uuid=dict(type='str'), network_uuid=dict(type='str'),
                       mac_address=dict(type='raw'), ipv4_address=dict(type='raw'), port_name=dict(type='raw'),
                       display_name=dict(type='raw')),
}


# -- input -----------------------------------------------------------------

def text(field, value, required=False):
    """A string option; numbers (YAML's reading of an unquoted MAC, dpid, ...) get a hint."""
    if value is None or value == '':
        if required:
            raise Invalid('%s is required' % field)
        return None
    if isinstance(value, bool) or isinstance(value, (int, float)):
        raise Invalid('%s: %r is a number, not a string: YAML reads some unquoted values as numbers (a MAC or '
                      'dpid of digits and colons, digits with leading zeros); quote it' % (field, value))
    if not isinstance(value, str):
        raise Invalid('%s: %r is not a string' % (field, value))
    return value


# The marker and the owners it names: ``openvnet.openvnet[dp-sv0]: label``. Owners are whole tokens, so
# one hub's purge never matches another's (``dp-sv0`` is not ``dp-sv01``), nor a look-alike name.
MARKER = re.compile(r'[A-Za-z0-9][A-Za-z0-9._/-]{0,63}\Z')
OWNER = re.compile(r'[a-z0-9][a-z0-9._-]{0,63}\Z')


def mark(marker, owners):
    return '%s[%s]' % (marker, ','.join(owners)) if owners else marker


def parse_mark(display_name, marker):
    """(owners, label) when ``display_name`` carries ``marker`` exactly, else None."""
    name = display_name or ''
    if not name.startswith(marker):
        return None
    rest = name[len(marker):]
    owners = ()
    if rest.startswith('['):
        end = rest.find(']')
        if end < 0:
            return None
        owners = tuple(rest[1:end].split(','))
        if not all(OWNER.match(o) for o in owners):
            return None
        rest = rest[end + 1:]
    if not rest.startswith(': '):
        return None
    return owners, rest[2:]


def port_name(value):
    """A port name the display name's record (``[port P on dp-X]``) can be read back from."""
    if value is not None and not re.match(r'[^\s\[\]]{1,255}\Z', value):
        raise Invalid('port_name: %r has a space or a bracket, which the display name that records it could not be '
                      'read back from' % value)
    return value


def fingerprint(marker, label, port=None, owner=None, owners=()):
    name = '%s: %s' % (mark(marker, owners), label)
    where = ' '.join(p for p in (('port %s' % port) if port else None, ('on %s' % owner) if owner else None) if p)
    return '%s [%s]' % (name, where) if where else name


def datapath_item(d, marker, owners):
    want = dict(dpid=normalize_dpid(text('dpid', d['dpid'], True)), node_id=text('node_id', d['node_id'], True))
    want['_label'] = text('display_name', d.get('display_name')) or d['uuid']
    want['display_name'] = fingerprint(marker, want['_label'], owners=owners)
    return want


def network_item(d, marker, owners):
    address, prefix = network_cidr(text('ipv4_network', d['ipv4_network'], True), d.get('ipv4_prefix'))
    want = dict(ipv4_network=address, ipv4_prefix=prefix, mode=d.get('mode') or 'virtual',
                domain_name=text('domain_name', d.get('domain_name')))
    want['_label'] = text('display_name', d.get('display_name')) or d['uuid']
    want['display_name'] = fingerprint(marker, want['_label'], owners=owners)
    return want


def interface_item(d, marker, owners):
    want = dict(mode=d.get('mode') or 'vif',
                owner_datapath_uuid=check_uuid('owner_datapath_uuid', d.get('owner_datapath_uuid'), 'dp'),
                network_uuid=check_uuid('network_uuid', d.get('network_uuid'), 'nw'),
                mac_address=normalize_mac('mac_address', text('mac_address', d.get('mac_address'))),
                ipv4_address=check_ipv4('ipv4_address', text('ipv4_address', d.get('ipv4_address'))),
                port_name=port_name(text('port_name', d.get('port_name'))))
    if want['ipv4_address'] and not want['network_uuid']:
        raise Invalid('ipv4_address needs network_uuid (the network it is leased from)')
    if want['ipv4_address'] and not want['mac_address']:
        raise Invalid('ipv4_address needs mac_address (OpenVNet leases the address to the MAC)')
    want['_label'] = text('display_name', d.get('display_name')) or d['uuid']
    want['display_name'] = fingerprint(marker, want['_label'], want['port_name'], want['owner_datapath_uuid'], owners)
    return want


ITEM = {'datapaths': datapath_item, 'networks': network_item, 'interfaces': interface_item}


def validate(params):
    """Every item checked before any request: {kind: [(uuid, want)]}."""
    marker, owner = params['marker'], params.get('owner')
    if not isinstance(marker, str) or not MARKER.match(marker):
        raise Invalid('marker: %r must be 1-64 of letters, digits and . _ / - (it is parsed back out of display '
                      'names, so no spaces, colons or brackets)' % (marker,))
    if owner is not None and not OWNER.match(owner):
        raise Invalid('owner: %r must be 1-64 of lower-case letters, digits and . _ - (for example the hub\'s '
                      'datapath uuid)' % (owner,))
    owners = (owner,) if owner else ()
    wanted = {}
    for kind in ORDER:
        wanted[kind] = []
        seen = set()
        for i, d in enumerate(params[kind] or []):
            where = '%s[%d]' % (kind, i)
            try:
                uuid = check_uuid('uuid', text('uuid', d.get('uuid'), True), PREFIX[kind])
                if uuid in seen:
                    raise Invalid('uuid %s is listed twice' % uuid)
                seen.add(uuid)
                want = ITEM[kind](d, marker, owners) if params['state'] == 'present' else {}
            except Invalid as e:
                raise Invalid('%s%s: %s' % (where, ' (%s)' % d.get('uuid') if isinstance(d.get('uuid'), str) else '', e))
            wanted[kind].append((uuid, want))
    if params['state'] == 'present':
        networks = dict(wanted['networks'])
        used = {}
        for uuid, want in wanted['interfaces']:
            network = networks.get(want['network_uuid'])
            if want['ipv4_address'] and network:
                subnet = ipaddress.IPv4Network('%s/%s' % (network['ipv4_network'], network['ipv4_prefix']))
                if ipaddress.IPv4Address(want['ipv4_address']) not in subnet:
                    raise Invalid('interfaces (%s): ipv4_address %s is not in %s (%s)'
                                  % (uuid, want['ipv4_address'], want['network_uuid'], subnet))
            for key in (('port', want['owner_datapath_uuid'], want['port_name']) if want['port_name'] else None,
                        ('mac', want['mac_address']) if want['mac_address'] else None,
                        ('ip', want['network_uuid'], want['ipv4_address']) if want['ipv4_address'] else None):
                if key is None:
                    continue
                if key in used:
                    raise Invalid('interfaces: %s and %s both have %s' % (used[key], uuid, describe_key(key)))
                used[key] = uuid
        dpids = {}
        for uuid, want in wanted['datapaths']:
            key = (want['dpid'], want['node_id'])
            if key in dpids:
                raise Invalid('datapaths: %s and %s both have dpid %s on node %s' % (dpids[key], uuid, key[0], key[1]))
            dpids[key] = uuid
    return wanted


def describe_key(key):
    if key[0] == 'port':
        return 'port_name %s%s' % (key[2], ' on %s' % key[1] if key[1] else '')
    if key[0] == 'mac':
        return 'mac_address %s' % key[1]
    return 'ipv4_address %s in %s' % (key[2], key[1])


# -- what is there -----------------------------------------------------------

def view(kind, obj):
    """The compared fields of an object as OpenVNet returns it."""
    if kind == 'datapaths':
        try:
            dpid = normalize_dpid(obj.get('dpid'))
        except Invalid:
            dpid = obj.get('dpid')
        return dict(display_name=obj.get('display_name'), dpid=dpid, node_id=obj.get('node_id'))
    if kind == 'networks':
        return dict(display_name=obj.get('display_name'), domain_name=obj.get('domain_name'),
                    ipv4_network=obj.get('ipv4_network'), ipv4_prefix=obj.get('ipv4_prefix'),
                    mode=obj.get('mode') or obj.get('network_mode'))
    have = dict(display_name=obj.get('display_name'), mode=obj.get('mode'),
                mac_address=(obj.get('mac_address') or '').lower() or None,
                network_uuid=obj.get('network_uuid'), ipv4_address=obj.get('ipv4_address'))
    m = FINGERPRINT.search(obj.get('display_name') or '')
    # Port and owner are not in the object: what the display name recorded (checked against
    # the interface's ports when the name differs from the wanted one).
    have['port_name'] = m.group('port') if m else None
    have['owner_datapath_uuid'] = m.group('owner') if m else None
    return have


class Registrations:
    def __init__(self, module):
        self.module = module
        self.p = module.params
        self.client = Client(module)
        self.marker = self.p['marker']
        self.owner = self.p.get('owner')
        self.owners = (self.owner,) if self.owner else ()
        self.catalog = None
        self.actions = []
        self.done = []        # writes that succeeded, for a failure's report
        self.warnings = []
        self.lost = []        # create parameters of what could not be restored
        self.wanted = dict((k, []) for k in ORDER)
        self.have = dict((k, {}) for k in ORDER)      # uuid -> object, as read
        self.complete = dict((k, True) for k in ORDER)
        self.results = dict((k, {}) for k in ORDER)   # uuid -> object after the run
        self.diff = dict(before=dict((k, {}) for k in ORDER), after=dict((k, {}) for k in ORDER))

    def ownership(self, kind, obj):
        """'ours', 'shared' (a network other owners own too), 'joinable' (a network only other owners own),
        'legacy' (marked by 1.2.0, which named no owner), 'other' (marked for another owner) or None (not
        marked: a user's)."""
        parsed = parse_mark(obj.get('display_name'), self.marker)
        if parsed is None:
            return None
        owners = parsed[0]
        if owners == self.owners:
            return 'ours'
        if not owners:
            return 'legacy'
        if kind == 'networks' and self.owner:
            # one subnet, one network: hubs of one deployment share it, each named among its owners
            return 'shared' if self.owner in owners else 'joinable'
        return 'other'

    def managed(self, kind, obj):
        return self.ownership(kind, obj) in ('ours', 'shared')

    def other_owners(self, kind, obj):
        """The owners of a shared network besides this one."""
        if kind != 'networks' or not self.owner:
            return []
        parsed = parse_mark(obj.get('display_name'), self.marker)
        return sorted(o for o in (parsed[0] if parsed else ()) if o != self.owner)

    def owners_after(self, obj, leave=False):
        """A network's owners once this run joins (or leaves) it."""
        parsed = parse_mark(obj.get('display_name'), self.marker) if obj else None
        owners = set(parsed[0]) if parsed else set()
        owners.discard(self.owner) if leave else owners.add(self.owner)
        return tuple(sorted(o for o in owners if o))

    # -- reads -------------------------------------------------------------
    def read(self, wanted):
        self.wanted = wanted
        self.read_kinds = {}
        for kind in ORDER:
            uuids = [u for u, dummy in wanted[kind]]
            if self.p['state'] == 'absent' and not uuids and not (kind == 'interfaces' and wanted['networks']):
                continue
            self.have[kind], self.complete[kind] = self.client.list_all(kind, uuids)
            self.read_kinds[kind] = True
            if not self.complete[kind]:
                self.warnings.append(
                    'OpenVNet listed only part of the %s and ignored offset/limit: the wanted ones were read one '
                    'by one%s. Raise pagination_limit in webapi.conf (openvnet_webapi_pagination_limit in the '
                    'openvnet.openvnet.openvnet role) to read them in one request.'
                    % (kind, '; purge could only remove the managed %s it saw' % kind if self.p['purge'] else ''))

    def object(self, kind, uuid):
        """A resource this run may reference: read, or (list cut short) fetched by uuid."""
        if uuid in self.have[kind]:
            return self.have[kind][uuid]
        if self.complete[kind]:
            return None
        obj = self.client.read(kind, uuid)
        if obj is not None:
            self.have[kind][uuid] = obj
        return obj

    def ports(self, uuid, want_owner):
        """(port_name, owner uuid) of an interface, from GET /interfaces/<uuid>/ports."""
        items = self.client.relations('interfaces', uuid, 'ports')[0]
        port = items[0] if items else {}
        owner = None
        dp_id = port.get('datapath_id')
        if dp_id is not None:
            owner = next((u for u, o in self.have['datapaths'].items() if o.get('id') == dp_id), None)
            if owner is None and want_owner:
                obj = self.object('datapaths', want_owner)
                owner = want_owner if obj is not None and obj.get('id') == dp_id else None
            owner = owner or 'datapath id %s' % dp_id
        return port.get('port_name'), owner

    # -- plan --------------------------------------------------------------
    def plan(self, wanted):
        """[(kind, uuid, action, reason, want, old)]; fails before any change."""
        self.catalog = Catalog(self.client, dict((k, (self.have[k], self.complete[k])) for k in ORDER
                                                 if self.read_kinds.get(k)))
        if self.p['state'] == 'absent':
            steps = self.plan_absent(wanted)
        else:
            steps = self.plan_present(wanted)
            if self.p['purge']:
                steps = self.plan_purge(wanted) + steps
        steps = self.carry(steps, wanted)
        self.check_creates(steps, wanted)
        self.check_transport(steps)
        return steps

    def plan_absent(self, wanted):
        steps = []
        for kind in reversed(ORDER):
            for uuid, dummy in wanted[kind]:
                obj = self.have[kind].get(uuid)
                if obj is None:
                    continue
                owned = self.ownership(kind, obj)
                if owned == 'joinable' and not self.p['force']:
                    # a network only other owners keep: this owner has left it already (or never had it)
                    self.warnings.append('%s is owned by %s, not by %s: left as it is'
                                         % (uuid, ', '.join(self.other_owners(kind, obj)), self.owner))
                    continue
                if owned not in ('ours', 'shared') and not self.p['force']:
                    self.fail('%s %s is not this task\'s to delete (display_name %r does not carry %r); set force=true '
                              'to delete it anyway' % (kind[:-1], uuid, obj.get('display_name'),
                                                       mark(self.marker, self.owners) + ':'))
                steps.append(self.leave_or_delete(kind, uuid, obj, None))
        return self.deletable(steps, fail=True)

    def leave_or_delete(self, kind, uuid, obj, reason):
        """A network other hubs still own loses only this owner; anything else is deleted."""
        if kind == 'networks' and self.ownership(kind, obj) == 'shared':
            owners = self.owners_after(obj, leave=True)
            if owners:
                label = parse_mark(obj.get('display_name'), self.marker)[1]
                return (kind, uuid, 'update', 'left by %s, still owned by %s' % (self.owner, ', '.join(owners)),
                        dict(display_name=fingerprint(self.marker, label, owners=owners)), obj)
        return (kind, uuid, 'delete', reason, None, obj)

    def plan_present(self, wanted):
        p = self.p
        steps, conflicts, refused = [], [], []
        for kind in ORDER:
            for uuid, want in wanted[kind]:
                obj = self.have[kind].get(uuid)
                if obj is None:
                    steps.append((kind, uuid, 'create', None, want, None))
                    continue
                owned = self.ownership(kind, obj)
                adopt = owned in (None, 'other')
                if adopt and not p['force']:
                    conflicts.append('%s (display_name %r)' % (uuid, obj.get('display_name')))
                    continue
                if kind == 'networks' and self.owner and owned in ('shared', 'joinable', 'legacy', 'ours'):
                    # One subnet, one network, several hubs: each names itself among its owners.
                    want = dict(want, display_name=fingerprint(self.marker, want['_label'], owners=self.owners_after(obj)))
                have = view(kind, obj)
                if kind == 'interfaces' and have['display_name'] != want['display_name'] \
                        and (want['port_name'] or want['owner_datapath_uuid']):
                    # The recorded port/owner cannot be trusted: ask OpenVNet.
                    have['port_name'], have['owner_datapath_uuid'] = self.ports(uuid, want['owner_datapath_uuid'])
                    obj['_ports'] = (have['port_name'], have['owner_datapath_uuid'])
                fixed = [f for f in IMMUTABLE[kind] if (want.get(f) is not None or kind != 'interfaces')
                         and have.get(f) != want.get(f)]
                others = self.other_owners(kind, obj)
                if fixed and others:
                    changes = ['%s %r -> %r' % (f, have.get(f), want.get(f)) for f in fixed]
                    try:
                        users = [what for k, u, what in self.catalog.dependents(kind, uuid, obj)]
                    except Incomplete as e:
                        users = [str(e)]
                    self.fail('%s is also owned by %s (display_name %r): its fixed fields cannot change while another '
                              'owner has it (%s)%s; nothing was changed'
                              % (uuid, ', '.join(others), obj.get('display_name'), '; '.join(changes),
                                 '; a re-create would destroy %s' % ', '.join(users) if users else ''))
                if fixed and not p['recreate']:
                    changes = ['%s %r -> %r' % (f, have.get(f), want.get(f)) for f in fixed]
                    refused.append('%s: %s' % (uuid, '; '.join(changes)))
                    continue
                if fixed:
                    steps.append((kind, uuid, 'recreate', '%s changed' % ', '.join(fixed), want, obj))
                    continue
                changes = [f for f in MUTABLE[kind] if want.get(f) is not None and have.get(f) != want[f]]
                if changes:
                    why = {None: ', adopted', 'other': ', adopted', 'legacy': ', marked with its owner',
                           'joinable': ', joined by %s' % self.owner}.get(owned, '')
                    steps.append((kind, uuid, 'update', '%s changed%s' % (', '.join(changes), why), want, obj))
        if conflicts:
            self.fail('these exist and are not this task\'s (their display_name does not carry %r): %s; set force=true '
                      'to adopt them' % (mark(self.marker, self.owners) + ':', ', '.join(conflicts)))
        if refused:
            self.fail('cannot be changed in place (set recreate=true to delete and re-create): %s' % ' | '.join(refused))
        return steps

    def plan_purge(self, wanted):
        purge = []
        for kind in reversed(ORDER):
            keep = set(u for u, dummy in wanted[kind])
            for uuid, obj in sorted(self.have[kind].items()):
                if uuid not in keep and self.managed(kind, obj):
                    purge.append(self.leave_or_delete(kind, uuid, obj, 'purge'))
        return self.deletable(purge, fail=False)

    def deletable(self, deletes, fail):
        """The deletes whose resource nothing else uses, read completely (OpenVNet destroys what uses a network
        or datapath with it: Catalog). Absent fails naming the users; purge keeps the resource, with a warning."""
        wanted = set((k, u) for k in ORDER for u, w in self.wanted[k])
        held = {}       # (kind, uuid) -> what still uses it
        while True:
            # what is kept no longer goes: what it used must be checked again (a host interface whose datapath stays)
            going = set((k, u) for k, u, a, r, w, o in deletes if a == 'delete' and (k, u) not in held)
            for kind, uuid, action, dummy, dummy, obj in deletes:
                if action != 'delete' or (kind, uuid) in held:
                    continue
                try:
                    users = [what for k, u, what in self.catalog.dependents(kind, uuid, obj, going)]
                except Incomplete as e:
                    users = ['what OpenVNet did not list (%s)' % e]
                if kind in ('networks', 'datapaths'):
                    field = 'network_uuid' if kind == 'networks' else 'owner_datapath_uuid'
                    users += ['interface %s (wanted by this task)' % u for u, w in self.wanted['interfaces']
                              if w.get(field) == uuid and ('interfaces', u) in wanted]
                if users:
                    held[(kind, uuid)] = users
            if going == set((k, u) for k, u, a, r, w, o in deletes if a == 'delete' and (k, u) not in held):
                break
        for (kind, uuid), users in sorted(held.items()):
            msg = '%s is still used by %s' % (uuid, ', '.join(users))
            if fail:
                self.fail('cannot delete ' + msg)
            self.warnings.append('not purged: %s, which this task does not remove' % msg)
        return [step for step in deletes if (step[0], step[1]) not in held]

    def carry(self, steps, wanted):
        """A re-created network or datapath takes with it what uses it (Catalog): the interfaces this task
        lists are re-created after it; anything else fails the task before any change, named."""
        wanted_if = dict(wanted['interfaces'])
        out = list(steps)
        planned = dict(((k, u), i) for i, (k, u, a, r, w, o) in enumerate(out))
        going = set((k, u) for k, u, a, r, w, o in steps if a == 'delete')
        for kind, uuid, action, reason, want, obj in list(steps):
            if action != 'recreate' or kind == 'interfaces' and obj.get('mode') != 'host':
                continue
            try:
                found = self.catalog.dependents(kind, uuid, obj, going)
            except Incomplete as e:
                self.fail('cannot re-create %s: %s' % (uuid, e))
            blocked = [what for k, u, what in found if k != 'interfaces' or u not in wanted_if]
            if blocked:
                self.fail('cannot re-create %s: OpenVNet would destroy with it %s, which this task does not list; '
                          'nothing was changed' % (uuid, ', '.join(blocked)))
            for k, other, what in found:
                if ('interfaces', other) in planned and out[planned[('interfaces', other)]][2] == 'recreate':
                    continue
                old = self.have['interfaces'].get(other) or self.object('interfaces', other)
                if old is not None and '_ports' not in old:
                    old['_ports'] = self.ports(other, wanted_if[other].get('owner_datapath_uuid'))
                step = ('interfaces', other, 'recreate', '%s %s re-created' % (kind[:-1], uuid), wanted_if[other], old)
                if ('interfaces', other) in planned:
                    out[planned[('interfaces', other)]] = step
                else:
                    planned[('interfaces', other)] = len(out)
                    out.append(step)
        return out

    def check_transport(self, steps):
        """Interfaces carry the marker in display_name, which OpenVNet's vnctl cannot send: refuse
        before any write rather than fail half-way."""
        unsupported = getattr(self.client.transport, 'UNSUPPORTED', {})
        for kind, uuid, action, dummy, want, old in steps:
            verb = {'create': 'add', 'recreate': 'add', 'update': 'modify'}.get(action)
            if verb and 'display_name' in unsupported.get((kind, verb), ()):
                self.fail("%s: vnctl cannot set an interface's display_name, where this module marks what it made "
                          "(OpenVNet's vnctl has no option for it); nothing was changed; use transport=api" % uuid)

    def check_creates(self, steps, wanted):
        """Before deleting anything: every create this run makes can succeed."""
        going = set((k, u) for k, u, a, r, w, o in steps if a in ('delete', 'recreate'))
        creating = dict(((k, u), w) for k, u, a, r, w, o in steps if a in ('create', 'recreate'))
        wanted_dp = dict(wanted['datapaths'])
        wanted_nw = dict(wanted['networks'])
        for (kind, uuid), want in sorted(creating.items()):
            if kind == 'datapaths':
                for other, obj in self.have['datapaths'].items():
                    if other != uuid and ('datapaths', other) not in going and \
                            (view('datapaths', obj)['dpid'], obj.get('node_id')) == (want['dpid'], want['node_id']):
                        self.fail('cannot create %s: datapath %s already has dpid %s on node %s'
                                  % (uuid, other, want['dpid'], want['node_id']))
            if kind != 'interfaces':
                continue
            owner = want['owner_datapath_uuid']
            if owner and owner not in wanted_dp and self.object('datapaths', owner) is None:
                self.fail('cannot create %s: its owner_datapath_uuid %s does not exist' % (uuid, owner))
            if owner and ('datapaths', owner) in going and owner not in wanted_dp:
                self.fail('cannot create %s: its owner_datapath_uuid %s is being deleted' % (uuid, owner))
            network_uuid = want['network_uuid']
            if network_uuid:
                network = wanted_nw.get(network_uuid)
                if network is None:
                    if ('networks', network_uuid) in going:
                        self.fail('cannot create %s: its network_uuid %s is being deleted' % (uuid, network_uuid))
                    network = self.object('networks', network_uuid)
                    if network is None:
                        self.fail('cannot create %s: its network_uuid %s does not exist' % (uuid, network_uuid))
                    network = view('networks', network)
                if want['ipv4_address']:
                    subnet = ipaddress.IPv4Network('%s/%s' % (network['ipv4_network'], network['ipv4_prefix']))
                    if ipaddress.IPv4Address(want['ipv4_address']) not in subnet:
                        self.fail('cannot create %s: ipv4_address %s is not in %s (%s)'
                                  % (uuid, want['ipv4_address'], network_uuid, subnet))
            for other, obj in self.have['interfaces'].items():
                if other == uuid or ('interfaces', other) in going:
                    continue
                have = view('interfaces', obj)
                if '_ports' in obj:
                    have['port_name'], have['owner_datapath_uuid'] = obj['_ports']
                if want['port_name'] and (have['port_name'], have['owner_datapath_uuid']) == \
                        (want['port_name'], owner):
                    self.fail('cannot create %s: interface %s already has port_name %s%s'
                              % (uuid, other, want['port_name'], ' on %s' % owner if owner else ''))
                if want['mac_address'] and have['mac_address'] == want['mac_address']:
                    self.fail('cannot create %s: interface %s already has mac_address %s'
                              % (uuid, other, want['mac_address']))
                if want['ipv4_address'] and (have['network_uuid'], have['ipv4_address']) == \
                        (network_uuid, want['ipv4_address']):
                    self.fail('cannot create %s: interface %s already has ipv4_address %s in %s'
                              % (uuid, other, want['ipv4_address'], network_uuid))

    # -- writes ------------------------------------------------------------
    def create_params(self, kind, uuid, want):
        params = dict((k, v) for k, v in want.items() if v is not None and not k.startswith('_'))
        if kind == 'networks':
            params['ipv4_prefix'] = want['ipv4_prefix']
        params['uuid'] = uuid
        return params

    def restore_params(self, kind, obj):
        """How to create again what was read."""
        have = view(kind, obj)
        if kind == 'interfaces' and '_ports' in obj:
            have['port_name'], have['owner_datapath_uuid'] = obj['_ports']
        if kind == 'interfaces' and (have['owner_datapath_uuid'] or '').startswith('datapath id'):
            have['owner_datapath_uuid'] = None
        if kind == 'datapaths' and obj.get('enable_ovs_learn_action') is not None:
            have['enable_ovs_learn_action'] = obj['enable_ovs_learn_action']
        return self.create_params(kind, obj['uuid'], have)

    def same(self, kind, obj, want):
        have = view(kind, obj)
        return all(have.get(f) == want.get(f) for f in IMMUTABLE[kind] + ('display_name',)
                   if want.get(f) is not None)

    def create(self, kind, uuid, want, params=None):
        params = params or self.create_params(kind, uuid, want)
        try:
            obj = expect_object(self.client.create(kind, params), 'POST %s (%s)' % (kind, uuid), uuid)
        except OpenVNetError as e:
            if e.code != '102':
                raise holder_named(self.client, kind, uuid, params, e)
            # Another run made it meanwhile: fine if it is what we want.
            obj = self.client.read(kind, uuid)
            if obj is not None and want and kind == 'networks' and self.owner and \
                    self.ownership(kind, obj) == 'joinable' and self.same(kind, obj, dict(want, display_name=None)):
                # another hub made the shared network at the same moment: join it
                joined = dict(display_name=fingerprint(self.marker, want['_label'], owners=self.owners_after(obj)))
                obj = expect_object(self.client.update(kind, uuid, joined), 'PUT %s/%s' % (kind, uuid), uuid)
                self.actions.append('%s: already created by another owner, joined' % uuid)
                self.done.append('joined %s' % uuid)
                return obj
            if obj is None or not self.same(kind, obj, want or {}):
                raise
            self.actions.append('%s: already created by another run' % uuid)
            self.done.append('found %s already created' % uuid)
            return obj
        if params.get('display_name') and obj.get('display_name') != params['display_name']:
            raise OpenVNetError('POST %s (%s): display_name %r was not stored (got %r); vnctl may not pass '
                                'display_name for this resource: use transport=api'
                                % (kind, uuid, params['display_name'], obj.get('display_name')))
        self.done.append('created %s' % uuid)
        return obj

    def delete(self, kind, uuid):
        try:
            body = self.client.transport.call('del', kind, uuid)
        except OpenVNetError as e:
            if e.code != '100':
                raise
            if self.client.read(kind, uuid) is not None:   # another run may have made it again
                raise
            self.done.append('found %s already deleted' % uuid)
            return
        if not isinstance(body, list) or uuid not in body:
            raise OpenVNetError('DELETE %s/%s: expected [%r], got %s' % (kind, uuid, uuid, describe(body)))
        self.done.append('deleted %s' % uuid)

    def update(self, kind, uuid, want, obj):
        if kind == 'networks' and self.owner and self.ownership(kind, obj) is not None:
            parsed = parse_mark(want.get('display_name'), self.marker)
            return self.update_owners(uuid, parsed is not None and self.owner not in parsed[0], want)
        have = view(kind, obj)
        changes = dict((f, want[f]) for f in MUTABLE[kind] if want.get(f) is not None and have.get(f) != want[f])
        obj = expect_object(self.client.update(kind, uuid, changes), 'PUT %s/%s' % (kind, uuid), uuid)
        self.done.append('updated %s' % uuid)
        return obj

    def update_owners(self, uuid, leave, want=None):
        """Join (or leave) a shared network. Its owners live in one display name that hubs write at the same
        moment: read them again right before the write, then read back; another run's write in between is
        merged in again (a few times), so no owner is lost."""
        want = want or {}
        for dummy in range(4):
            fresh = self.client.read('networks', uuid)
            if fresh is None:
                raise OpenVNetError('PUT networks/%s: it was deleted by another run meanwhile' % uuid)
            owners = self.owners_after(fresh, leave=leave)
            if not owners:
                # the others left meanwhile: this owner is the last, and a later purge deletes it
                self.warnings.append('%s: every other owner left it meanwhile; run again to delete it' % uuid)
                return fresh
            parsed = parse_mark(want.get('display_name'), self.marker) or parse_mark(fresh.get('display_name'),
                                                                                     self.marker)
            changes = dict((f, want[f]) for f in MUTABLE['networks'] if f != 'display_name' and want.get(f) is not None
                           and view('networks', fresh).get(f) != want[f])
            name = fingerprint(self.marker, parsed[1] if parsed else uuid, owners=owners)
            if name != fresh.get('display_name'):
                changes['display_name'] = name
            if changes:
                expect_object(self.client.update('networks', uuid, changes), 'PUT networks/%s' % uuid, uuid)
            obj = self.client.read('networks', uuid)
            mine = obj is not None and self.owner in (parse_mark(obj.get('display_name'), self.marker) or ((),))[0]
            if obj is not None and mine != leave:
                self.done.append('updated %s' % uuid)
                return obj
        raise OpenVNetError('networks/%s: other runs kept rewriting its owners; run again' % uuid)

    def fresh_delete(self, uuid, going):
        """Right before a network is deleted (OpenVNet never refuses it, and strips every address leased in it):
        is it still this owner's alone, and unused? Another hub may have joined it since the plan was read."""
        obj = self.client.read('networks', uuid)
        if obj is None:
            return 'gone'
        if self.ownership('networks', obj) != 'ours' and not (self.ownership('networks', obj) is None and self.p['force']):
            return 'owners'
        try:
            users = Catalog(self.client).dependents('networks', uuid, obj, going)
        except Incomplete:
            return 'used'
        return 'used' if users else None

    def apply(self, steps):
        check = self.module.check_mode
        removed = []       # (kind, old object) deleted to be re-created, not yet re-created
        for kind, uuid, action, reason, want, obj in steps:
            label = '%s %s%s' % (action, uuid, ' (%s)' % reason if reason else '')
            self.actions.append(label)
            before = view(kind, obj) if obj else {}
            if kind == 'interfaces' and obj and '_ports' in obj:
                before['port_name'], before['owner_datapath_uuid'] = obj['_ports']
            self.diff['before'][kind][uuid] = before
            self.diff['after'][kind][uuid] = dict(before, **dict((k, v) for k, v in (want or {}).items()
                                                                 if v is not None and not k.startswith('_'))) \
                if want else {}
        if check:
            return
        # Deletes in reverse dependency order (interfaces, networks, datapaths), including the
        # interfaces whose network is re-created (OpenVNet refuses to delete a network in use);
        # then creates, re-creates and updates in dependency order.
        redo_networks = set(u for k, u, a, r, w, o in steps if k == 'networks' and a == 'recreate')
        early = [s for s in steps if s[2] == 'delete' or
                 (s[0] == 'interfaces' and s[2] == 'recreate' and s[5].get('network_uuid') in redo_networks)]
        order = dict((k, i) for i, k in enumerate(ORDER))
        try:
            going = set((s[0], s[1]) for s in steps if s[2] in ('delete', 'recreate'))
            for kind, uuid, action, reason, want, obj in sorted(early, key=lambda s: -order[s[0]]):
                if kind == 'networks' and action == 'delete' and self.owner:
                    why = self.fresh_delete(uuid, going)
                    if why == 'owners':
                        self.warnings.append('%s: another owner joined it meanwhile; only this owner left it' % uuid)
                        self.update_owners(uuid, True)
                        continue
                    if why == 'used':
                        self.warnings.append('not deleted: %s, which something started to use meanwhile' % uuid)
                        continue
                self.delete(kind, uuid)
                if action == 'recreate':
                    removed.append((kind, obj))
            for kind in ORDER:
                mine = [s for s in steps if s[0] == kind]
                # a kind's re-creates are deleted first, so two of them may swap a port or an address
                for k, uuid, action, reason, want, obj in mine:
                    if action == 'recreate' and (kind, obj) not in removed:
                        self.delete(kind, uuid)
                        removed.append((kind, obj))
                for k, uuid, action, reason, want, obj in mine:
                    if action in ('create', 'recreate'):
                        self.results[kind][uuid] = self.create(kind, uuid, want)
                        removed = [r for r in removed if r[1]['uuid'] != uuid or r[0] != kind]
                for k, uuid, action, reason, want, obj in mine:
                    if action == 'update':
                        self.results[kind][uuid] = self.update(kind, uuid, want, obj)
        except OpenVNetError as e:
            self.rollback(e, removed)

    def rollback(self, error, removed):
        restored, lost = [], []
        order = dict((k, i) for i, k in enumerate(ORDER))
        for kind, obj in sorted(removed, key=lambda r: order[r[0]]):
            try:
                params = self.restore_params(kind, obj)
                expect_object(self.client.create(kind, params), 'POST %s (%s)' % (kind, obj['uuid']), obj['uuid'])
                restored.append(obj['uuid'])
            except OpenVNetError as e:
                lost.append('%s (%s)' % (obj['uuid'], e))
                self.lost.append(dict(params, kind=kind))
        msg = '%s; done before the failure: %s' % (error, ', '.join(self.done) or 'nothing')
        if restored:
            msg += '; restored as they were: %s' % ', '.join(restored)
        if lost:
            msg += ('; COULD NOT RESTORE: %s; every field of what was lost is in the result\'s key lost, to create it '
                    'again by hand' % ', '.join(lost))
        self.fail(msg)

    # -- result --------------------------------------------------------------
    def fail(self, msg):
        extra = dict(lost=self.lost) if self.lost else {}
        self.module.fail_json(msg=msg, changed=any(not d.startswith('found ') for d in self.done),
                              actions=self.actions, requests=self.client.requests, **extra)

    def result(self, wanted):
        # A run that found its writes already made by another one changed nothing itself.
        wrote = any(not d.startswith('found ') for d in self.done)
        out = dict(changed=bool(self.actions) if self.module.check_mode else wrote,
                   actions=self.actions, requests=self.client.requests)
        for kind in ORDER:
            objs = []
            for uuid, dummy in wanted[kind]:
                obj = self.results[kind].get(uuid)
                if obj is None and (self.module.check_mode or self.p['state'] == 'present'):
                    obj = self.have[kind].get(uuid)
                if obj is not None and not (self.p['state'] == 'absent' and not self.module.check_mode):
                    objs.append(dict((k, v) for k, v in obj.items() if not k.startswith('_')))
            out[kind] = objs
        if self.module._diff:
            out['diff'] = self.diff
        if self.warnings:
            for w in self.warnings:
                self.module.warn(w)
        return out


def run(module):
    reg = None
    try:
        wanted = validate(module.params)
        reg = Registrations(module)
        reg.read(wanted)
        steps = reg.plan(wanted)
        reg.apply(steps)
        module.exit_json(**reg.result(wanted))
    except Invalid as e:
        module.fail_json(msg=str(e), requests=reg.client.requests if reg else [])
    except OpenVNetError as e:
        module.fail_json(msg=str(e), actions=reg.actions if reg else [], requests=reg.client.requests if reg else [])
