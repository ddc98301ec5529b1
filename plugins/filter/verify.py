# -*- coding: utf-8 -*-
# Copyright: (c) 2026, OpenVNet collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Overlay checks, from the topology model: which probes each peer sends, what is wrong on a hub
(ports, controller, vna's flows), what is wrong on a peer's device, and the matrix of results."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import functools
import re

from ansible.errors import AnsibleFilterError

from ansible_collections.openvnet.openvnet.plugins.module_utils.addresses import same_address
from ansible_collections.openvnet.openvnet.plugins.module_utils.tunnel_fields import (
    port_keys, port_udp_port, read_key, read_udp_port)

ICMP_IPV4_HEADERS = 28  # 20 (IPv4) + 8 (ICMP)
# ping -w: keep probing until enough replies or this many seconds, so that a bridge whose
# controller has just (re)connected is not a failure; a broken overlay fails when it passes.
PROBE_DEADLINE = 20


def checked(inputs):
    """A filter that fails with a sentence, never a Python exception, on inputs it cannot read: a missing
    or wrong-typed value (not the topology model, not what verify.yml registered)."""
    def wrap(function):
        @functools.wraps(function)
        def run(*args, **kwargs):
            try:
                return function(*args, **kwargs)
            except AnsibleFilterError:
                raise
            except (KeyError, TypeError, AttributeError, ValueError, IndexError) as error:
                raise AnsibleFilterError('%s: its input is not %s (%s: %s)'
                                         % (function.__name__, inputs, type(error).__name__, error))
        return run
    return wrap


def _need(condition, function, what):
    if not condition:
        raise AnsibleFilterError('%s: %s' % (function, what))


def _model(topology, function):
    _need(isinstance(topology, dict) and isinstance(topology.get('hubs'), dict)
          and isinstance(topology.get('peers'), dict), function,
          'the topology model (openvnet_topology, from openvnet.openvnet.topology) is missing or not a model')


def _peer(topology, name):
    try:
        return topology['peers'][name]
    except (KeyError, TypeError):
        raise AnsibleFilterError('%s is not a peer of the topology model' % name)


@checked('a peer of the topology model, the model and what verify.yml read of its device')
def overlay_probes(peer, topology, pairs='ring', link=None):
    """From one peer: a ping to another peer of its hub, and one with don't-fragment set at the sender's
    own MTU: its device's as read (``link``, verify.yml's ``ip -d -o link show`` result), else the model's,
    so a pair that cannot carry it fails. ``ring``: to the next peer only (every tunnel still carries
    traffic both ways); ``mesh``: to every other peer of the same hub. Peers of different hubs are in
    different OpenVNet networks and are never probed."""
    if pairs not in ('ring', 'mesh'):
        raise AnsibleFilterError("overlay_probes: pairs must be 'ring' or 'mesh', not %r" % (pairs,))
    _model(topology, 'overlay_probes')
    me = _peer(topology, peer)
    hub = topology['hubs'].get(me['hub'])
    _need(isinstance(hub, dict), 'overlay_probes', '%s\'s hub %s is not in the topology model' % (peer, me['hub']))
    if pairs == 'mesh':
        others = [p['peer'] for p in hub['peers'] if p['peer'] != peer]
    else:
        others = hub['probes'].get(peer, [])
    read = read_device(link, {'rc': 0, 'stdout': ''}) if link is not None else None
    size = read['mtu'] if isinstance(read, dict) and read.get('mtu') else me['mtu']
    probes = []
    for other in others:
        address = _peer(topology, other)['address'].split('/')[0]
        probes.append({'peer': other, 'kind': 'ping', 'address': address,
                       'argv': ['ping', '-c', '3', '-i', '0.2', '-w', str(PROBE_DEADLINE), address]})
        probes.append({'peer': other, 'kind': 'df %d' % size, 'address': address, 'mtu': size,
                       'peer_mtu': _peer(topology, other)['mtu'],
                       'argv': ['ping', '-M', 'do', '-c', '2', '-i', '0.2', '-w', str(PROBE_DEADLINE),
                                '-s', str(size - ICMP_IPV4_HEADERS), address]})
    return probes


def _port(value):
    return str(value).strip('"')


@checked("a hub of the topology model and openvnet.openvnet.ovs_info's result")
def hub_faults(hub, info):
    """What is wrong on a hub, from the model of it and ``openvnet.openvnet.ovs_info``'s result
    (with flows when OpenVNet drives the bridge): each peer's port (present, to the right address,
    accepted by ovs-vswitchd), the controller, and vna's flows for each peer. Addresses compare in
    their canonical forms, keys and UDP ports with Open vSwitch's defaults (a vxlan or geneve port
    without ``key`` is VNI 0, without ``dst_port`` 4789 or 6081)."""
    _need(isinstance(hub, dict) and all(k in hub for k in ('name', 'bridge', 'peers', 'openvnet')), 'hub_faults',
          'the hub is not a hub of the topology model (openvnet_topology.hubs[<hub>])')
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
            # another type's settings do not compare with the model's
            faults.append('%s: type %s, the model has %s (%s over IPv%d)'
                          % (where, row.get('type'), peer['type'], peer['encapsulation'], peer['family']))
            continue
        if not same_address(options.get('remote_ip'), peer['local_ip']):
            faults.append('%s: remote_ip is %s, not %s' % (where, options.get('remote_ip'), peer['local_ip']))
        dst_port = port_udp_port(row.get('type'), options)
        if peer['dst_port'] is not None and dst_port != peer['dst_port']:
            faults.append('%s: dst_port %s, the peer sends to %s' % (where, dst_port, peer['dst_port']))
        keys = port_keys(row.get('type'), options)
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
                      keys=tuple(read_key(k) for k in keys))
    elif kind in UDP_KINDS:
        remote = _setting(words, 'remote')
        device.update(remote=remote, vni=read_key(_setting(words, 'id')), dst_port=read_udp_port(_setting(words, 'dstport')),
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
    if 'remote' in device and not same_address(device['remote'], peer['remote_ip']):
        faults.append('%s: remote %s, the hub is %s' % (name, device['remote'], peer['remote_ip']))
    if device.get('local') not in (None, 'any') and not same_address(device['local'], peer['local_ip']):
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
        faults.append('%s: mtu %s, the network\'s MTU is %s%s' % (
            name, device['mtu'], peer['mtu'], ': frames that large do not fit the path' if device['mtu'] > peer['mtu'] else ''))
    return faults


@checked("a peer of the topology model and an 'ip -d -o link show dev' result")
def tunnel_drift(peer, link):
    """How a peer's tunnel device differs from the model (its ``ip -d -o link show dev D`` result):
    missing, kind, MAC, MTU, endpoints, key or VNI, UDP port or checksums; [] when it matches.
    gretap_peer re-applies the tunnel when this is not empty, since the backends do not change an
    existing device."""
    _need(isinstance(peer, dict), 'tunnel_drift', 'the peer is not a peer of the topology model')
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


@checked('the topology model and hostvars')
def overlay_faults(topology, hostvars):
    """Every fault of the overlay, hub by hub: :func:`hub_faults` from each hub's ``ovs_info`` result
    (``verify_ovs``), then :func:`device_faults` of each of its peers, from ``ip -o link`` and ``ip -o
    -4 address`` on the peer (``verify_link``, ``verify_addresses``) and, with OpenVNet, the hub's
    ``openvnet_info`` list of interfaces (``openvnet_registered``). A host whose results are missing
    (unreachable, failed) is a fault."""
    _model(topology, 'overlay_faults')
    _need(hasattr(hostvars, '__getitem__') and not isinstance(hostvars, (str, list)), 'overlay_faults',
          'hostvars is not a mapping of hosts to their variables')
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
        mtus = []
        for peer in hub['peers']:
            device = read_device(_registered(hostvars, peer['peer'], 'verify_link'),
                                 _registered(hostvars, peer['peer'], 'verify_addresses'))
            if isinstance(device, dict) and device.get('mtu'):
                mtus.append((device['mtu'], peer))
            if hub['openvnet'] and peer['interface_uuid'] not in objects and cut:
                faults.append('%s: cannot tell whether %s is registered: OpenVNet listed %d of %d interfaces '
                              '(raise pagination_limit in webapi.conf)' % (peer['peer'], peer['interface_uuid'],
                                                                           len(objects), registered['total_count']))
                continue
            faults.extend(device_faults(peer, objects.get(peer['interface_uuid']), device, hub['openvnet']))
        faults.extend(_network_mtu_faults(name, mtus))
    return faults


def _network_mtu_faults(hub, mtus):
    """One network, one MTU: each device (as read) larger than the smallest of its network, naming both
    ends and both MTUs (the smaller one drops the larger one's full-size frames)."""
    if not mtus:
        return []
    smallest, small = min(mtus, key=lambda m: m[0])
    return ['%s: %s (%s, mtu %d) and %s (%s, mtu %d) are on one network: %s drops %s\'s frames over %d bytes'
            % (hub, peer['peer'], peer['name'], mtu, small['peer'], small['name'], smallest, small['peer'],
               peer['peer'], smallest)
            for mtu, peer in mtus if mtu > smallest]


@checked("the peers and hostvars with each peer's verify_pings")
def probe_matrix(peers, hostvars):
    """Rows ``{from, to, probe, ok, line}`` from each peer's registered probe results (``verify_pings``)."""
    _need(isinstance(peers, list), 'probe_matrix', 'peers is not a list of peers (groups.openvnet_peers)')
    rows = []
    for source in sorted(peers):
        results = (_registered(hostvars, source, 'verify_pings') or {}).get('results') or []
        passed = set(r['item']['peer'] for r in results if r['item']['kind'] == 'ping' and r.get('rc') == 0)
        for result in results:
            row = {'from': source, 'to': result['item']['peer'], 'probe': result['item']['kind'],
                   'ok': result.get('rc') == 0}
            outcome = 'ok' if row['ok'] else 'FAILED'
            item = result['item']
            if not row['ok'] and row['probe'].startswith('df ') and (item.get('mtu') or 0) > (item.get('peer_mtu') or 1 << 20):
                outcome += (" (%s sends %s bytes, %s's MTU is %s: one network has one MTU, run site.yml)"
                            % (source, item['mtu'], row['to'], item['peer_mtu']))
            elif not row['ok'] and row['probe'].startswith('df ') and row['to'] in passed:
                outcome += (' (a small ping passes, %s bytes with don\'t-fragment do not: the path\'s MTU is '
                            'below the overlay MTU; check the underlay MTUs or set openvnet_underlay_mtu)'
                            % row['probe'][3:])
            row['line'] = '%-6s -> %-6s %-9s %s' % (source, row['to'], row['probe'], outcome)
            rows.append(row)
    return rows


@checked('the topology model')
def tunnel_table(topology):
    """One line per tunnel, for the verification's output: both ends, encapsulation, family, key or VNI,
    UDP port, the network's MTU (every device of it has it) and what this tunnel carries (its underlay
    MTU less the encapsulation's overhead)."""
    _model(topology, 'tunnel_table')
    header = ('peer', 'hub', 'device', 'encap', 'under', 'key/vni', 'port',
              'mtu (tunnel = underlay - overhead)  local -> remote')
    lines = ['%-6s %-6s %-15s %-6s %-5s %-8s %-6s %s' % header]
    for name in sorted(topology['peers']):
        peer = topology['peers'][name]
        lines.append('%-6s %-6s %-15s %-6s IPv%-2d %-8s %-6s %d (%d = %d - %d)  %s -> %s' % (
            name, peer['hub'], peer['name'], peer['encapsulation'], peer['family'],
            'none' if peer['key'] is None else peer['key'], peer['dst_port'] or '-', peer['mtu'], peer['tunnel_mtu'],
            peer['tunnel_mtu'] + peer['overhead'], peer['overhead'], peer['local_ip'], peer['remote_ip']))
    return lines


# The Linux kinds gretap_peer makes, and the kernel's own devices it never deletes.
TUNNEL_KINDS = GRE_KINDS + UDP_KINDS


@checked("a peer of the topology model, an 'ip -d -o link show dev' result and the role's device names")
def foreign_device(peer, link, owned):
    """Why gretap_peer must leave the device named like the peer's tunnel alone, or '' when it may delete
    and make it again: absent, or a tunnel of a kind the role makes (gretap, ip6gretap, vxlan, geneve)
    that the collection made (the model's MAC, or a file of the role names it: ``owned``)."""
    _need(isinstance(peer, dict) and 'name' in peer, 'foreign_device', 'the peer is not a peer of the topology model')
    device = read_device(link, {'rc': 0, 'stdout': ''})
    if not isinstance(device, dict):
        return ''
    name = '%s: %s' % (peer['peer'], peer['name'])
    advice = 'it is left alone; set openvnet_hub_tunnel_name to another name, or delete it'
    if device['kind'] not in TUNNEL_KINDS:
        return '%s is a%s device, not a tunnel this collection makes: %s' % (
            name, ' ' + device['kind'] if device['kind'] else ' plain', advice)
    if device['mac'] != peer['mac'] and peer['name'] not in (owned or []):
        return '%s is a %s device this collection did not make (MAC %s, no file of gretap_peer names it): %s' % (
            name, device['kind'], device['mac'], advice)
    return ''


class FilterModule(object):
    def filters(self):
        return {'overlay_probes': overlay_probes, 'probe_matrix': probe_matrix, 'overlay_faults': overlay_faults,
                'tunnel_table': tunnel_table, 'foreign_device': foreign_device,
                'hub_faults': hub_faults, 'tunnel_drift': tunnel_drift}
