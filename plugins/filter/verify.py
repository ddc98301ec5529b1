# -*- coding: utf-8 -*-
# Copyright: (c) 2026, OpenVNet collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Overlay checks, from the topology model: which probes each peer sends, what is wrong on a hub
(ports, controller, vna's flows), what is wrong on a peer's device, and the matrix of results."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible.errors import AnsibleFilterError

ICMP_IPV4_HEADERS = 28  # 20 (IPv4) + 8 (ICMP)
# ping -w: keep probing until enough replies or this many seconds, so that a bridge whose
# controller has just (re)connected is not a failure; a broken overlay fails when it passes.
PROBE_DEADLINE = 20


def _peer(topology, name):
    try:
        return topology['peers'][name]
    except (KeyError, TypeError):
        raise AnsibleFilterError('%s is not a peer of the topology model' % name)


def overlay_probes(peer, topology, pairs='ring'):
    """From one peer: a ping to another peer of its hub, and one at the overlay MTU with
    don't-fragment set. ``ring``: to the next peer only (every tunnel still carries traffic both
    ways); ``mesh``: to every other peer of the same hub. Peers of different hubs are in different
    OpenVNet networks and are never probed."""
    if pairs not in ('ring', 'mesh'):
        raise AnsibleFilterError("overlay_probes: pairs must be 'ring' or 'mesh', not %r" % (pairs,))
    me = _peer(topology, peer)
    hub = topology['hubs'][me['hub']]
    if pairs == 'mesh':
        others = [p['peer'] for p in hub['peers'] if p['peer'] != peer]
    else:
        others = hub['probes'].get(peer, [])
    probes = []
    for other in others:
        address = _peer(topology, other)['address'].split('/')[0]
        size = min(me['mtu'], _peer(topology, other)['mtu'])
        probes.append({'peer': other, 'kind': 'ping', 'address': address,
                       'argv': ['ping', '-c', '3', '-i', '0.2', '-w', str(PROBE_DEADLINE), address]})
        probes.append({'peer': other, 'kind': 'df %d' % size, 'address': address,
                       'argv': ['ping', '-M', 'do', '-c', '2', '-i', '0.2', '-w', str(PROBE_DEADLINE),
                                '-s', str(size - ICMP_IPV4_HEADERS), address]})
    return probes


def _port(value):
    return str(value).strip('"')


def hub_faults(hub, info):
    """What is wrong on a hub, from the model of it and ``openvnet.openvnet.ovs_info``'s result
    (with flows when OpenVNet drives the bridge): each peer's port (present, to the right address,
    accepted by ovs-vswitchd), the controller, and vna's flows for each peer."""
    faults = []
    interfaces = info.get('interfaces') or {}
    bridge = (info.get('bridges') or {}).get(hub['bridge'])
    if bridge is None:
        return ['%s: no bridge %s' % (hub['name'], hub['bridge'])]
    flows = (info.get('flows') or {}).get(hub['bridge']) or []
    if hub['openvnet']:
        if not any(c.get('is_connected') for c in bridge.get('controllers') or []):
            faults.append('%s: %s has no connected controller (vna): the bridge forwards nothing (fail mode secure)'
                          % (hub['name'], hub['bridge']))
    for peer in hub['peers']:
        name = peer['port']
        row = interfaces.get(name)
        where = '%s: port %s (to %s)' % (hub['name'], name, peer['peer'])
        if row is None or name not in (bridge.get('ports') or []):
            faults.append('%s: missing' % where)
            continue
        remote = (row.get('options') or {}).get('remote_ip')
        if remote != peer['local_ip']:
            faults.append('%s: remote_ip is %s, not %s' % (where, remote, peer['local_ip']))
        if row.get('error'):
            faults.append('%s: %s' % (where, row['error']))
            continue
        ofport = row.get('ofport')
        if not isinstance(ofport, int) or ofport <= 0:
            faults.append('%s: no OpenFlow port (ofport %s)' % (where, ofport))
            continue
        if hub['openvnet']:
            faults.extend('%s: %s' % (where, f) for f in _vif_flow_faults(flows, ofport, name, peer))
    return faults


def _vif_flow_faults(flows, ofport, name, peer):
    """vna's flows for one bound vif: table 0 classifies its port, table 20 admits its MAC and
    address, table 43 delivers to them."""
    mac, address = peer['mac'], peer['address'].split('/')[0]
    faults = []

    def has(table, predicate):
        return any(f.get('table') == table and predicate(f.get('match') or {}) for f in flows)

    if not has(0, lambda m: _port(m.get('in_port')) in (str(ofport), name)):
        faults.append('no vna flow classifies it (table 0): its interface is not bound, check port_name')
    if not has(20, lambda m: str(m.get('dl_src', m.get('eth_src'))).lower() == mac
               and address in (m.get('nw_src'), m.get('arp_spa'), m.get('ipv4_src'))):
        faults.append('vna does not admit %s %s (table 20): registration differs' % (mac, address))
    if not has(43, lambda m: str(m.get('dl_dst', m.get('eth_dst'))).lower() == mac):
        faults.append('vna delivers nothing to %s (table 43)' % mac)
    return faults


def device_faults(peer, registered, device):
    """What differs between a peer's tunnel device (``ip -j address show dev``), its registration in
    OpenVNet (the interface object, or None) and the model: vna passes only frames from the
    registered MAC and IPv4 address."""
    name = '%s: %s' % (peer['peer'], peer['name'])
    faults = []
    if not device:
        return ['%s: no such device' % name]
    mac = str(device.get('address', '')).lower()
    addresses = sorted(a['local'] for a in device.get('addr_info') or [] if a.get('family') == 'inet')
    want_address = peer['address'].split('/')[0]
    if registered is None:
        faults.append('%s: no interface %s registered in OpenVNet' % (name, peer['interface_uuid']))
        registered = {}
    reg_mac = str(registered.get('mac_address') or peer['mac']).lower()
    reg_address = registered.get('ipv4_address') or want_address
    if mac != reg_mac:
        faults.append('%s: MAC %s, but OpenVNet has %s registered: vna drops its frames' % (name, mac, reg_mac))
    for address in addresses:
        if address != reg_address:
            faults.append('%s: address %s is not registered (OpenVNet has %s): vna drops what it sends'
                          % (name, address, reg_address))
    if reg_address not in addresses:
        faults.append('%s: lacks its registered address %s' % (name, reg_address))
    if registered and (reg_mac != peer['mac'] or reg_address != want_address):
        faults.append('%s: registration %s %s differs from the inventory %s %s: run site.yml'
                      % (name, reg_mac, reg_address, peer['mac'], want_address))
    return faults


def _registered(hostvars, host, name):
    """A variable registered on host, or None (an unreachable or failed host has none)."""
    try:
        return hostvars[host][name]
    except (KeyError, TypeError):
        return None


def overlay_faults(topology, hostvars):
    """Every fault of the overlay, hub by hub: :func:`hub_faults` from each hub's ``ovs_info`` result
    (``verify_ovs``), then :func:`device_faults` of each of its peers, from ``ip -j address show dev``
    on the peer (``verify_device``) and, with OpenVNet, the hub's ``openvnet_info`` list of interfaces
    (``openvnet_registered``). A host whose result is missing (unreachable) is a fault."""
    hubs = list(topology['hubs'])
    peers = list(topology['peers'])
    ovs_by_hub = dict((h, _registered(hostvars, h, 'verify_ovs')) for h in hubs)
    registered_by_hub = dict((h, _registered(hostvars, h, 'openvnet_registered')) for h in hubs)
    devices_by_peer = dict((p, _registered(hostvars, p, 'verify_device')) for p in peers)
    faults = []
    for name in sorted(topology['hubs']):
        hub = topology['hubs'][name]
        info = (ovs_by_hub or {}).get(name)
        if not info or info.get('failed'):
            faults.append('%s: could not read Open vSwitch: %s' % (name, (info or {}).get('msg', 'no result')))
        else:
            faults.extend(hub_faults(hub, info))
        registered = (registered_by_hub or {}).get(name) or {}
        objects = dict((o.get('uuid'), o) for o in registered.get('objects') or [])
        cut = (registered.get('total_count') or 0) > len(objects)
        for peer in hub['peers']:
            result = (devices_by_peer or {}).get(peer['peer']) or {}
            device = None
            if result.get('rc') == 0:
                try:
                    device = (json.loads(result.get('stdout') or '[]') or [None])[0]
                except ValueError:
                    device = None
            if not hub['openvnet']:
                expected = {'mac_address': peer['mac'], 'ipv4_address': peer['address'].split('/')[0]}
                faults.extend(f for f in device_faults(peer, expected, device) if 'registration' not in f)
            elif peer['interface_uuid'] not in objects and cut:
                faults.append('%s: cannot tell whether %s is registered: OpenVNet listed %d of %d interfaces '
                              '(raise pagination_limit in webapi.conf)' % (peer['peer'], peer['interface_uuid'],
                                                                           len(objects), registered['total_count']))
            else:
                faults.extend(device_faults(peer, objects.get(peer['interface_uuid']), device))
    return faults


def probe_matrix(peers, hostvars):
    """Rows ``{from, to, probe, ok, line}`` from each peer's registered probe results (``verify_pings``)."""
    rows = []
    for source in sorted(peers):
        for result in (_registered(hostvars, source, 'verify_pings') or {}).get('results') or []:
            row = {'from': source, 'to': result['item']['peer'], 'probe': result['item']['kind'],
                   'ok': result.get('rc') == 0}
            row['line'] = '%-6s -> %-6s %-9s %s' % (source, row['to'], row['probe'], 'ok' if row['ok'] else 'FAILED')
            rows.append(row)
    return rows


class FilterModule(object):
    def filters(self):
        return {'overlay_probes': overlay_probes, 'probe_matrix': probe_matrix, 'overlay_faults': overlay_faults,
                'hub_faults': hub_faults}
