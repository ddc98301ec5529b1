# -*- coding: utf-8 -*-
# Copyright: (c) 2026, OpenVNet collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The tunnel topology, computed from the inventory in one place."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

MAX_NAME = 15  # Linux interface names


def tunnel_name(peer, peer_vars):
    """The hub-side port name for a peer: openvnet_tunnel_name or gre-<peer>."""
    name = peer_vars.get('openvnet_tunnel_name') or 'gre-%s' % peer
    if len(name) > MAX_NAME:
        raise AnsibleFilterError(
            'tunnel name %r for peer %s is longer than %d characters; set openvnet_tunnel_name '
            'for that host' % (name, peer, MAX_NAME))
    return name


def hub_ports(peers, hostvars):
    """One ovs_gre_port item per peer: its tunnel name and underlay address."""
    ports = []
    for peer in peers:
        peer_vars = hostvars[peer]
        address = peer_vars.get('openvnet_underlay_address')
        if not address:
            raise AnsibleFilterError('peer %s has no openvnet_underlay_address' % peer)
        ports.append({'name': tunnel_name(peer, peer_vars), 'remote_ip': address})
    return ports


# Outer IPv4 header (20) + GRE header (4) + the inner Ethernet header (14) that gretap carries;
# a GRE key adds 4 more.
GRETAP_OVERHEAD = 38
GRE_KEY = 4


def overlay_mtu(underlay_mtu, key=False):
    """The largest overlay MTU whose GRE packets fit the underlay unfragmented."""
    return int(underlay_mtu) - GRETAP_OVERHEAD - (GRE_KEY if key else 0)


def peer_tunnel(peer, hostvars, groups):
    """A peer's end of its tunnel to the hub: the twin of the hub's port for it."""
    peer_vars = hostvars[peer]
    hubs = groups.get('openvnet_hubs') or []
    hub = peer_vars.get('openvnet_hub') or (hubs[0] if hubs else None)
    if not hub or hub not in hostvars:
        raise AnsibleFilterError('peer %s has no hub: put one host in openvnet_hubs (or set openvnet_hub)' % peer)
    for host, host_vars in ((peer, peer_vars), (hub, hostvars[hub])):
        if not host_vars.get('openvnet_underlay_address'):
            raise AnsibleFilterError('%s has no openvnet_underlay_address' % host)
    if not peer_vars.get('openvnet_overlay_address'):
        raise AnsibleFilterError('peer %s has no openvnet_overlay_address (e.g. 10.0.0.1/24)' % peer)
    name = peer_vars.get('openvnet_hub_tunnel_name') or tunnel_name(hub, {})
    return {
        'name': name,
        'hub': hub,
        'local_ip': peer_vars['openvnet_underlay_address'],
        'remote_ip': hostvars[hub]['openvnet_underlay_address'],
        'address': peer_vars['openvnet_overlay_address'],
        'mtu': peer_vars.get('openvnet_overlay_mtu') or overlay_mtu(
            peer_vars.get('openvnet_underlay_mtu') or 1500, bool(peer_vars.get('openvnet_tunnel_key'))),
        'key': peer_vars.get('openvnet_tunnel_key'),
    }


def nic_with_address(facts, address):
    """The facts of the interface holding address (primary or secondary), or {}."""
    for name in facts.get('interfaces', []):
        nic = facts.get(name.replace('-', '_'), {})
        addresses = [nic.get('ipv4', {})] + nic.get('ipv4_secondaries', [])
        if any(a.get('address') == address for a in addresses):
            return nic
    return {}


class FilterModule(object):
    def filters(self):
        return {'hub_ports': hub_ports, 'peer_tunnel': peer_tunnel, 'overlay_mtu': overlay_mtu,
                'nic_with_address': nic_with_address}
