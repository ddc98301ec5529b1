"""An emulator of OpenVNet's WebAPI (develop branch, 2019), for tests only.

OpenVNet cannot run here (EL6/EL7 RPMs, Ruby gems from dead hosts), so the
modules are tested against this: an HTTP server that behaves as the reference
(shared/reference/openvnet.md, sections 3 and 4) says the real one does, for
datapaths, networks, interfaces (+ ports), datapath networks, MAC range
groups, route links and routes. Where the reference is silent it follows
upstream's source (axsh/openvnet develop 1407ad79) and what was measured on
that server (issue 24):

- routes under /api/1.0/ and /api/, a .json or .yml suffix choosing the reply
  format (JSON by default; YAML as Ruby's Psych writes it, with symbol keys);
- parameters from the query string, a form body, or a JSON body wrapped one
  level deep; parameters a route does not declare are silently dropped, so
  immutable fields sent to PUT are ignored;
- uuids ``<prefix>-[a-z0-9]{1,16}`` (generated when not given), deleted uuids
  reusable; dpid stored as a number and shown as ``0x%016x``;
- error bodies ``{error, message, code}`` with the documented HTTP statuses;
  "unknown uuid" messages name the parameter the uuid came in
  (``Network#network_uuid: nw-x``); a MySQL unique key violated, a NOT NULL
  column or an unsupported update key is ``RuntimeError``, HTTP 500, code 500,
  with MySQL's text (``Duplicate entry '<values>' for key '<first column>'``);
  Sinatra's plain 404 page for unknown routes;
- deletes cascade as sequel's association_dependencies do upstream: a network
  (never refused) takes its IP leases, datapath networks and routes; a
  datapath its interface ports and datapath networks; an interface its ports,
  leases, datapath networks and routes; a route link its routes;
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
    'InvalidID': (400, '103'),
    'MissingArgument': (400, '111'),
    'RelationAlreadyExists': (400, '112'),
    'DeleteRestrictionError': (400, '113'),  # declared upstream; no route of the emulator raises it
    'UnknownResource': (404, '114'),
}
PREFIXES = {'datapaths': 'dp', 'networks': 'nw', 'interfaces': 'if', 'mac_range_groups': 'mrg',
            'route_links': 'rl', 'routes': 'r'}
MODEL = {'datapaths': 'Datapath', 'networks': 'Network', 'interfaces': 'Interface',
         'mac_range_groups': 'MacRangeGroup', 'route_links': 'RouteLink', 'routes': 'Route'}
# Models the emulator has no rows for: a reference to one is always unknown.
UNMODELLED = {'segments': ('seg', 'Segment'), 'topologies': ('topo', 'Topology')}
NETWORK_MODES = ('virtual', 'physical', 'internal')
INTERFACE_MODES = ('vif', 'host', 'simulated', 'patch', 'internal', 'promiscuous', 'remote')
TRUE = ('1', 'true', 't', 'yes', 'y')
FALSE = ('0', 'false', 'f', 'no', 'n')
PORT_COLUMNS = ('id', 'interface_id', 'datapath_id', 'port_name', 'singular', 'interface_mode',
                'created_at', 'updated_at', 'deleted_at', 'is_deleted')
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
    ('DELETE', 'interface_ports'): ('datapath_uuid', 'port_name', 'singular'),
    ('POST', 'mac_ranges'): ('uuid', 'begin_mac_address', 'end_mac_address'),
    # (axsh/openvnet 1407ad79 vnet/lib/vnet/endpoints/1.0/routes.rb, route_links.rb)
    ('POST', 'routes'): ('uuid', 'interface_uuid', 'network_uuid', 'route_link_uuid', 'ipv4_network',
                         'ipv4_prefix', 'ingress', 'egress'),
    ('POST', 'route_links'): ('uuid', 'topology_uuid', 'mac_address'),
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


def mysql_duplicate(values, key):
    """A unique key violated in vnmgr's MySQL. vnmgr's exceptions reach the client as RuntimeError
    (HTTP 500, code '500'); MySQL names an unnamed unique key after its first column and prints the
    key's values joined by '-' (axsh/openvnet 1407ad79 vnet/db/migrations/0001_origin.rb)."""
    text = '-'.join('1' if v is True else str(v) for v in values)
    return ApiError('RuntimeError', "Mysql2::Error: Duplicate entry '%s' for key '%s'" % (text, key))


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
    # PARSE_MAC (axsh/openvnet 1407ad79 vnet/lib/vnet/endpoints/1.0/helpers.rb)
    if not re.match(r'^([0-9a-f]{2}[:-]?){5}[0-9a-f]{2}$', str(value), re.I):
        raise ApiError('ArgumentError', 'Could not parse MAC address: %s' % value)
    return int(re.sub(r'[:-]', '', value), 16)


def ipv4(value):
    # PARSE_IPV4 (axsh/openvnet 1407ad79 vnet/lib/vnet/endpoints/1.0/helpers.rb): a /prefix is accepted
    try:
        return ipaddress.IPv4Address(str(value).split('/', maxsplit=1)[0])
    except ValueError:
        raise ApiError('ArgumentError', 'Could not parse IPv4 address: %s' % value)


def mac_str(number):
    raw = '%012x' % number
    return ':'.join(raw[i:i + 2] for i in range(0, 12, 2))


def param_uuid(resource, params, key='uuid'):
    """sinatra-browse's format check of a uuid parameter: the message always says ``#uuid``
    (axsh/openvnet 1407ad79 vnet/lib/vnet/endpoints/1.0/vnet_api.rb param_uuid)."""
    prefix, model = UNMODELLED[resource] if resource in UNMODELLED else (PREFIXES[resource], MODEL[resource])
    value = params.get(key)
    if value is not None and not re.match(r'^%s-[a-z0-9]{1,16}$' % prefix, value):
        raise ApiError('InvalidUUID', '%s#uuid: %s' % (model, value))


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

    def find(self, resource, uuid, key='uuid'):
        """check_syntax + pop_uuid: both messages name the parameter the uuid came in
        (axsh/openvnet 1407ad79 vnet/lib/vnet/endpoints/1.0/helpers.rb)."""
        prefix, model = UNMODELLED[resource] if resource in UNMODELLED else (PREFIXES[resource], MODEL[resource])
        if not re.match(r'^%s-[A-Za-z0-9_]+' % prefix, uuid or ''):
            raise ApiError('InvalidUUID', '%s#%s: %s' % (model, key, uuid))
        for row in (self.live(resource) if resource in PREFIXES else []):
            if row['uuid'] == uuid:
                return row
        raise ApiError('UnknownUUIDResource', '%s#%s: %s' % (model, key, uuid))

    def find_param(self, resource, params, key):
        """uuid_to_id of an optional parameter."""
        return self.find(resource, params[key], key) if params.get(key) else None

    def by_id(self, resource, row_id):
        return next(r for r in self.rows[resource] if r['id'] == row_id)

    def new_uuid(self, resource, uuid):
        """post_new: DuplicateUUID, else the uuid (given or generated); a deleted row holding it is
        renamed, as reserve_uuid does (axsh/openvnet 1407ad79 vnet/lib/vnet/models/base_taggable.rb)."""
        prefix = PREFIXES[resource]
        if uuid is None or uuid == '':
            alphabet = string.ascii_lowercase + string.digits
            return '%s-%s' % (prefix, ''.join(random.choice(alphabet) for dummy in range(8)))
        if any(r['uuid'] == uuid for r in self.live(resource)):
            raise ApiError('DuplicateUUID', uuid)
        for row in self.rows[resource]:
            if row['uuid'] == uuid:
                row['uuid'] = '%s-deleted%d' % (prefix, row['id'])
        return uuid

    def mac_taken(self, mac):
        """mac_addresses holds the MACs of interfaces (mac_leases), datapath networks and route
        links alike (axsh/openvnet 1407ad79 vnet/lib/sequel/plugins/mac_address.rb,
        mac_address_no_segment.rb)."""
        return (any(i['mac_address'] == mac for i in self.live('interfaces'))
                or any(a['mac_address'] == mac for a in self.dp_networks)
                or any(r.get('mac_address') == mac for r in self.live('route_links')))

    def check_mac(self, mac):
        if mac is not None and self.mac_taken(mac):
            raise mysql_duplicate((mac, 0), 'mac_address')

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
            for resource in PREFIXES:  # a file from before routes were emulated
                self.rows.setdefault(resource, [])

    def base_row(self, uuid=None):
        stamp = now()
        row = {'id': self._id(), 'uuid': uuid, 'created_at': stamp, 'updated_at': stamp,
               'deleted_at': None, 'is_deleted': 0}
        if uuid is None:
            del row['uuid']
        return row

    def delete_row(self, row):
        row['is_deleted'] = 1
        row['deleted_at'] = now()

    # -- cascades (sequel's association_dependencies) --------------------------
    def destroy_ip_lease(self, interface):
        """An IP lease goes with its address and the datapath networks that recorded it
        (axsh/openvnet 1407ad79 vnet/lib/vnet/models/ip_lease.rb)."""
        lease_id = interface.get('ip_lease_id')
        if lease_id is not None:
            self.dp_networks = [a for a in self.dp_networks if a.get('ip_lease_id') != lease_id]
        interface.update(ipv4_address=None, network_id=None, ip_lease_uuid=None, ip_lease_id=None)

    def destroy_routes(self, column, row_id):
        for route in self.live('routes'):
            if route[column] == row_id:
                self.delete_row(route)


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
        # (axsh/openvnet 1407ad79 vnet/lib/vnet/endpoints/1.0/datapaths.rb)
        param_uuid('datapaths', params)
        required(params, 'display_name', 'node_id', 'dpid')
        if not re.match(r'^(0x)?[0-9a-f]{0,16}$', params['dpid'], re.I):
            raise ApiError('ArgumentError', 'dpid must be a 16 byte hexadecimal number. Got: "%s"' % params['dpid'])
        dpid = int(params['dpid'][2:] if params['dpid'].lower().startswith('0x') else params['dpid'] or '0', 16)
        learn = boolean('enable_ovs_learn_action', params.get('enable_ovs_learn_action', 'true'))
        uuid = self.store.new_uuid('datapaths', params.get('uuid'))
        # unique [:dpid, :node_id, :is_deleted] (axsh/openvnet 1407ad79 vnet/db/migrations/0013_learning_flows.rb)
        if any(r['dpid'] == dpid and r['node_id'] == params['node_id'] for r in self.store.live('datapaths')):
            raise mysql_duplicate((dpid, params['node_id'], 0), 'dpid')
        row = dict(self.store.base_row(uuid), display_name=params['display_name'], dpid=dpid,
                   node_id=params['node_id'], enable_ovs_learn_action=learn)
        self.store.rows['datapaths'].append(row)
        return 200, self.datapath_view(row)

    def datapaths_delete(self, row):
        # interface_ports and datapath_networks: :destroy (axsh/openvnet 1407ad79 vnet/lib/vnet/models/datapath.rb)
        self.store.dp_networks = [a for a in self.store.dp_networks if a['datapath_id'] != row['id']]
        self.store.ports = [p for p in self.store.ports if p['datapath_id'] != row['id']]

    # -- networks ----------------------------------------------------------
    def network_view(self, row):
        return dict((k, row[k]) for k in ('id', 'uuid', 'display_name', 'ipv4_network', 'ipv4_prefix',
                                          'mode', 'domain_name', 'segment_id', 'created_at',
                                          'updated_at', 'deleted_at', 'is_deleted'))

    def networks_post(self, params):
        # (axsh/openvnet 1407ad79 vnet/lib/vnet/endpoints/1.0/networks.rb)
        param_uuid('networks', params)
        param_uuid('segments', params, 'segment_uuid')
        param_uuid('topologies', params, 'topology_uuid')
        for key in ('mode', 'network_mode'):
            if params.get(key) is not None and params[key] not in NETWORK_MODES:
                raise ApiError('ArgumentError', '%s must be one of %s' % (key, ', '.join(NETWORK_MODES)))
        mode = params.get('network_mode') or params.get('mode')  # network_mode wins
        required(params, 'ipv4_network')
        network = ipv4(params['ipv4_network'])
        prefix = params.get('ipv4_prefix', '24')
        if not str(prefix).isdigit() or not 1 <= int(prefix) <= 32:
            raise ApiError('ArgumentError', 'ipv4_prefix must be in 1..32')
        self.store.find_param('segments', params, 'segment_uuid')
        self.store.find_param('topologies', params, 'topology_uuid')
        uuid = self.store.new_uuid('networks', params.get('uuid'))
        row = dict(self.store.base_row(uuid), display_name=params.get('display_name'),
                   ipv4_network=str(network), ipv4_prefix=int(prefix), mode=mode,
                   domain_name=params.get('domain_name') or uuid.split('-', 1)[1], segment_id=None)
        self.store.rows['networks'].append(row)
        return 200, self.network_view(row)

    def networks_delete(self, row):
        """Never refused: before_destroy destroys the network's IP leases; datapath_networks and
        routes: :destroy (axsh/openvnet 1407ad79 vnet/lib/vnet/models/network.rb)."""
        store = self.store
        for interface in store.live('interfaces'):
            if interface.get('network_id') == row['id']:
                store.destroy_ip_lease(interface)
        store.dp_networks = [a for a in store.dp_networks if a['network_id'] != row['id']]
        store.destroy_routes('network_id', row['id'])

    # -- interfaces --------------------------------------------------------
    def interface_view(self, row):
        """(axsh/openvnet 1407ad79 vnet/lib/vnet/endpoints/1.0/responses/interface.rb): IP leases
        are shown under the MAC lease only."""
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
        """(axsh/openvnet 1407ad79 vnet/lib/vnet/endpoints/1.0/interfaces.rb, node_api/interface.rb):
        parameters checked in their declared order, then the owner, MAC range group, segment and
        network looked up, the address checked against the subnet, the uuid; then one transaction
        creates the interface, its port (always), its MAC lease and its IP lease."""
        store = self.store
        param_uuid('datapaths', params, 'owner_datapath_uuid')
        flags = dict((f, boolean(f, params.get(f, 'false'))) for f in
                     ('enable_filtering', 'enable_routing', 'enable_route_translation'))
        param_uuid('interfaces', params)
        param_uuid('networks', params, 'network_uuid')
        param_uuid('segments', params, 'segment_uuid')
        required(params, 'mode')
        if params['mode'] not in INTERFACE_MODES:
            raise ApiError('ArgumentError', 'mode must be one of %s' % ', '.join(INTERFACE_MODES))
        address = ipv4(params['ipv4_address']) if params.get('ipv4_address') else None
        mac = mac_int('mac_address', params['mac_address']) if params.get('mac_address') else None
        owner = store.find_param('datapaths', params, 'owner_datapath_uuid')
        group = store.find_param('mac_range_groups', params, 'mac_range_group_uuid')
        store.find_param('segments', params, 'segment_uuid')
        network = store.find_param('networks', params, 'network_uuid')
        if network is not None and address is not None and int(address) != 0:
            subnet = ipaddress.IPv4Network('%s/%d' % (network['ipv4_network'], network['ipv4_prefix']), strict=False)
            if address not in subnet:
                # helpers/ip_address.rb: both printed without their prefix
                raise ApiError('ArgumentError', 'IP Address %s not in subnet %s.' % (address, subnet.network_address))
        uuid = store.new_uuid('interfaces', params.get('uuid'))
        port = self.new_port(None, params['mode'], owner, params.get('port_name'),
                             True if owner is not None or params.get('port_name') else None)
        if mac is None and group is not None:
            mac = self.lease_from_pool(group)
        store.check_mac(mac)
        if network is not None and address is not None and any(
                i.get('network_id') == network['id'] and i['ipv4_address'] == str(address)
                for i in store.live('interfaces')):
            # unique [:network_id, :ipv4_address, :is_deleted] of ip_addresses (0001_origin.rb)
            raise mysql_duplicate((network['id'], int(address), 0), 'network_id')
        row = dict(store.base_row(uuid), mode=params['mode'], display_name=params.get('display_name'),
                   enable_legacy_filtering=False, mac_address=mac, mac_lease_uuid=None, ip_lease_uuid=None,
                   ipv4_address=None, network_id=None, ip_lease_id=None, **flags)
        short = uuid.split('-', 1)[1][:8]
        if mac is not None:
            row['mac_lease_uuid'] = 'ml-%s' % short
        if network is not None and address is not None:
            # add_ip_lease needs no MAC lease (node_api/interface.rb)
            row.update(ipv4_address=str(address), network_id=network['id'], ip_lease_uuid='il-%s' % short,
                       ip_lease_id=store._id())
        store.rows['interfaces'].append(row)
        port['interface_id'] = row['id']
        store.ports.append(port)
        return 200, self.interface_view(row)

    def interfaces_put(self, row_uuid, params):
        """(axsh/openvnet 1407ad79 vnet/lib/vnet/endpoints/1.0/interfaces.rb): the owner is looked
        up first and becomes owner_datapath_id, which node_api/interface.rb's valid_update_fields
        (display_name only) refuses, as every key but display_name."""
        param_uuid('datapaths', params, 'owner_datapath_uuid')
        self.store.find_param('datapaths', params, 'owner_datapath_uuid')
        row = self.store.find('interfaces', row_uuid)
        keys = [k for k in params if k != 'owner_datapath_uuid'] + (
            ['owner_datapath_id'] if params.get('owner_datapath_uuid') else [])
        for key in keys:
            if key != 'display_name':
                raise ApiError('RuntimeError', 'Unsupported update key: %s' % key)
        return row

    def interfaces_delete(self, row):
        """datapath_networks, interface_ports, ip_leases, mac_leases, routes: :destroy
        (axsh/openvnet 1407ad79 vnet/lib/vnet/models/interface.rb)."""
        store = self.store
        store.ports = [p for p in store.ports if p['interface_id'] != row['id']]
        store.dp_networks = [a for a in store.dp_networks if a['interface_id'] != row['id']]
        store.destroy_ip_lease(row)
        store.destroy_routes('interface_id', row['id'])

    # -- interface ports ---------------------------------------------------
    def port_view(self, port):
        """Every column of interface_ports (axsh/openvnet 1407ad79
        vnet/lib/vnet/endpoints/1.0/responses/interface_port.rb, db/migrations/0001_origin.rb)."""
        return dict((k, port.get(k, 0 if k == 'is_deleted' else None)) for k in PORT_COLUMNS)

    def new_port(self, interface, mode, datapath, port_name, singular):
        """An interface_ports row, checked against the model's validation and its unique keys
        (axsh/openvnet 1407ad79 vnet/lib/vnet/models/interface_port.rb, db/migrations/0001_origin.rb)."""
        if singular not in (True, None):
            raise ApiError('RuntimeError', 'singular must be set to either true or null')
        dp_id = datapath['id'] if datapath else None
        ports = self.store.ports
        if interface is not None and dp_id is not None and any(
                p['interface_id'] == interface['id'] and p['datapath_id'] == dp_id for p in ports):
            raise mysql_duplicate((interface['id'], dp_id, 0), 'interface_id')
        if None not in (port_name, dp_id, singular) and any(
                p['port_name'] == port_name and p['datapath_id'] == dp_id and p['singular'] == singular
                for p in ports):
            raise mysql_duplicate((port_name, dp_id, singular, 0), 'port_name')
        return dict(self.store.base_row(), interface_id=interface['id'] if interface else None,
                    datapath_id=dp_id, port_name=port_name, singular=singular, interface_mode=mode)

    def ports_route(self, method, uuid, params):
        """(axsh/openvnet 1407ad79 vnet/lib/vnet/endpoints/1.0/interfaces.rb) POST, GET and DELETE
        /interfaces/:uuid/ports."""
        store = self.store
        if method == 'GET':
            row = store.find('interfaces', uuid)
            return 200, self.collection([self.port_view(p) for p in store.ports if p['interface_id'] == row['id']])
        params = only(params, method, 'interface_ports')
        param_uuid('datapaths', params, 'datapath_uuid')
        singular = boolean('singular', params['singular']) if 'singular' in params else None
        param_uuid('interfaces', {'uuid': uuid})
        row = store.find('interfaces', uuid)
        datapath = store.find_param('datapaths', params, 'datapath_uuid')
        if method == 'POST':
            port = self.new_port(row, row['mode'], datapath, params.get('port_name'), singular)
            store.ports.append(port)
            # node_api/interface_port.rb create_with_uuid adds both uuids
            return 200, dict(self.port_view(port), interface_uuid=row['uuid'],
                             datapath_uuid=datapath['uuid'] if datapath else None)
        # DELETE: the interface's ports matching the filters given; the list as it was
        gone = [p for p in store.ports if p['interface_id'] == row['id']
                and (datapath is None or p['datapath_id'] == datapath['id'])
                and ('port_name' not in params or p['port_name'] == params['port_name'])
                and ('singular' not in params or p['singular'] == singular)]
        store.ports = [p for p in store.ports if not any(p is g for g in gone)]
        return 200, [self.port_view(p) for p in gone]

    # -- datapath networks -------------------------------------------------
    def dp_networks_route(self, method, uuid, rest, params):
        """(axsh/openvnet 1407ad79 vnet/lib/vnet/endpoints/1.0/datapaths.rb)"""
        store = self.store
        if len(rest) == 1:
            row = store.find('datapaths', uuid)
            ids = [a['network_id'] for a in store.dp_networks if a['datapath_id'] == row['id']]
            return 200, self.collection([self.network_view(store.by_id('networks', i)) for i in ids])
        if method == 'POST':
            params = only(params, method, 'datapath_networks')
            required(params, 'interface_uuid')
            param_uuid('interfaces', params, 'interface_uuid')
            mac = mac_int('mac_address', params['mac_address']) if params.get('mac_address') else None
        network = store.find('networks', rest[1], 'network_uuid')
        row = store.find('datapaths', uuid)
        if method == 'DELETE':
            # destroy of no row is no error (node_api/datapath_generic.rb)
            store.dp_networks = [a for a in store.dp_networks if not (
                a['datapath_id'] == row['id'] and a['network_id'] == network['id'])]
            return 200, [network['uuid']]
        interface = store.find('interfaces', params['interface_uuid'], 'interface_uuid')
        if mac is None:
            mac = self.lease_from_pool()  # mac_address_random_assign (node_api/event_base.rb)
        store.check_mac(mac)
        if mac is None:
            # mac_address_id NOT NULL (0008_dp_nwrl_not_null.rb)
            raise ApiError('RuntimeError', "Mysql2::Error: Column 'mac_address_id' cannot be null")
        # unique [:datapath_id, :network_id, :is_deleted] (0001_origin.rb)
        if any(a['datapath_id'] == row['id'] and a['network_id'] == network['id'] for a in store.dp_networks):
            raise mysql_duplicate((row['id'], network['id'], 0), 'datapath_id')
        # find_ip_lease_id: the interface's IP lease (node_api/datapath_generic.rb)
        join = dict(store.base_row(), datapath_id=row['id'], network_id=network['id'],
                    interface_id=interface['id'], mac_address_id=store._id(), mac_address=mac,
                    ip_lease_id=interface.get('ip_lease_id'))
        store.dp_networks.append(join)
        return 200, dict(join)

    # -- mac range groups (the datapath_mac_group pool) --------------------
    def mac_range_groups_post(self, params):
        param_uuid('mac_range_groups', params)
        uuid = self.store.new_uuid('mac_range_groups', params.get('uuid'))
        row = dict(self.store.base_row(uuid), allocation_type=params.get('allocation_type', 'random'))
        self.store.rows['mac_range_groups'].append(row)
        return 200, dict(row)

    def mac_range_groups_delete(self, row):
        # mac_ranges: :destroy (axsh/openvnet 1407ad79 vnet/lib/vnet/models/mac_range_group.rb)
        self.store.mac_ranges = [r for r in self.store.mac_ranges if r['mac_range_group_id'] != row['id']]

    def mac_ranges_post(self, uuid, params):
        # (axsh/openvnet 1407ad79 vnet/lib/vnet/endpoints/1.0/mac_range_groups.rb)
        store = self.store
        params = only(params, 'POST', 'mac_ranges')
        required(params, 'begin_mac_address', 'end_mac_address')
        begin = mac_int('begin_mac_address', params['begin_mac_address'])
        end = mac_int('end_mac_address', params['end_mac_address'])
        row = store.find('mac_range_groups', uuid, 'mac_range_group_uuid')
        entry = {'id': store._id(), 'uuid': 'mr-%d' % store.next_id, 'mac_range_group_id': row['id'],
                 'begin_mac_address': begin, 'end_mac_address': end}
        store.mac_ranges.append(entry)
        return 200, dict(entry)

    def lease_from_pool(self, group=None):
        """A free MAC of a MAC range group: datapath_mac_group "mrg-dpg" unless one is given, as
        vnmgr does; None when there is none."""
        store = self.store
        if group is None:
            group = next((g for g in store.live('mac_range_groups') if g['uuid'] == 'mrg-dpg'), None)
        ranges = [r for r in store.mac_ranges if group and r['mac_range_group_id'] == group['id']]
        for entry in ranges:
            for mac in range(entry['begin_mac_address'], entry['end_mac_address'] + 1):
                if not store.mac_taken(mac):
                    return mac
        return None

    # -- route links and routes --------------------------------------------
    def route_link_view(self, row):
        # (axsh/openvnet 1407ad79 vnet/lib/vnet/endpoints/1.0/responses/route_link.rb)
        view = dict((k, row[k]) for k in ('id', 'uuid', 'mac_address_id', 'created_at', 'updated_at',
                                          'deleted_at', 'is_deleted'))
        view['mac_address'] = mac_str(row['mac_address']) if row['mac_address'] is not None else None
        return view

    def route_links_post(self, params):
        # (axsh/openvnet 1407ad79 vnet/lib/vnet/endpoints/1.0/route_links.rb, node_api/route_link.rb)
        store = self.store
        param_uuid('route_links', params)
        param_uuid('topologies', params, 'topology_uuid')
        mac = mac_int('mac_address', params['mac_address']) if params.get('mac_address') else None
        store.find_param('topologies', params, 'topology_uuid')
        uuid = store.new_uuid('route_links', params.get('uuid'))
        if mac is None:
            mac = self.lease_from_pool()  # mac_address_random_assign; none -> no MAC (nullable)
        store.check_mac(mac)
        row = dict(store.base_row(uuid), mac_address=mac, mac_address_id=store._id() if mac is not None else None)
        store.rows['route_links'].append(row)
        return 200, self.route_link_view(row)

    def route_links_delete(self, row):
        # routes: :destroy (axsh/openvnet 1407ad79 vnet/lib/vnet/models/route_link.rb)
        self.store.destroy_routes('route_link_id', row['id'])

    def route_view(self, row):
        """(axsh/openvnet 1407ad79 vnet/lib/vnet/model_wrappers/route.rb): uuids, no ids."""
        store = self.store

        def uuid_of(resource, row_id):
            return store.by_id(resource, row_id)['uuid'] if row_id is not None else None

        return {'uuid': row['uuid'], 'route_link_uuid': uuid_of('route_links', row['route_link_id']),
                'network_uuid': uuid_of('networks', row['network_id']),
                'interface_uuid': uuid_of('interfaces', row['interface_id']), 'mode': row['mode'],
                'ipv4_network': row['ipv4_network'], 'ipv4_prefix': row['ipv4_prefix'],
                'ingress': row['ingress'], 'egress': row['egress'],
                'created_at': row['created_at'], 'updated_at': row['updated_at']}

    def routes_post(self, params):
        # (axsh/openvnet 1407ad79 vnet/lib/vnet/endpoints/1.0/routes.rb, db/migrations/0001_origin.rb)
        store = self.store
        param_uuid('routes', params)
        for resource, key in (('interfaces', 'interface_uuid'), ('networks', 'network_uuid'),
                              ('route_links', 'route_link_uuid')):
            required(params, key)
            param_uuid(resource, params, key)
        required(params, 'ipv4_network')
        network_address = ipv4(params['ipv4_network'])
        prefix = params.get('ipv4_prefix', '24')
        if not str(prefix).isdigit() or not 0 <= int(prefix) <= 32:
            raise ApiError('ArgumentError', 'ipv4_prefix must be in 0..32')
        flags = dict((f, boolean(f, params.get(f, 'true'))) for f in ('ingress', 'egress'))
        interface = store.find('interfaces', params['interface_uuid'], 'interface_uuid')
        network = store.find('networks', params['network_uuid'], 'network_uuid')
        link = store.find('route_links', params['route_link_uuid'], 'route_link_uuid')
        uuid = store.new_uuid('routes', params.get('uuid'))
        row = dict(store.base_row(uuid), mode='gateway', interface_id=interface['id'], network_id=network['id'],
                   route_link_id=link['id'], ipv4_network=str(network_address), ipv4_prefix=int(prefix), **flags)
        store.rows['routes'].append(row)
        return 200, self.route_view(row)

    # -- dispatch ----------------------------------------------------------
    VIEWS = {'datapaths': 'datapath_view', 'networks': 'network_view', 'interfaces': 'interface_view',
             'mac_range_groups': None, 'route_links': 'route_link_view', 'routes': 'route_view'}

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
            if len(parts) == 2:
                if method == 'GET':
                    return 200, self.view(resource, store.find(resource, parts[1]))
                if method == 'PUT' and (method, resource) in DECLARED:
                    params = only(params, method, resource)
                    if resource == 'interfaces':
                        row = self.interfaces_put(parts[1], params)
                    else:
                        row = store.find(resource, parts[1])
                    for key, value in params.items():
                        row[key] = boolean(key, value) if key.startswith('enable_') else value
                    row['updated_at'] = now()
                    return 200, self.view(resource, row)
                if method == 'DELETE':
                    row = store.find(resource, parts[1])
                    hook = getattr(self, resource + '_delete', None)
                    if hook:
                        hook(row)
                    store.delete_row(row)
                    return 200, [row['uuid']]
                raise NotFoundRoute()
            return self.relation(method, resource, parts[1], parts[2:], params)

    def relation(self, method, resource, uuid, rest, params):
        if resource == 'datapaths' and rest[0] == 'networks' and (
                (len(rest) == 1 and method == 'GET') or (len(rest) == 2 and method in ('POST', 'DELETE'))):
            return self.dp_networks_route(method, uuid, rest, params)
        if resource == 'interfaces' and rest == ['ports'] and method in ('GET', 'POST', 'DELETE'):
            return self.ports_route(method, uuid, params)
        if resource == 'mac_range_groups' and rest == ['mac_ranges'] and method == 'POST':
            return self.mac_ranges_post(uuid, params)
        raise NotFoundRoute()


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
