"""The OpenVNet modules against the WebAPI emulator, through every transport:
the WebAPI directly, and vnctl (the stand-in) printing YAML (VNET_WEBAPI) or
JSON (output_format 'json' in its configuration file)."""

import concurrent.futures
import socket
import time
import urllib.request

import pytest

from tests.support import webapi_client
from tests.support.runner import run_module
SEED_MAC = '02:00:0a:00:01:0a'           # eth1's MAC on sv0 -> dpid 0x0000 + MAC
SEED_DPID = '0x000002000a00010a'
SEED = [
    ('openvnet_datapath', dict(uuid='dp-test1', display_name='test1', dpid=SEED_MAC, node_id='vna')),
    ('openvnet_network', dict(uuid='nw-test1', display_name='test1-net', ipv4_network='10.0.0.0',
                              ipv4_prefix=24, mode='virtual')),
    ('openvnet_interface', dict(uuid='if-inst1', mode='vif', owner_datapath_uuid='dp-test1',
                                mac_address='EE:99:D5:67:FD:52', network_uuid='nw-test1',
                                ipv4_address='10.0.0.1', port_name='tap1')),
    ('openvnet_interface', dict(uuid='if-inst2', mode='vif', owner_datapath_uuid='dp-test1',
                                mac_address='2A:27:6E:63:5E:E5', network_uuid='nw-test1',
                                ipv4_address='10.0.0.2', port_name='tap2')),
]


@pytest.fixture(params=['api', 'vnctl-yaml', 'vnctl-json'])
def openvnet(request, tmp_path):
    with webapi_client.emulating(request.param, tmp_path) as emulator:
        yield emulator


def apply_seed(openvnet):
    return [openvnet.run(module, args) for module, args in SEED]


def test_seed_sequence_then_second_run_changes_nothing(openvnet):
    results = apply_seed(openvnet)
    assert [r.get('changed') for r in results] == [True] * 4, results
    dp = openvnet.get('datapaths/dp-test1')
    assert (dp['dpid'], dp['node_id'], dp['display_name']) == (SEED_DPID, 'vna', 'test1')
    nw = openvnet.get('networks/nw-test1')
    assert (nw['ipv4_network'], nw['ipv4_prefix'], nw['mode']) == ('10.0.0.0', 24, 'virtual')
    inst2 = openvnet.get('interfaces/if-inst2')
    assert (inst2['mac_address'], inst2['ipv4_address'], inst2['network_uuid']) == \
        ('2a:27:6e:63:5e:e5', '10.0.0.2', 'nw-test1')
    assert [p['port_name'] for p in openvnet.get('interfaces/if-inst2/ports')['items']] == ['tap2']
    assert results[0]['datapath']['dpid'] == SEED_DPID

    writes = len(openvnet.writes())
    again = apply_seed(openvnet)
    assert [r.get('changed') for r in again] == [False] * 4, again
    assert len(openvnet.writes()) == writes, 'a no-op run made no write'
    assert all(r['actions'] == [] for r in again)


def test_mutable_field_is_updated_in_place(openvnet):
    apply_seed(openvnet)
    row_id = openvnet.get('networks/nw-test1')['id']
    result = openvnet.run('openvnet_network', dict(SEED[1][1], display_name='renamed', domain_name='lab.example'))
    assert result['changed'] is True
    assert result['actions'] == ['update nw-test1: display_name, domain_name']
    nw = openvnet.get('networks/nw-test1')
    assert (nw['id'], nw['display_name'], nw['domain_name']) == (row_id, 'renamed', 'lab.example')


def test_immutable_change_is_refused_then_applied_with_recreate(openvnet):
    apply_seed(openvnet)
    args = dict(SEED[0][1], dpid='0x00000000000000ff')
    refused = openvnet.run('openvnet_datapath', args)
    assert refused.get('failed') is True
    assert 'dpid cannot be changed in place' in refused['msg'] and 'recreate' in refused['msg']
    assert openvnet.get('datapaths/dp-test1')['dpid'] == SEED_DPID

    # OpenVNet destroys a datapath's interface ports with it (axsh/openvnet 1407ad79
    # vnet/lib/vnet/models/datapath.rb): a task about the datapath alone refuses, naming them, in check mode too
    writes = len(openvnet.writes())
    for check in (True, False):
        carried = openvnet.run('openvnet_datapath', dict(args, recreate=True), check=check)
        assert carried.get('failed') is True, carried
        assert 'the port tap1 of interface if-inst1' in carried['msg'] and 'if-inst2' in carried['msg'], carried['msg']
    assert len(openvnet.writes()) == writes
    assert openvnet.get('interfaces/if-inst1/ports')['items'][0]['port_name'] == 'tap1'

    for uuid in ('if-inst1', 'if-inst2'):
        assert openvnet.run('openvnet_interface', dict(uuid=uuid, state='absent'))['changed'] is True
    writes = len(openvnet.writes())
    planned = openvnet.run('openvnet_datapath', dict(args, recreate=True), check=True)
    assert planned['changed'] is True
    assert planned['actions'] == ['delete dp-test1', 'create dp-test1 (recreate: dpid changed)']
    assert len(openvnet.writes()) == writes

    done = openvnet.run('openvnet_datapath', dict(args, recreate=True))
    assert done['changed'] is True
    assert openvnet.get('datapaths/dp-test1')['dpid'] == '0x00000000000000ff'
    assert openvnet.run('openvnet_datapath', dict(args, recreate=True))['changed'] is False


def test_interface_address_change_needs_recreate(openvnet):
    apply_seed(openvnet)
    args = dict(SEED[2][1], ipv4_address='10.0.0.11')
    assert 'ipv4_address' in openvnet.run('openvnet_interface', args)['msg']
    assert openvnet.run('openvnet_interface', dict(args, recreate=True))['changed'] is True
    assert openvnet.get('interfaces/if-inst1')['ipv4_address'] == '10.0.0.11'
    assert openvnet.get('interfaces/if-inst1/ports')['items'][0]['port_name'] == 'tap1'


def test_check_mode_changes_nothing(openvnet):
    results = [openvnet.run(module, args, check=True) for module, args in SEED[:2]]
    assert [r['changed'] for r in results] == [True, True]
    assert results[0]['diff']['after']['dpid'] == SEED_DPID
    assert openvnet.writes() == []
    assert openvnet.get('datapaths/dp-test1') is None
    apply_seed(openvnet)
    writes = len(openvnet.writes())
    result = openvnet.run('openvnet_interface', dict(uuid='if-inst1', state='absent'), check=True)
    assert result['changed'] is True
    assert len(openvnet.writes()) == writes


def test_absent_removes_and_is_idempotent(openvnet):
    apply_seed(openvnet)
    for module, args in reversed(SEED):
        result = openvnet.run(module, dict(uuid=args['uuid'], state='absent'))
        assert result['changed'] is True, result
        assert openvnet.run(module, dict(uuid=args['uuid'], state='absent'))['changed'] is False
    assert openvnet.get('datapaths')['total_count'] == 0
    assert openvnet.get('interfaces')['total_count'] == 0


@pytest.mark.parametrize('module, args, field', [
    ('openvnet_datapath', dict(uuid='dp-Test1', dpid=SEED_MAC, node_id='vna'), 'uuid'),
    ('openvnet_datapath', dict(uuid='dp-test_1', dpid=SEED_MAC, node_id='vna'), 'uuid'),
    ('openvnet_datapath', dict(uuid='nw-test1', dpid=SEED_MAC, node_id='vna'), 'uuid'),
    ('openvnet_datapath', dict(uuid='dp-01234567890123456', dpid=SEED_MAC, node_id='vna'), 'uuid'),
    ('openvnet_datapath', dict(uuid='dp-test1', dpid='0xaaaa', node_id='vna'), 'dpid'),
    ('openvnet_datapath', dict(uuid='dp-test1', dpid='0x000000000000000g', node_id='vna'), 'dpid'),
    ('openvnet_datapath', dict(uuid='dp-test1', node_id='vna'), 'dpid'),
    ('openvnet_network', dict(uuid='nw-test1', ipv4_network='10.0.0.1', ipv4_prefix=24, mode='virtual'), 'host bits'),
    ('openvnet_network', dict(uuid='nw-test1', ipv4_network='10.0.0.0', ipv4_prefix=33, mode='virtual'), 'ipv4_prefix'),
    ('openvnet_network', dict(uuid='nw-test1', ipv4_network='10.0.0.0/24', ipv4_prefix=16, mode='virtual'), 'ipv4_prefix'),
    ('openvnet_network', dict(uuid='nw-test1', ipv4_network='10.0.0.0/24', mode='overlay'), 'mode'),
    ('openvnet_network', dict(uuid='nw-test1', ipv4_network='10.0.0.256', mode='virtual'), 'ipv4_network'),
    ('openvnet_interface', dict(uuid='if-inst1', mode='vif', mac_address='EE:99:D5:67:FD'), 'mac_address'),
    ('openvnet_interface', dict(uuid='if-inst1', mode='vif', network_uuid='nw-test1', ipv4_address='10.0.0'), 'ipv4_address'),
    ('openvnet_interface', dict(uuid='if-inst1', mode='vif', ipv4_address='10.0.0.1'), 'network_uuid'),
    ('openvnet_interface', dict(uuid='if-inst1', mode='vif', owner_datapath_uuid='test1'), 'owner_datapath_uuid'),
    ('openvnet_datapath_network', dict(datapath_uuid='dp-test1', network_uuid='nw_test1', interface_uuid='if-x'), 'network_uuid'),
], ids=lambda v: v if isinstance(v, str) and not v.startswith('openvnet_') else None)
def test_bad_input_fails_before_any_request(openvnet, module, args, field):
    result = openvnet.run(module, args)
    assert result.get('failed') is True
    assert field in result['msg']
    assert openvnet.server.requests == []


def test_interface_outside_its_network_fails_before_any_write(openvnet):
    apply_seed(openvnet)
    writes = len(openvnet.writes())
    result = openvnet.run('openvnet_interface', dict(SEED[2][1], uuid='if-inst3', ipv4_address='10.0.1.3'))
    assert result.get('failed') is True
    assert result['msg'] == 'ipv4_address: 10.0.1.3 is not in nw-test1 (10.0.0.0/24)'
    assert len(openvnet.writes()) == writes


def test_webapi_down_is_a_clear_error(openvnet):
    sock = socket.socket()
    sock.bind(('127.0.0.1', 0))
    closed = sock.getsockname()[1]
    sock.close()
    conn = dict(openvnet.conn)
    if 'api_url' in conn:
        conn['api_url'] = 'http://127.0.0.1:%d/api/1.0' % closed
    else:
        conn['webapi'] = '127.0.0.1:%d' % closed
    result = run_module('openvnet_datapath', dict(SEED[0][1], **conn), env=openvnet.env)
    assert result.get('failed') is True
    assert result['msg'].startswith('cannot reach the OpenVNet WebAPI'), result['msg']


def test_error_body_is_a_failure_whatever_the_exit_status(openvnet):
    """vnctl exits 0 on API errors; the module reads the body."""
    apply_seed(openvnet)
    result = openvnet.run('openvnet_datapath_network',
                          dict(datapath_uuid='dp-test1', network_uuid='nw-test1', interface_uuid='if-nope'))
    assert result.get('failed') is True
    # the text names the route parameter (axsh/openvnet 1407ad79 vnet/lib/vnet/endpoints/1.0/helpers.rb pop_uuid)
    assert 'OpenVNet not found (UnknownUUIDResource, code 100): Interface#interface_uuid: if-nope' == result['msg']


def test_datapath_network_association(openvnet):
    apply_seed(openvnet)
    openvnet.run('openvnet_interface', dict(uuid='if-dp1eth1', mode='host', owner_datapath_uuid='dp-test1',
                                            port_name='eth1', mac_address='02:00:0a:00:01:0a'))
    args = dict(datapath_uuid='dp-test1', network_uuid='nw-test1', interface_uuid='if-dp1eth1',
                mac_address='52:56:01:00:00:01')
    assert openvnet.run('openvnet_datapath_network', args, check=True)['changed'] is True
    assert openvnet.get('datapaths/dp-test1/networks')['items'] == []
    assert openvnet.run('openvnet_datapath_network', args)['changed'] is True
    assert [n['uuid'] for n in openvnet.get('datapaths/dp-test1/networks')['items']] == ['nw-test1']
    assert openvnet.run('openvnet_datapath_network', args)['changed'] is False
    gone = dict(datapath_uuid='dp-test1', network_uuid='nw-test1', state='absent')
    assert openvnet.run('openvnet_datapath_network', gone)['changed'] is True
    assert openvnet.get('datapaths/dp-test1/networks')['items'] == []
    assert openvnet.run('openvnet_datapath_network', gone)['changed'] is False


def test_info_warns_past_the_page_size(openvnet):
    for i in range(32):
        urllib.request.urlopen(urllib.request.Request(
            '%s/datapaths?uuid=dp-%d&display_name=x&dpid=%d&node_id=v%d' % (openvnet.url, i, i + 1, i),
            method='POST', data=b''))
    result = openvnet.run('openvnet_info', dict(resource='datapaths'))
    assert (len(result['objects']), result['total_count']) == (30, 32)
    assert any('listed 30 of 32' in str(w) for w in result['warnings'])
    one = openvnet.run('openvnet_info', dict(resource='datapaths', uuid='dp-31'))
    assert [o['uuid'] for o in one['objects']] == ['dp-31']


# -- issue 14, items 11-14 ------------------------------------------------------

def test_recreate_keeps_what_the_task_does_not_give(openvnet):
    apply_seed(openvnet)
    openvnet.run('openvnet_datapath', dict(SEED[0][1], enable_ovs_learn_action=False))
    for uuid in ('if-inst1', 'if-inst2'):    # their ports would go with the datapath
        openvnet.run('openvnet_interface', dict(uuid=uuid, state='absent'))
    done = openvnet.run('openvnet_datapath', dict(uuid='dp-test1', dpid='0x00000000000000ff', node_id='vna',
                                                  recreate=True))
    assert done['changed'] is True, done
    dp = openvnet.get('datapaths/dp-test1')
    assert (dp['dpid'], dp['display_name'], dp['enable_ovs_learn_action']) == ('0x00000000000000ff', 'test1', False)


def test_a_recreate_whose_create_fails_restores_the_old_interface(openvnet):
    apply_seed(openvnet)
    # a port the module cannot see (ports are not listed) makes the new create fail after the delete
    openvnet.call('POST', 'interfaces', uuid='if-user', mode='vif', owner_datapath_uuid='dp-test1', port_name='tap9')
    args = dict(SEED[2][1], ipv4_address='10.0.0.11', port_name='tap9', recreate=True)
    planned = openvnet.run('openvnet_interface', args, check=True)
    assert planned['changed'] is True and planned['actions'][0] == 'delete if-inst1', planned
    result = openvnet.run('openvnet_interface', args)
    assert result.get('failed') is True, result
    assert 'the old if-inst1 was restored as it was' in result['msg'], result['msg']
    old = openvnet.get('interfaces/if-inst1')
    assert (old['ipv4_address'], old['mac_address']) == ('10.0.0.1', 'ee:99:d5:67:fd:52')
    port = openvnet.get('interfaces/if-inst1/ports')['items'][0]
    assert (port['port_name'], port['datapath_id']) == ('tap1', openvnet.get('datapaths/dp-test1')['id'])
    assert openvnet.run('openvnet_interface', SEED[2][1])['changed'] is False


def test_a_conflicting_recreate_is_refused_before_the_delete(openvnet):
    apply_seed(openvnet)
    openvnet.call('POST', 'datapaths', uuid='dp-other', display_name='o', dpid='0x00000000000000ff', node_id='vna')
    writes = len(openvnet.writes())
    result = openvnet.run('openvnet_datapath', dict(SEED[0][1], dpid='0x00000000000000ff', recreate=True))
    assert result.get('failed') is True and 'dp-other already has dpid' in result['msg'], result
    assert len(openvnet.writes()) == writes
    assert openvnet.get('datapaths/dp-test1')['dpid'] == SEED_DPID


def test_netmask_is_refused(openvnet):
    result = openvnet.run('openvnet_network', dict(uuid='nw-test1', ipv4_network='10.0.0.0/255.255.255.0',
                                                   mode='virtual'))
    assert result.get('failed') is True and 'write the prefix length' in result['msg'], result
    assert openvnet.server.requests == []


@pytest.fixture
def racing(tmp_path):
    """Runs started together all read before any writes (the emulator holds their reads)."""
    with webapi_client.emulating('api', tmp_path) as emulator:
        yield emulator


def run_together(emulator, module, args, n=4):
    with concurrent.futures.ThreadPoolExecutor(n) as pool:
        return list(pool.map(lambda dummy: emulator.run(module, args), range(n)))


def test_the_same_task_from_several_hosts_at_once_converges(racing):
    racing.server.api.hold_reads(4)
    results = run_together(racing, 'openvnet_datapath', SEED[0][1])
    assert [r.get('failed') for r in results] == [None] * 4, results
    # one run made it; the others found it made by another run
    assert sorted(r['changed'] for r in results) == [False, False, False, True], results
    assert any(r['actions'] == ['dp-test1: already created by another run'] for r in results), results
    assert racing.uuids('datapaths') == ['dp-test1']
    racing.server.api.hold_reads(4)
    gone = run_together(racing, 'openvnet_datapath', dict(uuid='dp-test1', state='absent'))
    assert [r.get('failed') for r in gone] == [None] * 4, gone
    assert sorted(r['changed'] for r in gone) == [False, False, False, True], gone
    assert racing.uuids('datapaths') == []


@pytest.fixture
def vnctl(tmp_path):
    with webapi_client.emulating('vnctl-json', tmp_path) as emulator:
        yield emulator


def test_vnctl_warnings_on_stderr_are_not_a_failure(vnctl):
    vnctl.env['VNCTL_EMULATOR_RUBY_WARNINGS'] = '1'
    result = vnctl.run('openvnet_datapath', SEED[0][1])
    assert result['changed'] is True, result
    assert 'warning: constant ::Fixnum is deprecated' in result['requests'][0]['stderr']


def test_vnctl_crash_is_reported_as_a_crash(vnctl):
    vnctl.env['VNCTL_EMULATOR_CRASH'] = 'load-error'
    result = vnctl.run('openvnet_datapath', SEED[0][1])
    assert result.get('failed') is True
    assert result['msg'].startswith('vnctl crashed: ') and 'cannot load such file -- thor (LoadError)' in result['msg']


def test_vnctl_that_hangs_times_out(vnctl):
    vnctl.env['VNCTL_EMULATOR_SLEEP'] = '30'
    started = time.monotonic()
    result = vnctl.run('openvnet_datapath', dict(SEED[0][1], timeout=2))
    assert result.get('failed') is True
    assert result['msg'] == 'vnctl datapaths show dp-test1 timed out after 2 seconds (option timeout)', result['msg']
    assert time.monotonic() - started < 15


@pytest.mark.parametrize('transport', ['vnctl-yaml'])
def test_vnctl_yaml_with_ruby_tags_is_read(tmp_path, transport):
    """vnctl's YAML can carry Psych's tags (`!ruby/symbol ''`, an empty key on datapath and network
    objects, measured against axsh/openvnet 1407ad79): the change is made and read back, and a second
    run is a no-op, where PyYAML's safe loader alone fails after the server made the change."""
    with webapi_client.emulating(transport, tmp_path) as openvnet:
        openvnet.env = dict(openvnet.env, VNCTL_EMULATOR_EMPTY_SYMBOL_KEY='1')
        for module, args in SEED[:2]:
            first = openvnet.run(module, args)
            assert first.get('failed') is not True and first['changed'] is True, first
            assert openvnet.run(module, args)['changed'] is False


def test_a_webapi_that_never_answers_times_out():
    """The real webapi hangs when it cannot decode an error from vnmgr (measured against axsh/openvnet
    1407ad79): every request has a client-side timeout, by default too."""
    listener = socket.socket()
    listener.bind(('127.0.0.1', 0))
    listener.listen(8)     # accepts, never answers
    try:
        url = 'http://127.0.0.1:%d/api/1.0' % listener.getsockname()[1]
        started = time.monotonic()
        result = run_module('openvnet_datapath', dict(SEED[0][1], transport='api', api_url=url, timeout=2))
        assert result.get('failed') is True
        assert 'did not answer within 2 seconds (option timeout)' in result['msg'], result['msg']
        assert time.monotonic() - started < 15
    finally:
        listener.close()
    from ansible_collections.openvnet.openvnet.plugins.module_utils.openvnet import CONNECTION_SPEC
    assert CONNECTION_SPEC['timeout']['default'] == 30


@pytest.mark.parametrize('transport', ['vnctl-yaml', 'vnctl-json'])
def test_an_interface_display_name_through_vnctl_is_refused_before_any_write(tmp_path, transport):
    """OpenVNet's vnctl has no --display-name for interfaces (axsh/openvnet 1407ad79
    client/vnctl/lib/vnctl/cli/interface.rb; Thor refuses it with no body and exit 0): adding or renaming
    one with a display_name, or re-creating one that has a display_name, would lose it, so each is
    refused before any request that writes."""
    with webapi_client.emulating(transport, tmp_path) as openvnet:
        apply_seed(openvnet)
        writes = len(openvnet.writes())
        added = openvnet.run('openvnet_interface', dict(uuid='if-new', mode='vif', display_name='vm1'))
        assert added.get('failed') is True and 'vnctl cannot send display_name' in added['msg'], added
        renamed = openvnet.run('openvnet_interface', dict(SEED[2][1], display_name='vm1'))
        assert renamed.get('failed') is True and 'vnctl cannot send display_name' in renamed['msg'], renamed
        assert len(openvnet.writes()) == writes
        # a display name set through the WebAPI: a vnctl re-create could not carry it
        openvnet.call('PUT', 'interfaces/if-inst1', display_name='named')
        writes = len(openvnet.writes())
        recreated = openvnet.run('openvnet_interface', dict(SEED[2][1], ipv4_address='10.0.0.11', recreate=True))
        assert recreated.get('failed') is True and 'display_name' in recreated['msg'], recreated
        assert len(openvnet.writes()) == writes
        assert openvnet.get('interfaces/if-inst1')['display_name'] == 'named'
        assert openvnet.get('interfaces/if-new') is None
