# -*- coding: utf-8 -*-
# Copyright: (c) 2026, OpenVNet collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Overlay checks: which probes each peer sends, and the matrix of their results."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible.errors import AnsibleFilterError

from ansible_collections.openvnet.openvnet.plugins.filter.topology import peer_tunnel
from ansible_collections.openvnet.openvnet.plugins.module_utils.ovs import from_json

ICMP_IPV4_HEADERS = 28  # 20 (IPv4) + 8 (ICMP)
# ping -w: keep probing until enough replies or this many seconds. A standalone bridge whose
# controller (vna) is not connected switches nothing for its first 15 s (3 inactivity probes of
# 5 s); a broken overlay fails when the deadline passes.
PROBE_DEADLINE = 20


def overlay_probes(peer, hostvars, groups, pairs='ring'):
    """From one peer: a ping to another peer's overlay address, and one at the overlay MTU
    with don't-fragment set. ``ring``: to the next peer only (every tunnel still carries
    traffic both ways, and the whole check stays one probe pair per peer); ``mesh``: to
    every other peer (N - 1 pairs per peer)."""
    if pairs not in ('ring', 'mesh'):
        raise AnsibleFilterError("overlay_probes: pairs must be 'ring' or 'mesh', not %r" % (pairs,))
    mtu = int(peer_tunnel(peer, hostvars, groups)['mtu'])
    peers = list(groups.get('openvnet_peers', []))
    if pairs == 'mesh':
        others = [other for other in peers if other != peer]
    else:
        others = [peers[(peers.index(peer) + 1) % len(peers)]] if len(peers) > 1 else []
    probes = []
    for other in others:
        address = hostvars[other]['openvnet_overlay_address'].split('/')[0]
        probes.append({'peer': other, 'kind': 'ping', 'address': address,
                       'argv': ['ping', '-c', '3', '-i', '0.2', '-w', str(PROBE_DEADLINE), address]})
        probes.append({'peer': other, 'kind': 'df %d' % mtu, 'address': address,
                       'argv': ['ping', '-M', 'do', '-c', '2', '-i', '0.2', '-w', str(PROBE_DEADLINE), '-s', str(mtu - ICMP_IPV4_HEADERS), address]})
    return probes


def tunnel_faults(ovs_json, ports):
    """What is wrong with each expected hub port (``name``, ``remote_ip``), given the output of
    ``ovs-vsctl --format=json --columns=name,type,options,ofport,error find Interface type=gre``."""
    table = json.loads(ovs_json)
    rows = dict((row['name'], row) for row in
                (dict(zip(table['headings'], (from_json(cell) for cell in data))) for data in table['data']))
    faults = []
    for port in ports:
        row = rows.get(port['name'])
        if row is None:
            faults.append('%s: no GRE interface' % port['name'])
            continue
        remote = row['options'].get('remote_ip')
        if remote != port['remote_ip']:
            faults.append('%s: remote_ip is %s, not %s' % (port['name'], remote, port['remote_ip']))
        if row['error'] not in ([], None):
            faults.append('%s: %s' % (port['name'], row['error']))
        elif not isinstance(row['ofport'], int) or row['ofport'] <= 0:
            faults.append('%s: no OpenFlow port (ofport %s)' % (port['name'], row['ofport']))
    return faults


def probe_matrix(results_by_peer):
    """Rows ``{from, to, probe, ok, line}`` from each peer's registered probe results."""
    rows = []
    for source in sorted(results_by_peer):
        for result in results_by_peer[source] or []:
            row = {'from': source, 'to': result['item']['peer'], 'probe': result['item']['kind'],
                   'ok': result.get('rc') == 0}
            row['line'] = '%-6s -> %-6s %-9s %s' % (source, row['to'], row['probe'], 'ok' if row['ok'] else 'FAILED')
            rows.append(row)
    return rows


class FilterModule(object):
    def filters(self):
        return {'overlay_probes': overlay_probes, 'probe_matrix': probe_matrix, 'tunnel_faults': tunnel_faults}
