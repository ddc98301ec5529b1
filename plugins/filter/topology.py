# -*- coding: utf-8 -*-
# Copyright: (c) 2026, OpenVNet collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The topology model: everything both ends of every tunnel and OpenVNet need, computed from the
inventory and the hosts' underlay facts in ONE place. Roles, verify.yml and teardown.yml read it."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import ipaddress
import re

from ansible.errors import AnsibleFilterError

from ansible_collections.openvnet.openvnet.plugins.module_utils.addresses import dpid_hex, endpoint_problem, mac as parse_mac
from ansible_collections.openvnet.openvnet.plugins.module_utils.ovs import interface_name_problem

# What each encapsulation adds to an overlay frame (whose inner Ethernet header, 14, it carries):
# over IPv4, GRE 20 + 4 (+4 with a key); VXLAN and Geneve (no options) 20 + 8 UDP + 8. An IPv6 outer
# header is 20 bytes longer, and Linux's ip6gretap adds an 8-byte encapsulation-limit option.
ENCAPSULATIONS = {
    # name: (overhead over IPv4, Linux kind by family, OVS type by family, default UDP port)
    'gre': (38, {4: 'gretap', 6: 'ip6gretap'}, {4: 'gre', 6: 'ip6gre'}, None),
    'vxlan': (50, {4: 'vxlan', 6: 'vxlan'}, {4: 'vxlan', 6: 'vxlan'}, 4789),
    'geneve': (50, {4: 'geneve', 6: 'geneve'}, {4: 'geneve', 6: 'geneve'}, 6081),
}
GRE_KEY = 4
IPV6_EXTRA = 20
IP6GRE_ENCAP_LIMIT = 8
VNI_MAX = 0xffffff
# Within what Linux and OVS take (interface_name_problem), names a shell, a unit file and an ifcfg
# file carry unquoted: letters, digits, _ . - (vna deletes ports named t-*).
PORT_NAME = re.compile(r'[A-Za-z0-9_.][A-Za-z0-9_.-]{0,14}')
UUID_SUFFIX = re.compile(r'[a-z0-9]{1,16}')
MARKER = 'openvnet.openvnet'
CONTROLLER = 'tcp:127.0.0.1:6633'  # where vna listens (trema's switch manager)


def fail(message, *args):
    raise AnsibleFilterError('openvnet topology: ' + (message % args if args else message))


def overhead(encapsulation='gre', family=4, key=False):
    """Bytes an encapsulation adds to an overlay frame (its inner Ethernet header included)."""
    if encapsulation not in ENCAPSULATIONS or family not in (4, 6):
        raise AnsibleFilterError('overlay_mtu: encapsulation must be one of %s and family 4 or 6, not %r, %r'
                                 % (', '.join(sorted(ENCAPSULATIONS)), encapsulation, family))
    size = ENCAPSULATIONS[encapsulation][0]
    if family == 6:
        size += IPV6_EXTRA + (IP6GRE_ENCAP_LIMIT if encapsulation == 'gre' else 0)
    if encapsulation == 'gre' and key:
        size += GRE_KEY
    return size


def overlay_mtu(underlay_mtu, key=False, encapsulation='gre', family=4):
    """The largest overlay MTU whose encapsulated packets fit the underlay unfragmented."""
    return int(underlay_mtu) - overhead(encapsulation, int(family), key)


def _same_address(text, wanted):
    try:
        return ipaddress.ip_address(text) == ipaddress.ip_address(wanted)
    except ValueError:
        return False


def nic_with_address(facts, address):
    """The facts of the interface holding address (IPv4 primary or secondary, or IPv6), or {}."""
    for name in facts.get('interfaces', []):
        nic = facts.get(name.replace('-', '_'), {})
        addresses = [nic.get('ipv4', {})] + nic.get('ipv4_secondaries', []) + nic.get('ipv6', [])
        if any(_same_address(a.get('address'), address) for a in addresses):
            return nic
    return {}


def derived_mac(host):
    """A MAC for a peer's tunnel device: locally administered, unicast, the same on every run
    and controller (a hash of the inventory name)."""
    digest = hashlib.sha256(('%s:%s' % (MARKER, host)).encode('utf-8')).hexdigest()
    return ':'.join(['02'] + [digest[i:i + 2] for i in range(0, 10, 2)])


def uuid_suffix(host):
    """The host's name when OpenVNet takes it as a uuid suffix, else a stable hash of it."""
    if UUID_SUFFIX.fullmatch(host):
        return host
    return 'x' + hashlib.sha1(host.encode('utf-8')).hexdigest()[:15]


def _text(host, host_vars, name, required=True):
    value = host_vars.get(name)
    if value is None or value == '':
        if required:
            fail('%s has no %s', host, name)
        return None
    if not isinstance(value, str):
        fail('%s: %s must be a string, not %r (quote it in the inventory)', host, name, value)
    return value


def _endpoint(host, name, value, version=None):
    """An underlay address (IPv4 or IPv6, or only ``version``), in its canonical text."""
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        address = None
    if address is None or (version and address.version != version):
        fail('%s: %s %r is not an %s address', host, name, value, 'IPv%d' % version if version else 'IPv4 or IPv6')
    problem = endpoint_problem(address)
    if problem:
        fail('%s: %s %s cannot be a tunnel endpoint: it %s', host, name, value, problem)
    return str(address)


def _family(address):
    return ipaddress.ip_address(address).version


def _port_name(host, name, value):
    if interface_name_problem(name, value, 'interface') or not PORT_NAME.fullmatch(value):
        fail('%s: %s %r is not an interface name (letters, digits, _ . -, 15 characters at most)', host, name, value)
    if value.startswith('t-'):
        fail('%s: %s %r starts with t-: OpenVNet vna deletes such ports', host, name, value)
    return value


def _mac(host, value):
    if not isinstance(value, str):
        fail('%s: openvnet_tunnel_mac must be a string, not %r (quote it in the inventory)', host, value)
    mac = parse_mac(value)
    if not mac:
        fail('%s: openvnet_tunnel_mac %r is not a MAC address (aa:bb:cc:dd:ee:ff)', host, value)
    if int(mac[:2], 16) & 1 or mac == '00:00:00:00:00:00':
        fail('%s: openvnet_tunnel_mac %s is not a unicast address', host, mac)
    return mac


def _number(host, name, value):
    """An integer from the inventory (a YAML number or a string of digits), never a bool or float."""
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not re.fullmatch(r'[0-9]+', str(value)):
        fail('%s: %s %r is not a whole number', host, name, value)
    return int(value)


def _key(host, value):
    if value is None or value == '':
        return None
    key = _number(host, 'openvnet_tunnel_key', value)
    if not 0 <= key <= 0xffffffff:
        fail('%s: openvnet_tunnel_key %s is not a 32-bit number', host, value)
    return key


def underlay_mtu(host, host_vars, nic='openvnet_underlay_nic'):
    """openvnet_underlay_mtu from the inventory, else the MTU of the NIC found by the facts play."""
    mtu = host_vars.get('openvnet_underlay_mtu') or (host_vars.get(nic) or {}).get('mtu')
    if not mtu:
        fail('%s: its underlay MTU is unknown: run the underlay facts play (playbooks/underlay.yml, imported by '
             'every playbook; it needs every host of openvnet_hubs and openvnet_peers, so --limit is not '
             'supported) or set openvnet_underlay_mtu', host)
    mtu = _number(host, 'openvnet_underlay_mtu', mtu)
    if not 576 <= mtu <= 65535:
        fail('%s: underlay MTU %s is out of range', host, mtu)
    return mtu


def _hub_endpoints(hub, hub_vars):
    address = _endpoint(hub, 'openvnet_underlay_address', _text(hub, hub_vars, 'openvnet_underlay_address'))
    endpoints = [{'address': address, 'family': _family(address), 'mtu': underlay_mtu(hub, hub_vars)}]
    ipv6 = _text(hub, hub_vars, 'openvnet_underlay_ipv6_address', False)
    if ipv6:
        if endpoints[0]['family'] == 6:
            fail('%s: openvnet_underlay_ipv6_address is for a dual-stack hub whose openvnet_underlay_address is '
                 'IPv4; %s is already IPv6', hub, address)
        ipv6 = _endpoint(hub, 'openvnet_underlay_ipv6_address', ipv6, 6)
        endpoints.append({'address': ipv6, 'family': 6,
                          'mtu': underlay_mtu(hub, hub_vars, 'openvnet_underlay_ipv6_nic')})
    return address, endpoints


def _hub(hub, hub_vars):
    nic = hub_vars.get('openvnet_underlay_nic') or {}
    address, endpoints = _hub_endpoints(hub, hub_vars)
    openvnet = hub_vars.get('openvnet_controller', True)
    if not isinstance(openvnet, bool):
        fail('%s: openvnet_controller must be true or false, not %r', hub, openvnet)
    mac = nic.get('macaddress')
    given = hub_vars.get('openvnet_datapath_id')
    if given is not None and not isinstance(given, str):
        fail('%s: openvnet_datapath_id must be a string, not %r (quote it in the inventory)', hub, given)
    dpid = dpid_hex(given) if given else (mac and dpid_hex(mac))
    if given and (not dpid or int(dpid, 16) == 0):
        fail('%s: openvnet_datapath_id %r is not 16 hex digits (0x optional) or a MAC, or is zero', hub, given)
    if openvnet and not dpid:
        fail('%s: its datapath id is unknown: run the underlay facts play (playbooks/underlay.yml; --limit is not '
             'supported) or set openvnet_datapath_id', hub)
    if openvnet and int(dpid, 16) == 0:
        fail('%s: the datapath id from its underlay NIC (%s) is zero: set openvnet_datapath_id', hub, mac)
    if dpid and int(dpid, 16) == 0:
        # A NIC without a hardware address (zero MAC) on a plain hub: let Open vSwitch choose both,
        # as it refuses an all-zero datapath id.
        dpid = mac = None
    return {
        'name': hub,
        'bridge': _port_name(hub, 'openvnet_bridge', _text(hub, hub_vars, 'openvnet_bridge', False) or 'br0'),
        'underlay_address': address,
        'underlay_interface': nic.get('device'),
        'underlay_mtu': endpoints[0]['mtu'],
        # one address per family: a peer's tunnel uses the one of its own underlay address's family
        'endpoints': endpoints,
        'hwaddr': mac,
        'datapath_id': dpid,
        'ovsdb': hub_vars.get('openvnet_ovsdb') or None,
        'openvnet': openvnet,
        # With OpenVNet, secure: the bridge forwards only what vna programs, so a passing check proves vna.
        # Without, standalone and no controller: a plain learning switch between the tunnels.
        'fail_mode': 'secure' if openvnet else 'standalone',
        'controllers': [CONTROLLER] if openvnet else [],
        'node_id': _text(hub, hub_vars, 'openvnet_node_id', False) or 'vna',
        'key': _key(hub, hub_vars.get('openvnet_tunnel_key')),
        'peers': [],
        'ports': [],
        'probes': {},
    }


def _peer(peer, peer_vars, hub):
    address = _text(peer, peer_vars, 'openvnet_overlay_address')
    try:
        overlay = ipaddress.IPv4Interface(address)
    except ValueError:
        fail('%s: openvnet_overlay_address %r is not an IPv4 address with its prefix (10.0.0.1/24)', peer, address)
    if '/' not in address or overlay.network.prefixlen > 30 or overlay.ip in (
            overlay.network.network_address, overlay.network.broadcast_address):
        fail('%s: openvnet_overlay_address %s must be a host address with a prefix of /30 or shorter', peer, address)
    # the hub's key serves both ends; a peer may repeat it, not contradict it
    key = _key(peer, peer_vars.get('openvnet_tunnel_key'))
    if key is not None and key != hub['key']:
        fail('%s: openvnet_tunnel_key %s differs from its hub %s (%s): one key serves both ends',
             peer, key, hub['name'], hub['key'])
    key = hub['key']
    encapsulation = _encapsulation(peer, peer_vars)
    dst_port = _udp_port(peer, peer_vars, encapsulation)
    if encapsulation != 'gre':
        if key is not None and key > VNI_MAX:
            fail('%s: the tunnel key %s of its hub %s is its %s VNI, which has 24 bits (0 to %s)',
                 peer, key, hub['name'], encapsulation, VNI_MAX)
        key = key or 0  # the VNI, explicit on both ends
    local_ip = _endpoint(peer, 'openvnet_underlay_address', _text(peer, peer_vars, 'openvnet_underlay_address'))
    family = _family(local_ip)
    hub_end = [e for e in hub['endpoints'] if e['family'] == family]
    if not hub_end:
        fail('%s: its underlay address %s is IPv%d but its hub %s has none (%s): both ends of a tunnel use one '
             'family (give the hub openvnet_underlay_ipv6_address, or the peer an IPv%d address)',
             peer, local_ip, family, hub['name'], ', '.join(e['address'] for e in hub['endpoints']),
             hub['endpoints'][0]['family'])
    hub_end = hub_end[0]
    if local_ip == hub_end['address']:
        fail('%s has the underlay address of its hub %s (%s)', peer, hub['name'], local_ip)
    for end, address in ((peer, local_ip), (hub['name'], hub_end['address'])):
        if family == 4 and ipaddress.IPv4Address(address) in overlay.network:
            fail('%s: overlay subnet %s holds the underlay address of %s (%s): the tunnel would route into itself',
                 peer, overlay.network, end, address)
    size = overhead(encapsulation, family, key is not None)
    mtu = min(underlay_mtu(peer, peer_vars), hub_end['mtu']) - size
    forced = peer_vars.get('openvnet_overlay_mtu')
    if forced is not None and forced != '':
        forced = _number(peer, 'openvnet_overlay_mtu', forced)
        if not 576 <= forced <= mtu:
            fail('%s: openvnet_overlay_mtu %s must be between 576 and %s (the path\'s underlay MTU minus the '
                 '%s encapsulation)', peer, forced, mtu, encapsulation)
        mtu = forced
    mac = peer_vars.get('openvnet_tunnel_mac')
    device = _port_name(peer, 'openvnet_hub_tunnel_name',
                        _text(peer, peer_vars, 'openvnet_hub_tunnel_name', False) or '%s-%s' % (encapsulation, hub['name']))
    if device == (peer_vars.get('openvnet_underlay_nic') or {}).get('device'):
        fail('%s: openvnet_hub_tunnel_name %s is its underlay NIC', peer, device)
    return {
        'name': device,
        'port': _port_name(peer, 'openvnet_tunnel_name',
                           _text(peer, peer_vars, 'openvnet_tunnel_name', False) or '%s-%s' % (encapsulation, peer)),
        'hub': hub['name'],
        'encapsulation': encapsulation,
        'family': family,
        'kind': ENCAPSULATIONS[encapsulation][1][family],
        'type': ENCAPSULATIONS[encapsulation][2][family],
        'dst_port': dst_port,
        # Linux drops zero-checksum UDP over IPv6 unless told otherwise: the hub's port sums
        'csum': family == 6 and encapsulation != 'gre',
        'overhead': size,
        'local_ip': local_ip,
        'remote_ip': hub_end['address'],
        'address': str(overlay),
        'network': str(overlay.network),
        'mtu': mtu,
        'key': key,
        'mac': _mac(peer, mac) if mac else derived_mac(peer),
        'interface_uuid': _text(peer, peer_vars, 'openvnet_interface_uuid', False) or 'if-' + uuid_suffix(peer),
    }


def _encapsulation(host, host_vars):
    value = host_vars.get('openvnet_tunnel_encapsulation')
    if value is None or value == '':
        return 'gre'
    if value not in ENCAPSULATIONS:
        fail('%s: openvnet_tunnel_encapsulation %r is not one of %s', host, value, ', '.join(sorted(ENCAPSULATIONS)))
    return value


def _udp_port(host, host_vars, encapsulation):
    value = host_vars.get('openvnet_tunnel_udp_port')
    if value is None or value == '':
        return ENCAPSULATIONS[encapsulation][3]
    if encapsulation == 'gre':
        fail('%s: openvnet_tunnel_udp_port is for vxlan and geneve tunnels; GRE has no port', host)
    port = _number(host, 'openvnet_tunnel_udp_port', value)
    if not 1 <= port <= 65535:
        fail('%s: openvnet_tunnel_udp_port %s is not a UDP port (1 to 65535)', host, port)
    return port


def tunnel_protocols(hostvars, groups):
    """What the tunnels of the inventory's peers carry, from the inventory alone (security groups are
    written before the underlay exists): ``{'protocol': 'gre'}`` and ``{'protocol': 'udp', 'port': N}``."""
    found = set()
    for name in groups.get('openvnet_peers') or []:
        encapsulation = _encapsulation(name, hostvars[name])
        port = _udp_port(name, hostvars[name], encapsulation)
        found.add(('gre', 0) if port is None else ('udp', port))
    return [{'protocol': protocol} if protocol == 'gre' else {'protocol': protocol, 'port': port}
            for protocol, port in sorted(found)]


def _unique(items, what, where):
    """Fail when two hosts share a value: items are (value, host)."""
    seen = {}
    for value, host in items:
        if value in seen:
            fail('%s and %s have the same %s %s%s', seen[value], host, what, value, where)
        seen[value] = host


def _registrations(hub):
    peers = hub['peers']
    datapath = {'uuid': hub['datapath_uuid'], 'display_name': hub['name'], 'dpid': '0x' + hub['datapath_id'],
                'node_id': hub['node_id']}
    if not peers:
        return {'datapaths': [datapath], 'networks': [], 'interfaces': []}
    network = {'uuid': hub['network_uuid'], 'display_name': peers[0]['network'], 'ipv4_network': peers[0]['network'],
               'mode': 'virtual'}
    interfaces = [{'uuid': p['interface_uuid'], 'display_name': p['peer'], 'mode': 'vif',
                   'owner_datapath_uuid': datapath['uuid'], 'network_uuid': network['uuid'],
                   'mac_address': p['mac'], 'ipv4_address': p['address'].split('/')[0], 'port_name': p['port']}
                  for p in peers]
    return {'datapaths': [datapath], 'networks': [network], 'interfaces': interfaces}


def topology(hostvars, groups):
    """The whole model: ``hubs`` (per hub: bridge, datapath id, controller, its peers' ports, OpenVNet
    registrations) and ``peers`` (per peer: both ends of its tunnel, MTU, key, MAC, overlay address)."""
    hub_names = list(groups.get('openvnet_hubs') or [])
    hubs = dict((name, _hub(name, hostvars[name])) for name in hub_names)
    peers = {}
    for name in groups.get('openvnet_peers') or []:
        peer_vars = hostvars[name]
        if len(hub_names) > 1 and not peer_vars.get('openvnet_hub'):
            fail('%s has no openvnet_hub: with several hubs every peer names its own (inventories do not '
                 'promise an order)', name)
        hub_name = _text(name, peer_vars, 'openvnet_hub', False) or (hub_names[0] if hub_names else None)
        if hub_name not in hubs:
            fail('%s: its hub %s is not in openvnet_hubs (put one host there, or set openvnet_hub)', name, hub_name)
        if name in hubs:
            fail('%s is in both openvnet_hubs and openvnet_peers', name)
        peer = _peer(name, peer_vars, hubs[hub_name])
        peer['peer'] = name
        peers[name] = peer
        hub = hubs[hub_name]
        hub['peers'].append(peer)
        port = {'name': peer['port'], 'remote_ip': peer['local_ip'], 'local_ip': peer['remote_ip']}
        # csum unset, not false, where the peer needs none: the port's options stay as OVS defaults them
        port.update(type=peer['type'], key=peer['key'], dst_port=peer['dst_port'], csum=peer['csum'] or None)
        hub['ports'].append(port)
    _unique(((p['mac'], n) for n, p in peers.items()), 'tunnel MAC', ' (set openvnet_tunnel_mac on one of them)')
    for hub in hubs.values():
        where = ' (peers of %s)' % hub['name']
        _unique(((p['port'], p['peer']) for p in hub['peers']), 'hub port name', where)
        _unique(((p['local_ip'], p['peer']) for p in hub['peers']), 'underlay address', where)
        _unique(((p['address'].split('/')[0], p['peer']) for p in hub['peers']), 'overlay address', where)
        for peer in hub['peers'][1:]:
            if peer['network'] != hub['peers'][0]['network']:
                fail('%s (%s) and %s (%s) are peers of %s in different subnets: one hub serves one virtual network',
                     hub['peers'][0]['peer'], hub['peers'][0]['address'], peer['peer'], peer['address'], hub['name'])
        for peer in hub['peers']:
            if peer['port'] == hub['bridge']:
                fail('%s: its hub port is named like the bridge %s', peer['peer'], hub['bridge'])
        hub_vars = hostvars[hub['name']]
        hub['datapath_uuid'] = _text(hub['name'], hub_vars, 'openvnet_datapath_uuid', False) or 'dp-' + uuid_suffix(hub['name'])
        network = ipaddress.IPv4Network(hub['peers'][0]['network']) if hub['peers'] else None
        hub['network_uuid'] = _text(hub['name'], hub_vars, 'openvnet_network_uuid', False) or (
            network and 'nw-%08x%02d' % (int(network.network_address), network.prefixlen))
        for uuid, prefix in ((hub['datapath_uuid'], 'dp-'), (hub['network_uuid'], 'nw-')):
            if uuid and not (uuid.startswith(prefix) and UUID_SUFFIX.fullmatch(uuid[3:])):
                fail('%s: OpenVNet uuid %r must be %s followed by 1-16 of [a-z0-9]', hub['name'], uuid, prefix)
        for peer in hub['peers']:
            uuid = peer['interface_uuid']
            if not (uuid.startswith('if-') and UUID_SUFFIX.fullmatch(uuid[3:])):
                fail('%s: openvnet_interface_uuid %r must be if- followed by 1-16 of [a-z0-9]', peer['peer'], uuid)
        _unique(((p['interface_uuid'], p['peer']) for p in hub['peers']), 'interface uuid', where)
        hub['registrations'] = _registrations(hub) if hub['openvnet'] else None
        hub['probes'] = _ring(hub['peers'])
    return {'hubs': hubs, 'peers': peers}


def _ring(peers):
    """Each peer of a hub probes the next one (the last the first): every tunnel carries traffic both
    ways with one probe pair per peer. A hub with one peer has nothing to probe across."""
    names = [p['peer'] for p in peers]
    if len(names) < 2:
        return dict((name, []) for name in names)
    return dict((name, [names[(i + 1) % len(names)]]) for i, name in enumerate(names))


class FilterModule(object):
    def filters(self):
        return {'topology': topology, 'overlay_mtu': overlay_mtu, 'nic_with_address': nic_with_address,
                'tunnel_protocols': tunnel_protocols}
