# -*- coding: utf-8 -*-
# Copyright: (c) 2026, OpenVNet collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one place that talks to OpenVNet: through vnctl or the WebAPI.

vnctl prints the raw HTTP body and exits 0 even on API errors, so both
transports judge a call by its body (``error``/``code``) and the client checks
the type of every reply (an object, a collection, a list of deleted uuids).
Resources are described once (:class:`Resource`) and reconciled by
:func:`ensure`: read, compare, update mutable fields in place, refuse or
re-create when immutable fields differ; a re-create is checked first and the
old resource restored if the new one cannot be made. Errors are raised
(:class:`Invalid`, :class:`OpenVNetError`), never reported from here.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import ipaddress
import json
import re

from ansible_collections.openvnet.openvnet.plugins.module_utils.addresses import dpid_hex, mac

from ansible.module_utils.common.process import get_bin_path
from ansible.module_utils.common.yaml import HAS_YAML, SafeLoader
from ansible.module_utils.six import text_type
from ansible.module_utils.six.moves.urllib.parse import urlencode
from ansible.module_utils.urls import fetch_url

DEFAULT_API_URL = 'http://127.0.0.1:9090/api/1.0'
VNCTL_PATHS = ['/usr/bin', '/opt/axsh/openvnet/client/vnctl/bin']
# Seconds between coreutils timeout's TERM and its KILL.
KILL_AFTER = 5

CONNECTION_SPEC = dict(
    transport=dict(type='str', choices=['vnctl', 'api'], default='vnctl'),
    api_url=dict(type='str', default=DEFAULT_API_URL),
    vnctl_path=dict(type='path'),
    webapi=dict(type='str'),
    timeout=dict(type='int', default=30),
    validate_certs=dict(type='bool', default=True),
)

MEANING = {
    '100': 'not found', '101': 'invalid uuid', '102': 'duplicate uuid', '103': 'invalid id',
    '110': 'bad argument', '111': 'missing argument', '112': 'relation already exists',
    '113': 'still in use', '114': 'unknown resource', '500': 'server error',
}
# What Ruby prints when vnctl could not connect to the WebAPI (and only then).
UNREACHABLE = ('ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ECONNRESET', 'EADDRNOTAVAIL',
               'SocketError', 'getaddrinfo', 'Net::OpenTimeout', 'Net::ReadTimeout')
# An uncaught Ruby exception: "file:line:in `x': message (Class)" then "\tfrom ..." lines.
RUBY_CRASH = re.compile(r'(\((\w+::)*\w+(Error|Exception)\)$|^\s+from \S+:\d+:in |cannot load such file)', re.M)


if HAS_YAML:
    import yaml

    class RubyLoader(SafeLoader):
        """PyYAML's safe loader that also reads what Ruby's Psych tags (``!ruby/symbol ''`` for an empty
        key on datapath and network objects, ``!ruby/object:...``): the tagged node's plain value."""

    def _ruby_tagged(loader, suffix, node):
        if node.id == 'scalar':
            return loader.construct_scalar(node)
        if node.id == 'sequence':
            return loader.construct_sequence(node, deep=True)
        return loader.construct_mapping(node, deep=True)

    RubyLoader.add_multi_constructor('!ruby/', _ruby_tagged)


class OpenVNetError(Exception):
    """OpenVNet refused or failed, or answered something that is not a reply.
    ``details`` are extra keys for the module's failure result."""

    def __init__(self, message, code=None, **details):
        super(OpenVNetError, self).__init__(message)
        self.code = code
        self.details = details


class Invalid(Exception):
    """Bad input, or a change OpenVNet cannot make, found before anything is changed."""

    def __init__(self, message, **details):
        super(Invalid, self).__init__(message)
        self.details = details


def form_value(value):
    """Booleans as the WebAPI's parser reads them."""
    return ('true' if value else 'false') if isinstance(value, bool) else value


# A unique key refused by the database: OpenVNet develop answers HTTP 500, RuntimeError, with MySQL's
# text (measured against axsh/openvnet 1407ad79 on MariaDB).
DUPLICATE_ENTRY = re.compile(r"Duplicate entry '(?P<value>.*)' for key '(?P<key>[^']+)'")


def api_error(body, status=None):
    """OpenVNetError from an error body; ``code`` says what went wrong."""
    code = str(body.get('code') or status or '500')
    kind = str(body.get('error', 'error')).rsplit('::', 1)[-1]
    message = body.get('message')
    m = DUPLICATE_ENTRY.search(str(message or ''))
    if m:
        return OpenVNetError('OpenVNet refused a duplicate (%s, code %s): another resource already has %s %r'
                             % (kind, code, m.group('key'), m.group('value')), code, duplicate_key=m.group('key'))
    return OpenVNetError('OpenVNet %s (%s, code %s): %s' % (MEANING.get(code, 'error'), kind, code, message), code)


def from_ruby(value):
    """Ruby YAML's symbol keys (``:uuid``) and timestamps as Python reads JSON."""
    if isinstance(value, dict):
        return dict((str(k).lstrip(':'), from_ruby(v)) for k, v in value.items())
    if isinstance(value, list):
        return [from_ruby(v) for v in value]
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    return value


def first_line(text):
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[0].strip() if lines else ''


class ApiTransport:
    """The WebAPI over HTTP, form-encoded parameters, JSON replies."""

    def __init__(self, module, url, timeout):
        self.module, self.url, self.timeout = module, url.rstrip('/'), timeout
        self.requests = []

    def call(self, verb, resource, uuid=None, relation=None, other=None, params=None):
        path = '/'.join(p for p in (resource, uuid, relation, other) if p)
        method = {'show': 'GET', 'add': 'POST', 'modify': 'PUT', 'del': 'DELETE'}[verb]
        url = '%s/%s.json' % (self.url, path)
        data = urlencode(sorted((k, form_value(v)) for k, v in params.items())) if params else None
        if method == 'GET' and data:
            # A read's parameters (a list's offset/limit) go in the query string.
            url, data = '%s?%s' % (url, data), None
        self.requests.append(dict(method=method, url=url, body=data))
        resp, info = fetch_url(self.module, url, data=data, method=method, timeout=self.timeout,
                               headers={'Content-Type': 'application/x-www-form-urlencoded'})
        status = info.get('status', -1)
        if status == -1:
            if 'timed out' in str(info.get('msg')):
                raise OpenVNetError('%s %s: the OpenVNet WebAPI did not answer within %s seconds (option timeout)'
                                    % (method, url, self.timeout))
            raise OpenVNetError('cannot reach the OpenVNet WebAPI at %s: %s' % (self.url, info.get('msg')))
        # On HTTP errors fetch_url has already read the body into info.
        raw = info.get('body', b'') if status >= 400 or resp is None else resp.read()
        try:
            body = json.loads(raw)
        except ValueError:
            raise OpenVNetError('%s %s: HTTP %s with no JSON body (%s); is %s the OpenVNet WebAPI?'
                                % (method, url, status, raw[:80], self.url))
        if isinstance(body, dict) and 'error' in body:
            raise api_error(body, status)
        if status >= 400:
            raise OpenVNetError('%s %s: HTTP %s' % (method, url, status), str(status))
        return body


class VnctlTransport:
    """vnctl, as OpenVNet hosts have it, under coreutils timeout. Exit 0 proves
    nothing (the body decides, and stderr may hold Ruby's warnings next to a good
    body); a non-zero exit is a connection error or a crash, told apart by what
    Ruby printed."""

    # Fields OpenVNet's vnctl has no option for (cli/interface.rb, v0.9 and develop): Thor refuses
    # them with "was called with arguments [...]" on stderr, no body, exit 0.
    UNSUPPORTED = {('interfaces', 'add'): ('display_name',), ('interfaces', 'modify'): ('display_name',)}

    def __init__(self, module, path=None, webapi=None, timeout=None):
        self.module = module
        self.binary = path or module.get_bin_path('vnctl', required=True, opt_dirs=VNCTL_PATHS)
        self.environ = {'VNET_WEBAPI': webapi} if webapi else {}
        self.timeout = timeout
        self.prefix = []
        if timeout:
            try:
                self.prefix = [get_bin_path('timeout'), '--kill-after=%d' % KILL_AFTER, str(timeout)]
            except ValueError:
                pass    # no coreutils timeout: vnctl runs unbounded
        self.requests = []

    def call(self, verb, resource, uuid=None, relation=None, other=None, params=None):
        argv = [self.binary, resource]
        argv += [relation, verb] if relation else [verb]
        argv += [p for p in (uuid, other) if p]
        for key, value in sorted((params or {}).items()):
            argv.append('--%s=%s' % (key.replace('_', '-'), form_value(value)))
        request = dict(argv=argv)
        self.requests.append(request)
        rc, out, err = self.module.run_command(self.prefix + argv, environ_update=dict(self.environ, LC_ALL='C'))
        if err.strip():
            request['stderr'] = err.strip()
        command = 'vnctl %s' % ' '.join(argv[1:])
        if self.prefix and rc in (124, 137):
            raise OpenVNetError('%s timed out after %s seconds (option timeout)' % (command, self.timeout))
        if rc != 0:
            if any(signature in err for signature in UNREACHABLE):
                raise OpenVNetError('cannot reach the OpenVNet WebAPI through vnctl (%s): %s'
                                    % (self.environ.get('VNET_WEBAPI', 'vnctl.conf or its default'), first_line(err)))
            if RUBY_CRASH.search(err):
                raise OpenVNetError('vnctl crashed: %s' % first_line(err))
            raise OpenVNetError('%s failed (rc=%d): %s' % (command, rc, first_line(err) or first_line(out)))
        if not out.strip() and err.strip():
            # Thor's complaints (a missing option) come on stderr with exit 0 and no body.
            raise OpenVNetError('%s printed nothing (rc=0): %s' % (command, first_line(err)))
        body = self._parse(out)
        if isinstance(body, dict) and 'error' in body:
            raise api_error(body)
        return body

    def _parse(self, out):
        if not out.strip():
            return None
        try:
            return json.loads(out)
        except ValueError:
            pass
        if not HAS_YAML:
            raise OpenVNetError("vnctl printed YAML and PyYAML is missing on this host; install it, or set "
                                "output_format 'json' in /etc/openvnet/vnctl.conf (and do not set webapi, "
                                "since VNET_WEBAPI forces YAML)")
        try:
            return from_ruby(yaml.load(out, Loader=RubyLoader))
        except Exception as e:  # yaml's errors vary by version
            raise OpenVNetError('cannot parse vnctl output (%s): %s' % (e, out[:200]))


def transport(module):
    p = module.params
    if p['transport'] == 'api':
        return ApiTransport(module, p['api_url'], p['timeout'])
    return VnctlTransport(module, p['vnctl_path'], p['webapi'], p['timeout'])


def describe(body):
    """What a reply was, for an error message."""
    if body is None or body == '' or body == {} or body == []:
        return 'an empty reply'
    if isinstance(body, list):
        return 'a list (%s)' % json.dumps(body)[:80]
    if isinstance(body, dict):
        return 'an object without uuid (%s)' % json.dumps(body, default=str)[:80]
    return 'text (%r)' % str(body)[:80]


def expect_object(body, what, uuid=None):
    """The object a reply must be (with ``uuid`` when given), else OpenVNetError."""
    if not isinstance(body, dict) or not body.get('uuid'):
        raise OpenVNetError('%s: expected an object, got %s' % (what, describe(body)))
    if uuid is not None and body['uuid'] != uuid:
        raise OpenVNetError('%s: expected %s, got the object %s' % (what, uuid, body['uuid']))
    return body


def expect_deleted(body, what, uuid):
    """A DELETE answers a list holding the deleted uuid."""
    if not isinstance(body, list) or uuid not in body:
        raise OpenVNetError('%s: expected [%r], got %s' % (what, uuid, describe(body)))


def expect_collection(body, what, keyed=True):
    """(items, total_count) of a collection reply; ``keyed``: every item has a uuid."""
    if not isinstance(body, dict) or not isinstance(body.get('items'), list) \
            or not isinstance(body.get('total_count'), int):
        raise OpenVNetError('%s: expected a collection (total_count, items), got %s' % (what, describe(body)))
    for item in body['items']:
        if not isinstance(item, dict) or (keyed and not item.get('uuid')):
            raise OpenVNetError('%s: an item is not an object%s: %s'
                                % (what, ' with a uuid' if keyed else '', describe(item)))
    return body['items'], body['total_count']


class Client:
    """Resource operations over either transport; every reply's type is checked:
    a list, text, null or an empty body where an object or a collection is
    expected is an error, whatever the transport said."""

    def __init__(self, module):
        self.transport = transport(module)

    @property
    def requests(self):
        return self.transport.requests

    def read(self, resource, uuid):
        """GET one object; None when OpenVNet says it does not exist."""
        try:
            body = from_ruby(self.transport.call('show', resource, uuid))
        except OpenVNetError as e:
            if e.code == '100':
                return None
            raise
        return expect_object(body, 'GET %s/%s' % (resource, uuid), uuid)

    def list(self, resource, offset=None, limit=None):
        """One page of a collection: (items, total_count, offset the reply says it starts at)."""
        params = dict(offset=offset, limit=limit) if offset is not None else None
        body = from_ruby(self.transport.call('show', resource, params=params))
        what = 'GET %s%s' % (resource, '?offset=%s&limit=%s' % (offset, limit) if params else '')
        items, total = expect_collection(body, what)
        return items, total, body.get('offset')

    def list_all(self, resource, wanted=()):
        """Every object of a collection OpenVNet lets us see, by uuid, in as few requests as it allows.

        Returns (objects, complete). OpenVNet answers at most ``pagination_limit``
        items and (develop) ignores offset/limit: when the first page is short of
        ``total_count``, the next page is asked for once; if the reply does not start
        where asked or brings nothing new, the ``wanted`` uuids not seen yet are read
        one by one and ``complete`` is False.
        """
        items, total, dummy = self.list(resource)
        seen = dict((o['uuid'], o) for o in items)
        page = len(items)
        while len(seen) < total and page:
            offset = len(seen)
            try:
                items, total, start = self.list(resource, offset, page)
            except OpenVNetError:
                break   # vnctl or a server that takes no offset/limit: by uuid below
            fresh = [o for o in items if o['uuid'] not in seen]
            if str(start) != str(offset) or not fresh:
                break
            seen.update((o['uuid'], o) for o in fresh)
        complete = len(seen) >= total
        if not complete:
            for uuid in wanted:
                if uuid not in seen:
                    obj = self.read(resource, uuid)
                    if obj is not None:
                        seen[uuid] = obj
        return seen, complete

    def relations(self, resource, uuid, relation):
        """(items, total_count) of a relation: a datapath's networks, an interface's ports (no uuid)."""
        body = from_ruby(self.transport.call('show', resource, uuid, relation))
        return expect_collection(body, 'GET %s/%s/%s' % (resource, uuid, relation), keyed=relation != 'ports')

    def create(self, resource, params):
        body = from_ruby(self.transport.call('add', resource, params=params))
        return expect_object(body, 'POST %s (%s)' % (resource, params.get('uuid')), params.get('uuid'))

    def update(self, resource, uuid, params):
        body = from_ruby(self.transport.call('modify', resource, uuid, params=params))
        return expect_object(body, 'PUT %s/%s' % (resource, uuid), uuid)

    def delete(self, resource, uuid):
        """True when deleted, False when OpenVNet says it was not there."""
        try:
            body = from_ruby(self.transport.call('del', resource, uuid))
        except OpenVNetError as e:
            if e.code == '100':
                return False
            raise
        expect_deleted(body, 'DELETE %s/%s' % (resource, uuid), uuid)
        return True

    def relate(self, resource, uuid, relation, other, params):
        """The association row OpenVNet made (no uuid of its own)."""
        body = from_ruby(self.transport.call('add', resource, uuid, relation, other, params))
        if not isinstance(body, dict) or not body:
            raise OpenVNetError('POST %s/%s/%s/%s: expected the association, got %s'
                                % (resource, uuid, relation, other, describe(body)))
        return body

    def unrelate(self, resource, uuid, relation, other):
        """True when removed, False when OpenVNet says it was not there."""
        try:
            body = from_ruby(self.transport.call('del', resource, uuid, relation, other))
        except OpenVNetError as e:
            if e.code == '100':
                return False
            raise
        expect_deleted(body, 'DELETE %s/%s/%s/%s' % (resource, uuid, relation, other), other)
        return True


# -- what depends on what ----------------------------------------------------

class Incomplete(OpenVNetError):
    """A list OpenVNet cut short: what uses a resource cannot be told, so nothing is deleted."""


class Catalog:
    """Whole collections, each read once per run and only when needed, and what OpenVNet destroys
    with a resource (facts from axsh/openvnet 1407ad79):

    - a network: its IP leases (vnet/lib/vnet/models/network.rb ``before_destroy``: the interfaces with
      an address in it keep no address), its datapath networks and routes (``association_dependencies``);
    - a datapath: its interface ports and datapath networks (vnet/lib/vnet/models/datapath.rb);
    - an interface: its ports and leases, and the datapath networks that name it as their interface
      (vnet/lib/vnet/models/interface.rb). OpenVNet does not list which interface an association uses
      (``GET datapaths/X/networks`` gives networks), so a ``host`` interface whose datapath has networks
      counts as their interface.

    ``known`` seeds it with lists already read: {kind: (objects by uuid, complete)}.
    """

    def __init__(self, client, known=None):
        self.client = client
        self.lists = dict(known or {})
        self.port_cache = {}
        self.network_links = {}

    def all(self, kind):
        """Every object of a kind, by uuid; Incomplete when OpenVNet will not show them all."""
        if kind not in self.lists:
            try:
                self.lists[kind] = self.client.list_all(kind)
            except OpenVNetError as e:
                if kind != 'routes' or e.code not in ('114', '404'):
                    raise
                self.lists[kind] = ({}, True)   # a WebAPI without routes has none
        objects, complete = self.lists[kind]
        if not complete:
            raise Incomplete('OpenVNet listed only %d %s (webapi.conf pagination_limit), so what uses them cannot be '
                             'told; raise pagination_limit (openvnet_webapi_pagination_limit in the openvnet.openvnet.'
                             'openvnet role) above their number' % (len(objects), kind))
        return objects

    def relations(self, resource, uuid, relation):
        """A relation's (items, total); none when the resource went meanwhile (another run deleted it: what
        it had went with it, and the write that follows finds it gone)."""
        try:
            return self.client.relations(resource, uuid, relation)
        except OpenVNetError as e:
            if e.code != '100':
                raise
            return [], 0

    def ports(self, interface):
        """The ports of an interface: [{port_name, datapath_id, ...}]."""
        if interface not in self.port_cache:
            self.port_cache[interface] = self.relations('interfaces', interface, 'ports')[0]
        return self.port_cache[interface]

    def networks_of(self, datapath):
        """The networks a datapath is linked to (datapath networks), read completely."""
        if datapath not in self.network_links:
            items, total = self.relations('datapaths', datapath, 'networks')
            if total > len(items):
                raise Incomplete('OpenVNet listed only %d of the %d networks of %s; raise pagination_limit'
                                 % (len(items), total, datapath))
            self.network_links[datapath] = [item.get('uuid') for item in items]
        return self.network_links[datapath]

    def dependents(self, kind, uuid, obj, going=()):
        """[(kind, uuid, what)]: what OpenVNet would destroy or strip with ``kind``/``uuid`` (``obj`` as
        read), leaving out what ``going`` (a set of (kind, uuid)) deletes or re-creates anyway."""
        found = []
        if kind == 'networks':
            for other, item in sorted(self.all('interfaces').items()):
                if item.get('network_uuid') == uuid and ('interfaces', other) not in going:
                    found.append(('interfaces', other, 'interface %s (its address %s is leased in %s)'
                                  % (other, item.get('ipv4_address'), uuid)))
            for dp in sorted(self.all('datapaths')):
                if uuid in self.networks_of(dp):
                    found.append(('datapath_networks', dp, 'datapath network %s on %s' % (uuid, dp)))
            for route, item in sorted(self.all('routes').items()):
                if item.get('network_uuid') == uuid and ('routes', route) not in going:
                    found.append(('routes', route, 'route %s' % route))
        elif kind == 'datapaths':
            dp_id = obj.get('id')
            for other in sorted(self.all('interfaces')):
                if ('interfaces', other) in going:
                    continue
                for port in self.ports(other):
                    if dp_id is not None and port.get('datapath_id') == dp_id:
                        found.append(('interfaces', other, 'the port %s of interface %s'
                                      % (port.get('port_name'), other)))
            for nw in self.networks_of(uuid):
                found.append(('datapath_networks', uuid, 'datapath network %s on %s' % (nw, uuid)))
        elif kind == 'interfaces' and obj.get('mode') == 'host':
            ids = set(port.get('datapath_id') for port in self.ports(uuid))
            for dp, item in sorted(self.all('datapaths').items()):
                if item.get('id') in ids and ('datapaths', dp) not in going:
                    for nw in self.networks_of(dp):
                        found.append(('datapath_networks', dp, 'datapath network %s on %s (host interface %s may be '
                                      'its interface)' % (nw, dp, uuid)))
        return found


def refuse_dependents(kind, uuid, found, verb):
    """Invalid naming every dependent: nothing was changed."""
    if found:
        raise Invalid('cannot %s %s: OpenVNet would destroy with it %s; remove or move them first (nothing was '
                      'changed)' % (verb, uuid, ', '.join(what for k, u, what in found)),
                      dependents=[what for k, u, what in found])


# -- validation and normalisation ------------------------------------------

PREFIXES = {'datapaths': 'dp', 'networks': 'nw', 'interfaces': 'if', 'mac_range_groups': 'mrg'}


def check_uuid(field, value, prefix):
    if value is not None and not re.match(r'^%s-[a-z0-9]{1,16}\Z' % prefix, value):
        raise Invalid('%s: %r is not an OpenVNet uuid of the form %s-[a-z0-9]{1,16}' % (field, value, prefix))
    return value


def normalize_mac(field, value):
    if value is None:
        return None
    address = mac(value)
    if address is None:
        raise Invalid('%s: %r is not a MAC address (six hex octets)' % (field, value))
    return address


def normalize_dpid(value):
    """``0x`` + 16 hex, 16 hex, or a MAC (the seed's ``0000`` + MAC) -> ``0x%016x``."""
    if value is None:
        return None
    digits = dpid_hex(value)
    if digits is None:
        raise Invalid('dpid: %r is not 16 hex digits (with or without 0x) or a MAC address' % value)
    return '0x' + digits


def canonical_ip(value):
    """An address as ipaddress writes it (IPv6 compressed, lower case), so that two spellings compare
    equal; what is not an address is returned as it is."""
    try:
        return str(ipaddress.ip_address(text_type(value)))
    except ValueError:
        return value


def check_ipv4(field, value):
    if value is None:
        return None
    if not re.match(r'^[0-9]{1,3}(\.[0-9]{1,3}){3}\Z', value):
        raise Invalid('%s: %r is not an IPv4 address' % (field, value))
    try:
        return str(ipaddress.IPv4Address(text_type(value)))
    except ValueError:
        raise Invalid('%s: %r is not an IPv4 address' % (field, value))


def network_cidr(network, prefix):
    """(address, prefix) from ``10.0.0.0/24`` or ``10.0.0.0`` + prefix (default 24).

    Only a prefix length is read after the slash: a netmask is refused rather than
    converted, since OpenVNet stores a prefix and a mistyped mask would pass as
    another network. Host bits are an error.
    """
    written = network
    if network is not None and '/' in network:
        network, tail = network.split('/', 1)
        if re.match(r'^[0-9]{1,3}(\.[0-9]{1,3}){3}\Z', tail):
            raise Invalid('ipv4_network: %r has a netmask; write the prefix length instead (%s/24, or ipv4_prefix)'
                          % (written, network))
        if not re.match(r'^[0-9]{1,2}\Z', tail):
            raise Invalid('ipv4_network: %r: what follows / is not a prefix length (1 to 32)' % written)
        if prefix is not None and prefix != int(tail):
            raise Invalid('ipv4_prefix: %s contradicts ipv4_network %s' % (prefix, written))
        prefix = int(tail)
    prefix = 24 if prefix is None else prefix
    if not 1 <= prefix <= 32:
        raise Invalid('ipv4_prefix: %s is not from 1 to 32' % prefix)
    address = check_ipv4('ipv4_network', network)
    try:
        ipaddress.IPv4Network(text_type('%s/%s' % (address, prefix)))
    except ValueError:
        raise Invalid('ipv4_network: %s/%s has host bits set; the network address is %s'
                      % (address, prefix, ipaddress.IPv4Network(text_type('%s/%s' % (address, prefix)), strict=False)
                         .network_address))
    return address, prefix


def suffix(uuid):
    return uuid.split('-', 1)[1]


def given(fields):
    """The fields a task sets (None = not managed)."""
    return dict((k, v) for k, v in fields.items() if v is not None)


# -- the three resources ----------------------------------------------------

class Resource:
    """How one kind of resource is read, compared, created and restored.

    ``view()`` turns an API object into the comparable fields; ``saved()`` gives
    the create parameters that would make the object again as it is.
    """

    name = None
    key = None
    mutable = ()
    immutable = ()

    def view(self, client, obj, want):
        raise NotImplementedError

    def saved(self, client, obj, have):
        raise NotImplementedError

    def defaults(self, uuid):
        return {}

    def check(self, client, uuid, params, recreate, catalog=None):
        """Before a create (``recreate``: before the delete that precedes it): raise Invalid
        when OpenVNet would refuse ``params``."""


class Datapath(Resource):
    name = 'datapaths'
    key = 'datapath'
    mutable = ('display_name', 'enable_ovs_learn_action')
    immutable = ('dpid', 'node_id')

    def view(self, client, obj, want):
        return dict(display_name=obj.get('display_name'), dpid=normalize_dpid(obj.get('dpid')),
                    node_id=obj.get('node_id'), enable_ovs_learn_action=obj.get('enable_ovs_learn_action'))

    def saved(self, client, obj, have):
        return given(have)

    def defaults(self, uuid):
        return dict(display_name=suffix(uuid))

    def check(self, client, uuid, params, recreate, catalog=None):
        if not recreate:
            return      # a failed create loses nothing
        for other, obj in sorted(catalog.all('datapaths').items()):
            if other != uuid and (normalize_dpid(obj.get('dpid')), obj.get('node_id')) == \
                    (params['dpid'], params['node_id']):
                raise Invalid('cannot re-create %s: datapath %s already has dpid %s on node %s; nothing was changed'
                              % (uuid, other, params['dpid'], params['node_id']))


class Network(Resource):
    name = 'networks'
    key = 'network'
    mutable = ('display_name', 'domain_name')
    immutable = ('ipv4_network', 'ipv4_prefix', 'mode')

    def view(self, client, obj, want):
        # v0.9 calls the mode network_mode.
        return dict(display_name=obj.get('display_name'), domain_name=obj.get('domain_name'),
                    ipv4_network=canonical_ip(obj.get('ipv4_network')), ipv4_prefix=obj.get('ipv4_prefix'),
                    mode=obj.get('mode') or obj.get('network_mode'))

    def saved(self, client, obj, have):
        return given(have)

    def defaults(self, uuid):
        return dict(display_name=suffix(uuid))


class Interface(Resource):
    name = 'interfaces'
    key = 'interface'
    mutable = ('display_name',)
    immutable = ('mode', 'owner_datapath_uuid', 'network_uuid', 'mac_address', 'ipv4_address',
                 'port_name', 'enable_routing')

    def view(self, client, obj, want):
        view = dict(mode=obj.get('mode'), display_name=obj.get('display_name'),
                    mac_address=(obj.get('mac_address') or '').lower() or None,
                    network_uuid=obj.get('network_uuid'), ipv4_address=canonical_ip(obj.get('ipv4_address')),
                    enable_routing=obj.get('enable_routing'))
        if want.get('port_name') is not None or want.get('owner_datapath_uuid') is not None:
            view.update(self.port(client, obj, want.get('owner_datapath_uuid')))
        return view

    def port(self, client, obj, owner):
        """port_name and owner_datapath_uuid: not in the interface object but in its ports,
        by datapath id (``datapath id N`` when that datapath cannot be found)."""
        items = client.relations('interfaces', obj['uuid'], 'ports')[0]
        port = items[0] if items else {}
        dp_id = port.get('datapath_id')
        found = None
        if dp_id is not None:
            datapath = client.read('datapaths', owner) if owner else None
            if datapath is not None and datapath.get('id') == dp_id:
                found = owner
            else:
                found = next((u for u, o in sorted(client.list_all('datapaths')[0].items()) if o.get('id') == dp_id),
                             'datapath id %s' % dp_id)
        return dict(port_name=port.get('port_name'), owner_datapath_uuid=found)

    def saved(self, client, obj, have):
        have = dict(have)
        if 'port_name' not in have:
            have.update(self.port(client, obj, None))
        if (have['owner_datapath_uuid'] or '').startswith('datapath id'):
            raise Invalid('cannot re-create %s: its owner is %s, which OpenVNet does not list, so it could not be '
                          'restored if the new one failed; nothing was changed' % (obj['uuid'], have['owner_datapath_uuid']))
        for flag in ('enable_route_translation', 'enable_filtering'):
            have[flag] = obj.get(flag)
        return given(have)

    def check(self, client, uuid, params, recreate, catalog=None):
        address = params.get('ipv4_address')
        if address and not params.get('mac_address'):
            # OpenVNet leases an address to a MAC: without one it stores none, and every run would differ.
            raise Invalid('ipv4_address needs mac_address (OpenVNet leases the address to the MAC)')
        if address:
            network = client.read('networks', params['network_uuid'])
            if network is None:
                raise Invalid('network_uuid: %s does not exist' % params['network_uuid'])
            subnet = ipaddress.IPv4Network(text_type('%s/%s' % (network['ipv4_network'], network['ipv4_prefix'])))
            if ipaddress.IPv4Address(text_type(address)) not in subnet:
                raise Invalid('ipv4_address: %s is not in %s (%s)' % (address, params['network_uuid'], subnet))
        if not recreate:
            return
        owner = params.get('owner_datapath_uuid')
        if owner and client.read('datapaths', owner) is None:
            raise Invalid('cannot re-create %s: owner_datapath_uuid %s does not exist; nothing was changed' % (uuid, owner))
        # Port names are not listed; a port taken is found by the create, and the old one restored.
        for other, obj in sorted(catalog.all('interfaces').items()):
            if other == uuid:
                continue
            if params.get('mac_address') and (obj.get('mac_address') or '').lower() == params['mac_address']:
                raise Invalid('cannot re-create %s: interface %s already has mac_address %s; nothing was changed'
                              % (uuid, other, params['mac_address']))
            if address and (obj.get('network_uuid'), canonical_ip(obj.get('ipv4_address'))) == \
                    (params['network_uuid'], address):
                raise Invalid('cannot re-create %s: interface %s already has ipv4_address %s in %s; nothing was changed'
                              % (uuid, other, address, params['network_uuid']))


# -- reconciliation ---------------------------------------------------------

class Raced(Exception):
    """Another run wrote the same resource between our read and our write."""


def differences(have, want, fields):
    return [f for f in fields if want.get(f) is not None and have.get(f) != want[f]]


def refuse_unsupported(client, resource, uuid, verb, params):
    """Invalid when the transport cannot send a field the write needs (vnctl and an interface's
    display_name): found before any write, so a recreate never deletes what it cannot make again."""
    unsupported = getattr(client.transport, 'UNSUPPORTED', {}).get((resource, verb), ())
    fields = sorted(f for f in unsupported if (params or {}).get(f) is not None)
    if fields:
        raise Invalid("%s: vnctl cannot send %s for %s (OpenVNet's vnctl has no option for it); nothing was "
                      "changed; use transport=api" % (uuid, ', '.join(fields), resource))


def plan(client, resource, uuid, obj, have, want, state, recreate):
    """(action, actions, params, old params, after): what to do; raises Invalid before any write."""
    if state == 'absent':
        if obj:
            refuse_dependents(resource.name, uuid, Catalog(client).dependents(resource.name, uuid, obj), 'delete')
        return ('delete' if obj else None), (['delete %s' % uuid] if obj else []), None, None, None
    if obj is None:
        params = dict(resource.defaults(uuid), **given(want))
        refuse_unsupported(client, resource.name, uuid, 'add', params)
        resource.check(client, uuid, params, False, Catalog(client))
        return 'create', ['create %s' % uuid], dict(params, uuid=uuid), None, dict(resource.defaults(uuid), **given(want))
    after = dict(have, **given(want))
    changed = differences(have, want, resource.immutable)
    if changed and not recreate:
        raise Invalid('%s: %s cannot be changed in place (%s); set recreate=true to delete and re-create it'
                      % (uuid, ', '.join(changed), '; '.join('%s %r -> %r' % (f, have.get(f), want[f]) for f in changed)),
                      diff=dict(before=have, after=after))
    if changed:
        # Fields the task does not give keep their old values.
        old = dict(resource.saved(client, obj, have), uuid=uuid)
        params = dict(old, **given(want))
        refuse_unsupported(client, resource.name, uuid, 'add', params)
        refuse_unsupported(client, resource.name, uuid, 'add', old)
        catalog = Catalog(client)
        resource.check(client, uuid, params, True, catalog)
        # A task about one resource carries nothing else through its re-creation.
        refuse_dependents(resource.name, uuid, catalog.dependents(resource.name, uuid, obj), 're-create')
        return 'recreate', ['delete %s' % uuid, 'create %s (recreate: %s changed)' % (uuid, ', '.join(changed))], \
            params, old, after
    changes = dict((f, want[f]) for f in differences(have, want, resource.mutable))
    if changes:
        refuse_unsupported(client, resource.name, uuid, 'modify', changes)
        return 'update', ['update %s: %s' % (uuid, ', '.join(sorted(changes)))], changes, None, after
    return None, [], None, None, after


def apply(client, resource, uuid, action, params, old, writes):
    """Make the planned change; returns the object after it. ``writes`` collects what was done."""
    if action == 'delete':
        if not client.delete(resource.name, uuid):
            raise Raced('%s: already deleted by another run' % uuid)
        writes.append('deleted %s' % uuid)
        return None
    if action == 'update':
        try:
            obj = client.update(resource.name, uuid, params)
        except OpenVNetError as e:
            if e.code == '100':
                raise Raced('%s: deleted by another run before the update' % uuid)
            raise
        writes.append('updated %s' % uuid)
        return obj
    if action == 'recreate':
        if client.delete(resource.name, uuid):
            writes.append('deleted %s' % uuid)
    try:
        obj = client.create(resource.name, params)
    except OpenVNetError as e:
        if e.code == '102':
            raise Raced('%s: already created by another run' % uuid)
        e = holder_named(client, resource.name, uuid, params, e)
        if action == 'recreate':
            restore(client, resource, uuid, old, e, writes)
        raise e
    writes.append('created %s' % uuid)
    return obj


# The fields a unique key of OpenVNet's schema holds (vnet/db/migrations, axsh/openvnet 1407ad79), as
# MySQL names the key in its refusal.
UNIQUE_FIELDS = {'mac_address': ('interfaces', 'mac_address'), 'network_id': ('interfaces', 'ipv4_address'),
                 'dpid': ('datapaths', 'dpid')}


def holder_named(client, kind, uuid, params, error):
    """A duplicate refusal, with the resource that holds the value (looked up after the refusal)."""
    key = error.details.get('duplicate_key')
    if key is None:
        return error
    holder_kind, field = UNIQUE_FIELDS.get(key, (kind, None))
    wanted = params.get(field) if field else None
    holder = None
    if wanted is not None:
        try:
            objects = client.list_all(holder_kind)[0]
        except OpenVNetError:
            objects = {}
        for other, obj in sorted(objects.items()):
            value = obj.get(field)
            value = normalize_dpid(value) if field == 'dpid' else canonical_ip((value or '').lower() or None)
            if other != uuid and value == wanted and (field != 'ipv4_address' or
                                                      obj.get('network_uuid') == params.get('network_uuid')):
                holder = other
                break
    what = '%s %s' % (field, wanted) if field else 'key %s' % key
    return OpenVNetError('cannot create %s: %s %s already has %s (%s)'
                         % (uuid, holder_kind[:-1], holder or '(not listed)', what, error), error.code)


def restore(client, resource, uuid, old, error, writes):
    """The new one could not be made: make the old one again, and say exactly what happened."""
    try:
        client.create(resource.name, old)
    except OpenVNetError as e:
        raise OpenVNetError('re-creating %s failed after it was deleted: %s; COULD NOT RESTORE the old %s (%s): it is '
                            'gone; its fields were %s (also in the result\'s key lost)'
                            % (uuid, error, uuid, e, json.dumps(old, sort_keys=True)),
                            error.code, changed=True, lost=[dict(old, kind=resource.name)])
    writes.append('restored %s' % uuid)
    raise OpenVNetError('re-creating %s failed after it was deleted: %s; the old %s was restored as it was (%s)'
                        % (uuid, error, uuid, json.dumps(old, sort_keys=True)), error.code, changed=True)


def ensure(client, resource, uuid, want, state='present', recreate=False, check_mode=False):
    """Reconcile one resource; returns the module result.

    ``want`` holds the fields the task declares (None = not managed). Raises
    Invalid (nothing changed) or OpenVNetError. When another run writes the same
    resource between our read and our write (create: duplicate uuid; update or
    delete: not found), it is read again and reconciled once more: a run that
    finds its change already made reports changed=false, as that run did not
    make it.
    """
    raced = []
    writes = []
    before = None
    for attempt in (1, 2):
        obj = client.read(resource.name, uuid)
        have = resource.view(client, obj, want) if obj else None
        before = have if attempt == 1 else before
        action, actions, params, old, after = plan(client, resource, uuid, obj, have, want, state, recreate)
        if check_mode or action is None:
            result_obj = obj
            break
        try:
            result_obj = apply(client, resource, uuid, action, params, old, writes)
            break
        except Raced as e:
            if attempt == 2:
                raise OpenVNetError('%s was changed by another run twice while this task ran (%s)' % (uuid, e))
            raced.append(str(e))
    return {
        'changed': bool(writes) if not check_mode else bool(actions),
        'actions': raced + actions,
        'uuid': uuid,
        'diff': dict(before=before or {}, after=after or {}),
        resource.key: result_obj or {},
        'requests': client.requests,
    }


# -- datapath networks --------------------------------------------------------

def duplicate(error):
    """OpenVNet's answer to an association that exists: code 112, or (develop) the database's
    unique key as a server error."""
    return error.code == '112' or (error.code == '500' and bool(error.details.get('duplicate_key')))


def linked_networks(client, dp, state):
    """(network uuids listed, complete) of a datapath; a missing datapath has none when removing."""
    try:
        items, total = client.relations('datapaths', dp, 'networks')
    except OpenVNetError as e:
        if e.code == '100' and state == 'absent':
            return [], True
        raise
    return [item['uuid'] for item in items], total <= len(items)


def ensure_association(client, dp, nw, state, interface_uuid=None, mac_address=None, check_mode=False):
    """Attach network ``nw`` to datapath ``dp`` (or detach it); returns the module result.

    OpenVNet lists a datapath's networks, not the association rows: an existing
    association's interface and MAC cannot be read back, so they are only checked
    in the reply that creates it. Beyond the page size presence is unknown: the
    write is tried and its "already exists"/"not found" answer decides. The same
    answers from a run at the same moment are read again: changed=false when the
    other run made the change.
    """
    listed, complete = linked_networks(client, dp, state)
    existed = nw in listed
    actions, changed = [], False
    if state == 'present' and not existed:
        actions.append('add %s to %s' % (nw, dp))
        if not check_mode:
            params = dict(interface_uuid=interface_uuid)
            if mac_address:
                params['mac_address'] = mac_address
            try:
                row = client.relate('datapaths', dp, 'networks', nw, params)
            except OpenVNetError as e:
                if not duplicate(e) or (complete and nw not in linked_networks(client, dp, state)[0]):
                    raise
                # listed past the page, or added by another run since our read
                existed, row = True, None
                actions = ['%s on %s: already added%s' % (nw, dp, ' by another run' if complete else '')]
            if row is not None:
                changed = True
                if mac_address and row.get('mac_address') is not None and row['mac_address'] != mac_int(mac_address):
                    raise OpenVNetError('POST datapaths/%s/networks/%s: asked for mac_address %s, OpenVNet stored %s'
                                        % (dp, nw, mac_address, mac_text(row['mac_address'])), changed=True)
    elif state == 'absent' and (existed or not complete):
        actions.append('remove %s from %s' % (nw, dp))
        if not check_mode:
            if client.unrelate('datapaths', dp, 'networks', nw):
                existed = changed = True
            elif existed:
                actions = ['%s on %s: already removed by another run' % (nw, dp)]
            else:
                actions = []    # not listed, and not there
    if check_mode:
        changed = bool(actions)
    row = dict(datapath_uuid=dp, network_uuid=nw)
    after = row if state == 'present' else {}
    return dict(changed=changed, actions=actions, requests=client.requests, datapath_network=after,
                diff=dict(before=row if existed else {}, after=after))


def mac_int(value):
    return int(value.replace(':', ''), 16)


def mac_text(value):
    """The association's MAC, which OpenVNet returns as a number."""
    if isinstance(value, int):
        raw = '%012x' % value
        return ':'.join(raw[i:i + 2] for i in range(0, 12, 2))
    return str(value)
