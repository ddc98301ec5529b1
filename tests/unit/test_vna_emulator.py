"""The vna emulator's flow computation (no os-ken needed): the manual
procedure's registrations give the flows of shared/reference/openvnet-vna.md
section 2.2, and only for what vna would bind."""

import copy
import subprocess
import sys

from tests.support import vna_emulator as vna
from tests.support.openvnet_emulator import Api, Store
from tests.support.runner import ROOT

DPID = 0x0000aaaaaaaaaaaa
PORTS = {'br0': vna.OFPP_LOCAL, 'tap1': 1, 'tap2': 2, 'eth9': 3}
IF1, IF2, NW = 5, 6, 2          # WebAPI row ids
MAC1, MAC2 = 'ee:99:d5:67:fd:52', '2a:27:6e:63:5e:e5'
LOCAL_FLAG = ('metadata', 0x0000040000000000, 0x00000c0000000000)


def interface(row_id, uuid, mac, ip, network='nw-test1', mode='vif'):
    ip_leases = [{'ipv4_address': ip, 'network_uuid': network}] if ip else []
    return {'id': row_id, 'uuid': uuid, 'mode': mode, 'mac_address': mac, 'ipv4_address': ip,
            'network_uuid': network if ip else None,
            'mac_leases': [{'mac_address': mac.upper(), 'ip_leases': ip_leases}]}


def registrations():
    """The manual procedure's: dp-test1, nw-test1 10.0.0.0/24 virtual, if-inst1 on tap1, if-inst2 on tap2."""
    return {
        'datapaths': [{'id': 1, 'uuid': 'dp-test1', 'dpid': '0x0000aaaaaaaaaaaa', 'node_id': 'vna'}],
        'networks': [{'id': NW, 'uuid': 'nw-test1', 'ipv4_network': '10.0.0.0', 'ipv4_prefix': 24,
                      'mode': 'virtual'}],
        'interfaces': [interface(IF1, 'if-inst1', MAC1, '10.0.0.1'), interface(IF2, 'if-inst2', MAC2, '10.0.0.2')],
        'ports': {'if-inst1': [{'id': 7, 'interface_id': IF1, 'datapath_id': 1, 'port_name': 'tap1'}],
                  'if-inst2': [{'id': 8, 'interface_id': IF2, 'datapath_id': None, 'port_name': 'tap2'}]},
    }


def flows(regs=None, ports=None, dpid=DPID):
    return set(vna.desired_state(dpid, PORTS if ports is None else ports, regs).flows)


def non_default(regs, ports=None):
    return flows(regs, ports) - set(vna.default_flows())


def md_if(i):
    return (0x0700000000000000 + i, 0xff0000007fffffff)


def md_nw(n):
    return (0x0300000000000000 + n, 0xff0000007fffffff)


def vif_expected(port, if_id, mac, ip, nw=NW):
    f = vna.flow
    to_nw = (('metadata',) + md_nw(nw), ('goto', 26))
    to_if = (('metadata',) + md_if(if_id), ('goto', 46))
    return {
        f(0, 2, {'in_port': port}, ('metadata', 0x0700040000000000 + if_id, 0xff000c007fffffff), ('goto', 17)),
        f(90, 10, {'metadata': md_if(if_id)}, ('output', port)),
        f(17, 30, {'metadata': md_if(if_id)}, ('goto', 20)),
        f(46, 4311, {'metadata': md_if(if_id)}, ('goto', 90)),
        f(20, 40, {'metadata': md_if(if_id), 'eth_type': 0x0800, 'eth_src': mac, 'ipv4_src': '0.0.0.0'}, *to_nw),
        f(20, 40, {'metadata': md_if(if_id), 'eth_type': 0x0800, 'eth_src': mac, 'ipv4_src': ip}, *to_nw),
        f(20, 40, {'metadata': md_if(if_id), 'eth_type': 0x0806, 'eth_src': mac, 'arp_sha': mac, 'arp_spa': ip},
          *to_nw),
        f(43, 60, {'metadata': md_nw(nw), 'eth_type': 0x0800, 'eth_dst': mac, 'ipv4_dst': ip}, *to_if),
        f(43, 60, {'metadata': md_nw(nw), 'eth_type': 0x0806, 'eth_dst': mac, 'arp_tha': mac, 'arp_tpa': ip},
          *to_if),
        f(40, 40, {'metadata': md_nw(nw), 'eth_type': 0x0800, 'ipv4_dst': ip}, ('set_eth_dst', mac), ('goto', 42)),
    }


def network_expected(ports, nw=NW):
    f = vna.flow
    return {
        f(27, 30, {'metadata': md_nw(nw)}, ('goto', 30)),
        f(42, 30, {'metadata': md_nw(nw)}, ('goto', 43)),
        f(51, 1, {'metadata': md_nw(nw)}, *([('output', p) for p in ports] + [('goto', 52)])),
    }


def test_default_flows():
    table = vna.flow_table(vna.default_flows())
    f = vna.flow
    assert table[(0, 2, (('in_port', 0xfffffffe),), )] == f(0, 2, {'in_port': 0xfffffffe}, LOCAL_FLAG, ('goto', 6))
    assert table[(0, 2, (('in_port', 0xfffffffd),))].instructions == (('goto', 5),)
    assert table[(0, 1, (('tunnel_id', 0),))].instructions == ()
    assert table[(0, 0, ())].instructions == (('metadata', 0x0000080000000000, 0x00000c0000000000), ('goto', 3))
    gotos = dict((k[0], v.instructions[-1][1]) for k, v in table.items() if k[1:] == (0, ()) and v.instructions)
    assert gotos == {0: 3, 18: 19, 26: 27, 30: 42, 40: 41, 46: 47, 50: 51, 52: 53, 86: 87}
    drops = sorted(k[0] for k, v in table.items() if k[1:] == (0, ()) and not v.instructions)
    assert drops == [3, 4, 5, 6, 7, 10, 11, 12, 13, 14, 15, 16, 17, 19, 20, 21, 22, 25, 27, 31, 32, 33, 34, 35,
                     36, 37, 41, 42, 43, 44, 45, 47, 51, 53, 70, 72, 73, 74, 75, 76, 77, 80, 81, 82, 83, 84, 85,
                     87, 88, 90, 91, 92]
    for t in (43, 45):
        assert table[(t, 30, (('eth_dst', 'ff:ff:ff:ff:ff:ff'),))].instructions == (('goto', 50),)
    assert table[(52, 10, (('metadata', (0x0000080000000000, 0x00000c0000000000)),))].instructions == ()
    assert len(table) == 4 + 52 + 8 + 2 + 1


def test_nothing_read_yet_or_datapath_unregistered_gives_the_defaults_only():
    assert flows(None) == set(vna.default_flows())
    regs = registrations()
    assert flows(regs, dpid=0x0000bbbbbbbbbbbb) == set(vna.default_flows())
    regs['datapaths'][0]['dpid'] = '0x0000000000000001'
    state = vna.desired_state(DPID, PORTS, regs)
    assert state.datapath is None and state.bindings == []
    assert 'no datapath with dpid 0x0000aaaaaaaaaaaa' in state.notes[0]


def test_manual_procedure_flows():
    state = vna.desired_state(DPID, PORTS, registrations())
    got = set(state.flows) - set(vna.default_flows())
    want = (vif_expected(1, IF1, MAC1, '10.0.0.1') | vif_expected(2, IF2, MAC2, '10.0.0.2')
            | network_expected([1, 2]))
    assert got == want, '\n'.join(sorted(vna.format_flow(f) for f in got ^ want))
    assert [(b.port_name, b.port_no, b.interface_uuid, b.networks) for b in state.bindings] == [
        ('tap1', 1, 'if-inst1', [NW]), ('tap2', 2, 'if-inst2', [NW])]
    # Nothing for the unregistered port eth9 (3).
    assert not [f for f in got if ('in_port', 3) in f.match or ('output', 3) in f.instructions]


def test_an_unbound_port_gets_nothing():
    # tap2 is not on the switch: only if-inst1's flows, and 51 floods to tap1 alone.
    ports = dict(PORTS)
    del ports['tap2']
    got = non_default(registrations(), ports)
    assert got == vif_expected(1, IF1, MAC1, '10.0.0.1') | network_expected([1])
    # A port whose name no interface has (the GRE port is gre-sv1, the interface says tap1): nothing.
    got = non_default(registrations(), {'br0': vna.OFPP_LOCAL, 'gre-sv1': 1, 'gre-sv2': 2})
    assert got == set()


def test_a_port_row_on_another_datapath_gets_nothing():
    regs = registrations()
    regs['datapaths'].append({'id': 9, 'uuid': 'dp-other', 'dpid': '0x0000bbbbbbbbbbbb', 'node_id': 'vna'})
    regs['ports']['if-inst2'][0]['datapath_id'] = 9
    assert non_default(regs) == vif_expected(1, IF1, MAC1, '10.0.0.1') | network_expected([1])
    # ... while on that other switch, tap2 is bound and tap1 is not.
    got = set(vna.desired_state(0x0000bbbbbbbbbbbb, PORTS, regs).flows) - set(vna.default_flows())
    assert got == vif_expected(2, IF2, MAC2, '10.0.0.2') | network_expected([2])


def test_a_non_virtual_network_gets_nothing():
    regs = registrations()
    regs['networks'][0]['mode'] = 'physical'
    got = non_default(regs)
    assert not [f for f in got if f.table in (20, 27, 40, 42, 43, 51)]
    assert not [f for f in got if md_nw(NW) in dict(f.match).values()
                or any(i[0] == 'metadata' and i[1] == md_nw(NW)[0] for i in f.instructions)]
    # vna still attaches the vif ports (tables 0/90/17/46); table 20 then drops their traffic.
    assert set(f.table for f in got) == {0, 17, 46, 90}


def test_an_interface_without_ip_lease_is_left_out_of_the_flood_list():
    regs = registrations()
    regs['interfaces'][1] = interface(IF2, 'if-inst2', MAC2, None)
    got = non_default(regs)
    assert [f for f in got if f.table == 51] == [vna.flow(51, 1, {'metadata': md_nw(NW)}, ('output', 1),
                                                          ('goto', 52))]
    assert not [f for f in got if f.table in (20, 43, 40) and md_if(IF2) in dict(f.match).values()]
    assert not [f for f in got if ('eth_dst', MAC2) in f.match or ('eth_src', MAC2) in f.match]
    assert vna.flow(90, 10, {'metadata': md_if(IF2)}, ('output', 2)) in got


def test_other_modes_t_ports_and_duplicates():
    regs = registrations()
    regs['interfaces'][1]['mode'] = 'host'
    assert non_default(regs) == vif_expected(1, IF1, MAC1, '10.0.0.1') | network_expected([1])
    # A t-* port is never bound and is only warned about (vna would delete it).
    regs = registrations()
    regs['ports']['if-inst2'][0]['port_name'] = 't-abc'
    state = vna.desired_state(DPID, dict(PORTS, **{'t-abc': 4}), regs)
    assert [b.port_name for b in state.bindings] == ['tap1']
    assert any('t-abc' in n for n in state.notes)
    # Two interfaces naming the same port: the first (lowest id) wins.
    regs = registrations()
    regs['ports']['if-inst2'][0]['port_name'] = 'tap1'
    state = vna.desired_state(DPID, PORTS, regs)
    assert [(b.port_name, b.interface_uuid) for b in state.bindings] == [('tap1', 'if-inst1')]
    assert any('already bound' in n for n in state.notes)


def test_diff_sends_only_the_difference():
    before = vna.flow_table(flows(registrations()))
    regs = registrations()
    regs['interfaces'][1] = interface(IF2, 'if-inst2', '2a:27:6e:63:5e:e6', '10.0.0.2')
    after = vna.flow_table(flows(regs))
    delete, add = vna.diff(before, after)
    # Five flows mention the old MAC (20 x3, 43 x2) plus table 40's rewrite: the 20/43 keys
    # change (deleted and added); table 40's key stays (replaced by an ADD).
    assert len(delete) == 5 and all(MAC2 in str(k) for k in delete)
    assert len(add) == 6 and all('2a:27:6e:63:5e:e6' in str(f) for f in add)
    assert vna.diff(after, copy.deepcopy(after)) == ([], [])
    # Interface deleted: its flows go, and table 51 is rewritten (same key, new outputs).
    regs['interfaces'].pop()
    delete, add = vna.diff(after, vna.flow_table(flows(regs)))
    assert len(delete) == 10
    assert add == [vna.flow(51, 1, {'metadata': md_nw(NW)}, ('output', 1), ('goto', 52))]


def test_the_webapi_emulators_rows_bind():
    """The rows as tests/support/openvnet_emulator.py serves them (ids from its store)."""
    api = Api(Store())

    def call(method, path, **params):
        return api.handle(method, path.split('/'), params)[1]

    call('POST', 'datapaths', uuid='dp-test1', display_name='test1', dpid='0x0000aaaaaaaaaaaa', node_id='vna')
    nw = call('POST', 'networks', uuid='nw-test1', ipv4_network='10.0.0.0', ipv4_prefix='24', mode='virtual')
    ifs = [call('POST', 'interfaces', uuid=u, mode='vif', owner_datapath_uuid='dp-test1', mac_address=m.upper(),
                network_uuid='nw-test1', ipv4_address=a, port_name=p)
           for u, m, a, p in (('if-inst1', MAC1, '10.0.0.1', 'tap1'), ('if-inst2', MAC2, '10.0.0.2', 'tap2'))]
    regs = {'datapaths': call('GET', 'datapaths')['items'], 'networks': call('GET', 'networks')['items'],
            'interfaces': call('GET', 'interfaces')['items'],
            'ports': dict((i['uuid'], call('GET', 'interfaces/%s/ports' % i['uuid'])['items']) for i in ifs)}
    got = non_default(regs)
    want = (vif_expected(1, ifs[0]['id'], MAC1, '10.0.0.1', nw['id'])
            | vif_expected(2, ifs[1]['id'], MAC2, '10.0.0.2', nw['id']) | network_expected([1, 2], nw['id']))
    assert got == want


def test_format_flow():
    f = vna.flow(0, 2, {'in_port': 1}, ('metadata', 0x0700040000000005, 0xff000c007fffffff), ('goto', 17))
    assert vna.format_flow(f) == ('table=0,priority=2,in_port=1 '
                                  'actions=write_metadata:0x700040000000005/0xff000c007fffffff,goto_table:17')
    assert vna.format_flow(vna.flow(0, 1, {'tunnel_id': 0})) == 'table=0,priority=1,tunnel_id=0 actions=drop'


def test_importing_it_does_not_import_os_ken():
    code = 'import sys, tests.support.vna_emulator; sys.exit("os_ken" in sys.modules)'
    assert subprocess.run([sys.executable, '-c', code], cwd=ROOT, check=False).returncode == 0


def test_it_listens_on_every_address_like_vna_unless_told():
    # vna (trema's switch_manager, started by vnet/lib/vnet/node_modules/service_openflow.rb) binds INADDR_ANY:6633;
    # the openvnet role's firewall, not the listener, keeps it to loopback
    options = vna.parse_args([])
    assert (options.listen, options.port) == ('0.0.0.0', 6633)
    assert vna.os_ken_args(options) == ['--ofp-tcp-listen-port', '6633', '--ofp-listen-host', '0.0.0.0']
    options = vna.parse_args(['--listen', '127.0.0.1', '--port', '16633'])
    assert vna.os_ken_args(options) == ['--ofp-tcp-listen-port', '16633', '--ofp-listen-host', '127.0.0.1']
