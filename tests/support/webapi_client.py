"""The integration tests' handle on a running WebAPI emulator: the connection options each
transport needs (the WebAPI directly, vnctl printing YAML, vnctl printing JSON), module runs
through them, and plain HTTP calls to look at what the emulator holds."""

import contextlib
import json
import os
import urllib.error
import urllib.parse
import urllib.request

from tests.support.openvnet_emulator import serve
from tests.support.runner import ROOT, run_module

VNCTL = os.path.join(ROOT, 'tests', 'support', 'bin', 'vnctl')
TRANSPORTS = ['api', 'vnctl-yaml', 'vnctl-json']


class Emulator:
    def __init__(self, server, transport, home):
        self.server = server
        self.port = server.server_address[1]
        self.url = 'http://127.0.0.1:%d/api/1.0' % self.port
        self.env = {}
        if transport == 'api':
            self.conn = dict(transport='api', api_url=self.url)
        elif transport == 'vnctl-yaml':
            self.conn = dict(vnctl_path=VNCTL, webapi='127.0.0.1:%d' % self.port)
        else:
            with open(os.path.join(home, '.vnctlrc'), 'w') as f:
                f.write("webapi_uri '127.0.0.1'\nwebapi_port '%d'\noutput_format 'json'\n" % self.port)
            self.conn = dict(vnctl_path=VNCTL)
            self.env = {'HOME': home}

    def run(self, module, args, check=False):
        return run_module(module, dict(args, **self.conn), check=check, diff=True, env=self.env)

    def call(self, method, path, **params):
        """A WebAPI request; None for a 404."""
        query = urllib.parse.urlencode(params)
        req = urllib.request.Request('%s/%s?%s' % (self.url, path, query), method=method,
                                     data=b'' if method in ('POST', 'PUT') else None)
        try:
            with urllib.request.urlopen(req) as resp:
                return json.loads(resp.read())
        except urllib.error.HTTPError as e:
            if e.code == 404:
                return None
            raise

    def get(self, path):
        return self.call('GET', path)

    def writes(self):
        return [r for r in self.server.requests if r[0] != 'GET']

    def uuids(self, kind):
        return sorted(o['uuid'] for o in self.get('%s.json' % kind)['items'])


class Registrations(Emulator):
    """The handle the ownership and dependents tests use: openvnet_registrations runs, and what the
    emulator holds, read whole."""

    def registrations(self, args, check=False):
        return self.run('openvnet_registrations', args, check=check)

    def post(self, kind, **params):
        return self.call('POST', '%s.json' % kind, **params)

    def snapshot(self, *paths):
        return dict((path, self.get(path)) for path in paths)

    def name(self, path):
        return (self.get(path) or {}).get('display_name')

    def everything(self):
        out = {}
        for kind in ('datapaths', 'networks', 'interfaces'):
            for item in self.get('%s.json' % kind)['items']:
                out[item['uuid']] = item
                if kind == 'interfaces':
                    out[item['uuid'] + '/ports'] = self.get('interfaces/%s/ports.json' % item['uuid'])['items']
                if kind == 'datapaths':
                    out[item['uuid'] + '/networks'] = self.get('datapaths/%s/networks.json' % item['uuid'])['items']
        return out


@contextlib.contextmanager
def emulating(transport, home, handle=Emulator, **options):
    """A WebAPI emulator on a free port (``options`` go to ``serve``), as ``handle`` sees it; stopped after."""
    server = serve(port=0, **options)
    try:
        yield handle(server, transport, str(home))
    finally:
        server.shutdown()
        server.server_close()
