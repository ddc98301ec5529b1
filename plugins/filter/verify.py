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
        if row.get('type') != peer['type']:
            faults.append('%s: type %s, the model has %s (%s over IPv%d)'
                          % (where, row.get('type'), peer['type'], peer['encapsulation'], peer['family']))
        if options.get('remote_ip') != peer['local_ip']:
            faults.append('%s: remote_ip is %s, not %s' % (where, options.get('remote_ip'), peer['local_ip']))
        if peer['dst_port'] is not None and options.get('dst_port') != str(peer['dst_port']):
            faults.append('%s: dst_port %s, the peer sends to %s' % (where, options.get('dst_port'), peer['dst_port']))
        keys = _port_keys(options)
        if keys != (peer['key'], peer['key']):
            faults.append('%s: key %s, the model has %s: frames of the other end are dropped'
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


# The Linux kinds of a peer's tunnel device, by what carries their key: GRE's own header, or the VNI of
# a UDP encapsulation.
GRE_KINDS = ('gretap', 'ip6gretap')
UDP_KINDS = ('vxlan', 'geneve')


def _link_details(text):
    """The kind and its settings from one line of ``ip -d -o link show``: after the ``link/...`` part
    (``\\`` stands for a line break), iproute2 writes the kind, then its settings
    (``... maxmtu 0 \\    vxlan id 42 remote 2001:db8::10 ...``); ``(None, [])`` without them (``ip`` without
    ``-d``, or a device without a kind)."""
    parts = text.split('\\')
    words = parts[2].split() if len(parts) > 2 and parts[1].strip().startswith('link/') else []
    if not words or words[0] in ('altname', 'alias'):
        return None, []
    return words[0], words[1:]


def _setting(words, name):
    """The word after ``name`` among a kind's settings, or None."""
    return words[words.index(name) + 1] if name in words[:-1] else None


def _number(value):
    return int(value) if value is not None and value.isdigit() else value


def read_device(link, addresses):
    """A tunnel device from ``ip -d -o link show dev D`` and ``ip -o -4 address show dev D`` (registered
    command results; ``-o`` rather than ``-j``, which EL7's iproute2 lacks): ``{mac, mtu, addresses, kind}``
    (kind None when the output shows none) and, from the kind's settings, ``remote`` and ``local`` (none
    for geneve, which has no local address), then ``keys`` (in, out) for gretap and ip6gretap, or ``vni``,
    ``dst_port`` and ``csum`` (whether it sends UDP checksums: ``udp6zerocsumtx`` off over IPv6,
    ``udpcsum`` over IPv4) for vxlan and geneve; or a string saying why there is none."""
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
    kind, words = _link_details(text)
    device = {'mac': word('link/ether', '[0-9a-f]{2}(?::[0-9a-f]{2}){5}'), 'mtu': int(mtu) if mtu else None,
              'addresses': sorted(re.findall(r'\binet ([0-9.]+)/', str(addresses.get('stdout') or ''))),
              'kind': kind}
    if kind in GRE_KINDS:
        keys = (_setting(words, 'key'),) * 2 if 'key' in words else (_setting(words, 'ikey'), _setting(words, 'okey'))
        device.update(remote=_setting(words, 'remote'), local=_setting(words, 'local'),
                      keys=tuple(_key(k) if k is not None else None for k in keys))
    elif kind in UDP_KINDS:
        remote = _setting(words, 'remote')
        device.update(remote=remote, vni=_number(_setting(words, 'id')), dst_port=_number(_setting(words, 'dstport')),
                      csum='udp6zerocsumtx' not in words if ':' in str(remote) else 'udpcsum' in words)
        if kind == 'vxlan':
            device['local'] = _setting(words, 'local')
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
    """The device's own tunnel against the model: kind, endpoints, key or VNI, UDP port and checksums,
    and MTU (what ``ip -d`` shows)."""
    if device.get('kind') not in (None, peer['kind']):
        # another kind's settings do not compare with the model's
        return ['%s: a %s device, the model has %s' % (name, device['kind'], peer['kind'])]
    faults = []
    if 'remote' in device and device['remote'] != peer['remote_ip']:
        faults.append('%s: remote %s, the hub is %s' % (name, device['remote'], peer['remote_ip']))
    if device.get('local') not in (None, 'any', peer['local_ip']):
        faults.append('%s: local %s, the model has %s' % (name, device['local'], peer['local_ip']))
    if 'keys' in device and device['keys'] != (peer['key'], peer['key']):
        faults.append('%s: key %s, the hub\'s port has %s: GRE frames of the other end are dropped'
                      % (name, _keys_text(device['keys']), _keys_text((peer['key'], peer['key']))))
    if 'vni' in device and device['vni'] != peer['key']:
        faults.append('%s: VNI %s, the hub\'s port has %s: frames of the other end are dropped'
                      % (name, device['vni'], peer['key']))
    if 'dst_port' in device and device['dst_port'] != peer['dst_port']:
        faults.append('%s: sends to UDP port %s, the hub\'s port listens on %s' % (name, device['dst_port'], peer['dst_port']))
    if peer['csum'] and device.get('csum') is False:
        faults.append('%s: sends UDP without checksums over IPv6, which the hub drops' % name)
    if device.get('mtu') is not None and device['mtu'] != peer['mtu']:
        faults.append('%s: mtu %s, the model\'s overlay MTU is %s%s' % (
            name, device['mtu'], peer['mtu'], ': frames that large do not fit the path' if device['mtu'] > peer['mtu'] else ''))
    return faults


def tunnel_drift(peer, link):
    """How a peer's tunnel device differs from the model (its ``ip -d -o link show dev D`` result):
    missing, kind, MAC, MTU, endpoints, key or VNI, UDP port or checksums; [] when it matches.
    gretap_peer re-applies the tunnel when this is not empty, since the backends do not change an
    existing device."""
    device = read_device(link, {'rc': 0, 'stdout': ''})
    name = '%s: %s' % (peer['peer'], peer['name'])
    if not isinstance(device, dict):
        return ['%s: %s' % (name, device)]
    drift = _tunnel_faults(name, peer, device)
    if device['kind'] is None:
        drift.append('%s: not a %s device' % (name, peer['kind']))
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


def tunnel_table(topology):
    """One line per tunnel, for the verification's output: both ends, encapsulation, family, key or VNI,
    UDP port and the overlay MTU the probes use."""
    header = ('peer', 'hub', 'device', 'encap', 'under', 'key/vni', 'port', 'mtu (overhead)  local -> remote')
    lines = ['%-6s %-6s %-15s %-6s %-5s %-8s %-6s %s' % header]
    for name in sorted(topology['peers']):
        peer = topology['peers'][name]
        lines.append('%-6s %-6s %-15s %-6s IPv%-2d %-8s %-6s %d (%d)  %s -> %s' % (
            name, peer['hub'], peer['name'], peer['encapsulation'], peer['family'],
            'none' if peer['key'] is None else peer['key'], peer['dst_port'] or '-', peer['mtu'], peer['overhead'],
            peer['local_ip'], peer['remote_ip']))
    return lines


class FilterModule(object):
    def filters(self):
        return {'overlay_probes': overlay_probes, 'probe_matrix': probe_matrix, 'overlay_faults': overlay_faults,
                'tunnel_table': tunnel_table,
                'hub_faults': hub_faults, 'tunnel_drift': tunnel_drift}
