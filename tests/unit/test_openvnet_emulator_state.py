"""The WebAPI emulator keeps its registrations in a file with --state, as OpenVNet keeps them in
MySQL: the lab's hub reboots without losing them."""

from tests.support.openvnet_emulator import Api, Store


def test_registrations_survive_a_restart(tmp_path):
    state = str(tmp_path / 'state.json')
    first = Api(Store(), state=state)
    first.handle('POST', ['datapaths'], {'uuid': 'dp-sv0', 'display_name': 'sv0', 'dpid': '0x0000525400000110',
                                         'node_id': 'vna'})
    first.store.save(state)
    again = Api(Store(), state=state)
    status, body = again.handle('GET', ['datapaths', 'dp-sv0'], {})
    assert (status, body['dpid'], body['node_id']) == (200, '0x0000525400000110', 'vna')
    # ids go on from where they were, so a new row never reuses an old id
    status, body = again.handle('POST', ['networks'], {'uuid': 'nw-a', 'ipv4_network': '10.0.0.0', 'ipv4_prefix': '24',
                                                       'mode': 'virtual'})
    assert status == 200 and body['id'] > 1


def test_a_missing_state_file_is_an_empty_store(tmp_path):
    api = Api(Store(), state=str(tmp_path / 'none.json'))
    assert api.handle('GET', ['datapaths'], {})[1]['total_count'] == 0
