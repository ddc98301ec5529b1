# -*- coding: utf-8 -*-
# Copyright: (c) 2026, OpenVNet collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # What ovs_gre_port and ovs_tunnel_port document alike: notes (appended to each module's) and
    # options. Ansible merges options shallowly, so those whose text or suboptions differ (ports,
    # purge, type, remote_ip, key, in_key, out_key, dst_port, csum, mtu_request) stay in each module.
    DOCUMENTATION = r'''
notes:
  - Two runs at once converge. Each write is conditional on what was read (C(add-port) on no
    port of that name, C(del-port) and C(set) on the port being there; ovs-vsctl refuses the
    whole transaction otherwise). When it is refused, OVSDB is read again, and a port another run
    made (or deleted) exactly as this task wants it is left as it is (V(changed=false), or one
    more transaction for the other ports); a port it made into something else fails the task,
    naming it and what it is now.
  - It marks the ports it creates with C(external_ids:managed_by=openvnet.openvnet) and never
    changes or deletes a port without that mark (OpenVNet's vna creates its own C(t-*) GRE
    ports) unless O(force=true).
options:
  bridge:
    description:
      - The bridge the port(s) belong to. It must exist when O(state=present).
      - An owned port found on another bridge is moved to this one.
    type: str
    required: true
  name:
    description:
      - The port (and interface) name, at most 15 characters (the Linux interface name limit).
      - Mutually exclusive with O(ports).
    type: str
  local_ip:
    description:
      - This host's underlay address, C(options:local_ip). Same address family as O(remote_ip),
        and read as O(remote_ip) is (an IPv4-mapped IPv6 address is IPv4; a scope id is refused).
    type: str
  tos:
    description: Outer IP ToS, C(options:tos), 0 to 255 or V(inherit).
    type: str
  ttl:
    description: Outer IP TTL, C(options:ttl), 1 to 255 or V(inherit).
    type: str
  df_default:
    description: Set the don't-fragment bit on the outer header, C(options:df_default).
    type: bool
  external_ids:
    description:
      - C(external_ids) keys to set on the interface. Keys not listed are left as they are.
      - The key C(managed_by) is reserved for the ownership mark.
    type: dict
  pmtud:
    description:
      - Deprecated no-op. C(options:pmtud) has done nothing since Open vSwitch 1.10; it is
        accepted for compatibility with the manual procedure, never written, and warned about.
    type: bool
  local:
    description:
      - Always rejected. C(options:local=) in the manual procedure is not an Open vSwitch
        option (OVS ignores it); the option is O(local_ip).
    type: str
  force:
    description:
      - Manage a port of that name even though this module did not create it; V(present) adopts
        it (marks it as owned), V(absent) deletes it.
    type: bool
    default: false
  state:
    description:
      - Whether the port(s) should exist.
      - V(absent) deletes a port only from O(bridge); it fails, naming the bridge, when another
        bridge holds the port.
    type: str
    choices: [present, absent]
    default: present
  db:
    description:
      - ovsdb-server to talk to, as ovs-vsctl's C(--db), for example
        V(unix:/var/run/openvswitch/db.sock) or V(tcp:192.0.2.1:6640). ovs-vsctl's default
        when not given.
    type: str
  timeout:
    description: Seconds ovs-vsctl may take (its C(--timeout)), including waiting for ovs-vswitchd.
    type: int
    default: 30
'''
