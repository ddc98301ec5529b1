"""ovs_info against a real Open vSwitch (ovsdb-server + ovs-vswitchd, userspace datapath)."""

import os
import subprocess

from tests.support.runner import run_module


def info(ovs, **args):
    return run_module('ovs_info', dict(args, db=ovs.db, rundir=ovs.dir))


def ofctl(ovs, *args):
    subprocess.run(['ovs-ofctl'] + list(args), check=True, capture_output=True, text=True,
                   env=dict(os.environ, OVS_RUNDIR=ovs.dir))


def gre(ovs, name, check=True):
    subprocess.run(['ovs-vsctl', '--db=' + ovs.db, '--timeout=30', 'add-port', 'br0', name, '--',
                    'set', 'Interface', name, 'type=gre', 'options:remote_ip=192.0.2.11',
                    'options:local_ip=192.0.2.10', 'options:key=5'], check=check, capture_output=True)


def test_bridges_controllers_and_a_refused_gre_interface(ovs):
    ovs.vsctl('set-controller', 'br0', 'tcp:127.0.0.1:6699', '--', 'set', 'Bridge', 'br0',
              'other_config:datapath-id=000002000a00010a', 'protocols=OpenFlow10,OpenFlow13')
    gre(ovs, 'gre-sv1')
    # Same endpoints and key: OVS 3.1 keeps the row but ovs-vswitchd refuses the port
    # (ovs-vsctl still exits 0, with "Error detected while setting up 'gre-dup'" on stderr).
    gre(ovs, 'gre-dup')
    result = info(ovs)
    assert result['changed'] is False and 'flows' not in result
    br0 = result['bridges']['br0']
    assert br0['datapath_id'] == '000002000a00010a'
    assert br0['protocols'] == ['OpenFlow10', 'OpenFlow13']
    # Nothing listens on 6699 (and the sandbox's namespace has no loopback up).
    assert br0['controllers'] == [{'target': 'tcp:127.0.0.1:6699', 'is_connected': False}]
    assert br0['ports'] == ['br0', 'gre-dup', 'gre-sv1']
    sv1, dup = result['interfaces']['gre-sv1'], result['interfaces']['gre-dup']
    assert sv1['bridge'] == 'br0' and sv1['type'] == 'gre' and sv1['error'] is None and sv1['ofport'] > 0
    assert sv1['options'] == {'remote_ip': '192.0.2.11', 'local_ip': '192.0.2.10', 'key': '5'}
    assert dup['ofport'] == -1
    assert dup['error'] == 'could not add network device gre-dup to ofproto (File exists)'
    assert result['interfaces']['br0']['ofport'] == 65534


def test_one_bridge_and_an_unknown_one(ovs):
    ovs.add_bridge('br1')
    result = info(ovs, bridge='br1')
    assert list(result['bridges']) == ['br1'] and list(result['interfaces']) == ['br1']
    result = info(ovs, bridge='br9')
    assert result['failed'] is True and result['msg'] == 'bridge: br9 does not exist (known bridges: br0, br1)'


def test_flows_and_no_flood(ovs):
    gre(ovs, 'gre-sv1')
    ofctl(ovs, '-O', 'OpenFlow13', 'add-flow', 'br0',
          'table=0,priority=40,in_port=1,actions=write_metadata:0x20000000001/0xffffffffffff,goto_table:3')
    ofctl(ovs, '-O', 'OpenFlow13', 'add-flow', 'br0',
          'table=3,priority=30,arp,metadata=0x20000000001/0xffffffffffff,arp_spa=10.0.0.0/24,actions=drop')
    ofctl(ovs, '-O', 'OpenFlow13', 'add-flow', 'br0',
          'table=3,priority=40,ip,metadata=0x20000000001/0xffffffffffff,dl_src=02:00:00:00:00:01,actions=output:1')
    # NO_FLOOD exists only in OpenFlow 1.0 (OpenFlow 1.3 port descriptions show config 0).
    ofctl(ovs, 'mod-port', 'br0', 'gre-sv1', 'no-flood')
    result = info(ovs, bridge='br0', flows=True)
    assert not result.get('failed'), result
    flows = [(f['table'], f['priority'], f['match'], f['actions']) for f in result['flows']['br0']]
    assert flows == [
        (0, 40, {'in_port': '1'}, 'write_metadata:0x20000000001/0xffffffffffff,goto_table:3'),
        (0, 0, {}, 'NORMAL'),  # a bridge's default flow
        (3, 40, {'ip': '', 'metadata': '0x20000000001/0xffffffffffff', 'dl_src': '02:00:00:00:00:01'}, 'output:1'),
        (3, 30, {'arp': '', 'metadata': '0x20000000001/0xffffffffffff', 'arp_spa': '10.0.0.0/24'}, 'drop'),
    ]
    assert all(f['n_packets'] == 0 and f['cookie'] == '0x0' for f in result['flows']['br0'])
    ports = dict((p['name'], p) for p in result['ports']['br0'])
    assert ports['gre-sv1']['config'] == ['NO_FLOOD'] and ports['gre-sv1']['ofport'] == 1
    assert ports['br0']['ofport'] == 65534


def test_unreachable_ovsdb_and_wrong_rundir(ovs):
    result = run_module('ovs_info', dict(db='unix:/nonexistent/db.sock'))
    assert result['failed'] is True
    assert result['msg'].startswith('cannot reach ovsdb-server at unix:/nonexistent/db.sock')
    result = run_module('ovs_info', dict(db=ovs.db, rundir='/nonexistent', flows=True))
    assert result['failed'] is True
    assert result['msg'].startswith('cannot reach ovs-vswitchd over OpenFlow (ovs-ofctl: ')
