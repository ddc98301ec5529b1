"""An emulator of OpenVNet's vna (develop branch, 2019) forwarding, for tests and the lab only.

The real vna (Ruby, trema) cannot run on Debian 12. This is an OpenFlow 1.3
controller on os-ken that does what shared/reference/openvnet-vna.md, section 7,
says vna does for vif interfaces in virtual networks on one datapath:

- on a switch connecting: delete every flow in every table, install vna's
  default flows (section 2.2) and set every port no-flood (as vna does, with
  ``ovs-ofctl -O OpenFlow10 mod-port <bridge> <port> no-flood``: OpenFlow 1.3's
  PORT_MOD has no NO_FLOOD bit);
- every ``--interval`` seconds, read the registrations from the WebAPI
  (datapaths, networks, interfaces and their ports), bind OpenFlow ports by
  name to vif interfaces whose port row names no datapath or this one (the
  datapath whose dpid is the switch's datapath id), and install the per-vif
  and per-network flows; the difference with what is installed is sent as
  FLOW_MOD DELETE_STRICT / ADD;
- an unreachable WebAPI keeps the flows as they are; nothing else is done:
  no packet-in, no ARP proxy, no MAC learning, no port is ever deleted.

The flows are computed by plain functions (``desired_state``) so that they can
be tested without os-ken; os-ken is imported only when the controller starts.
It runs with os-ken 4.x (PyPI) and Debian 12's python3-os-ken 2.5.

Run it: ``python3 vna_emulator.py [--listen 0.0.0.0] [--port 6633]
[--api http://127.0.0.1:9090/api/1.0] [--interval 1]``; the bridge's controller
is then ``tcp:127.0.0.1:6633``. Like vna, it listens on every address by default
(vna's vnet/lib/vnet/node_modules/service_openflow.rb, axsh/openvnet 1407ad79,
starts trema's switch_manager on port 6633 without an address, and switch_manager
binds INADDR_ANY): the openvnet role's firewall admits only loopback there.
"""

import argparse
import collections
import json
import logging
import shutil
import subprocess
import sys
import urllib.error
import urllib.request

LOG = logging.getLogger('vna_emulator')
# Where vna listens: every IPv4 address (trema's switch_manager binds INADDR_ANY).
LISTEN = '0.0.0.0'

OFPP_LOCAL = 0xfffffffe
OFPP_CONTROLLER = 0xfffffffd
ETH_IP = 0x0800
ETH_ARP = 0x0806
BROADCAST = 'ff:ff:ff:ff:ff:ff'

# Metadata (lib/openflow/metadata_helpers.rb, constants/openflow_flows.rb).
MD_INTERFACE = 0x0700000000000000
MD_NETWORK = 0x0300000000000000
MD_MASK = 0xff0000007fffffff
MD_LOCAL = 0x0000040000000000
MD_REMOTE = 0x0000080000000000
MD_FLAG_MASK = 0x00000c0000000000

# Tables (lib/constants/openflow_flows.rb, develop).
T_CLASSIFIER = 0
T_INTERFACE_EGRESS_CLASSIFIER = 17
T_INTERFACE_EGRESS_VALIDATE = 20
T_NETWORK_CONNECTION = 26
T_NETWORK_SRC_CLASSIFIER = 27
T_ROUTER_CLASSIFIER = 30
T_ARP_TABLE = 40
T_NETWORK_DST_CLASSIFIER = 42
T_NETWORK_DST_MAC_LOOKUP = 43
T_INTERFACE_INGRESS_FILTER = 46
T_FLOOD_LOCAL = 51
T_FLOOD_REMOTE = 52
T_OUT_PORT_INTERFACE_INGRESS = 90

DROP_TABLES = (list(range(3, 8)) + list(range(10, 18)) + list(range(19, 23)) + [25, 27]
               + list(range(31, 38)) + list(range(41, 46)) + [47, 51, 53, 70] + list(range(72, 78))
               + list(range(80, 86)) + [87, 88, 90, 91, 92])
GOTO_CHAIN = ((18, 19), (26, 27), (30, 42), (40, 41), (46, 47), (50, 51), (52, 53), (86, 87))


class Flow(collections.namedtuple('Flow', 'table priority match instructions')):
    """One flow as plain data.

    match: a sorted tuple of (field, value) pairs, os-ken OFPMatch field names;
    metadata is a (value, mask) pair.  instructions: a tuple of ('output', port),
    ('set_eth_dst', mac) (both applied, in order), ('metadata', value, mask),
    ('goto', table).  No instructions: drop."""

    @property
    def key(self):
        """What identifies the flow in the switch (FLOW_MOD ADD replaces, DELETE_STRICT removes)."""
        return (self.table, self.priority, self.match)


def flow(table, priority, match=None, *instructions):
    return Flow(table, priority, tuple(sorted((match or {}).items())), tuple(instructions))


def md_interface(interface_id):
    return (MD_INTERFACE + interface_id, MD_MASK)


def md_network(network_id):
    return (MD_NETWORK + network_id, MD_MASK)


def default_flows():
    """lib/openflow/switch.rb#create_default_flows (develop)."""
    flows = [
        flow(0, 2, {'in_port': OFPP_LOCAL}, ('metadata', MD_LOCAL, MD_FLAG_MASK), ('goto', 6)),
        flow(0, 2, {'in_port': OFPP_CONTROLLER}, ('goto', 5)),
        flow(0, 1, {'tunnel_id': 0}),
        flow(0, 0, None, ('metadata', MD_REMOTE, MD_FLAG_MASK), ('goto', 3)),
    ]
    flows += [flow(table, 0) for table in DROP_TABLES]
    # Added after the drops: for table 30 the goto replaces the drop.
    flows += [flow(src, 0, None, ('goto', dst)) for src, dst in GOTO_CHAIN]
    flows += [flow(table, 30, {'eth_dst': BROADCAST}, ('goto', 50)) for table in (43, 45)]
    flows.append(flow(52, 10, {'metadata': (MD_REMOTE, MD_FLAG_MASK)}))
    return flows


def vif_flows(port_no, interface_id, leases, virtual):
    """Flows of one bound vif: its port (ports/vif.rb) and its interface and
    leases (interfaces/vif.rb, if_base.rb).  leases: [(mac, [(ipv4, network_id)])];
    only the networks in ``virtual`` get lease flows."""
    iface = md_interface(interface_id)
    flows = [
        flow(0, 2, {'in_port': port_no},
             ('metadata', MD_INTERFACE + MD_LOCAL + interface_id, MD_MASK | MD_FLAG_MASK),
             ('goto', T_INTERFACE_EGRESS_CLASSIFIER)),
        flow(T_OUT_PORT_INTERFACE_INGRESS, 10, {'metadata': iface}, ('output', port_no)),
        flow(T_INTERFACE_EGRESS_CLASSIFIER, 30, {'metadata': iface}, ('goto', T_INTERFACE_EGRESS_VALIDATE)),
        flow(T_INTERFACE_INGRESS_FILTER, 4311, {'metadata': iface}, ('goto', T_OUT_PORT_INTERFACE_INGRESS)),
    ]
    for mac, addresses in leases:
        for address, network_id in addresses:
            if network_id not in virtual:
                continue
            to_network = (('metadata',) + md_network(network_id), ('goto', T_NETWORK_CONNECTION))
            to_interface = (('metadata',) + iface, ('goto', T_INTERFACE_INGRESS_FILTER))
            network = md_network(network_id)
            flows += [
                flow(T_INTERFACE_EGRESS_VALIDATE, 40, {'metadata': iface, 'eth_type': ETH_IP, 'eth_src': mac,
                                                       'ipv4_src': '0.0.0.0'}, *to_network),
                flow(T_INTERFACE_EGRESS_VALIDATE, 40, {'metadata': iface, 'eth_type': ETH_IP, 'eth_src': mac,
                                                       'ipv4_src': address}, *to_network),
                flow(T_INTERFACE_EGRESS_VALIDATE, 40, {'metadata': iface, 'eth_type': ETH_ARP, 'eth_src': mac,
                                                       'arp_sha': mac, 'arp_spa': address}, *to_network),
                flow(T_NETWORK_DST_MAC_LOOKUP, 60, {'metadata': network, 'eth_type': ETH_IP, 'eth_dst': mac,
                                                    'ipv4_dst': address}, *to_interface),
                flow(T_NETWORK_DST_MAC_LOOKUP, 60, {'metadata': network, 'eth_type': ETH_ARP, 'eth_dst': mac,
                                                    'arp_tha': mac, 'arp_tpa': address}, *to_interface),
                flow(T_ARP_TABLE, 40, {'metadata': network, 'eth_type': ETH_IP, 'ipv4_dst': address},
                     ('set_eth_dst', mac), ('goto', T_NETWORK_DST_CLASSIFIER)),
            ]
    return flows


def network_flows(network_id, port_numbers):
    """networks/virtual.rb and network_manager.rb#update_flows (table 51)."""
    network = md_network(network_id)
    outputs = [('output', p) for p in sorted(port_numbers)]
    return [
        flow(T_NETWORK_SRC_CLASSIFIER, 30, {'metadata': network}, ('goto', T_ROUTER_CLASSIFIER)),
        flow(T_NETWORK_DST_CLASSIFIER, 30, {'metadata': network}, ('goto', T_NETWORK_DST_MAC_LOOKUP)),
        flow(T_FLOOD_LOCAL, 1, {'metadata': network}, *(outputs + [('goto', T_FLOOD_REMOTE)])),
    ]


def dpid_str(dpid):
    return '0x%016x' % dpid


def parse_dpid(value):
    try:
        return int(str(value), 16)
    except (TypeError, ValueError):
        return None


State = collections.namedtuple('State', 'flows datapath bindings notes')
Binding = collections.namedtuple('Binding', 'port_name port_no interface_uuid interface_id networks')


def desired_state(dpid, ports, regs):
    """The flows vna would have on switch ``dpid``.

    ports: {OpenFlow port name: port number} of the switch.
    regs: None (nothing read yet) or {'datapaths': [...], 'networks': [...],
    'interfaces': [...], 'ports': {interface uuid: [interface port rows]}}: the
    WebAPI's rows.  Returns State(flows, datapath row or None, [Binding], notes),
    notes being warnings as text (t-* ports, duplicate bindings)."""
    flows = default_flows()
    notes = ['port %s: a t-* name is an OpenVNet tunnel port; real vna would delete it (left alone)' % name
             for name in sorted(ports) if name.startswith('t-')]
    if regs is None:
        return State(flows, None, [], notes)
    datapath = next((d for d in regs.get('datapaths', []) if parse_dpid(d.get('dpid')) == dpid), None)
    if datapath is None:
        notes.append('no datapath with dpid %s registered: only the default flows' % dpid_str(dpid))
        return State(flows, None, [], notes)
    networks = dict((n['uuid'], n) for n in regs.get('networks', []))
    virtual = set(n['id'] for n in networks.values() if n.get('mode') == 'virtual')
    bindings = []
    taken = {}
    for iface in sorted(regs.get('interfaces', []), key=lambda i: i['id']):
        if iface.get('mode') != 'vif':
            continue
        for row in regs.get('ports', {}).get(iface['uuid'], []):
            name = row.get('port_name')
            if not name or name not in ports or name.startswith('t-') or ports[name] == OFPP_LOCAL:
                continue
            if row.get('datapath_id') not in (None, datapath['id']):
                continue
            if name in taken:
                notes.append('port %s: already bound to %s, not to %s' % (name, taken[name], iface['uuid']))
                continue
            taken[name] = iface['uuid']
            leases = []
            for mac_lease in iface.get('mac_leases') or []:
                addresses = []
                for ip_lease in mac_lease.get('ip_leases') or []:
                    network = networks.get(ip_lease.get('network_uuid'))
                    if network is not None and ip_lease.get('ipv4_address'):
                        addresses.append((ip_lease['ipv4_address'], network['id']))
                leases.append((mac_lease['mac_address'].lower(), addresses))
            bindings.append((Binding(name, ports[name], iface['uuid'], iface['id'],
                                     sorted(set(n for m, a in leases for ip, n in a if n in virtual))), leases))
    flood = collections.defaultdict(set)
    for binding, leases in bindings:
        flows += vif_flows(binding.port_no, binding.interface_id, leases, virtual)
        for network_id in binding.networks:
            flood[network_id].add(binding.port_no)
    for network_id in sorted(flood):
        flows += network_flows(network_id, flood[network_id])
    return State(flows, datapath, [b for b, leases in bindings], notes)


def flow_table(flows):
    """{key: flow}; a later flow with the same key replaces an earlier one, as in the switch."""
    table = collections.OrderedDict()
    for f in flows:
        table.pop(f.key, None)
        table[f.key] = f
    return table


def diff(installed, desired):
    """(keys to DELETE_STRICT, flows to ADD) to turn ``installed`` into ``desired`` (both flow_table())."""
    delete = [key for key in installed if key not in desired]
    add = [f for key, f in desired.items() if installed.get(key) != f]
    return delete, add


def format_flow(f):
    """ovs-ofctl-like text, for logs and test messages."""
    parts = []
    for name, value in f.match:
        if name == 'metadata':
            value = '0x%x/0x%x' % value
        elif name == 'in_port':
            value = {OFPP_LOCAL: 'LOCAL', OFPP_CONTROLLER: 'CONTROLLER'}.get(value, value)
        elif name == 'eth_type':
            value = '0x%04x' % value
        parts.append('%s=%s' % (name, value))
    actions = []
    for ins in f.instructions:
        if ins[0] == 'metadata':
            actions.append('write_metadata:0x%x/0x%x' % ins[1:])
        elif ins[0] == 'goto':
            actions.append('goto_table:%d' % ins[1])
        elif ins[0] == 'output':
            actions.append('output:%d' % ins[1])
        else:
            actions.append('set_field:%s->eth_dst' % ins[1])
    return 'table=%d,priority=%d%s actions=%s' % (f.table, f.priority, ''.join(',' + p for p in parts),
                                                  ','.join(actions) or 'drop')


# -- the WebAPI ------------------------------------------------------------

def fetch_registrations(api, timeout=5.0):
    """The rows desired_state() needs, read from the WebAPI at ``api`` (…/api/1.0).
    Raises OSError or ValueError when the WebAPI cannot be read."""
    def get(path):
        with urllib.request.urlopen('%s/%s' % (api.rstrip('/'), path), timeout=timeout) as resp:
            doc = json.loads(resp.read().decode())
        if isinstance(doc, dict) and 'items' in doc:
            if doc.get('total_count', len(doc['items'])) > len(doc['items']):
                LOG.warning('%s: %s rows, only the first %d are returned (pagination); the rest are ignored',
                            path, doc['total_count'], len(doc['items']))
            return doc['items']
        raise ValueError('%s: not a collection' % path)

    regs = {'datapaths': get('datapaths.json'), 'networks': get('networks.json'),
            'interfaces': get('interfaces.json'), 'ports': {}}
    for iface in regs['interfaces']:
        if iface.get('mode') == 'vif':
            try:
                regs['ports'][iface['uuid']] = get('interfaces/%s/ports.json' % iface['uuid'])
            except urllib.error.HTTPError as e:
                if e.code != 404:      # deleted between the two requests
                    raise
    return regs


# -- the controller (os-ken, imported lazily) -------------------------------

OPTIONS = None       # argparse namespace, set by main()


def ofp_flow_mod(dp, f, delete=False):
    """An OFPFlowMod (OpenFlow 1.3) for a Flow."""
    ofp, parser = dp.ofproto, dp.ofproto_parser
    match = parser.OFPMatch(**dict(f.match))
    if delete:
        return parser.OFPFlowMod(dp, table_id=f.table, command=ofp.OFPFC_DELETE_STRICT, priority=f.priority,
                                 match=match, out_port=ofp.OFPP_ANY, out_group=ofp.OFPG_ANY)
    actions, instructions = [], []
    for ins in f.instructions:
        if ins[0] == 'output':
            actions.append(parser.OFPActionOutput(ins[1], 0))
        elif ins[0] == 'set_eth_dst':
            actions.append(parser.OFPActionSetField(eth_dst=ins[1]))
        elif ins[0] == 'metadata':
            instructions.append(parser.OFPInstructionWriteMetadata(ins[1], ins[2]))
        elif ins[0] == 'goto':
            instructions.append(parser.OFPInstructionGotoTable(ins[1]))
    if actions:
        instructions.insert(0, parser.OFPInstructionActions(ofp.OFPIT_APPLY_ACTIONS, actions))
    return parser.OFPFlowMod(dp, table_id=f.table, command=ofp.OFPFC_ADD, priority=f.priority,
                             match=match, instructions=instructions)


def port_name(port):
    name = port.name
    if isinstance(name, bytes):
        name = name.split(b'\0', 1)[0].decode('utf-8', 'replace')
    return name


def make_app():
    """Define the os-ken application class (os-ken is imported here only)."""
    from os_ken.base import app_manager
    from os_ken.controller import ofp_event
    from os_ken.controller.handler import DEAD_DISPATCHER, MAIN_DISPATCHER, set_ev_cls
    from os_ken.lib import hub
    from os_ken.ofproto import ofproto_v1_3

    class VnaEmulator(app_manager.OSKenApp):
        OFP_VERSIONS = [ofproto_v1_3.OFP_VERSION]

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.opts = OPTIONS
            self.switches = {}       # dpid -> {'dp', 'ports': {name: no}, 'installed', 'bridge', 'said'}
            self.regs = None
            self.api_ok = None

        def start(self):
            thread = super().start()
            hub.spawn(self.poll_loop)
            return thread

        # -- polling
        def poll_loop(self):
            while True:
                try:
                    regs = fetch_registrations(self.opts.api)
                except Exception as e:      # noqa: BLE001 - whatever it is, keep the flows and retry
                    if self.api_ok is not False:
                        LOG.warning('WebAPI %s unreachable (%s): keeping the flows as they are', self.opts.api, e)
                    self.api_ok = False
                else:
                    if self.api_ok is not True:
                        LOG.info('WebAPI %s: %d datapaths, %d networks, %d interfaces', self.opts.api,
                                 len(regs['datapaths']), len(regs['networks']), len(regs['interfaces']))
                    self.api_ok = True
                    self.regs = regs
                    for dpid in list(self.switches):
                        self.reconcile(dpid)
                hub.sleep(self.opts.interval)

        # -- switch events
        @set_ev_cls(ofp_event.EventOFPStateChange, [MAIN_DISPATCHER, DEAD_DISPATCHER])
        def state_change(self, ev):
            dp = ev.datapath
            if ev.state == MAIN_DISPATCHER:
                self.connected(dp)
            elif dp.id in self.switches and self.switches[dp.id]['dp'] is dp:
                LOG.info('switch %s disconnected', dpid_str(dp.id))
                del self.switches[dp.id]

        def connected(self, dp):
            ofp, parser = dp.ofproto, dp.ofproto_parser
            ports = dict((port_name(p), p.port_no) for p in dp.ports.values())
            bridge = self.opts.bridge or next((n for n, no in ports.items() if no == ofp.OFPP_LOCAL), None)
            LOG.info('switch %s connected (bridge %s, %d ports): deleting all flows', dpid_str(dp.id), bridge,
                     len(ports))
            dp.send_msg(parser.OFPFlowMod(dp, table_id=ofp.OFPTT_ALL, command=ofp.OFPFC_DELETE,
                                          out_port=ofp.OFPP_ANY, out_group=ofp.OFPG_ANY, match=parser.OFPMatch()))
            self.switches[dp.id] = {'dp': dp, 'ports': ports, 'installed': collections.OrderedDict(),
                                    'bridge': bridge, 'said': None}
            for name in sorted(ports):
                self.no_flood(bridge, name)
            self.reconcile(dp.id)

        @set_ev_cls(ofp_event.EventOFPPortStatus, MAIN_DISPATCHER)
        def port_status(self, ev):
            msg = ev.msg
            dp, ofp = msg.datapath, msg.datapath.ofproto
            sw = self.switches.get(dp.id)
            if sw is None:
                return
            name = port_name(msg.desc)
            if msg.reason == ofp.OFPPR_DELETE:
                if sw['ports'].pop(name, None) is not None:
                    LOG.info('switch %s: port %s (%d) removed', dpid_str(dp.id), name, msg.desc.port_no)
            elif sw['ports'].get(name) != msg.desc.port_no:
                sw['ports'] = dict((n, no) for n, no in sw['ports'].items() if no != msg.desc.port_no)
                sw['ports'][name] = msg.desc.port_no
                LOG.info('switch %s: port %s (%d) added', dpid_str(dp.id), name, msg.desc.port_no)
                self.no_flood(sw['bridge'], name)
            else:
                return
            self.reconcile(dp.id)

        @set_ev_cls(ofp_event.EventOFPErrorMsg, MAIN_DISPATCHER)
        def error(self, ev):
            msg = ev.msg
            LOG.error('switch %s: OpenFlow error type=%d code=%d', dpid_str(msg.datapath.id), msg.type, msg.code)

        # -- actions
        def no_flood(self, bridge, name):
            """vna: ovs-ofctl -O OpenFlow10 mod-port <bridge> <port> no-flood (OF1.3 has no NO_FLOOD)."""
            if not bridge or not shutil.which(self.opts.ovs_ofctl):
                LOG.warning('port %s: cannot set no-flood (no bridge name or no %s)', name, self.opts.ovs_ofctl)
                return
            cmd = [self.opts.ovs_ofctl, '-O', 'OpenFlow10', 'mod-port', bridge, name, 'no-flood']
            try:
                out = subprocess.run(cmd, capture_output=True, text=True, timeout=10, check=False)
            except (OSError, subprocess.SubprocessError) as e:
                LOG.warning('port %s: no-flood failed: %s', name, e)
                return
            if out.returncode:
                LOG.warning('port %s: %s failed: %s', name, ' '.join(cmd), out.stderr.strip())

        def reconcile(self, dpid):
            sw = self.switches.get(dpid)
            if sw is None:
                return
            state = desired_state(dpid, sw['ports'], self.regs)
            desired = flow_table(state.flows)
            delete, add = diff(sw['installed'], desired)
            dp = sw['dp']
            for key in delete:
                dp.send_msg(ofp_flow_mod(dp, sw['installed'][key], delete=True))
            for f in add:
                dp.send_msg(ofp_flow_mod(dp, f))
            sw['installed'] = desired
            said = (state.datapath and state.datapath['uuid'], tuple(state.bindings), tuple(state.notes))
            if delete or add or said != sw['said']:
                for note in state.notes:
                    if note not in (sw['said'] or (None, (), ()))[2]:
                        LOG.warning('switch %s: %s', dpid_str(dpid), note)
                bound = ', '.join('%s(%d)=%s' % (b.port_name, b.port_no, b.interface_uuid) for b in state.bindings)
                LOG.info('switch %s (%s): %d flows (+%d -%d); bound: %s', dpid_str(dpid),
                         state.datapath['uuid'] if state.datapath else 'unregistered', len(desired), len(add),
                         len(delete), bound or 'none')
                sw['said'] = said

    return VnaEmulator


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='An emulator of OpenVNet vna: an OpenFlow 1.3 controller.')
    parser.add_argument('--listen', default=LISTEN,
                        help='address to listen on (default %s, every address, as vna)' % LISTEN)
    parser.add_argument('--port', type=int, default=6633, help='OpenFlow TCP port (default 6633)')
    parser.add_argument('--api', default='http://127.0.0.1:9090/api/1.0', help='the WebAPI base URL')
    parser.add_argument('--interval', type=float, default=1.0, help='seconds between WebAPI polls (default 1)')
    parser.add_argument('--bridge', help='bridge name for ovs-ofctl mod-port (default: the LOCAL port name)')
    parser.add_argument('--ovs-ofctl', default='ovs-ofctl', help='the ovs-ofctl command (default ovs-ofctl)')
    parser.add_argument('--debug', action='store_true', help="also log os-ken's messages")
    return parser.parse_args(argv)


def os_ken_args(options):
    """os-ken's own options: where its OpenFlow listener binds."""
    return ['--ofp-tcp-listen-port', str(options.port), '--ofp-listen-host', options.listen]


def main(argv=None):
    global OPTIONS
    OPTIONS = parse_args(argv)
    logging.basicConfig(stream=sys.stdout, level=logging.INFO, format='%(levelname)s %(message)s')
    logging.getLogger('os_ken').setLevel(logging.DEBUG if OPTIONS.debug else logging.WARNING)
    from os_ken.lib import hub
    hub.patch(thread=False)
    import os_ken.cfg
    from os_ken.base import app_manager
    # ofp_handler registers these options when imported; the app module must be importable by name.
    import os_ken.controller.controller  # noqa: F401
    module = sys.modules[__name__]
    module.VnaEmulator = make_app()
    os_ken.cfg.CONF(args=os_ken_args(OPTIONS), project='os_ken')
    LOG.info('vna emulator: OpenFlow 1.3 on %s:%d, WebAPI %s every %ss', OPTIONS.listen, OPTIONS.port, OPTIONS.api,
             OPTIONS.interval)
    app_manager.AppManager.run_apps([__name__])


if __name__ == '__main__':
    main()
