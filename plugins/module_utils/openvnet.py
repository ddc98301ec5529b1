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

    def relate(self, resource, uuid, relation, other, params):
        return plain(self.transport.call('add', resource, uuid, relation, other, params))

    def unrelate(self, resource, uuid, relation, other):
        self.transport.call('del', resource, uuid, relation, other)


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
