# -*- coding: utf-8 -*-
# Copyright: (c) 2026, OpenVNet collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one place that talks to OpenVNet: through vnctl or the WebAPI.

vnctl prints the raw HTTP body and exits 0 even on API errors, so both
transports judge a call by its body (``error``/``code``), not by an exit
status. Resources are described once (:class:`Kind`) and reconciled by
:func:`ensure`: read, compare, update mutable fields in place, refuse or
recreate when immutable fields differ.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import ipaddress
import json
import re

from ansible_collections.openvnet.openvnet.plugins.module_utils.addresses import dpid_hex, mac

from ansible.module_utils.common.yaml import HAS_YAML, yaml_load
from ansible.module_utils.six.moves.urllib.parse import urlencode
from ansible.module_utils.urls import fetch_url

DEFAULT_API_URL = 'http://127.0.0.1:9090/api/1.0'
VNCTL_PATHS = ['/usr/bin', '/opt/axsh/openvnet/client/vnctl/bin']

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


class OpenVNetError(Exception):
    def __init__(self, message, code=None):
        super(OpenVNetError, self).__init__(message)
        self.code = code


class Invalid(Exception):
    """Bad input, found before anything is changed."""


def wire(value):
    """Booleans as the WebAPI's parser reads them."""
    return ('true' if value else 'false') if isinstance(value, bool) else value


def api_error(body, status=None):
    """OpenVNetError from an error body; ``code`` says what went wrong."""
    code = str(body.get('code') or status or '500')
    kind = str(body.get('error', 'error')).rsplit('::', 1)[-1]
    return OpenVNetError('OpenVNet %s (%s, code %s): %s'
                         % (MEANING.get(code, 'error'), kind, code, body.get('message')), code)


def plain(value):
    """Ruby YAML's symbol keys (``:uuid``) and timestamps made plain."""
    if isinstance(value, dict):
        return dict((str(k).lstrip(':'), plain(v)) for k, v in value.items())
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    return value


class ApiTransport:
    """The WebAPI over HTTP, form-encoded parameters, JSON replies."""

    def __init__(self, module, url, timeout):
        self.module, self.url, self.timeout = module, url.rstrip('/'), timeout
        self.requests = []

    def call(self, verb, resource, uuid=None, relation=None, other=None, params=None):
        path = '/'.join(p for p in (resource, uuid, relation, other) if p)
        method = {'show': 'GET', 'add': 'POST', 'modify': 'PUT', 'del': 'DELETE'}[verb]
        url = '%s/%s.json' % (self.url, path)
        data = urlencode(sorted((k, wire(v)) for k, v in params.items())) if params else None
        if method == 'GET' and data:
            # A read's parameters (a list's offset/limit) go in the query string.
            url, data = '%s?%s' % (url, data), None
        self.requests.append(dict(method=method, url=url, body=data))
        resp, info = fetch_url(self.module, url, data=data, method=method, timeout=self.timeout,
                               headers={'Content-Type': 'application/x-www-form-urlencoded'})
        status = info.get('status', -1)
        if status == -1:
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
    """vnctl, as OpenVNet hosts have it. Exit 0 proves nothing: the body and
    stderr decide; exit 1 means the WebAPI could not be reached."""

    def __init__(self, module, path=None, webapi=None):
        self.module = module
        self.binary = path or module.get_bin_path('vnctl', required=True, opt_dirs=VNCTL_PATHS)
        self.environ = {'VNET_WEBAPI': webapi} if webapi else {}
        self.requests = []

    def call(self, verb, resource, uuid=None, relation=None, other=None, params=None):
        argv = [self.binary, resource]
        argv += [relation, verb] if relation else [verb]
        argv += [p for p in (uuid, other) if p]
        for key, value in sorted((params or {}).items()):
            argv.append('--%s=%s' % (key.replace('_', '-'), wire(value)))
        self.requests.append(dict(argv=argv))
        rc, out, err = self.module.run_command(argv, environ_update=dict(self.environ, LC_ALL='C'))
        if rc == 1 and ('ECONNREFUSED' in err or 'Errno::' in err or not out.strip()):
            raise OpenVNetError('cannot reach the OpenVNet WebAPI through vnctl (%s): %s'
                                % (self.environ.get('VNET_WEBAPI', 'vnctl.conf or its default'),
                                   err.strip().splitlines()[0] if err.strip() else 'exit 1'))
        if rc != 0 or err.strip():
            raise OpenVNetError('vnctl %s failed (rc=%d): %s' % (' '.join(argv[1:]), rc, err.strip() or out.strip()))
        body = self._parse(out)
        if isinstance(body, dict) and 'error' in body:
            raise api_error(body)
        return body

    def _parse(self, out):
        try:
            return json.loads(out)
        except ValueError:
            pass
        if not HAS_YAML:
            raise OpenVNetError("vnctl printed YAML and PyYAML is missing on this host; install it, or set "
                                "output_format 'json' in /etc/openvnet/vnctl.conf (and do not set webapi, "
                                "since VNET_WEBAPI forces YAML)")
        try:
            return plain(yaml_load(out))
        except Exception as e:  # yaml's errors vary by version
            raise OpenVNetError('cannot parse vnctl output (%s): %s' % (e, out[:200]))


def transport(module):
    p = module.params
    if p['transport'] == 'api':
        return ApiTransport(module, p['api_url'], p['timeout'])
    return VnctlTransport(module, p['vnctl_path'], p['webapi'])


class Client:
    """Resource operations over either transport."""

    def __init__(self, module):
        self.transport = transport(module)

    @property
    def requests(self):
        return self.transport.requests

    def get(self, resource, uuid):
        try:
            return plain(self.transport.call('show', resource, uuid))
        except OpenVNetError as e:
            if e.code == '100':
                return None
            raise

    def create(self, resource, params):
        return plain(self.transport.call('add', resource, params=params))

    def update(self, resource, uuid, params):
        return plain(self.transport.call('modify', resource, uuid, params=params))

    def delete(self, resource, uuid):
        try:
            self.transport.call('del', resource, uuid)
        except OpenVNetError as e:
            if e.code != '100':
                raise

    def related(self, resource, uuid, relation):
        body = plain(self.transport.call('show', resource, uuid, relation))
        return body.get('items', []), body.get('total_count', 0)

    # -- replies judged by their type: a list, text, null or an empty body where
    # an object or a collection is expected is an error, whatever the transport said.

    def read(self, resource, uuid):
        """GET one object; None when OpenVNet says it does not exist."""
        try:
            body = plain(self.transport.call('show', resource, uuid))
        except OpenVNetError as e:
            if e.code == '100':
                return None
            raise
        return expect_object(body, 'GET %s/%s' % (resource, uuid), uuid)

    def list(self, resource, offset=None, limit=None):
        """One page of a collection: (items, total_count, offset the reply says it starts at)."""
        params = dict(offset=offset, limit=limit) if offset is not None else None
        body = plain(self.transport.call('show', resource, params=params))
        what = 'GET %s%s' % (resource, '?offset=%s&limit=%s' % (offset, limit) if params else '')
        if not isinstance(body, dict) or not isinstance(body.get('items'), list) \
                or not isinstance(body.get('total_count'), int):
            raise OpenVNetError('%s: expected a collection (total_count, items), got %s' % (what, describe(body)))
        for item in body['items']:
            if not isinstance(item, dict) or not item.get('uuid'):
                raise OpenVNetError('%s: an item is not an object with a uuid: %s' % (what, describe(item)))
        return body['items'], body['total_count'], body.get('offset')

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

    def relate(self, resource, uuid, relation, other, params):
        return plain(self.transport.call('add', resource, uuid, relation, other, params))

    def unrelate(self, resource, uuid, relation, other):
        self.transport.call('del', resource, uuid, relation, other)


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


# -- validation and normalisation ------------------------------------------

def check_uuid(field, value, prefix):
    if value is not None and not re.match(r'^%s-[a-z0-9]{1,16}$' % prefix, value):
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


def check_network(network, prefix):
    """The network address and prefix; host bits are an error."""
    if prefix is not None and not 1 <= prefix <= 32:
        raise Invalid('ipv4_prefix: %s is not from 1 to 32' % prefix)
    try:
        address = ipaddress.IPv4Address(network)
    except ValueError:
        raise Invalid('ipv4_network: %r is not an IPv4 address' % network)
    try:
        ipaddress.IPv4Network('%s/%s' % (address, prefix if prefix is not None else 24))
    except ValueError:
        raise Invalid('ipv4_network: %s/%s has host bits set; the network address is %s'
                      % (address, prefix, ipaddress.IPv4Network('%s/%s' % (address, prefix), strict=False)
                         .network_address))
    return str(address)


def network_cidr(network, prefix):
    """(address, prefix) from ``10.0.0.0/24`` or ``10.0.0.0`` + prefix (default 24); host bits are an error."""
    if network is not None and '/' in network:
        written = network
        network, tail = network.split('/', 1)
        if not tail.isdigit():
            raise Invalid('ipv4_network: %r has no numeric prefix' % written)
        if prefix is not None and prefix != int(tail):
            raise Invalid('ipv4_prefix: %s contradicts ipv4_network %s' % (prefix, written))
        prefix = int(tail)
    prefix = 24 if prefix is None else prefix
    return check_network(network, prefix), prefix


def check_ipv4(field, value):
    if value is None:
        return None
    try:
        return str(ipaddress.IPv4Address(value))
    except ValueError:
        raise Invalid('%s: %r is not an IPv4 address' % (field, value))


def suffix(uuid):
    return uuid.split('-', 1)[1]


# -- reconciliation ---------------------------------------------------------

class Kind:
    """How one resource is read, compared, created and updated.

    ``view(obj)`` turns an API object into the comparable fields; fields a
    user left out (None) are not compared.
    """

    resource = None
    key = None
    mutable = ()
    immutable = ()

    def view(self, client, obj):
        raise NotImplementedError

    def create_params(self, uuid, want):
        params = dict((k, v) for k, v in want.items() if v is not None)
        params['uuid'] = uuid
        return params


def differences(have, want, fields):
    return [f for f in fields if want.get(f) is not None and have.get(f) != want[f]]


def ensure(module, client, kind, uuid, want, check=None):
    """Reconcile one resource; returns the module result.

    ``want`` holds the fields the task declares (None = not managed).
    ``check(client, want)`` validates against server data before a create.
    """
    p = module.params
    result = dict(changed=False, actions=[], uuid=uuid)
    obj = client.get(kind.resource, uuid)
    have = kind.view(client, obj) if obj else None
    after_obj = obj
    if p['state'] == 'absent':
        if obj:
            result['actions'].append('delete %s' % uuid)
            if not module.check_mode:
                client.delete(kind.resource, uuid)
        after = None
        after_obj = None
    else:
        after = dict(have or {}, **dict((k, v) for k, v in want.items() if v is not None))
        if obj is None:
            if check:
                check(client, want)
            result['actions'].append('create %s' % uuid)
            if not module.check_mode:
                after_obj = client.create(kind.resource, kind.create_params(uuid, want))
        else:
            fixed = differences(have, want, kind.immutable)
            if fixed and not p['recreate']:
                module.fail_json(
                    msg='%s: %s cannot be changed in place (%s); set recreate=true to delete and re-create it'
                        % (uuid, ', '.join(fixed), '; '.join('%s %r -> %r' % (f, have.get(f), want[f]) for f in fixed)),
                    diff=dict(before=have, after=after), requests=client.requests)
            if fixed:
                if check:
                    check(client, want)
                result['actions'] += ['delete %s' % uuid, 'create %s (recreate: %s changed)' % (uuid, ', '.join(fixed))]
                if not module.check_mode:
                    client.delete(kind.resource, uuid)
                    after_obj = client.create(kind.resource, kind.create_params(uuid, want))
            else:
                changes = dict((f, want[f]) for f in differences(have, want, kind.mutable))
                if changes:
                    result['actions'].append('update %s: %s' % (uuid, ', '.join(sorted(changes))))
                    if not module.check_mode:
                        after_obj = client.update(kind.resource, uuid, changes)
    result['changed'] = bool(result['actions'])
    result['diff'] = dict(before=have or {}, after=after or {})
    # In check mode nothing was written: the object is as it was.
    result[kind.key] = (obj if module.check_mode else after_obj) or {}
    result['requests'] = client.requests
    return result


def run(module, kind, uuid, want, check=None):
    client = Client(module)
    try:
        result = ensure(module, client, kind, uuid, want, check)
    except Invalid as e:
        module.fail_json(msg=str(e), requests=client.requests)
    except OpenVNetError as e:
        module.fail_json(msg=str(e), requests=client.requests)
    module.exit_json(**result)
