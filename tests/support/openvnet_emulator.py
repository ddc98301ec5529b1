"""An emulator of OpenVNet's WebAPI (develop branch, 2019), for tests only.

OpenVNet cannot run here (EL6/EL7 RPMs, Ruby gems from dead hosts), so the
modules are tested against this: an HTTP server that behaves as the reference
(shared/reference/openvnet.md, sections 3 and 4) says the real one does, for
datapaths, networks, interfaces (+ ports), datapath networks and MAC range
groups:

- routes under /api/1.0/ and /api/, a .json or .yml suffix choosing the reply
  format (JSON by default; YAML as Ruby's Psych writes it, with symbol keys);
- parameters from the query string, a form body, or a JSON body wrapped one
  level deep; parameters a route does not declare are silently dropped, so
  immutable fields sent to PUT are ignored;
- uuids ``<prefix>-[a-z0-9]{1,16}`` (generated when not given), deleted uuids
  reusable; dpid stored as a number and shown as ``0x%016x``;
- error bodies ``{error, message, code}`` with the documented HTTP statuses,
  HTTP 500 for database constraint violations and unsupported update keys,
  Sinatra's plain 404 page for unknown routes;
- lists capped at ``pagination_limit`` items (30 unless ``--pagination-limit N``
  or ``pagination_limit N`` in the ``--config`` webapi.conf says otherwise),
  always from the first item: ``offset``/``limit`` query parameters are not
  declared by the list routes, so they are ignored; ``total_count`` complete.

For tests, ``--read-delay SECONDS`` (``serve(read_delay=...)``) makes every GET
wait before it is answered, outside the lock, so that two module runs started
together most likely both read before either writes; ``Api.hold_reads(n)`` makes
it certain: the next n GETs are answered only once all n have arrived.

Run it: ``python tests/support/openvnet_emulator.py [--host H] [--port P]
[--pagination-limit N] [--config /etc/openvnet/webapi.conf] [--read-delay S]``.
"""

import argparse
import ipaddress
import json
import os
import random
import re
import string
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

PAGINATION_LIMIT = 30
ERRORS = {  # class -> (HTTP status, code)
    'UnknownUUIDResource': (404, '100'),
    'InvalidUUID': (400, '101'),
    'DuplicateUUID': (400, '102'),
    'ArgumentError': (400, '110'),
    'MissingArgument': (400, '111'),
    'DeleteRestrictionError': (400, '113'),
}
PREFIXES = {'datapaths': 'dp', 'networks': 'nw', 'interfaces': 'if', 'mac_range_groups': 'mrg'}
MODEL = {'datapaths': 'Datapath', 'networks': 'Network', 'interfaces': 'Interface',
         'mac_range_groups': 'MacRangeGroup'}
NETWORK_MODES = ('virtual', 'physical', 'internal')
INTERFACE_MODES = ('vif', 'host', 'simulated', 'patch', 'internal', 'promiscuous', 'remote')
TRUE = ('1', 'true', 't', 'yes', 'y')
FALSE = ('0', 'false', 'f', 'no', 'n')
# Declared parameters per route (sinatra-browse drops everything else).
DECLARED = {
    ('POST', 'datapaths'): ('uuid', 'display_name', 'dpid', 'node_id', 'enable_ovs_learn_action'),
    ('PUT', 'datapaths'): ('display_name', 'enable_ovs_learn_action'),
    ('POST', 'networks'): ('uuid', 'display_name', 'domain_name', 'mode', 'network_mode',
                           'ipv4_network', 'ipv4_prefix', 'segment_uuid', 'topology_uuid'),
    ('PUT', 'networks'): ('display_name', 'domain_name'),
    ('POST', 'interfaces'): ('uuid', 'mode', 'owner_datapath_uuid', 'network_uuid', 'segment_uuid',
                             'ipv4_address', 'mac_address', 'mac_range_group_uuid', 'port_name',
                             'display_name', 'enable_routing', 'enable_route_translation',
                             'enable_filtering'),
    ('PUT', 'interfaces'): ('display_name', 'enable_routing', 'enable_route_translation',
                            'enable_filtering', 'owner_datapath_uuid'),
    ('POST', 'mac_range_groups'): ('uuid', 'allocation_type'),
    ('POST', 'datapath_networks'): ('interface_uuid', 'mac_address'),
    ('POST', 'interface_ports'): ('datapath_uuid', 'port_name', 'singular'),
    ('POST', 'mac_ranges'): ('uuid', 'begin_mac_address', 'end_mac_address'),
}


class ApiError(Exception):
    def __init__(self, kind, message, status=None):
        super().__init__(message)
        self.kind, self.message = kind, message
        self.status, self.code = ERRORS.get(kind, (500, '500'))
        if status:
            self.status = status


class NotFoundRoute(Exception):
    """Sinatra's own 404: the route does not exist."""


def now():
    return time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())


def boolean(name, value):
    value = str(value).lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise ApiError('ArgumentError', '%s must be a boolean' % name)


def mac_int(name, value):
    if not re.match(r'^([0-9a-f]{2}[:-]?){5}[0-9a-f]{2}$', str(value), re.I):
        raise ApiError('ArgumentError', 'Invalid MAC address %s for %s' % (value, name))
    return int(re.sub(r'[:-]', '', value), 16)


def mac_str(number):
    raw = '%012x' % number
    return ':'.join(raw[i:i + 2] for i in range(0, 12, 2))


class Store:
    """OpenVNet's database as the API sees it."""

    def __init__(self):
        self.lock = threading.RLock()
        self.rows = dict((k, []) for k in PREFIXES)
        self.ports = []            # interface ports
        self.dp_networks = []      # datapath <-> network
        self.mac_ranges = []
        self.next_id = 1

    def _id(self):
        self.next_id += 1
        return self.next_id - 1

    def live(self, resource):
        return [r for r in self.rows[resource] if not r['is_deleted']]

    def find(self, resource, uuid, param=None):
        for row in self.live(resource):
            if row['uuid'] == uuid:
                return row
        raise ApiError('UnknownUUIDResource', '%s#uuid: %s' % (MODEL[resource], uuid))

    def by_id(self, resource, row_id):
        return next(r for r in self.rows[resource] if r['id'] == row_id)

    def new_uuid(self, resource, uuid):
        prefix = PREFIXES[resource]
        if uuid is None or uuid == '':
            alphabet = string.ascii_lowercase + string.digits
            return '%s-%s' % (prefix, ''.join(random.choice(alphabet) for dummy in range(8)))
        if not re.match(r'^%s-[a-z0-9]{1,16}$' % prefix, uuid):
            raise ApiError('InvalidUUID', 'Invalid UUID %s' % uuid)
        if any(r['uuid'] == uuid for r in self.live(resource)):
            raise ApiError('DuplicateUUID', uuid)
        # develop: a deleted row's uuid is renamed so the uuid can be reused.
        for row in self.rows[resource]:
            if row['uuid'] == uuid:
                row['uuid'] = '%s-deleted%d' % (prefix, row['id'])
        return uuid

    STATE = ('rows', 'ports', 'dp_networks', 'mac_ranges', 'next_id')

    def save(self, path):
        """OpenVNet keeps its registrations in MySQL; with --state the emulator keeps them in a
        file, so that a reboot of the lab's hub does not lose them."""
        with self.lock:
            with open(path + '.tmp', 'w') as f:
                json.dump(dict((k, getattr(self, k)) for k in self.STATE), f)
            os.replace(path + '.tmp', path)

    def load(self, path):
        if os.path.exists(path):
            with open(path) as f:
                state = json.load(f)
            for key in self.STATE:
                setattr(self, key, state[key])

    def base_row(self, uuid):
        stamp = now()
        return {'id': self._id(), 'uuid': uuid, 'created_at': stamp, 'updated_at': stamp,
                'deleted_at': None, 'is_deleted': 0}

    def delete_row(self, row):
        row['is_deleted'] = 1
        row['deleted_at'] = now()


def required(params, *names):
    for name in names:
        if params.get(name) in (None, ''):
            raise ApiError('MissingArgument', name)


class Api:
    def hold_reads(self, n):
        """Answer the next n GETs together (a race between n runs, made certain)."""
        self.held = ReadGate(n)

    def __init__(self, store, pagination_limit=PAGINATION_LIMIT, config=None, state=None, read_delay=0):
        self.store = store
        self.read_delay = read_delay
        self.held = None
        self.default_limit = pagination_limit
        self.config = config
        self.state = state
        if state:
            store.load(state)

    @property
    def pagination_limit(self):
        # read each time: the openvnet role writes webapi.conf after the lab started the emulator
        return pagination_limit_of(self.config, self.default_limit)

    # -- datapaths ---------------------------------------------------------
    def datapath_view(self, row):
        view = dict((k, row[k]) for k in ('id', 'uuid', 'display_name', 'node_id',
                                          'enable_ovs_learn_action', 'created_at', 'updated_at',
                                          'deleted_at', 'is_deleted'))
        view['dpid'] = '0x%016x' % row['dpid']
        return view

    def datapaths_post(self, params):
        required(params, 'display_name', 'dpid', 'node_id')
        if not re.match(r'^(0x)?[0-9a-f]{0,16}$', params['dpid'], re.I):
            raise ApiError('ArgumentError', 'dpid must be a 16 byte hexadecimal number '
                                            '(with or without 0x prefix)')
        dpid = int(params['dpid'][2:] if params['dpid'].lower().startswith('0x') else params['dpid'] or '0', 16)
        learn = boolean('enable_ovs_learn_action', params.get('enable_ovs_learn_action', 'true'))
        uuid = self.store.new_uuid('datapaths', params.get('uuid'))
        if any(r['dpid'] == dpid and r['node_id'] == params['node_id'] for r in self.store.live('datapaths')):
            raise ApiError('Sequel::UniqueConstraintViolation',
                           "Mysql2::Error: Duplicate entry '%d-%s' for key 'dpid_node_id'" % (dpid, params['node_id']))
        row = dict(self.store.base_row(uuid), display_name=params['display_name'], dpid=dpid,
                   node_id=params['node_id'], enable_ovs_learn_action=learn)
        self.store.rows['datapaths'].append(row)
        return 200, self.datapath_view(row)

    def datapaths_delete(self, row):
        self.store.dp_networks = [a for a in self.store.dp_networks if a['datapath_id'] != row['id']]
        self.store.ports = [p for p in self.store.ports if p['datapath_id'] != row['id']]

    # -- networks ----------------------------------------------------------
    def network_view(self, row):
        return dict((k, row[k]) for k in ('id', 'uuid', 'display_name', 'ipv4_network', 'ipv4_prefix',
                                          'mode', 'domain_name', 'segment_id', 'created_at',
                                          'updated_at', 'deleted_at', 'is_deleted'))

    def networks_post(self, params):
        required(params, 'ipv4_network')
        mode = params.get('mode') or params.get('network_mode')
        if mode is not None and mode not in NETWORK_MODES:
            raise ApiError('ArgumentError', 'mode must be one of %s' % ', '.join(NETWORK_MODES))
        try:
            network = ipaddress.IPv4Address(params['ipv4_network'].split('/')[0])
        except ValueError:
            raise ApiError('ArgumentError', 'Invalid IPv4 address: %s' % params['ipv4_network'])
        prefix = params.get('ipv4_prefix', '24')
        if not str(prefix).isdigit() or not 1 <= int(prefix) <= 32:
            raise ApiError('ArgumentError', 'ipv4_prefix must be in 1..32')
        uuid = self.store.new_uuid('networks', params.get('uuid'))
        row = dict(self.store.base_row(uuid), display_name=params.get('display_name'),
                   ipv4_network=str(network), ipv4_prefix=int(prefix), mode=mode,
                   domain_name=params.get('domain_name') or uuid.split('-', 1)[1], segment_id=None)
        self.store.rows['networks'].append(row)
        return 200, self.network_view(row)

    def networks_delete(self, row):
        if any(a['network_id'] == row['id'] for a in self.store.dp_networks) or any(
                i.get('network_id') == row['id'] for i in self.store.live('interfaces')):
            raise ApiError('DeleteRestrictionError', 'Network %s is in use' % row['uuid'])

    # -- interfaces --------------------------------------------------------
    def interface_view(self, row):
        view = dict((k, row[k]) for k in ('id', 'uuid', 'mode', 'display_name', 'enable_routing',
                                          'enable_route_translation', 'enable_filtering',
                                          'enable_legacy_filtering', 'created_at', 'updated_at',
                                          'deleted_at', 'is_deleted'))
        leases = []
        if row['mac_address'] is not None:
            ip_leases = []
            if row['ipv4_address'] is not None:
                network = self.store.by_id('networks', row['network_id'])
                ip_leases.append({'uuid': row['ip_lease_uuid'], 'ipv4_address': row['ipv4_address'],
                                  'network_uuid': network['uuid'], 'interface_uuid': row['uuid'],
                                  'mac_lease_uuid': row['mac_lease_uuid']})
            leases.append({'uuid': row['mac_lease_uuid'], 'mac_address': mac_str(row['mac_address']),
                           'interface_uuid': row['uuid'], 'ip_leases': ip_leases})
        view['mac_leases'] = leases
        first = leases[0] if leases else {}
        first_ip = (first.get('ip_leases') or [{}])[0]
        view['mac_address'] = first.get('mac_address')
        view['network_uuid'] = first_ip.get('network_uuid')
        view['ipv4_address'] = first_ip.get('ipv4_address')
        view['ip_leases'] = first.get('ip_leases', [])
        return view

    def interfaces_post(self, params):
        required(params, 'mode')
        if params['mode'] not in INTERFACE_MODES:
            raise ApiError('ArgumentError', 'mode must be one of %s' % ', '.join(INTERFACE_MODES))
        flags = dict((f, boolean(f, params.get(f, 'false'))) for f in
                     ('enable_routing', 'enable_route_translation', 'enable_filtering'))
        mac = mac_int('mac_address', params['mac_address']) if params.get('mac_address') else None
        network = owner = address = None
        if params.get('network_uuid'):
            network = self.store.find('networks', params['network_uuid'])
        if params.get('owner_datapath_uuid'):
            owner = self.store.find('datapaths', params['owner_datapath_uuid'])
        if params.get('ipv4_address'):
            try:
                address = ipaddress.IPv4Address(params['ipv4_address'])
            except ValueError:
                raise ApiError('ArgumentError', 'Invalid IPv4 address: %s' % params['ipv4_address'])
            if network is not None:
                subnet = ipaddress.IPv4Network('%s/%d' % (network['ipv4_network'], network['ipv4_prefix']))
                if address not in subnet:
                    raise ApiError('ArgumentError', 'IP Address %s not in subnet %s' % (address, subnet))
        if params.get('port_name') and owner is not None and any(
                p['port_name'] == params['port_name'] and p['datapath_id'] == owner['id']
                for p in self.store.ports):
            raise ApiError('Sequel::UniqueConstraintViolation',
                           "Mysql2::Error: Duplicate entry for key 'port_name_datapath_id'")
        uuid = self.store.new_uuid('interfaces', params.get('uuid'))
        row = dict(self.store.base_row(uuid), mode=params['mode'], display_name=params.get('display_name'),
                   enable_legacy_filtering=False, mac_address=mac, mac_lease_uuid=None, ip_lease_uuid=None,
                   ipv4_address=None, network_id=None, **flags)
        if mac is not None:
            row['mac_lease_uuid'] = 'ml-%s' % uuid.split('-', 1)[1][:8]
            if network is not None and address is not None:
                row.update(ipv4_address=str(address), network_id=network['id'],
                           ip_lease_uuid='il-%s' % uuid.split('-', 1)[1][:8])
        self.store.rows['interfaces'].append(row)
        if owner is not None or params.get('port_name'):
            self.store.ports.append({'id': self.store._id(), 'interface_id': row['id'],
                                     'datapath_id': owner['id'] if owner else None,
                                     'port_name': params.get('port_name'), 'singular': True,
                                     'interface_mode': row['mode']})
        return 200, self.interface_view(row)

    def interfaces_put_check(self, params):
        for key in params:
            if key != 'display_name':
                raise ApiError('RuntimeError',
                               'Unsupported update key: %s' % key)

    def interfaces_delete(self, row):
        self.store.ports = [p for p in self.store.ports if p['interface_id'] != row['id']]
        self.store.dp_networks = [a for a in self.store.dp_networks if a['interface_id'] != row['id']]

    # -- mac range groups (the datapath_mac_group pool) --------------------
    def mac_range_groups_post(self, params):
        uuid = self.store.new_uuid('mac_range_groups', params.get('uuid'))
        row = dict(self.store.base_row(uuid), allocation_type=params.get('allocation_type', 'random'))
        self.store.rows['mac_range_groups'].append(row)
        return 200, dict(row)

    # -- dispatch ----------------------------------------------------------
    VIEWS = {'datapaths': 'datapath_view', 'networks': 'network_view', 'interfaces': 'interface_view',
             'mac_range_groups': None}

    def view(self, resource, row):
        name = self.VIEWS[resource]
        return getattr(self, name)(row) if name else dict(row)

    def collection(self, items):
        return {'total_count': len(items), 'offset': 0, 'limit': self.pagination_limit,
                'items': items[:self.pagination_limit]}

    def handle(self, method, parts, params):
        store = self.store
        with store.lock:
            if not parts or parts[0] not in PREFIXES:
                raise NotFoundRoute()
            resource = parts[0]
            if len(parts) == 1:
                if method == 'GET':
                    return 200, self.collection([self.view(resource, r) for r in store.live(resource)])
                if method == 'POST':
                    return getattr(self, resource + '_post')(only(params, method, resource))
                raise NotFoundRoute()
            row = store.find(resource, parts[1])
            if len(parts) == 2:
                if method == 'GET':
                    return 200, self.view(resource, row)
                if method == 'PUT' and (method, resource) in DECLARED:
                    params = only(params, method, resource)
                    if resource == 'interfaces':
                        self.interfaces_put_check(params)
                    for key, value in params.items():
                        row[key] = boolean(key, value) if key.startswith('enable_') else value
                    row['updated_at'] = now()
                    return 200, self.view(resource, row)
                if method == 'DELETE':
                    hook = getattr(self, resource + '_delete', None)
                    if hook:
                        hook(row)
                    store.delete_row(row)
                    return 200, [row['uuid']]
                raise NotFoundRoute()
            return self.relation(method, resource, row, parts[2:], params)

    def relation(self, method, resource, row, rest, params):
        store = self.store
        if resource == 'datapaths' and rest[0] == 'networks':
            if len(rest) == 1 and method == 'GET':
                ids = [a['network_id'] for a in store.dp_networks if a['datapath_id'] == row['id']]
                return 200, self.collection([self.network_view(store.by_id('networks', i)) for i in ids])
            if len(rest) == 2:
                network = store.find('networks', rest[1])
                if method == 'POST':
                    params = only(params, method, 'datapath_networks')
                    required(params, 'interface_uuid')
                    interface = store.find('interfaces', params['interface_uuid'])
                    if any(a['datapath_id'] == row['id'] and a['network_id'] == network['id']
                           for a in store.dp_networks):
                        raise ApiError('Sequel::UniqueConstraintViolation',
                                       "Mysql2::Error: Duplicate entry '%d-%d-0' for key "
                                       "'datapath_id_network_id_is_deleted'" % (row['id'], network['id']))
                    if params.get('mac_address'):
                        mac = mac_int('mac_address', params['mac_address'])
                    else:
                        mac = self.lease_from_pool()
                    join = {'id': store._id(), 'datapath_id': row['id'], 'network_id': network['id'],
                            'interface_id': interface['id'], 'mac_address_id': store._id(),
                            'mac_address': mac, 'ip_lease_id': None, 'is_deleted': 0}
                    store.dp_networks.append(join)
                    return 200, dict(join)
                if method == 'DELETE':
                    before = len(store.dp_networks)
                    store.dp_networks = [a for a in store.dp_networks if not (
                        a['datapath_id'] == row['id'] and a['network_id'] == network['id'])]
                    if len(store.dp_networks) == before:
                        raise ApiError('UnknownUUIDResource', 'DatapathNetwork: %s %s'
                                       % (row['uuid'], network['uuid']))
                    return 200, [network['uuid']]
        if resource == 'interfaces' and rest == ['ports']:
            if method == 'GET':
                return 200, self.collection([dict(p) for p in store.ports if p['interface_id'] == row['id']])
            if method == 'POST':
                params = only(params, method, 'interface_ports')
                dp = store.find('datapaths', params['datapath_uuid']) if params.get('datapath_uuid') else None
                port = {'id': store._id(), 'interface_id': row['id'], 'datapath_id': dp['id'] if dp else None,
                        'port_name': params.get('port_name'),
                        'singular': boolean('singular', params.get('singular', 'false')),
                        'interface_mode': row['mode']}
                store.ports.append(port)
                return 200, dict(port)
        if resource == 'mac_range_groups' and rest == ['mac_ranges'] and method == 'POST':
            params = only(params, method, 'mac_ranges')
            required(params, 'begin_mac_address', 'end_mac_address')
            entry = {'id': store._id(), 'uuid': 'mr-%d' % store.next_id, 'mac_range_group_id': row['id'],
                     'begin_mac_address': mac_int('begin_mac_address', params['begin_mac_address']),
                     'end_mac_address': mac_int('end_mac_address', params['end_mac_address'])}
            store.mac_ranges.append(entry)
            return 200, dict(entry)
        raise NotFoundRoute()

    def lease_from_pool(self):
        """A MAC from datapath_mac_group "mrg-dpg", as vnmgr does; none -> NOT NULL violation."""
        store = self.store
        group = next((g for g in store.live('mac_range_groups') if g['uuid'] == 'mrg-dpg'), None)
        ranges = [r for r in store.mac_ranges if group and r['mac_range_group_id'] == group['id']]
        used = set(a['mac_address'] for a in store.dp_networks)
        for entry in ranges:
            for mac in range(entry['begin_mac_address'], entry['end_mac_address'] + 1):
                if mac not in used:
                    return mac
        raise ApiError('Sequel::NotNullConstraintViolation',
                       "Mysql2::Error: Column 'mac_address_id' cannot be null")


def only(params, method, route):
    """sinatra-browse: parameters the route does not declare disappear."""
    return dict((k, v) for k, v in params.items() if k in DECLARED[(method, route)])


def ruby_yaml(value):
    """YAML as Ruby's Psych prints a Hash with symbol keys."""
    lines = ['---']

    def scalar(v):
        if v is None:
            return ''
        if v is True or v is False:
            return 'true' if v else 'false'
        if isinstance(v, int):
            return str(v)
        s = str(v)
        if re.match(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$', s):
            # Ruby Time objects come out unquoted (a YAML timestamp).
            return s.replace('T', ' ').replace('Z', '.000000000 Z')
        if (s == '' or re.match(r'^(0x[0-9a-f]+|[-+]?[\d.]+|true|false|yes|no|null|~)$', s, re.I)
                or re.search(r'[:#{}\[\],&*!|>\'"%@`]', s) or s != s.strip()):
            return "'%s'" % s.replace("'", "''")
        return s

    def emit(v, indent, key_prefix):
        pad = '  ' * indent
        if isinstance(v, dict):
            if not v:
                return [key_prefix + '{}']
            out = []
            first = True
            for k, item in v.items():
                prefix = (key_prefix if first else pad) + ':%s:' % k
                first = False
                if isinstance(item, (dict, list)) and item:
                    out.append(prefix)
                    out += emit(item, indent + 1, '  ' * (indent + 1))
                else:
                    text = emit(item, indent + 1, '')[0] if isinstance(item, (dict, list)) else scalar(item)
                    out.append(prefix + (' ' + text if text != '' else ''))
            return out
        if isinstance(v, list):
            if not v:
                return [key_prefix + '[]']
            out = []
            for item in v:
                if isinstance(item, dict) and item:
                    out += emit(item, indent + 1, pad + '- ')
                else:
                    out.append(pad + '- ' + (scalar(item) if not isinstance(item, (dict, list))
                                             else emit(item, indent + 1, '')[0]))
            return out
        return [key_prefix + scalar(v)]

    if isinstance(value, (dict, list)) and value:
        lines += emit(value, 0, '')
    else:
        lines[0] += ' ' + (scalar(value) if not isinstance(value, (dict, list)) else emit(value, 0, '')[0])
    return '\n'.join(lines) + '\n'


class Handler(BaseHTTPRequestHandler):
    api = None  # set by serve()
    requests = None

    def log_message(self, fmt, *args):  # quiet
        pass

    def _params(self):
        split = urlsplit(self.path)
        params = dict(parse_qsl(split.query, keep_blank_values=True))
        length = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(length).decode() if length else ''
        ctype = self.headers.get('Content-Type', '')
        if body and ctype == 'application/x-www-form-urlencoded':
            params.update(parse_qsl(body, keep_blank_values=True))
        elif body and ctype in ('application/json', 'text/json'):
            doc = json.loads(body)
            if isinstance(doc, dict) and doc:
                params.update(list(doc.values())[0])
        return split.path, params

    def _dispatch(self, method):
        path, params = self._params()
        self.requests.append((method, path, dict(params)))
        fmt = 'json'
        match = re.match(r'^/api(?:/1\.0)?/(.*)$', path)
        parts = match.group(1).strip('/').split('/') if match else None
        if parts and re.search(r'\.(json|yml)$', parts[-1]):
            parts[-1], fmt = parts[-1].rsplit('.', 1)
        if method == 'GET' and self.api.read_delay:
            time.sleep(self.api.read_delay)
        if method == 'GET' and self.api.held is not None:
            self.api.held.wait()
        try:
            if parts is None:
                raise NotFoundRoute()
            status, body = self.api.handle(method, parts, params)
            if method != 'GET' and self.api.state:
                self.api.store.save(self.api.state)
        except NotFoundRoute:
            return self._send(404, '<h1>Not Found</h1>', 'text/html;charset=utf-8')
        except ApiError as e:
            status, body = e.status, {'error': 'Vnet::Endpoints::Errors::%s' % e.kind
                                      if e.kind in ERRORS else e.kind,
                                      'message': e.message, 'code': e.code}
        if fmt == 'yml':
            return self._send(status, ruby_yaml(body), 'text/yaml;charset=utf-8')
        return self._send(status, json.dumps(body), 'application/json')

    def _send(self, status, text, ctype):
        data = text.encode()
        self.send_response(status)
        self.send_header('Content-Type', ctype)
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self._dispatch('GET')

    def do_POST(self):
        self._dispatch('POST')

    def do_PUT(self):
        self._dispatch('PUT')

    def do_DELETE(self):
        self._dispatch('DELETE')


def pagination_limit_of(config, default=PAGINATION_LIMIT):
    """``pagination_limit N`` from a webapi.conf (fuguta DSL: ``key value``, ``#`` comments);
    a directory means its webapi.conf, as /etc/openvnet is searched."""
    if config is None:
        return default
    path = os.path.join(config, 'webapi.conf') if os.path.isdir(config) else config
    if not os.path.exists(path):
        return default
    with open(path) as f:
        for line in f:
            m = re.match(r'^\s*pagination_limit\s+(\d+)\s*(#.*)?$', line)
            if m:
                return int(m.group(1))
    return default


class ReadGate:
    """The next ``n`` GETs wait until all have arrived (or ``timeout``), then every GET passes."""

    def __init__(self, n, timeout=60):
        self.n, self.timeout, self.arrived = n, timeout, 0
        self.lock, self.open = threading.Lock(), threading.Event()

    def wait(self):
        with self.lock:
            self.arrived += 1
            if self.arrived >= self.n:
                self.open.set()
        self.open.wait(self.timeout)


def serve(host='127.0.0.1', port=9090, pagination_limit=PAGINATION_LIMIT, config=None, read_delay=0):
    """Start the emulator in a thread; returns the server (``server.requests`` logs calls)."""
    api = Api(Store(), pagination_limit, config, read_delay=read_delay)
    handler = type('BoundHandler', (Handler,), {'api': api, 'requests': []})
    server = ThreadingHTTPServer((host, port), handler)
    server.requests = handler.requests
    server.api = api
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=9090)
    parser.add_argument('--pagination-limit', type=int, default=PAGINATION_LIMIT,
                        help='most items a list returns (webapi.conf pagination_limit; default 30)')
    parser.add_argument('--config', help='a webapi.conf (or its directory) whose pagination_limit wins')
    parser.add_argument('--state', help='a file that keeps the registrations across restarts (as MySQL does)')
    parser.add_argument('--read-delay', type=float, default=0,
                        help='seconds every GET waits before its answer (tests: makes concurrent runs race)')
    args = parser.parse_args()
    api = Api(Store(), args.pagination_limit, args.config, args.state, args.read_delay)
    handler = type('BoundHandler', (Handler,), {'api': api, 'requests': []})
    ThreadingHTTPServer((args.host, args.port), handler).serve_forever()


if __name__ == '__main__':
    main()
