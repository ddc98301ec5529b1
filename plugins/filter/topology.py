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


class FilterModule(object):
    def filters(self):
        return {'hub_ports': hub_ports}
