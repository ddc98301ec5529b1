"""Ownership and dependents against the WebAPI emulator (issues 23 and 24).

Two hubs on one WebAPI (the README's cluster layout) each mark what they register with their own
datapath uuid; a purge, a teardown or a re-deploy of one never touches the other's resources, nor a
user's whose display name merely looks like a mark. Before a delete or a re-create the modules read
what OpenVNet would destroy with the resource (axsh/openvnet 1407ad79 vnet/lib/vnet/models/network.rb:
a network's IP leases, datapath networks and routes; models/datapath.rb: a datapath's interface ports
and datapath networks) and either carry it through or refuse before any change, naming it."""

import pytest

from tests.support import webapi_client

NETWORK = dict(uuid='nw-shared', ipv4_network='10.0.0.0/24', display_name='10.0.0.0/24')


def vif(uuid, i, owner, **extra):
    return dict(dict(uuid=uuid, owner_datapath_uuid=owner, network_uuid='nw-shared', display_name=uuid,
                     mac_address='02:00:00:00:01:%02x' % i, ipv4_address='10.0.0.%d' % i, port_name='t%s' % uuid),
                **extra)


def hub(name, dpid, interfaces):
    """One hub's registrations, as the topology model derives them (roles/openvnet/tasks/register.yml)."""
    return dict(datapaths=[dict(uuid=name, dpid=dpid, node_id='vna-' + name, display_name=name)],
                networks=[NETWORK], interfaces=interfaces, purge=True, owner=name)


HUB_A = hub('dp-a', '02:00:00:00:00:0a', [vif('if-a1', 1, 'dp-a'), vif('if-a2', 2, 'dp-a')])
HUB_B = hub('dp-b', '02:00:00:00:00:0b', [vif('if-b1', 11, 'dp-b')])


Emulator = webapi_client.Registrations


@pytest.fixture
def openvnet(tmp_path):
    with webapi_client.emulating('api', tmp_path, handle=Emulator) as emulator:
        yield emulator


def ok(result):
    assert not result.get('failed'), result.get('msg')
    return result


def look_alikes(openvnet):
    """A user's resources whose display names start like a mark, or name another owner."""
    openvnet.post('datapaths', uuid='dp-user1', dpid='0x00000000000000f1', node_id='u1',
                  display_name='openvnet.openvnet: mine')
    openvnet.post('datapaths', uuid='dp-user2', dpid='0x00000000000000f2', node_id='u2',
                  display_name='openvnet.openvnet[dp-a]x: not a mark')
    openvnet.post('datapaths', uuid='dp-user3', dpid='0x00000000000000f3', node_id='u3',
                  display_name='openvnet.openvnet[dp-ab]: another owner')
    openvnet.post('networks', uuid='nw-user', ipv4_network='10.9.0.0', ipv4_prefix=24,
                  display_name='openvnet.openvnet.extra: look-alike')
    return ['datapaths/dp-user1.json', 'datapaths/dp-user2.json', 'datapaths/dp-user3.json', 'networks/nw-user.json']


def test_two_hubs_on_one_webapi_never_touch_each_other(openvnet):
    users = look_alikes(openvnet)
    ok(openvnet.registrations(HUB_A))
    ok(openvnet.registrations(HUB_B))
    assert openvnet.get('datapaths/dp-a.json')['display_name'] == 'openvnet.openvnet[dp-a]: dp-a'
    assert openvnet.get('interfaces/if-b1.json')['display_name'] == 'openvnet.openvnet[dp-b]: if-b1 [port tif-b1 on dp-b]'
    # one subnet, one network: both hubs own it
    assert openvnet.get('networks/nw-shared.json')['display_name'] == 'openvnet.openvnet[dp-a,dp-b]: 10.0.0.0/24'
    b_paths = ['datapaths/dp-b.json', 'interfaces/if-b1.json', 'interfaces/if-b1/ports.json']
    before = openvnet.snapshot(*(b_paths + users))

    # hub A again, without if-a2: only A's departed interface goes
    again = ok(openvnet.registrations(dict(HUB_A, interfaces=[vif('if-a1', 1, 'dp-a')])))
    assert again['actions'] == ['delete if-a2 (purge)'], again['actions']
    assert openvnet.snapshot(*(b_paths + users)) == before
    # and a second run changes nothing
    assert ok(openvnet.registrations(dict(HUB_A, interfaces=[vif('if-a1', 1, 'dp-a')])))['changed'] is False

    # hub A's teardown (roles/openvnet/tasks/teardown.yml): its own resources; the network only loses A
    down = ok(openvnet.registrations(dict(datapaths=[], networks=[], interfaces=[], purge=True, owner='dp-a')))
    assert down['actions'] == ['delete if-a1 (purge)',
                               'update nw-shared (left by dp-a, still owned by dp-b)', 'delete dp-a (purge)'], down
    assert openvnet.snapshot(*(b_paths + users)) == before
    assert openvnet.get('networks/nw-shared.json')['display_name'] == 'openvnet.openvnet[dp-b]: 10.0.0.0/24'
    assert openvnet.get('interfaces/if-b1.json')['ipv4_address'] == '10.0.0.11'

    # hub B's teardown: nobody wants the network any more, so it goes; the user's look-alikes stay
    down = ok(openvnet.registrations(dict(datapaths=[], networks=[], interfaces=[], purge=True, owner='dp-b')))
    assert down['actions'] == ['delete if-b1 (purge)', 'delete nw-shared (purge)', 'delete dp-b (purge)'], down
    assert openvnet.snapshot(*users) == dict((p, before[p]) for p in users)


def test_another_owners_resource_is_a_conflict_unless_forced(openvnet):
    ok(openvnet.registrations(HUB_A))
    # hub B lists hub A's datapath uuid (a copy-paste error in an inventory): refused before any change
    stolen = dict(HUB_B, datapaths=[dict(HUB_A['datapaths'][0])], interfaces=[])
    result = openvnet.registrations(stolen)
    assert result['failed'] and "dp-a (display_name 'openvnet.openvnet[dp-a]: dp-a')" in result['msg'], result
    assert openvnet.writes()[-1][0] == 'POST'   # the last write is still hub A's


def test_release_1_2_marks_are_taken_over_not_purged(openvnet):
    """1.2.0 marked without an owner: the listed ones gain the owner, the unlisted ones stay."""
    openvnet.post('datapaths', uuid='dp-a', dpid='0x000002000000000a', node_id='vna-dp-a',
                  display_name='openvnet.openvnet: dp-a')
    openvnet.post('datapaths', uuid='dp-old', dpid='0x00000000000000aa', node_id='old',
                  display_name='openvnet.openvnet: dp-old')
    result = ok(openvnet.registrations(dict(HUB_A, networks=[], interfaces=[])))
    assert result['actions'] == ['update dp-a (display_name changed, marked with its owner)'], result
    assert openvnet.get('datapaths/dp-old.json')['display_name'] == 'openvnet.openvnet: dp-old'


@pytest.mark.parametrize('bad', ['', 'openvnet.openvnet[dp-a]', 'a b', 'x:y'])
def test_a_marker_that_could_not_be_parsed_back_is_refused(openvnet, bad):
    result = openvnet.registrations(dict(HUB_A, marker=bad))
    assert result['failed'] and 'marker' in result['msg'], result
    assert openvnet.writes() == []


@pytest.mark.parametrize('bad', ['DP-A', 'dp a', 'dp-a,dp-b', 'dp-a]'])
def test_an_owner_that_could_not_be_parsed_back_is_refused(openvnet, bad):
    result = openvnet.registrations(dict(HUB_A, owner=bad))
    assert result['failed'] and 'owner' in result['msg'], result
    assert openvnet.writes() == []


# -- dependents --------------------------------------------------------------

def users_network(openvnet):
    """A network and two interfaces of a user's with addresses leased in it."""
    openvnet.post('networks', uuid='nw-test1', ipv4_network='10.1.0.0', ipv4_prefix=24, display_name='test1')
    for i in (1, 2):
        openvnet.post('interfaces', uuid='if-u%d' % i, mode='vif', network_uuid='nw-test1',
                      mac_address='02:00:00:00:02:%02x' % i, ipv4_address='10.1.0.%d' % i)


@pytest.mark.parametrize('args', [dict(recreate=True, ipv4_network='10.2.0.0/24'), dict(state='absent')],
                         ids=['recreate', 'absent'])
def test_a_network_in_use_is_neither_re_created_nor_deleted(openvnet, args):
    users_network(openvnet)
    before = openvnet.snapshot('interfaces/if-u1.json', 'interfaces/if-u2.json', 'networks/nw-test1.json')
    result = openvnet.run('openvnet_network', dict(dict(uuid='nw-test1', ipv4_network='10.1.0.0/24', mode='virtual'), **args))
    assert result['failed'], result
    assert 'interface if-u1 (its address 10.1.0.1 is leased in nw-test1)' in result['msg']
    assert 'interface if-u2' in result['msg'] and 'nothing was changed' in result['msg']
    assert openvnet.snapshot(*before) == before
    # check mode predicts the same refusal
    assert openvnet.run('openvnet_network', dict(dict(uuid='nw-test1', ipv4_network='10.1.0.0/24', mode='virtual'), **args),
                        check=True)['failed']


def test_a_datapath_with_interface_ports_is_not_re_created_by_itself(openvnet):
    ok(openvnet.registrations(HUB_A))
    before = openvnet.snapshot('interfaces/if-a1/ports.json', 'interfaces/if-a2/ports.json')
    result = openvnet.run('openvnet_datapath', dict(uuid='dp-a', dpid='0x00000000000000ff', node_id='vna-dp-a',
                                                    recreate=True))
    assert result['failed'] and 'the port tif-a1 of interface if-a1' in result['msg'], result
    assert openvnet.snapshot(*before) == before


def test_a_re_created_datapath_carries_the_interfaces_the_task_lists(openvnet):
    ok(openvnet.registrations(HUB_A))
    moved = dict(HUB_A, datapaths=[dict(HUB_A['datapaths'][0], dpid='02:00:00:00:00:ff')])
    result = ok(openvnet.registrations(moved))
    assert result['actions'] == ['recreate dp-a (dpid changed)', 'recreate if-a1 (datapath dp-a re-created)',
                                 'recreate if-a2 (datapath dp-a re-created)'], result['actions']
    for uuid in ('if-a1', 'if-a2'):
        ports = openvnet.get('interfaces/%s/ports.json' % uuid)['items']
        assert [p['port_name'] for p in ports] == ['t' + uuid], ports
    assert ok(openvnet.registrations(moved))['changed'] is False


def test_a_re_created_network_a_user_interface_uses_is_refused_before_any_change(openvnet):
    ok(openvnet.registrations(HUB_A))
    openvnet.post('interfaces', uuid='if-user', mode='vif', network_uuid='nw-shared',
                  mac_address='02:00:00:00:03:01', ipv4_address='10.0.0.99')
    before = openvnet.snapshot('interfaces/if-user.json', 'networks/nw-shared.json', 'interfaces/if-a1.json')
    del openvnet.server.requests[:]
    result = openvnet.registrations(dict(HUB_A, networks=[dict(NETWORK, ipv4_network='10.0.0.0/16')],
                                         interfaces=[]))
    assert result['failed'] and 'if-user' in result['msg'], result
    assert openvnet.writes() == []
    assert openvnet.snapshot(*before) == before


def test_purge_with_a_list_cut_short_keeps_the_network(openvnet):
    """OpenVNet's default page is 30: the network's other interfaces are not all seen, so it is not deleted
    (on the real server deleting it strips every interface's address)."""
    openvnet.post('networks', uuid='nw-shared', ipv4_network='10.0.0.0', ipv4_prefix=24,
                  display_name='openvnet.openvnet[dp-a]: 10.0.0.0/24')
    for i in range(1, 61):
        openvnet.post('interfaces', uuid='if-p%d' % i, mode='vif', network_uuid='nw-shared',
                      mac_address='02:00:00:00:04:%02x' % i, ipv4_address='10.0.0.%d' % (i + 100),
                      display_name='openvnet.openvnet[dp-a]: if-p%d' % i if i <= 20 else 'user %d' % i)
    result = ok(openvnet.registrations(dict(datapaths=[], networks=[], interfaces=[], purge=True, owner='dp-a')))
    assert any('not purged: nw-shared' in str(w) and 'pagination_limit' in str(w) for w in result['warnings']), result
    assert openvnet.get('networks/nw-shared.json') is not None
    assert openvnet.get('interfaces/if-p60.json')['ipv4_address'] == '10.0.0.160'


def test_a_duplicate_mac_names_the_interface_that_holds_it(openvnet):
    users_network(openvnet)
    result = openvnet.run('openvnet_interface', dict(uuid='if-new', mode='vif', network_uuid='nw-test1',
                                                     mac_address='02:00:00:00:02:01', ipv4_address='10.1.0.50'))
    assert result['failed'] and 'if-u1' in result['msg'] and 'mac_address' in result['msg'], result
    bulk = openvnet.registrations(dict(datapaths=[], networks=[], interfaces=[
        dict(uuid='if-new', network_uuid='nw-test1', mac_address='02:00:00:00:02:02', ipv4_address='10.1.0.51')]))
    assert bulk['failed'] and 'if-u2' in bulk['msg'], bulk
    assert openvnet.get('interfaces/if-new.json') is None
