# -*- coding: utf-8 -*-
# Copyright: (c) 2026, OpenVNet collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Overlay checks, from the topology model: which probes each peer sends, what is wrong on a hub
(ports, controller, vna's flows), what is wrong on a peer's device, and the matrix of results."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

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
    if not isinstance(info, dict) or 'bridges' not in info:
        return ['%s: could not read Open vSwitch: %s' % (hub['name'], (info or {}).get('msg', 'no result'))]
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
        options = row.get('options') or {}
        if options.get('remote_ip') != peer['local_ip']:
            faults.append('%s: remote_ip is %s, not %s' % (where, options.get('remote_ip'), peer['local_ip']))
        keys = _port_keys(options)
        if keys != (peer['key'], peer['key']):
            faults.append('%s: key %s, the model has %s: GRE frames of the other end are dropped'
                          % (where, _keys_text(keys), _keys_text((peer['key'], peer['key']))))
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


def _key(value):
    """A GRE key as OVS or iproute2 writes it (``5``, ``0x5``, ``0.0.0.5``) as a number, or the text."""
    value = str(value)
    try:
        if re.match(r'\d+(\.\d+){3}\Z', value):
            return sum(int(part) << shift for part, shift in zip(value.split('.'), (24, 16, 8, 0)))
        return int(value, 0)
    except ValueError:
        return value


def _port_keys(options):
    """(in, out) keys of an OVS tunnel port's options: ``key`` is both; none is no key."""
    both = options.get('key')
    return tuple(_key(k) if k is not None else None
                 for k in (options.get('in_key', both), options.get('out_key', both)))


def _keys_text(keys):
    keys = ['none' if k is None else k for k in keys]
    return str(keys[0]) if keys[0] == keys[1] else 'in %s out %s' % tuple(keys)


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


def read_device(link, addresses):
    """A tunnel device from ``ip -d -o link show dev D`` and ``ip -o -4 address show dev D`` (registered
    command results; ``-o`` rather than ``-j``, which EL7's iproute2 lacks): ``{mac, mtu, addresses}``
    and, when the output shows a gretap's details, ``remote``, ``local`` and ``keys`` (in, out); or a
    string saying why there is none."""
    for result in (link, addresses):
        if not isinstance(result, dict) or not result:
            return 'no result (unreachable?)'
        if result.get('unreachable'):
            return 'unreachable'
    if link.get('rc') != 0:
        return 'no such device (%s)' % (str(link.get('stderr') or '').strip() or 'rc %s' % link.get('rc'))
    text = str(link.get('stdout') or '')

    def word(name, pattern=r'\S+'):
        found = re.search(r' %s (%s)' % (name, pattern), text)
        return found.group(1) if found else None

    mtu = word('mtu', r'\d+')
    keys = (word('key'), word('key')) if word('key') else (word('ikey'), word('okey'))
    device = {'mac': word('link/ether', '[0-9a-f]{2}(?::[0-9a-f]{2}){5}'), 'mtu': int(mtu) if mtu else None,
              'addresses': sorted(re.findall(r'\binet ([0-9.]+)/', str(addresses.get('stdout') or '')))}
    if re.search(r' gretap remote ', text):  # ip -d: the tunnel's own settings
        device.update(remote=word('remote'), local=word('local'),
                      keys=tuple(_key(k) if k is not None else None for k in keys))
    return device


def device_faults(peer, registered, device, openvnet=True):
    """What differs between a peer's tunnel device (:func:`read_device`), what it must carry and the
    model. With OpenVNet, ``registered`` is its interface object in OpenVNet (None when absent), and vna
    passes only frames from its registered MAC and IPv4 address; without, the model is the reference."""
    name = '%s: %s' % (peer['peer'], peer['name'])
    if not isinstance(device, dict):
        return ['%s: %s' % (name, device)]
    want_address = peer['address'].split('/')[0]
    if not openvnet:
        registered, holder = {'mac_address': peer['mac'], 'ipv4_address': want_address}, 'the inventory'
    elif not isinstance(registered, dict):
        return ['%s: no interface %s registered in OpenVNet' % (name, peer['interface_uuid'])]
    else:
        holder = 'OpenVNet'
    faults = _tunnel_faults(name, peer, device)
    reg_mac = str(registered.get('mac_address') or '').lower() or None
    reg_address = registered.get('ipv4_address') or None
    if reg_mac is None or reg_address is None:
        # vna binds no MAC or address it has no lease for: nothing passes
        faults.append('%s: %s %s has no %s lease: vna passes nothing for it' % (
            name, holder, peer['interface_uuid'], 'MAC' if reg_mac is None else 'IPv4'))
    elif device['mac'] != reg_mac:
        faults.append('%s: MAC %s, but %s has %s: %s' % (
            name, device['mac'], holder, reg_mac, 'vna drops its frames' if openvnet else 'run site.yml'))
    for address in device['addresses']:
        if address != reg_address:
            faults.append('%s: address %s is not registered (%s has %s): %s' % (
                name, address, holder, reg_address, 'vna drops what it sends' if openvnet else 'run site.yml'))
    if reg_address is not None and reg_address not in device['addresses']:
        faults.append('%s: lacks its address %s' % (name, reg_address))
    if openvnet and (reg_mac, reg_address) != (peer['mac'], want_address):
        faults.append('%s: registration %s %s differs from the inventory %s %s: run site.yml'
                      % (name, reg_mac, reg_address, peer['mac'], want_address))
    return faults


def _tunnel_faults(name, peer, device):
    """The device's own tunnel against the model: endpoints, key and MTU (what ``ip -d`` shows)."""
    faults = []
    if 'remote' in device and device['remote'] != peer['remote_ip']:
        faults.append('%s: remote %s, the hub is %s' % (name, device['remote'], peer['remote_ip']))
    if device.get('local') not in (None, 'any', peer['local_ip']):
        faults.append('%s: local %s, the model has %s' % (name, device['local'], peer['local_ip']))
    if 'keys' in device and device['keys'] != (peer['key'], peer['key']):
        faults.append('%s: key %s, the hub\'s port has %s: GRE frames of the other end are dropped'
                      % (name, _keys_text(device['keys']), _keys_text((peer['key'], peer['key']))))
    if device.get('mtu') is not None and device['mtu'] != peer['mtu']:
        faults.append('%s: mtu %s, the model\'s overlay MTU is %s%s' % (
            name, device['mtu'], peer['mtu'], ': frames that large do not fit the path' if device['mtu'] > peer['mtu'] else ''))
    return faults


def tunnel_drift(peer, link):
    """How a peer's tunnel device differs from the model (its ``ip -d -o link show dev D`` result):
    missing, MAC, MTU, endpoints or key; [] when it matches. gretap_peer re-applies the tunnel when
    this is not empty, since the backends do not change an existing device."""
    device = read_device(link, {'rc': 0, 'stdout': ''})
    name = '%s: %s' % (peer['peer'], peer['name'])
    if not isinstance(device, dict):
        return ['%s: %s' % (name, device)]
    drift = _tunnel_faults(name, peer, device)
    if 'keys' not in device:
        drift.append('%s: not a gretap device' % name)
    if device['mac'] != peer['mac']:
        drift.append('%s: MAC %s, the model has %s' % (name, device['mac'], peer['mac']))
    return drift


def _registered(hostvars, host, name):
    """A variable registered on host, or None (an unreachable or failed host has none)."""
    try:
        return hostvars[host][name]
    except (KeyError, TypeError):
        return None


def overlay_faults(topology, hostvars):
    """Every fault of the overlay, hub by hub: :func:`hub_faults` from each hub's ``ovs_info`` result
    (``verify_ovs``), then :func:`device_faults` of each of its peers, from ``ip -o link`` and ``ip -o
    -4 address`` on the peer (``verify_link``, ``verify_addresses``) and, with OpenVNet, the hub's
    ``openvnet_info`` list of interfaces (``openvnet_registered``). A host whose results are missing
    (unreachable, failed) is a fault."""
    faults = []
    for name in sorted(topology['hubs']):
        hub = topology['hubs'][name]
        faults.extend(hub_faults(hub, _registered(hostvars, name, 'verify_ovs')))
        registered = _registered(hostvars, name, 'openvnet_registered') or {}
        objects = registered.get('objects') if isinstance(registered.get('objects'), list) else []
        objects = dict((o.get('uuid'), o) for o in objects if isinstance(o, dict))
        cut = (registered.get('total_count') or 0) > len(objects)
        if hub['openvnet'] and (not registered or registered.get('failed')):
            faults.append('%s: could not read OpenVNet\'s interfaces: %s' % (name, registered.get('msg', 'no result')))
            continue
        for peer in hub['peers']:
            device = read_device(_registered(hostvars, peer['peer'], 'verify_link'),
                                 _registered(hostvars, peer['peer'], 'verify_addresses'))
            if hub['openvnet'] and peer['interface_uuid'] not in objects and cut:
                faults.append('%s: cannot tell whether %s is registered: OpenVNet listed %d of %d interfaces '
                              '(raise pagination_limit in webapi.conf)' % (peer['peer'], peer['interface_uuid'],
                                                                           len(objects), registered['total_count']))
                continue
            faults.extend(device_faults(peer, objects.get(peer['interface_uuid']), device, hub['openvnet']))
    return faults


def probe_matrix(peers, hostvars):
    """Rows ``{from, to, probe, ok, line}`` from each peer's registered probe results (``verify_pings``)."""
    rows = []
    for source in sorted(peers):
        results = (_registered(hostvars, source, 'verify_pings') or {}).get('results') or []
        passed = set(r['item']['peer'] for r in results if r['item']['kind'] == 'ping' and r.get('rc') == 0)
        for result in results:
            row = {'from': source, 'to': result['item']['peer'], 'probe': result['item']['kind'],
                   'ok': result.get('rc') == 0}
            outcome = 'ok' if row['ok'] else 'FAILED'
            if not row['ok'] and row['probe'].startswith('df ') and row['to'] in passed:
                outcome += (' (a small ping passes, %s bytes with don\'t-fragment do not: the path\'s MTU is '
                            'below the overlay MTU; check the underlay MTUs or set openvnet_underlay_mtu)'
                            % row['probe'][3:])
            row['line'] = '%-6s -> %-6s %-9s %s' % (source, row['to'], row['probe'], outcome)
            rows.append(row)
    return rows


class FilterModule(object):
    def filters(self):
        return {'overlay_probes': overlay_probes, 'probe_matrix': probe_matrix, 'overlay_faults': overlay_faults,
                'hub_faults': hub_faults, 'tunnel_drift': tunnel_drift}
