#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, OpenVNet collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: ovs_gre_port
short_description: Manage Open vSwitch GRE tunnel ports, one or many in one transaction
version_added: 1.0.0
description:
  - Creates, updates in place and removes GRE ports on an Open vSwitch bridge, the ports an
    OpenVNet hub has towards each peer (C(ovs-vsctl add-port br0 NAME -- set interface NAME
    type=gre options:...)).
  - Every column it manages (C(type), the whole C(options) map and the C(external_ids) keys it
    is given) is read back and corrected when it drifted, in one OVSDB transaction.
  - Input that Open vSwitch would refuse or ignore fails the task before any change; this
    includes two GRE ports with the same O(remote_ip), O(local_ip) and key on one datapath
    (within the task, or one of them already in OVSDB), which ovs-vswitchd would not set up.
  - The bulk form O(ports) manages a list of ports with one read and one transaction, and
    O(purge=true) removes the ports it owns on O(bridge) that are no longer listed.
author:
  - OpenVNet collection contributors (@openvnet)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - openvnet.openvnet.tunnel_port
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
  platform:
    platforms: posix
requirements:
  - ovs-vsctl (Open vSwitch) on the managed host
options:
  ports:
    description:
      - Bulk form; each item is one port. Options given at the top level (O(local_ip), O(key),
        O(tos), ...) are defaults for the items. An item that sets any of O(key),
        O(in_key), O(out_key) inherits none of them.
      - Mutually exclusive with O(name).
    type: list
    elements: dict
    suboptions:
      name:
        description: Port name, as O(name).
        type: str
        required: true
      remote_ip:
        description: As O(remote_ip).
        type: str
      local_ip:
        description: As O(local_ip).
        type: str
      key:
        description: As O(key).
        type: str
      in_key:
        description: As O(in_key).
        type: str
      out_key:
        description: As O(out_key).
        type: str
      tos:
        description: As O(tos).
        type: str
      ttl:
        description: As O(ttl).
        type: str
      csum:
        description: As O(csum).
        type: bool
      df_default:
        description: As O(df_default).
        type: bool
      mtu_request:
        description: As O(mtu_request).
        type: int
      external_ids:
        description: As O(external_ids); merged over the top-level O(external_ids).
        type: dict
      pmtud:
        description: As O(pmtud).
        type: bool
      local:
        description: As O(local).
        type: str
  purge:
    description:
      - With O(ports) and O(state=present), delete the ports on O(bridge) that this module
        created and that are not listed. Only tunnel ports carrying the ownership mark are
        purged; ports it did not create, and marked ports of any other kind, never are.
    type: bool
    default: false
  remote_ip:
    description:
      - The peer's underlay address (IPv4 or IPv6), C(options:remote_ip). Required when
        O(state=present).
      - A unicast host address; unspecified (V(0.0.0.0), V(::)), loopback, multicast, broadcast
        and IPv6 link-local (C(fe80::/10), which needs a scope OVS cannot be given) addresses
        are refused, for O(local_ip) as well. So is an address with a scope id
        (V(2001:db8::1%eth0)), which Open vSwitch does not take, whatever the address.
      - Addresses are compared as Open vSwitch and Linux compare them, not as text; another
        spelling of an IPv6 address (V(2001:DB8:0::1)) is that address, written compressed and
        in lower case, and an IPv4-mapped IPv6 address (V(::ffff:192.0.2.1)) is the IPv4
        address it maps, written as such (for O(local_ip) too).
    type: str
  key:
    description:
      - GRE key for both directions, C(options:key), a number from 0 to 4294967295 or V(flow).
        Both ends of a tunnel must agree. Excludes O(in_key) and O(out_key).
    type: str
  in_key:
    description: GRE key expected on received packets, C(options:in_key), as O(key).
    type: str
  out_key:
    description: GRE key set on sent packets, C(options:out_key), as O(key).
    type: str
  csum:
    description: GRE checksums, C(options:csum).
    type: bool
  mtu_request:
    description:
      - Always rejected. Open vSwitch ignores C(mtu_request) on tunnel ports (a GRE port has no
        MTU of its own), so it never had an effect. Set the MTU on the underlay NIC and on the
        overlay devices (the peers' gretap, the VMs' interfaces) instead.
      - A C(mtu_request) already in OVSDB (written by an older version) is left as it is.
    type: int
notes:
  - Reads are one C(ovs-vsctl --format=json) call; changes are one C(ovs-vsctl) call, that is one
    OVSDB transaction, whatever the number of ports.
  - The C(options) map of an owned port is replaced as a whole, so stale keys (a seed-era
    C(pmtud) or C(local)) are removed.
seealso:
  - module: openvnet.openvnet.ovs_tunnel_port
    description: The same for GRE over IPv6 (ip6gre), VXLAN and Geneve ports as well.
  - name: Open vSwitch interface options
    description: The C(options) column of the Interface table.
    link: https://www.openvswitch.org/support/dist-docs/ovs-vswitchd.conf.db.5.txt
'''

EXAMPLES = r'''
- name: The manual procedure's hub port towards sv1, done right
  openvnet.openvnet.ovs_gre_port:
    bridge: br0
    name: gre-sv1
    remote_ip: 192.0.2.11
    local_ip: 192.0.2.10

- name: Every peer of the hub in one transaction, removing ports of peers that left
  openvnet.openvnet.ovs_gre_port:
    bridge: br0
    local_ip: 192.0.2.10
    ports:
      - name: gre-sv1
        remote_ip: 192.0.2.11
      - name: gre-sv2
        remote_ip: 192.0.2.12
    purge: true

- name: Remove a port
  openvnet.openvnet.ovs_gre_port:
    bridge: br0
    name: gre-sv1
    state: absent
'''

RETURN = r'''
port:
  description:
    - The port after the task (empty when absent); single form only.
    - C(mtu_request) is what OVSDB holds; this module does not write it.
  returned: when O(name) is given
  type: dict
  sample:
    bridge: br0
    type: gre
    options: {remote_ip: 192.0.2.11, local_ip: 192.0.2.10}
    external_ids: {managed_by: openvnet.openvnet}
    mtu_request: null
ports:
  description: Each listed port after the task, by name (absent ports are left out); bulk form only.
  returned: when O(ports) is given
  type: dict
  sample:
    gre-sv1:
      bridge: br0
      type: gre
      options: {remote_ip: 192.0.2.11}
      external_ids: {managed_by: openvnet.openvnet}
      mtu_request: null
purged:
  description: Owned ports deleted because they are no longer listed (O(purge=true)).
  returned: when O(ports) is given
  type: list
  elements: str
  sample: [gre-sv3]
refused:
  description:
    - Port name to why ovs-vswitchd did not set the port up (its Interface C(error), an
      C(ofport) of -1), read back after the transaction (or, for ports the task leaves alone,
      from the one read); the task fails when there is any.
  returned: when ovs-vswitchd refused a port
  type: dict
  sample:
    gre-sv2: 'gre-sv2: could not add network device gre-sv2 to ofproto (File exists) (ofport -1)'
commands:
  description:
    - The ovs-vsctl command lines that changed OVSDB (in check mode, that would have); empty
      when nothing changed. There is at most one, since all changes are one transaction.
  returned: always
  type: list
  elements: list
  sample: [["/usr/bin/ovs-vsctl", "--timeout=30", "--", "add-port", "br0", "gre-sv1", "--",
            "set", "Interface", "gre-sv1", "type=gre", "options={\"remote_ip\"=\"192.0.2.11\"}",
            "external_ids:\"managed_by\"=\"openvnet.openvnet\""]]
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.openvnet.openvnet.plugins.module_utils.tunnel_port import (
    GRE, MODULE_RULES, PORT_OPTIONS, Failed, argument_spec, run)


def main():
    # ovs_tunnel_port's code (module_utils/tunnel_port.py) with the type fixed to gre.
    module = AnsibleModule(argument_spec=argument_spec(PORT_OPTIONS), **MODULE_RULES)
    try:
        result = run(module, GRE)
    except Failed as e:
        module.fail_json(msg=str(e), **e.result)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
