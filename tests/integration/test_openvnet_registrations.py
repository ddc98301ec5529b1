"""openvnet_registrations against the WebAPI emulator, through the WebAPI (what the
openvnet role uses: interfaces carry the collection's marker in display_name, which
OpenVNet's vnctl cannot send) and, for what vnctl can do, through vnctl (YAML and JSON
output), with OpenVNet's default page (30 items, offset/limit ignored) and with
pagination_limit raised."""

from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
import threading

import pytest

from tests.support import webapi_client
from tests.support.runner import run_module
N = 40


def peer(i, **extra):
    return dict(dict(uuid='if-sv%d' % i, owner_datapath_uuid='dp-hub', network_uuid='nw-peers',
                     mac_address='02:00:00:00:01:%02x' % i, ipv4_address='10.0.0.%d' % i, port_name='tap%d' % i),
                **extra)


def hub(n=N, **extra):
    return dict(dict(datapaths=[dict(uuid='dp-hub', dpid='02:00:0a:00:01:0a', node_id='vna', display_name='hub')],
                     networks=[dict(uuid='nw-peers', ipv4_network='10.0.0.0/24', display_name='peers')],
                     interfaces=[peer(i) for i in range(1, n + 1)]), **extra)


class Emulator(webapi_client.Emulator):
    def run(self, args, check=False):  # pylint: disable=arguments-differ
        return super().run('openvnet_registrations', args, check=check)


def emulator(transport, tmp_path):
    with webapi_client.emulating(transport, tmp_path, handle=Emulator) as emulator:
        yield emulator


@pytest.fixture
def openvnet(tmp_path):
    yield from emulator('api', tmp_path)


@pytest.fixture(params=['vnctl-yaml', 'vnctl-json'])
def vnctl(request, tmp_path):
    yield from emulator(request.param, tmp_path)


@pytest.fixture
def big_page(tmp_path):
    conf = tmp_path / 'webapi.conf'
    conf.write_text('node {\n  id "webapi"\n}\npagination_limit 1000\n')
    with webapi_client.emulating('api', tmp_path, handle=Emulator, config=str(conf)) as emulator:
        yield emulator


def test_converge_more_than_a_page_then_no_op(openvnet):
    first = openvnet.run(hub())
    assert not first.get('failed'), first
    assert first['changed'] is True
    assert first['actions'][:3] == ['create dp-hub', 'create nw-peers', 'create if-sv1']
    assert len(first['actions']) == N + 2
    assert openvnet.get('datapaths/dp-hub')['display_name'] == 'openvnet.openvnet: hub'
    assert openvnet.get('interfaces/if-sv7')['display_name'] == 'openvnet.openvnet: if-sv7 [port tap7 on dp-hub]'
    assert openvnet.get('interfaces/if-sv7/ports')['items'][0]['port_name'] == 'tap7'

    del openvnet.server.requests[:]
    again = openvnet.run(hub())
    assert again['changed'] is False and again['actions'] == [], again['actions']
    assert openvnet.writes() == []
    # 3 lists, 1 page asked for (ignored), the 10 interfaces past the page by uuid
    assert len(openvnet.server.requests) == len(again['requests']) == 3 + 1 + (N - 30)
    assert any('pagination_limit' in str(w) for w in again['warnings'])
    assert len(again['interfaces']) == N


def test_a_big_page_makes_a_no_op_three_requests(big_page):
    assert big_page.run(hub())['changed'] is True
    del big_page.server.requests[:]
    again = big_page.run(hub())
    assert (again['changed'], len(big_page.server.requests), again.get('warnings', [])) == (False, 3, [])


def test_purge_removes_only_marked_ones(openvnet):
    openvnet.run(hub(n=5))
    openvnet.call('POST', 'interfaces', uuid='if-user', mode='vif', display_name='made by hand',
                  network_uuid='nw-peers', mac_address='02:00:00:00:02:01', ipv4_address='10.0.0.200')
    result = openvnet.run(hub(n=3, purge=True))
    assert result['actions'] == ['delete if-sv4 (purge)', 'delete if-sv5 (purge)'], result
    assert openvnet.uuids('interfaces') == ['if-sv1', 'if-sv2', 'if-sv3', 'if-user']
    # nothing listed: the marked interfaces go; the network the user's interface uses stays, with a warning
    emptied = openvnet.run(dict(purge=True))
    assert emptied['actions'] == ['delete if-sv1 (purge)', 'delete if-sv2 (purge)', 'delete if-sv3 (purge)',
                                  'delete dp-hub (purge)'], emptied
    assert any('nw-peers is still used by interface if-user' in str(w) for w in emptied['warnings'])
    assert openvnet.uuids('interfaces') == ['if-user']
    assert openvnet.uuids('networks') == ['nw-peers']


def test_user_made_uuid_is_a_conflict_unless_forced(openvnet):
    openvnet.run(hub(n=0))
    openvnet.call('POST', 'interfaces', uuid='if-sv1', mode='vif', display_name='inst1', owner_datapath_uuid='dp-hub',
                  port_name='tap1', network_uuid='nw-peers', mac_address='02:00:00:00:01:01', ipv4_address='10.0.0.1')
    writes = len(openvnet.writes())
    refused = openvnet.run(hub(n=2))
    assert refused.get('failed') is True and 'if-sv1 (display_name \'inst1\')' in refused['msg'], refused
    assert len(openvnet.writes()) == writes
    adopted = openvnet.run(hub(n=2, force=True))
    assert adopted['actions'] == ['update if-sv1 (display_name changed, adopted)', 'create if-sv2'], adopted
    assert openvnet.run(hub(n=2))['changed'] is False


def test_recreate_on_changed_address_and_check_mode_writes_nothing(openvnet):
    openvnet.run(hub(n=3))
    args = hub(n=3)
    args['interfaces'][1] = peer(2, ipv4_address='10.0.0.22')
    writes = len(openvnet.writes())
    planned = openvnet.run(args, check=True)
    assert planned['actions'] == ['recreate if-sv2 (ipv4_address changed)']
    assert planned['diff']['after']['interfaces']['if-sv2']['ipv4_address'] == '10.0.0.22'
    assert len(openvnet.writes()) == writes
    done = openvnet.run(args)
    assert done['actions'] == planned['actions']
    assert openvnet.get('interfaces/if-sv2')['ipv4_address'] == '10.0.0.22'
    assert openvnet.get('interfaces/if-sv2/ports')['items'][0]['port_name'] == 'tap2'
    assert openvnet.run(args)['changed'] is False


def test_a_network_recreate_takes_its_interfaces_along(openvnet):
    openvnet.run(hub(n=2))
    args = hub(n=2)
    args['networks'][0]['ipv4_network'] = '10.0.0.0/16'
    result = openvnet.run(args)
    assert result['actions'] == ['recreate nw-peers (ipv4_prefix changed)',
                                 'recreate if-sv1 (network nw-peers re-created)',
                                 'recreate if-sv2 (network nw-peers re-created)'], result
    assert openvnet.get('networks/nw-peers')['ipv4_prefix'] == 16
    assert openvnet.get('interfaces/if-sv2')['ipv4_address'] == '10.0.0.2'
    assert openvnet.run(args)['changed'] is False


def test_a_create_failing_after_the_delete_restores_the_old_one(openvnet):
    openvnet.run(hub(n=2))
    # A port the module cannot see (a user-made interface with no display name) makes the new create fail.
    openvnet.call('POST', 'interfaces', uuid='if-user', mode='vif', owner_datapath_uuid='dp-hub', port_name='tap9')
    args = hub(n=2)
    args['interfaces'][0] = peer(1, ipv4_address='10.0.0.11', port_name='tap9')
    result = openvnet.run(args)
    assert result.get('failed') is True, result
    assert 'done before the failure: deleted if-sv1; restored as they were: if-sv1' in result['msg'], result['msg']
    old = openvnet.get('interfaces/if-sv1')
    assert (old['ipv4_address'], old['display_name']) == ('10.0.0.1', 'openvnet.openvnet: if-sv1 [port tap1 on dp-hub]')
    assert openvnet.get('interfaces/if-sv1/ports')['items'][0]['port_name'] == 'tap1'
    assert openvnet.run(hub(n=2))['changed'] is False


def test_through_vnctl_datapaths_and_networks_converge(vnctl):
    first = vnctl.run(hub(n=0))
    assert first['changed'] is True and first['actions'] == ['create dp-hub', 'create nw-peers'], first
    assert vnctl.get('networks/nw-peers')['display_name'] == 'openvnet.openvnet: peers'
    again = vnctl.run(hub(n=0))
    assert (again['changed'], again['actions']) == (False, []), again


def test_through_vnctl_interfaces_are_refused_before_any_write(vnctl):
    result = vnctl.run(hub(n=2))
    assert result.get('failed') is True and "vnctl cannot set an interface's display_name" in result['msg'], result
    assert result['changed'] is False and vnctl.writes() == []


def test_bad_input_fails_before_any_request(openvnet):
    result = openvnet.run(dict(interfaces=[peer(1, mac_address=1054110000)]))
    assert result.get('failed') is True and 'quote it' in result['msg']
    result = openvnet.run(dict(interfaces=[peer(1), peer(1)]))
    assert result.get('failed') is True and 'listed twice' in result['msg']
    assert openvnet.server.requests == []


class Broken(BaseHTTPRequestHandler):
    reply = (200, 'text/plain', '')

    def log_message(self, *args):
        pass

    def do_GET(self):
        status, ctype, body = self.reply
        data = body.encode()
        self.send_response(status)
        self.send_header('Content-Type', ctype)
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.mark.parametrize('reply, words', [
    ((200, 'text/html', '<html><body>It works</body></html>'), 'no JSON body'),
    ((200, 'application/json', ''), 'no JSON body'),
    ((200, 'application/json', '["dp-hub"]'), 'expected a collection (total_count, items), got a list'),
    ((200, 'application/json', 'null'), 'got an empty reply'),
], ids=['html', 'empty', 'list', 'null'])
def test_a_broken_server_reply_fails_cleanly(reply, words):
    server = ThreadingHTTPServer(('127.0.0.1', 0), type('H', (Broken,), {'reply': reply}))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = 'http://127.0.0.1:%d/api/1.0' % server.server_address[1]
        result = run_module('openvnet_registrations', dict(hub(n=1), transport='api', api_url=url))
    finally:
        server.shutdown()
        server.server_close()
    assert result.get('failed') is True, result
    assert words in result['msg'], result['msg']
