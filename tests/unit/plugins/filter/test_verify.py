import json

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.openvnet.openvnet.plugins.filter.verify import overlay_probes, tunnel_faults

PORTS = [{'name': 'gre-sv1', 'remote_ip': '192.0.2.11'}, {'name': 'gre-sv2', 'remote_ip': '192.0.2.12'}]


def gre(*rows):
    """ovs-vsctl --format=json output for rows (name, remote_ip, ofport, error), as OVSDB encodes them."""
    data = [[name, 'gre', ['map', [['local_ip', '192.0.2.10'], ['remote_ip', remote]]], ofport,
             error if error else ['set', []]] for name, remote, ofport, error in rows]
    return json.dumps({'data': data, 'headings': ['name', 'type', 'options', 'ofport', 'error']})


def test_no_fault_when_every_port_is_in_place():
    # verbatim from ovs-vsctl 3.1 on the lab hub
    out = ('{"data":[["gre-sv1","gre",["map",[["local_ip","192.0.2.10"],["remote_ip","192.0.2.11"]]],1,["set",[]]],'
           '["gre-sv2","gre",["map",[["local_ip","192.0.2.10"],["remote_ip","192.0.2.12"]]],2,["set",[]]]],'
           '"headings":["name","type","options","ofport","error"]}')
    assert tunnel_faults(out, PORTS) == []


def test_each_fault_is_named():
    out = gre(('gre-sv1', '192.0.2.99', 1, None), ('gre-sv3', '192.0.2.13', 3, None))
    assert tunnel_faults(out, PORTS) == ['gre-sv1: remote_ip is 192.0.2.99, not 192.0.2.11',
                                         'gre-sv2: no GRE interface']
    out = gre(('gre-sv1', '192.0.2.11', -1, 'could not add network device gre-sv1 to ofproto (File exists)'),
              ('gre-sv2', '192.0.2.12', ['set', []], None))
    assert tunnel_faults(out, PORTS) == ['gre-sv1: could not add network device gre-sv1 to ofproto (File exists)',
                                         'gre-sv2: no OpenFlow port (ofport [])']


def test_vna_ports_are_ignored():
    out = gre(('gre-sv1', '192.0.2.11', 1, None), ('gre-sv2', '192.0.2.12', 2, None), ('t-ab12cd34', '192.0.2.50', 9, None))
    assert tunnel_faults(out, PORTS) == []


HOSTVARS = dict(('sv%d' % i, {'openvnet_underlay_address': '192.0.2.1%d' % i,
                              'openvnet_overlay_address': '10.0.0.%d/24' % i}) for i in range(5))
GROUPS = {'openvnet_hubs': ['sv0'], 'openvnet_peers': ['sv1', 'sv2', 'sv3', 'sv4']}


def test_ring_probes_the_next_peer_and_every_peer_is_probed():
    targets = dict((peer, [p['peer'] for p in overlay_probes(peer, HOSTVARS, GROUPS)]) for peer in GROUPS['openvnet_peers'])
    assert targets == {'sv1': ['sv2', 'sv2'], 'sv2': ['sv3', 'sv3'], 'sv3': ['sv4', 'sv4'], 'sv4': ['sv1', 'sv1']}
    probes = overlay_probes('sv1', HOSTVARS, GROUPS)
    assert [p['kind'] for p in probes] == ['ping', 'df 1462']
    assert probes[1]['argv'][-3:] == ['-s', '1434', '10.0.0.2']


def test_mesh_probes_every_other_peer():
    assert [p['peer'] for p in overlay_probes('sv2', HOSTVARS, GROUPS, 'mesh')][::2] == ['sv1', 'sv3', 'sv4']


def test_a_lone_peer_has_nothing_to_probe_and_pairs_is_checked():
    assert overlay_probes('sv1', HOSTVARS, {'openvnet_peers': ['sv1'], 'openvnet_hubs': ['sv0']}) == []
    with pytest.raises(AnsibleFilterError, match="ring' or 'mesh"):
        overlay_probes('sv1', HOSTVARS, GROUPS, 'star')
