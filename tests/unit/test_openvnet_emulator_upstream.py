"""The WebAPI emulator follows upstream OpenVNet (axsh/openvnet develop, commit 1407ad79) where the
real server was measured or its source read (issue 24): cascades on delete, MySQL unique keys,
the parameter named in "unknown uuid" messages, interface ports and routes.

Each test names the upstream file it follows; paths are relative to that repository."""

import json
import urllib.error
import urllib.parse
import urllib.request

import pytest

from tests.support.openvnet_emulator import ERRORS, Api, ApiError, Store, serve

MAC1, MAC2 = '52:54:00:12:00:01', '52:54:00:12:00:02'


def call(api, method, path, **params):
    """(status, body) as the HTTP handler would answer (errors as their JSON body)."""
    try:
        return api.handle(method, path.split('/'), params)
    except ApiError as e:
        error = 'Vnet::Endpoints::Errors::%s' % e.kind if e.kind in ERRORS else e.kind
        return e.status, {'error': error, 'message': e.message, 'code': e.code}


def ok(api, method, path, **params):
    status, body = call(api, method, path, **params)
    assert status == 200, body
    return body


@pytest.fixture
def api():
    api = Api(Store())
    ok(api, 'POST', 'datapaths', uuid='dp-1', display_name='dp1', dpid='0x1', node_id='vna1')
    ok(api, 'POST', 'networks', uuid='nw-pub', display_name='pub', ipv4_network='10.0.0.0', ipv4_prefix='24',
       mode='physical')
    ok(api, 'POST', 'networks', uuid='nw-virt', display_name='virt', ipv4_network='10.1.0.0', ipv4_prefix='24',
       mode='virtual')
    # the host interface of dp-1, with an address in nw-pub
    ok(api, 'POST', 'interfaces', uuid='if-host', mode='host', owner_datapath_uuid='dp-1', port_name='eth0',
       network_uuid='nw-pub', ipv4_address='10.0.0.1', mac_address=MAC1)
    ok(api, 'POST', 'datapaths/dp-1/networks/nw-virt', interface_uuid='if-host', mac_address='02:00:00:00:00:01')
    ok(api, 'POST', 'datapaths/dp-1/networks/nw-pub', interface_uuid='if-host', mac_address='02:00:00:00:00:02')
    return api


def items(api, path):
    return ok(api, 'GET', path)['items']


# -- 1. deleting a network in use ------------------------------------------

def test_deleting_a_network_in_use_is_not_refused_and_drops_its_leases(api):
    # (axsh/openvnet 1407ad79 vnet/lib/vnet/models/network.rb): no delete restriction; before_destroy
    # destroys the network's IP leases, so the interface keeps its MAC but loses its address.
    ok(api, 'POST', 'interfaces', uuid='if-vm', mode='vif', network_uuid='nw-virt', ipv4_address='10.1.0.5',
       mac_address=MAC2)
    assert ok(api, 'DELETE', 'networks/nw-virt') == ['nw-virt']
    vm = ok(api, 'GET', 'interfaces/if-vm')
    assert (vm['network_uuid'], vm['ipv4_address'], vm['mac_address']) == (None, None, MAC2)
    assert vm['mac_leases'][0]['ip_leases'] == [] and vm['ip_leases'] == []
    assert call(api, 'GET', 'networks/nw-virt')[0] == 404


def test_deleting_a_network_destroys_its_datapath_networks(api):
    # (axsh/openvnet 1407ad79 vnet/lib/vnet/models/network.rb): datapath_networks: :destroy
    ok(api, 'DELETE', 'networks/nw-virt')
    assert [n['uuid'] for n in items(api, 'datapaths/dp-1/networks')] == ['nw-pub']


def test_a_lease_destroyed_with_its_network_takes_the_datapath_networks_using_it(api):
    # (axsh/openvnet 1407ad79 vnet/lib/vnet/models/ip_lease.rb): datapath_networks: :destroy, and
    # (vnet/lib/vnet/node_api/datapath_generic.rb) a datapath network records its interface's
    # first IP lease: dp-1's link to nw-virt goes with if-host's lease in nw-pub.
    ok(api, 'DELETE', 'networks/nw-pub')
    assert items(api, 'datapaths/dp-1/networks') == []
    host = ok(api, 'GET', 'interfaces/if-host')
    assert (host['network_uuid'], host['ipv4_address'], host['mac_address']) == (None, None, MAC1)


def test_deleting_a_network_destroys_its_routes(api):
    # (axsh/openvnet 1407ad79 vnet/lib/vnet/models/network.rb): routes: :destroy
    ok(api, 'POST', 'route_links', uuid='rl-1', mac_address='02:00:10:00:00:01')
    route = ok(api, 'POST', 'routes', uuid='r-1', interface_uuid='if-host', network_uuid='nw-virt',
               route_link_uuid='rl-1', ipv4_network='10.1.0.0', ipv4_prefix='24')
    assert route['uuid'] == 'r-1'
    ok(api, 'DELETE', 'networks/nw-virt')
    assert items(api, 'routes') == []
    assert call(api, 'GET', 'routes/r-1')[1]['message'] == 'Route#uuid: r-1'


def test_the_address_of_a_deleted_network_can_be_leased_again(api):
    # (axsh/openvnet 1407ad79 vnet/lib/vnet/models/ip_lease.rb): ip_address: :destroy
    ok(api, 'DELETE', 'networks/nw-pub')
    ok(api, 'POST', 'networks', uuid='nw-pub', display_name='pub', ipv4_network='10.0.0.0', ipv4_prefix='24')
    ok(api, 'POST', 'interfaces', uuid='if-new', mode='host', network_uuid='nw-pub', ipv4_address='10.0.0.1',
       mac_address='52:54:00:12:00:09')


# -- 2. deleting a datapath / an interface ---------------------------------

def test_deleting_a_datapath_drops_its_ports_and_datapath_networks(api):
    # (axsh/openvnet 1407ad79 vnet/lib/vnet/models/datapath.rb): interface_ports and
    # datapath_networks: :destroy
    assert len(items(api, 'interfaces/if-host/ports')) == 1
    ok(api, 'DELETE', 'datapaths/dp-1')
    assert items(api, 'interfaces/if-host/ports') == []
    ok(api, 'POST', 'datapaths', uuid='dp-1', display_name='dp1', dpid='0x1', node_id='vna1')
    assert items(api, 'datapaths/dp-1/networks') == []
    # the interface itself stays, with its leases
    assert ok(api, 'GET', 'interfaces/if-host')['ipv4_address'] == '10.0.0.1'


def test_deleting_an_interface_drops_ports_leases_datapath_networks_and_routes(api):
    # (axsh/openvnet 1407ad79 vnet/lib/vnet/models/interface.rb): datapath_networks,
    # interface_ports, ip_leases, mac_leases, routes: :destroy
    ok(api, 'POST', 'route_links', uuid='rl-1')
    ok(api, 'POST', 'routes', uuid='r-1', interface_uuid='if-host', network_uuid='nw-virt',
       route_link_uuid='rl-1', ipv4_network='10.1.0.0')
    ok(api, 'DELETE', 'interfaces/if-host')
    assert items(api, 'datapaths/dp-1/networks') == []
    assert items(api, 'routes') == []
    # MAC, address and port name are free again
    ok(api, 'POST', 'interfaces', uuid='if-host2', mode='host', owner_datapath_uuid='dp-1', port_name='eth0',
       network_uuid='nw-pub', ipv4_address='10.0.0.1', mac_address=MAC1)


def test_deleting_a_route_link_drops_its_routes(api):
    # (axsh/openvnet 1407ad79 vnet/lib/vnet/models/route_link.rb): routes: :destroy
    ok(api, 'POST', 'route_links', uuid='rl-1')
    ok(api, 'POST', 'routes', uuid='r-1', interface_uuid='if-host', network_uuid='nw-virt',
       route_link_uuid='rl-1', ipv4_network='10.1.0.0')
    assert ok(api, 'DELETE', 'route_links/rl-1') == ['rl-1']
    assert items(api, 'routes') == []


# -- 3. duplicates: MySQL's unique keys --------------------------------------

def error(api, method, path, **params):
    status, body = call(api, method, path, **params)
    return status, body['error'], body['code'], body['message']


def test_an_interface_with_another_ones_mac_is_a_mysql_duplicate(api):
    # (axsh/openvnet 1407ad79 vnet/db/migrations/0001_origin.rb): mac_addresses unique
    # [:mac_address, :is_deleted], which MySQL names after its first column; the value is the
    # MAC as a number. Errors from vnmgr reach the client as RuntimeError
    # (vnet/lib/sinatra/vnet_api_setup.rb prints the class name, code '500').
    assert error(api, 'POST', 'interfaces', uuid='if-dup', mode='vif', mac_address=MAC1) == (
        500, 'RuntimeError', '500',
        "Mysql2::Error: Duplicate entry '%d-0' for key 'mac_address'" % int(MAC1.replace(':', ''), 16))
    # the transaction rolled back: no interface, no port
    assert call(api, 'GET', 'interfaces/if-dup')[0] == 404
    assert ok(api, 'GET', 'interfaces')['total_count'] == 1


def test_a_datapath_networks_mac_is_taken_too(api):
    # (axsh/openvnet 1407ad79 vnet/lib/vnet/models/datapath_network.rb): plugin
    # :mac_address_no_segment keeps its MAC in the same mac_addresses table.
    assert error(api, 'POST', 'interfaces', mode='vif', mac_address='02:00:00:00:00:01')[3] == (
        "Mysql2::Error: Duplicate entry '%d-0' for key 'mac_address'" % 0x020000000001)


def test_an_interface_with_another_ones_address_in_the_network_is_a_mysql_duplicate(api):
    # (axsh/openvnet 1407ad79 vnet/db/migrations/0001_origin.rb): ip_addresses unique
    # [:network_id, :ipv4_address, :is_deleted], key 'network_id'.
    network_id = ok(api, 'GET', 'networks/nw-pub')['id']
    assert error(api, 'POST', 'interfaces', uuid='if-dup', mode='vif', network_uuid='nw-pub',
                 ipv4_address='10.0.0.1', mac_address=MAC2) == (
        500, 'RuntimeError', '500',
        "Mysql2::Error: Duplicate entry '%d-167772161-0' for key 'network_id'" % network_id)
    assert call(api, 'GET', 'interfaces/if-dup')[0] == 404
    # the same address in another network is fine
    ok(api, 'POST', 'networks', uuid='nw-other', display_name='o', ipv4_network='10.0.0.0')
    ok(api, 'POST', 'interfaces', mode='vif', network_uuid='nw-other', ipv4_address='10.0.0.1', mac_address=MAC2)


def test_an_address_without_a_mac_is_leased_all_the_same(api):
    # (axsh/openvnet 1407ad79 vnet/lib/vnet/node_api/interface.rb): add_ip_lease does not need a
    # MAC lease; the response (responses/interface.rb) only shows leases under a MAC lease.
    body = ok(api, 'POST', 'interfaces', uuid='if-nomac', mode='vif', network_uuid='nw-virt',
              ipv4_address='10.1.0.9')
    assert (body['ipv4_address'], body['network_uuid'], body['mac_leases']) == (None, None, [])
    assert error(api, 'POST', 'interfaces', mode='vif', network_uuid='nw-virt', ipv4_address='10.1.0.9')[3] \
        .endswith("for key 'network_id'")


def test_a_duplicate_datapath_is_a_mysql_duplicate_on_key_dpid(api):
    # (axsh/openvnet 1407ad79 vnet/db/migrations/0013_learning_flows.rb): unique
    # [:dpid, :node_id, :is_deleted], key 'dpid'.
    assert error(api, 'POST', 'datapaths', uuid='dp-2', display_name='x', dpid='0x0000000000000001',
                 node_id='vna1') == (500, 'RuntimeError', '500',
                                     "Mysql2::Error: Duplicate entry '1-vna1-0' for key 'dpid'")


def test_a_duplicate_port_name_on_a_datapath_is_a_mysql_duplicate(api):
    # (axsh/openvnet 1407ad79 vnet/db/migrations/0001_origin.rb): interface_ports unique
    # [:port_name, :datapath_id, :singular, :is_deleted], key 'port_name' (singular true = 1).
    dp = ok(api, 'GET', 'datapaths/dp-1')['id']
    assert error(api, 'POST', 'interfaces', uuid='if-dup', mode='vif', owner_datapath_uuid='dp-1',
                 port_name='eth0') == (500, 'RuntimeError', '500',
                                       "Mysql2::Error: Duplicate entry 'eth0-%d-1-0' for key 'port_name'" % dp)


def test_a_second_port_of_an_interface_on_a_datapath_is_a_mysql_duplicate(api):
    # (axsh/openvnet 1407ad79 vnet/db/migrations/0001_origin.rb): interface_ports unique
    # [:interface_id, :datapath_id, :is_deleted], key 'interface_id'.
    host = ok(api, 'GET', 'interfaces/if-host')['id']
    dp = ok(api, 'GET', 'datapaths/dp-1')['id']
    assert error(api, 'POST', 'interfaces/if-host/ports', datapath_uuid='dp-1', port_name='eth9') == (
        500, 'RuntimeError', '500', "Mysql2::Error: Duplicate entry '%d-%d-0' for key 'interface_id'" % (host, dp))


def test_a_duplicate_datapath_network_is_a_mysql_duplicate(api):
    # (axsh/openvnet 1407ad79 vnet/db/migrations/0001_origin.rb): datapath_networks unique
    # [:datapath_id, :network_id, :is_deleted], key 'datapath_id'.
    dp = ok(api, 'GET', 'datapaths/dp-1')['id']
    nw = ok(api, 'GET', 'networks/nw-virt')['id']
    assert error(api, 'POST', 'datapaths/dp-1/networks/nw-virt', interface_uuid='if-host',
                 mac_address='02:00:00:00:00:07') == (
        500, 'RuntimeError', '500', "Mysql2::Error: Duplicate entry '%d-%d-0' for key 'datapath_id'" % (dp, nw))


def test_a_duplicate_uuid_stays_duplicate_uuid(api):
    # (axsh/openvnet 1407ad79 vnet/lib/vnet/endpoints/1.0/helpers.rb): check_and_trim_uuid raises
    # DuplicateUUID with the uuid as message (errors.rb: 400, '102').
    assert error(api, 'POST', 'interfaces', uuid='if-host', mode='vif') == (
        400, 'Vnet::Endpoints::Errors::DuplicateUUID', '102', 'if-host')


# -- 4. the parameter an "unknown uuid" message names ------------------------

@pytest.mark.parametrize('method, path, params, message', [
    # get_by_uuid / delete_by_uuid / update_by_uuid2 pop 'uuid' (vnet_api.rb)
    ('GET', 'interfaces/if-x', {}, 'Interface#uuid: if-x'),
    ('DELETE', 'datapaths/dp-x', {}, 'Datapath#uuid: dp-x'),
    ('PUT', 'networks/nw-x', {'display_name': 'a'}, 'Network#uuid: nw-x'),
    # interfaces.rb: uuid_to_id(M::Datapath, 'owner_datapath_uuid', ...), (M::Network, 'network_uuid', ...)
    ('POST', 'interfaces', {'mode': 'vif', 'owner_datapath_uuid': 'dp-x'}, 'Datapath#owner_datapath_uuid: dp-x'),
    ('POST', 'interfaces', {'mode': 'vif', 'network_uuid': 'nw-x'}, 'Network#network_uuid: nw-x'),
    ('PUT', 'interfaces/if-host', {'owner_datapath_uuid': 'dp-x'}, 'Datapath#owner_datapath_uuid: dp-x'),
    # interfaces.rb ports: the interface as 'uuid', the datapath as 'datapath_uuid'
    ('POST', 'interfaces/if-x/ports', {}, 'Interface#uuid: if-x'),
    ('POST', 'interfaces/if-host/ports', {'datapath_uuid': 'dp-x'}, 'Datapath#datapath_uuid: dp-x'),
    ('DELETE', 'interfaces/if-host/ports', {'datapath_uuid': 'dp-x'}, 'Datapath#datapath_uuid: dp-x'),
    ('GET', 'interfaces/if-x/ports', {}, 'Interface#uuid: if-x'),
    # datapaths.rb: network_uuid first, then the datapath, then interface_uuid
    ('POST', 'datapaths/dp-x/networks/nw-x', {'interface_uuid': 'if-x'}, 'Network#network_uuid: nw-x'),
    ('POST', 'datapaths/dp-x/networks/nw-virt', {'interface_uuid': 'if-x'}, 'Datapath#uuid: dp-x'),
    ('POST', 'datapaths/dp-1/networks/nw-virt', {'interface_uuid': 'if-x'}, 'Interface#interface_uuid: if-x'),
    ('DELETE', 'datapaths/dp-1/networks/nw-x', {}, 'Network#network_uuid: nw-x'),
    # mac_range_groups.rb: the group as 'mac_range_group_uuid'
    ('POST', 'mac_range_groups/mrg-x/mac_ranges', {'begin_mac_address': MAC1, 'end_mac_address': MAC2},
     'MacRangeGroup#mac_range_group_uuid: mrg-x'),
    # routes.rb
    ('POST', 'routes', {'interface_uuid': 'if-x', 'network_uuid': 'nw-virt', 'route_link_uuid': 'rl-x',
                        'ipv4_network': '10.1.0.0'}, 'Interface#interface_uuid: if-x'),
    ('POST', 'routes', {'interface_uuid': 'if-host', 'network_uuid': 'nw-virt', 'route_link_uuid': 'rl-x',
                        'ipv4_network': '10.1.0.0'}, 'RouteLink#route_link_uuid: rl-x'),
])
def test_unknown_uuid_messages_name_the_route_parameter(api, method, path, params, message):
    # (axsh/openvnet 1407ad79 vnet/lib/vnet/endpoints/1.0/helpers.rb): pop_uuid raises
    # UnknownUUIDResource "<Model>#<key>: <uuid>" (errors.rb: 404, '100').
    assert error(api, method, path, **params) == (404, 'Vnet::Endpoints::Errors::UnknownUUIDResource', '100',
                                                  message)


def test_a_malformed_uuid_in_the_path_is_invalid_uuid(api):
    # (axsh/openvnet 1407ad79 vnet/lib/vnet/endpoints/1.0/helpers.rb): check_uuid_syntax raises
    # InvalidUUID "<Model>#<key>: <value>" (errors.rb: 400, '101').
    assert error(api, 'GET', 'interfaces/nope') == (400, 'Vnet::Endpoints::Errors::InvalidUUID', '101',
                                                    'Interface#uuid: nope')


def test_a_malformed_uuid_parameter_is_invalid_uuid_naming_uuid(api):
    # (axsh/openvnet 1407ad79 vnet/lib/vnet/endpoints/1.0/vnet_api.rb): param_uuid's format error
    # always says "<Model>#uuid: <value>".
    assert error(api, 'POST', 'networks', uuid='nw_bad', ipv4_network='10.9.0.0')[1:] == (
        'Vnet::Endpoints::Errors::InvalidUUID', '101', 'Network#uuid: nw_bad')
    assert error(api, 'POST', 'interfaces', mode='vif', network_uuid='bad')[3] == 'Network#uuid: bad'


def test_an_address_outside_the_subnet(api):
    # (axsh/openvnet 1407ad79 vnet/lib/vnet/endpoints/1.0/vnet_api.rb check_ipv4_address_subnet,
    # vnet/lib/vnet/helpers/ip_address.rb): the addresses without prefix, and a final period.
    assert error(api, 'POST', 'interfaces', mode='vif', network_uuid='nw-virt', ipv4_address='10.2.0.1') == (
        400, 'Vnet::Endpoints::Errors::ArgumentError', '110', 'IP Address 10.2.0.1 not in subnet 10.1.0.0.')


def test_put_interface_with_an_owner_is_refused_on_its_id(api):
    # (axsh/openvnet 1407ad79 vnet/lib/vnet/endpoints/1.0/interfaces.rb): the owner uuid becomes
    # owner_datapath_id, which node_api/interface.rb's valid_update_fields refuses.
    assert error(api, 'PUT', 'interfaces/if-host', owner_datapath_uuid='dp-1') == (
        500, 'RuntimeError', '500', 'Unsupported update key: owner_datapath_id')


# -- 5./6. interface ports -----------------------------------------------------

PORT_KEYS = {'id', 'interface_id', 'datapath_id', 'port_name', 'singular', 'interface_mode',
             'created_at', 'updated_at', 'deleted_at', 'is_deleted'}


def test_port_items_carry_the_row_columns(api):
    # (axsh/openvnet 1407ad79 vnet/lib/vnet/endpoints/1.0/responses/interface_port.rb): the model's
    # to_hash, i.e. every column of interface_ports (vnet/db/migrations/0001_origin.rb).
    port, = items(api, 'interfaces/if-host/ports')
    assert set(port) == PORT_KEYS
    assert (port['port_name'], port['singular'], port['interface_mode'], port['is_deleted'],
            port['deleted_at']) == ('eth0', True, 'host', 0, None)


def test_every_interface_gets_a_port(api):
    # (axsh/openvnet 1407ad79 vnet/lib/vnet/node_api/interface.rb): create_interface_port runs for
    # every interface; singular is true only with a datapath or a port name.
    ok(api, 'POST', 'interfaces', uuid='if-bare', mode='vif')
    port, = items(api, 'interfaces/if-bare/ports')
    assert (port['datapath_id'], port['port_name'], port['singular']) == (None, None, None)


def test_post_a_port_puts_back_what_a_datapath_delete_dropped(api):
    # (axsh/openvnet 1407ad79 vnet/lib/vnet/endpoints/1.0/interfaces.rb, node_api/interface_port.rb):
    # POST /interfaces/:uuid/ports answers the row plus interface_uuid and datapath_uuid;
    # singular stays null unless given.
    ok(api, 'DELETE', 'datapaths/dp-1')
    dp = ok(api, 'POST', 'datapaths', uuid='dp-1', display_name='dp1', dpid='0x1', node_id='vna1')
    port = ok(api, 'POST', 'interfaces/if-host/ports', datapath_uuid='dp-1', port_name='eth0', singular='true')
    assert set(port) == PORT_KEYS | {'interface_uuid', 'datapath_uuid'}
    assert (port['interface_uuid'], port['datapath_uuid'], port['datapath_id'], port['port_name'],
            port['singular'], port['interface_mode']) == ('if-host', 'dp-1', dp['id'], 'eth0', True, 'host')
    listed, = items(api, 'interfaces/if-host/ports')
    assert listed == dict((k, port[k]) for k in PORT_KEYS)
    plain = ok(api, 'POST', 'interfaces/if-host/ports', port_name='eth1')
    assert (plain['singular'], plain['datapath_uuid'], plain['datapath_id']) == (None, None, None)


def test_singular_false_fails_the_models_validation(api):
    # (axsh/openvnet 1407ad79 vnet/lib/vnet/models/interface_port.rb): singular true or null.
    assert error(api, 'POST', 'interfaces/if-host/ports', port_name='x', singular='false') == (
        500, 'RuntimeError', '500', 'singular must be set to either true or null')


def test_delete_ports_by_filter(api):
    # (axsh/openvnet 1407ad79 vnet/lib/vnet/endpoints/1.0/interfaces.rb): DELETE
    # /interfaces/:uuid/ports destroys the interface's ports matching datapath_uuid, port_name
    # and singular when given, and answers them as a plain list.
    ok(api, 'POST', 'interfaces/if-host/ports', port_name='eth1')
    assert ok(api, 'DELETE', 'interfaces/if-host/ports', port_name='nothing') == []
    gone = ok(api, 'DELETE', 'interfaces/if-host/ports', datapath_uuid='dp-1')
    assert [(p['port_name'], p['is_deleted']) for p in gone] == [('eth0', 0)]
    assert [p['port_name'] for p in items(api, 'interfaces/if-host/ports')] == ['eth1']
    assert [p['port_name'] for p in ok(api, 'DELETE', 'interfaces/if-host/ports')] == ['eth1']
    assert items(api, 'interfaces/if-host/ports') == []


# -- routes and route links ----------------------------------------------------

def test_routes_and_route_links(api):
    # (axsh/openvnet 1407ad79 vnet/lib/vnet/endpoints/1.0/routes.rb, route_links.rb,
    # responses/route.rb, responses/route_link.rb, model_wrappers/route.rb)
    link = ok(api, 'POST', 'route_links', uuid='rl-1', mac_address='02:00:10:00:00:01')
    assert (link['uuid'], link['mac_address']) == ('rl-1', '02:00:10:00:00:01')
    assert {'id', 'mac_address_id', 'created_at', 'updated_at', 'deleted_at', 'is_deleted'} <= set(link)
    route = ok(api, 'POST', 'routes', uuid='r-1', interface_uuid='if-host', network_uuid='nw-virt',
               route_link_uuid='rl-1', ipv4_network='10.1.0.0', ipv4_prefix='16')
    assert route == dict(route, uuid='r-1', route_link_uuid='rl-1', network_uuid='nw-virt', interface_uuid='if-host',
                         mode='gateway', ipv4_network='10.1.0.0', ipv4_prefix=16, ingress=True, egress=True)
    assert set(route) == {'uuid', 'route_link_uuid', 'network_uuid', 'interface_uuid', 'mode', 'ipv4_network',
                          'ipv4_prefix', 'ingress', 'egress', 'created_at', 'updated_at'}
    assert ok(api, 'GET', 'routes/r-1') == route
    assert ok(api, 'GET', 'routes')['items'] == [route]
    assert items(api, 'route_links')[0]['uuid'] == 'rl-1'
    for missing in ('interface_uuid', 'network_uuid', 'route_link_uuid', 'ipv4_network'):
        params = dict(interface_uuid='if-host', network_uuid='nw-virt', route_link_uuid='rl-1',
                      ipv4_network='10.1.0.0')
        del params[missing]
        assert error(api, 'POST', 'routes', **params) == (400, 'Vnet::Endpoints::Errors::MissingArgument',
                                                          '111', missing)
    assert ok(api, 'DELETE', 'routes/r-1') == ['r-1']
    assert items(api, 'routes') == []
    # a route link's MAC is in mac_addresses too
    assert error(api, 'POST', 'route_links', mac_address='02:00:10:00:00:01')[3].endswith("for key 'mac_address'")


# -- 7. other differences --------------------------------------------------------

def test_deleting_a_missing_datapath_network_answers_200(api):
    # (axsh/openvnet 1407ad79 vnet/lib/vnet/endpoints/1.0/datapaths.rb, node_api/datapath_generic.rb):
    # destroy of no row does nothing and the network uuid is answered.
    ok(api, 'POST', 'networks', uuid='nw-lone', display_name='l', ipv4_network='10.5.0.0')
    assert ok(api, 'DELETE', 'datapaths/dp-1/networks/nw-lone') == ['nw-lone']


def test_datapath_networks_record_the_interfaces_lease(api):
    # (axsh/openvnet 1407ad79 vnet/lib/vnet/node_api/datapath_generic.rb): find_ip_lease_id
    ok(api, 'POST', 'networks', uuid='nw-3', display_name='3', ipv4_network='10.3.0.0')
    link = ok(api, 'POST', 'datapaths/dp-1/networks/nw-3', interface_uuid='if-host', mac_address='02:00:00:00:00:03')
    assert link['ip_lease_id'] is not None
    assert {'created_at', 'updated_at', 'deleted_at', 'is_deleted'} <= set(link)


def test_an_old_state_file_still_loads(tmp_path):
    # state written before routes existed (the lab's hubs keep theirs across upgrades)
    state = tmp_path / 'state.json'
    state.write_text(json.dumps({'rows': {'datapaths': [], 'networks': [], 'interfaces': [],
                                          'mac_range_groups': []},
                                 'ports': [{'id': 3, 'interface_id': 2, 'datapath_id': None, 'port_name': 'x',
                                            'singular': True, 'interface_mode': 'vif'}],
                                 'dp_networks': [], 'mac_ranges': [], 'next_id': 5}))
    api = Api(Store(), state=str(state))
    assert ok(api, 'GET', 'routes')['total_count'] == 0
    ok(api, 'POST', 'route_links', uuid='rl-1')


def test_errors_over_http():
    server = serve(port=0)
    try:
        base = 'http://127.0.0.1:%d/api/1.0/' % server.server_address[1]

        def post(path, **params):
            data = urllib.parse.urlencode(params).encode()
            try:
                with urllib.request.urlopen(urllib.request.Request(base + path, data=data)) as r:
                    return r.status, json.loads(r.read())
            except urllib.error.HTTPError as e:
                return e.code, json.loads(e.read())

        assert post('interfaces', uuid='if-a', mode='vif', mac_address=MAC1)[0] == 200
        assert post('interfaces', uuid='if-b', mode='vif', mac_address=MAC1) == (
            500, {'error': 'RuntimeError', 'code': '500',
                  'message': "Mysql2::Error: Duplicate entry '%d-0' for key 'mac_address'"
                             % int(MAC1.replace(':', ''), 16)})
    finally:
        server.shutdown()
        server.server_close()


def test_parse_errors_say_what_upstream_says(api):
    # PARSE_MAC and PARSE_IPV4 (axsh/openvnet 1407ad79 vnet/lib/vnet/endpoints/1.0/helpers.rb),
    # dpid's on_error (vnet/lib/vnet/endpoints/1.0/datapaths.rb)
    assert error(api, 'POST', 'interfaces', mode='vif', mac_address='zz')[1:] == (
        'Vnet::Endpoints::Errors::ArgumentError', '110', 'Could not parse MAC address: zz')
    assert error(api, 'POST', 'interfaces', mode='vif', ipv4_address='10.0.0.300')[3] == \
        'Could not parse IPv4 address: 10.0.0.300'
    assert error(api, 'POST', 'datapaths', display_name='d', node_id='n', dpid='xyz')[3] == \
        'dpid must be a 16 byte hexadecimal number. Got: "xyz"'


def test_network_mode_wins_over_mode(api):
    # (axsh/openvnet 1407ad79 vnet/lib/vnet/endpoints/1.0/networks.rb): network_mode replaces mode
    body = ok(api, 'POST', 'networks', display_name='m', ipv4_network='10.7.0.0', mode='virtual',
              network_mode='physical')
    assert body['mode'] == 'physical'


def test_segments_and_topologies_are_unknown(api):
    # the emulator has none; (axsh/openvnet 1407ad79 vnet/lib/vnet/endpoints/1.0/interfaces.rb,
    # networks.rb) look them up with uuid_to_id under their parameter name
    assert error(api, 'POST', 'interfaces', mode='vif', segment_uuid='seg-x')[3] == 'Segment#segment_uuid: seg-x'
    assert error(api, 'POST', 'networks', ipv4_network='10.8.0.0', topology_uuid='topo-x')[3] == \
        'Topology#topology_uuid: topo-x'


def test_a_mac_range_group_leases_the_interfaces_mac(api):
    # (axsh/openvnet 1407ad79 vnet/lib/vnet/node_api/interface.rb add_mac_lease, models/mac_range_group.rb)
    ok(api, 'POST', 'mac_range_groups', uuid='mrg-vm')
    ok(api, 'POST', 'mac_range_groups/mrg-vm/mac_ranges', begin_mac_address=MAC1, end_mac_address=MAC2)
    body = ok(api, 'POST', 'interfaces', mode='vif', mac_range_group_uuid='mrg-vm')
    assert body['mac_address'] == MAC2  # MAC1 is if-host's
    assert error(api, 'POST', 'interfaces', mode='vif', mac_range_group_uuid='mrg-x')[3] == \
        'MacRangeGroup#mac_range_group_uuid: mrg-x'


def test_deleting_a_mac_range_group_drops_its_ranges(api):
    # mac_ranges: :destroy (axsh/openvnet 1407ad79 vnet/lib/vnet/models/mac_range_group.rb)
    ok(api, 'POST', 'mac_range_groups', uuid='mrg-dpg')
    ok(api, 'POST', 'mac_range_groups/mrg-dpg/mac_ranges', begin_mac_address='02:00:00:00:01:00',
       end_mac_address='02:00:00:00:01:0f')
    ok(api, 'DELETE', 'mac_range_groups/mrg-dpg')
    assert api.store.mac_ranges == []


def test_a_datapath_network_without_a_mac_is_a_not_null_violation(api):
    # mac_address_id NOT NULL (axsh/openvnet 1407ad79 vnet/db/migrations/0008_dp_nwrl_not_null.rb),
    # reaching the client as RuntimeError as every vnmgr error does
    ok(api, 'POST', 'networks', uuid='nw-3', display_name='3', ipv4_network='10.3.0.0')
    assert error(api, 'POST', 'datapaths/dp-1/networks/nw-3', interface_uuid='if-host') == (
        500, 'RuntimeError', '500', "Mysql2::Error: Column 'mac_address_id' cannot be null")
