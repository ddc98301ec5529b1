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

from ansible_collections.openvnet.openvnet.plugins.module_utils.addresses import (
    AddressProblem, canonical_address, dpid_hex, endpoint_problem, mac as parse_mac, same_address)
from ansible_collections.openvnet.openvnet.plugins.module_utils.tunnel_fields import (
    DEFAULT_UDP_PORTS, FieldProblem, VNI_MAX, tunnel_key, udp_port)
from ansible_collections.openvnet.openvnet.plugins.module_utils.ovs import interface_name_problem

# What each encapsulation adds to an overlay frame (whose inner Ethernet header, 14, it carries):
# over IPv4, GRE 20 + 4 (+4 with a key); VXLAN and Geneve (no options) 20 + 8 UDP + 8. An IPv6 outer
# header is 20 bytes longer, and Linux's ip6gretap adds an 8-byte encapsulation-limit option.
ENCAPSULATIONS = {
    # name: (overhead over IPv4, Linux kind by family, OVS type by family, default UDP port)
    'gre': (38, {4: 'gretap', 6: 'ip6gretap'}, {4: 'gre', 6: 'ip6gre'}, None),
    'vxlan': (50, {4: 'vxlan', 6: 'vxlan'}, {4: 'vxlan', 6: 'vxlan'}, DEFAULT_UDP_PORTS['vxlan']),
    'geneve': (50, {4: 'geneve', 6: 'geneve'}, {4: 'geneve', 6: 'geneve'}, DEFAULT_UDP_PORTS['geneve']),
}
GRE_KEY = 4
IPV6_EXTRA = 20
IP6GRE_ENCAP_LIMIT = 8
# The least overlay MTU accepted, computed or forced (what every IPv4 host must take, RFC 791), and the
# least MTU of an IPv6 link (RFC 8200), below which no IPv6 underlay works.
OVERLAY_MTU_MIN = 576
IPV6_MTU_MIN = 1280
# Devices the kernel makes itself when a tunnel module loads (its fallback devices): a peer's tunnel
# never takes their names, and gretap_peer never deletes them.
KERNEL_DEVICES = ('gre0', 'gretap0', 'erspan0', 'ip6gre0', 'ip6gretap0', 'ip6erspan0', 'ip6tnl0', 'sit0',
                  'tunl0', 'ip_vti0', 'ip6_vti0', 'vxlan_sys_4789', 'genev_sys_6081', 'pimreg', 'pim6reg')
KERNEL_DEVICE = re.compile(r'(vxlan_sys|genev_sys)_[0-9]+\Z')
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


def nic_with_address(facts, address):
    """The facts of the interface holding address (IPv4 primary or secondary, or IPv6), or {}."""
    for name in facts.get('interfaces', []):
        nic = facts.get(name.replace('-', '_'), {})
        addresses = [nic.get('ipv4', {})] + nic.get('ipv4_secondaries', []) + nic.get('ipv6', [])
        if any(same_address(a.get('address'), address) for a in addresses):
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
    """An underlay address (IPv4 or IPv6, or only ``version``), in its canonical text (``canonical_address``:
    one spelling per address, an IPv4-mapped IPv6 address is the IPv4 address, no scope id), as Open
    vSwitch and Linux compare endpoints."""
    try:
        text, found = canonical_address(value)
    except AddressProblem as problem:
        if '%' in str(value):
            fail('%s: %s %s', host, name, problem)
        text = found = None
    if text is None or (version and found != version):
        fail('%s: %s %r is not an %s address', host, name, value, 'IPv%d' % version if version else 'IPv4 or IPv6')
    problem = endpoint_problem(ipaddress.ip_address(text))
    if problem:
        fail('%s: %s %s cannot be a tunnel endpoint: it %s', host, name, value, problem)
    return text


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
    """openvnet_tunnel_key by the collection's one rule for keys (``tunnel_fields.tunnel_key``)."""
    if value is None or value == '':
        return None
    try:
        return tunnel_key(value)
    except FieldProblem as problem:
        fail('%s: openvnet_tunnel_key %s', host, problem)


def underlay_mtu(host, host_vars, nic='openvnet_underlay_nic', family=4):
    """openvnet_underlay_mtu from the inventory, else the MTU of the NIC found by the facts play."""
    mtu = host_vars.get('openvnet_underlay_mtu') or (host_vars.get(nic) or {}).get('mtu')
    if not mtu:
        fail('%s: its underlay MTU is unknown: run the underlay facts play (playbooks/underlay.yml, imported by '
             'every playbook; it needs every host of openvnet_hubs and openvnet_peers, so --limit is not '
             'supported) or set openvnet_underlay_mtu', host)
    mtu = _number(host, 'openvnet_underlay_mtu', mtu)
    if not 576 <= mtu <= 65535:
        fail('%s: underlay MTU %s is out of range (576 to 65535)', host, mtu)
    if family == 6 and mtu < IPV6_MTU_MIN:
        fail('%s: underlay MTU %s is below %d, the least an IPv6 link carries (RFC 8200)', host, mtu, IPV6_MTU_MIN)
    return mtu


def _hub_endpoints(hub, hub_vars):
    address = _endpoint(hub, 'openvnet_underlay_address', _text(hub, hub_vars, 'openvnet_underlay_address'))
    endpoints = [{'address': address, 'family': _family(address),
                  'mtu': underlay_mtu(hub, hub_vars, family=_family(address))}]
    ipv6 = _text(hub, hub_vars, 'openvnet_underlay_ipv6_address', False)
    if ipv6:
        if endpoints[0]['family'] == 6:
            fail('%s: openvnet_underlay_ipv6_address is for a dual-stack hub whose openvnet_underlay_address is '
                 'IPv4; %s is already IPv6', hub, address)
        ipv6 = _endpoint(hub, 'openvnet_underlay_ipv6_address', ipv6, 6)
        endpoints.append({'address': ipv6, 'family': 6,
                          'mtu': underlay_mtu(hub, hub_vars, 'openvnet_underlay_ipv6_nic', 6)})
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
        # the MTU of every device of its peers' network (topology())
        'network_mtu': None,
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
    encapsulation = _encapsulation(peer, peer_vars)
    dst_port = _udp_port(peer, peer_vars, encapsulation)
    key = hub['key']
    if encapsulation != 'gre':
        if key is not None and key > VNI_MAX:
            fail('%s: the tunnel key %s of its hub %s is its %s VNI, which has 24 bits (0 to %s)',
                 peer, key, hub['name'], encapsulation, VNI_MAX)
        key = key or 0  # the VNI, explicit on both ends
    # the hub's key serves both ends; a peer may repeat it (VNI 0 where the hub has none), not contradict it
    given = _key(peer, peer_vars.get('openvnet_tunnel_key'))
    if given is not None and given != key:
        fail('%s: openvnet_tunnel_key %s differs from its hub %s (%s): one key serves both ends',
             peer, given, hub['name'], hub['key'])
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
    path = min(underlay_mtu(peer, peer_vars, family=family), hub_end['mtu'])
    # what this tunnel carries; the network's MTU (every device of it) is set in topology()
    capacity = path - size
    if capacity < OVERLAY_MTU_MIN:
        fail('%s: its %s tunnel over IPv%d carries %d bytes (underlay MTU %d minus %d), less than the %d the '
             'overlay needs: raise the underlay MTU (openvnet_underlay_mtu or the NIC\'s)',
             peer, encapsulation, family, capacity, path, size, OVERLAY_MTU_MIN)
    forced = peer_vars.get('openvnet_overlay_mtu')
    if forced is not None and forced != '':
        forced = _number(peer, 'openvnet_overlay_mtu', forced)
        if forced < OVERLAY_MTU_MIN:
            fail('%s: openvnet_overlay_mtu %s is less than the %d the overlay needs', peer, forced, OVERLAY_MTU_MIN)
    else:
        forced = None
    mac = _mac(peer, peer_vars['openvnet_tunnel_mac']) if peer_vars.get('openvnet_tunnel_mac') else derived_mac(peer)
    device = _device_name(peer, peer_vars, encapsulation, hub['name'], mac)
    port = _text(peer, peer_vars, 'openvnet_tunnel_name', False)
    return {
        'name': device,
        'port': _port_name(peer, 'openvnet_tunnel_name', port) if port else derived_name(encapsulation, peer),
        # a port name the user did not give: topology() makes it unique among the hub's peers
        'port_derived': not port,
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
        'underlay_mtu': path,
        'tunnel_mtu': capacity,
        'forced_mtu': forced,
        'mtu': capacity,
        'key': key,
        'mac': mac,
        'interface_uuid': _text(peer, peer_vars, 'openvnet_interface_uuid', False) or 'if-' + uuid_suffix(peer),
    }


def _name_ok(value):
    return bool(PORT_NAME.fullmatch(value)) and not interface_name_problem('name', value, 'interface') and \
        not value.startswith('t-')


def hashed_name(prefix, host):
    """``<prefix>-x`` and hex digits of a hash of the host's name, 15 characters: stable, valid everywhere."""
    return '%s-x%s' % (prefix, hashlib.sha1(host.encode('utf-8')).hexdigest()[:15 - len(prefix) - 2])


def derived_name(prefix, host):
    """A device or port name the user did not give: ``<prefix>-<host>``; for a name that does not fit
    (an FQDN, 15 characters at most, letters, digits, _ . -) ``<prefix>-<first label>``, else
    :func:`hashed_name`."""
    for candidate in (host, host.split('.')[0]):
        if candidate and _name_ok('%s-%s' % (prefix, candidate)):
            return '%s-%s' % (prefix, candidate)
    return hashed_name(prefix, host)


def _kernel_device(name):
    return name in KERNEL_DEVICES or bool(KERNEL_DEVICE.match(name))


def _existing_devices(host_vars):
    """The peer's devices from its facts (``ansible_interfaces``): name -> MAC (None when it has none)."""
    facts = host_vars.get('ansible_facts') if isinstance(host_vars.get('ansible_facts'), dict) else {}
    names = host_vars.get('ansible_interfaces') or facts.get('interfaces') or []
    found = {}
    for name in names if isinstance(names, list) else []:
        key = str(name).replace('-', '_')
        details = host_vars.get('ansible_' + key) or facts.get(key) or {}
        found[str(name)] = parse_mac(details.get('macaddress')) if isinstance(details, dict) and \
            details.get('macaddress') else None
    return found


def _device_name(peer, peer_vars, encapsulation, hub, mac):
    """The peer's tunnel device: it may only name this tunnel. A device the peer has (its facts) is this
    tunnel when it has this tunnel's MAC (the model's, or the derived one of an earlier run); the kernel's
    fallback devices never are."""
    existing = _existing_devices(peer_vars)
    ours = (mac, derived_mac(peer))
    underlay = (peer_vars.get('openvnet_underlay_nic') or {}).get('device')
    given = _text(peer, peer_vars, 'openvnet_hub_tunnel_name', False)
    if not given:
        device = derived_name(encapsulation, hub)
        if _kernel_device(device) or device == underlay or (device in existing and existing[device] not in ours):
            device = hashed_name(encapsulation, '%s:%s' % (hub, peer))
        return device
    device = _port_name(peer, 'openvnet_hub_tunnel_name', given)
    if device == underlay:
        fail('%s: openvnet_hub_tunnel_name %s is its underlay NIC', peer, device)
    if _kernel_device(device):
        fail("%s: openvnet_hub_tunnel_name %s is a device the kernel makes itself (a tunnel module's fallback "
             "device): choose another name", peer, device)
    if device in existing and existing[device] not in ours:
        fail('%s: openvnet_hub_tunnel_name %s names a device %s already has (MAC %s), not this tunnel (%s): '
             'applying the tunnel would delete it; choose another name (if it is this tunnel from a run with '
             'another MAC, delete it first: ip link delete %s)', peer, device, peer, existing[device] or 'none', mac,
             device)
    return device


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
    try:
        return udp_port(value)
    except FieldProblem as problem:
        fail('%s: openvnet_tunnel_udp_port %s', host, problem)


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
        if hub_name is None:
            fail('%s has no hub: group openvnet_hubs is empty and %s sets no openvnet_hub; put the hub in '
                 'openvnet_hubs (and name it in openvnet_hub when there are several)', name, name)
        if hub_name not in hubs:
            fail('%s: its hub %s is not in openvnet_hubs (put one host there, or set openvnet_hub)', name, hub_name)
        if name in hubs:
            fail('%s is in both openvnet_hubs and openvnet_peers', name)
        peer = _peer(name, peer_vars, hubs[hub_name])
        peer['peer'] = name
        peers[name] = peer
        hub = hubs[hub_name]
        hub['peers'].append(peer)
    for hub in hubs.values():
        _unique_derived_ports(hub['peers'])
        _network_mtu(hub)
        for peer in hub['peers']:
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
        _one_encapsulation_per_udp_port(hub)
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


def _unique_derived_ports(peers):
    """Port names the user did not give that two peers of a hub would share (FQDNs with one first label):
    those made of a first label take their hashed name. A given name is never changed (a clash with one
    fails in topology(), naming both peers)."""
    counts = {}
    for peer in peers:
        if peer['port_derived']:
            counts[peer['port']] = counts.get(peer['port'], 0) + 1
    for peer in peers:
        # a name made of the whole inventory name stays; one made of a first label gives way
        if peer.pop('port_derived') and counts[peer['port']] > 1 and \
                peer['port'] != '%s-%s' % (peer['encapsulation'], peer['peer']):
            peer['port'] = hashed_name(peer['encapsulation'], peer['peer'])


def _network_mtu(hub):
    """One network, one broadcast domain, one MTU: every device of it gets the smallest MTU its tunnels
    carry, or the forced openvnet_overlay_mtu, which every tunnel must carry."""
    peers = hub['peers']
    forced = [p for p in peers if p['forced_mtu'] is not None]
    for peer in forced[1:]:
        if peer['forced_mtu'] != forced[0]['forced_mtu']:
            fail('%s (openvnet_overlay_mtu %s) and %s (openvnet_overlay_mtu %s) are peers of %s, one network with '
                 'one MTU: force one value (e.g. in group_vars)', forced[0]['peer'], forced[0]['forced_mtu'],
                 peer['peer'], peer['forced_mtu'], hub['name'])
    if forced:
        mtu = forced[0]['forced_mtu']
        for peer in peers:
            if peer['tunnel_mtu'] < mtu:
                fail('openvnet_overlay_mtu %s (set on %s) is more than the tunnel of %s carries (%s over IPv%d, %s): '
                     '%s bytes (its underlay MTU %s minus %s): every device of the network of %s has one MTU',
                     mtu, forced[0]['peer'], peer['peer'], peer['encapsulation'], peer['family'], peer['name'],
                     peer['tunnel_mtu'], peer['underlay_mtu'], peer['overhead'], hub['name'])
    else:
        mtu = min([p['tunnel_mtu'] for p in peers]) if peers else None
    for peer in peers:
        peer.pop('forced_mtu')
        peer['mtu'] = mtu
    hub['network_mtu'] = mtu


def _one_encapsulation_per_udp_port(hub):
    """A host receives one encapsulation on one UDP port (the kernel's vxlan_sys_N or genev_sys_N device
    holds it): a VXLAN and a Geneve peer of one hub on one port cannot both work."""
    seen = {}
    for peer in hub['peers']:
        if peer['dst_port'] is None:
            continue
        other = seen.setdefault(peer['dst_port'], peer)
        if other['encapsulation'] != peer['encapsulation']:
            fail('%s (%s) and %s (%s) are peers of %s on UDP port %s: a host receives one encapsulation on one UDP '
                 'port; give one of them another openvnet_tunnel_udp_port', other['peer'], other['encapsulation'],
                 peer['peer'], peer['encapsulation'], hub['name'], peer['dst_port'])


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
