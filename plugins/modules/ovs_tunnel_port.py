#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, OpenVNet collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: ovs_tunnel_port
short_description: Manage Open vSwitch tunnel ports (GRE, ip6gre, VXLAN, Geneve), one or many in one transaction
version_added: 1.2.0
description:
  - Creates, updates in place and removes tunnel ports on an Open vSwitch bridge, the ports an
    OpenVNet hub has towards each peer (C(ovs-vsctl add-port br0 NAME -- set interface NAME
    type=vxlan options:...)), of type C(gre) (GRE over IPv4), C(ip6gre) (GRE over IPv6),
    C(vxlan) or C(geneve) (over IPv4 or IPv6).
  - It is M(openvnet.openvnet.ovs_gre_port) with a O(type) and a O(dst_port); both modules run
    the same code. M(openvnet.openvnet.ovs_gre_port) stays as it is documented, for GRE, so
    that playbooks written for it keep their meaning; this module is the one for other types.
  - Every column it manages (C(type), the whole C(options) map and the C(external_ids) keys it
    is given) is read back and corrected when it drifted, in one OVSDB transaction. A port of
    another type is changed in place (type and options in the same C(set)); Open vSwitch keeps
    the port and its OpenFlow port number.
  - Input that Open vSwitch would refuse or ignore fails the task before any change; this
    includes two ports of one type with the same endpoints on one datapath (within the task, or
    one of them already in OVSDB, on any bridge of the datapath), which ovs-vswitchd would not
    set up. The endpoints are O(remote_ip), O(local_ip) and the receive key (O(in_key), else
    O(key), else 0) and, for C(vxlan) and C(geneve), the UDP destination port (O(dst_port),
    else 4789 and 6081). Ports of different types never have the same endpoints, but a
    datapath receives on a UDP port for one tunnel type only, so a C(vxlan) and a C(geneve) port
    with the same UDP destination port (O(dst_port), else 4789 and 6081) on one datapath are
    refused too, within the task or against any UDP tunnel port in OVSDB (this module's or not,
    C(lisp), C(gtpu) and C(bareudp) included), since ovs-vswitchd sets both up without an error
    and drops the packets of one of them.
  - The bulk form O(ports) manages a list of ports with one read and one transaction, and
    O(purge=true) removes the ports it owns on O(bridge) that are no longer listed, of any
    tunnel type.
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
      - Bulk form; each item is one port. Options given at the top level (O(type),
        O(local_ip), O(key), O(dst_port), ...) are defaults for the items. An item that sets
        any of O(key), O(in_key), O(out_key) inherits none of them.
      - An option of an item that is V(null) is not set (the item takes the top-level value, if
        any), so a list built by a template can carry every field.
      - Mutually exclusive with O(name).
    type: list
    elements: dict
    suboptions:
      name:
        description: Port name, as O(name).
        type: str
        required: true
      type:
        description: As O(type); the top-level O(type) when not set.
        type: str
        choices: [gre, ip6gre, vxlan, geneve]
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
      dst_port:
        description: As O(dst_port).
        type: int
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
      - With O(ports) and O(state=present), delete the ports on O(bridge) that this module (or
        M(openvnet.openvnet.ovs_gre_port)) created and that are not listed, whatever their
        tunnel type. Only tunnel ports carrying the ownership mark are purged; ports it did not
        create, and marked ports of any other kind, never are.
    type: bool
    default: false
  type:
    description:
      - The Interface type. V(gre) is GRE over IPv4 and V(ip6gre) GRE over IPv6, as
        C(ovs-vswitchd.conf.db(5)) defines them (userspace Open vSwitch 3.1 sets up either
        family on both, other datapaths need not), so V(gre) with an IPv6 O(remote_ip) and
        V(ip6gre) with an IPv4 one are refused, naming the other type.
        V(vxlan) and V(geneve) take either family.
      - M(openvnet.openvnet.ovs_gre_port), which predates this choice, writes C(type=gre) for
        IPv6 endpoints too (userspace Open vSwitch sets them up).
      - A port of another type is changed to this one in place.
    type: str
    choices: [gre, ip6gre, vxlan, geneve]
    default: gre
  remote_ip:
    description:
      - The peer's underlay address (IPv4 or IPv6, see O(type)), C(options:remote_ip). Required
        when O(state=present).
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
      - The key for both directions, C(options:key), or V(flow). For V(gre) and V(ip6gre) the
        GRE key, a number from 0 to 4294967295; for V(vxlan) and V(geneve) the VNI, a number
        from 0 to 16777215 (Open vSwitch takes a larger number without an error, but the VXLAN
        and Geneve headers have 24 bits for it). Both ends of a tunnel must agree. Excludes
        O(in_key) and O(out_key).
    type: str
  in_key:
    description: Key (VNI) expected on received packets, C(options:in_key), as O(key).
    type: str
  out_key:
    description: Key (VNI) set on sent packets, C(options:out_key), as O(key).
    type: str
  dst_port:
    description:
      - The UDP destination port, C(options:dst_port), 1 to 65535; only for V(vxlan) and
        V(geneve) (Open vSwitch ignores it on GRE ports, so it is refused there). Open vSwitch
        uses 4789 (VXLAN) and 6081 (Geneve) when it is not set.
      - Ports of one type that differ only in O(dst_port) are distinct tunnels. A C(vxlan) and a
        C(geneve) port cannot share one on a datapath (see above).
    type: int
  csum:
    description:
      - Checksums on the encapsulation header (GRE or UDP) of sent packets, C(options:csum).
        V(false) writes C(csum=false); not set leaves it out (Open vSwitch's default, off).
      - Linux receivers drop VXLAN and Geneve packets over IPv6 without a UDP checksum by
        default, so set it to V(true) for those.
    type: bool
  mtu_request:
    description:
      - Always rejected. Open vSwitch ignores C(mtu_request) on tunnel ports (a tunnel port has
        no MTU of its own), so it never had an effect. Set the MTU on the underlay NIC and on
        the overlay devices (the peers' tunnel devices, the VMs' interfaces) instead.
      - A C(mtu_request) already in OVSDB (written by an older version) is left as it is.
    type: int
notes:
  - Reads are one C(ovs-vsctl --format=json) call; changes are one C(ovs-vsctl) call, that is one
    OVSDB transaction, whatever the number of ports.
  - The C(options) map of an owned port is replaced as a whole, so stale keys (a seed-era
    C(pmtud) or C(local), a C(dst_port) no longer given) are removed.
  - Both modules set and honour the same ownership mark, so a port made by
    M(openvnet.openvnet.ovs_gre_port) can be turned into a VXLAN port by this module, in place.
seealso:
  - module: openvnet.openvnet.ovs_gre_port
    description: The GRE-only module this one extends; the same code, without O(type) and O(dst_port).
  - name: Open vSwitch interface options
    description: The C(type) and C(options) columns of the Interface table.
    link: https://www.openvswitch.org/support/dist-docs/ovs-vswitchd.conf.db.5.txt
'''

EXAMPLES = r'''
- name: A VXLAN port towards sv1, VNI 100, over IPv4
  openvnet.openvnet.ovs_tunnel_port:
    bridge: br0
    name: vxlan-sv1
    type: vxlan
    remote_ip: 192.0.2.11
    local_ip: 192.0.2.10
    key: 100

- name: Geneve over IPv6, with UDP checksums (Linux drops zero-checksum UDP over IPv6)
  openvnet.openvnet.ovs_tunnel_port:
    bridge: br0
    name: geneve-sv2
    type: geneve
    remote_ip: 2001:db8::12
    local_ip: 2001:db8::10
    key: 100
    csum: true

- name: GRE over IPv6 (Open vSwitch's type ip6gre)
  openvnet.openvnet.ovs_tunnel_port:
    bridge: br0
    name: gre-sv3
    type: ip6gre
    remote_ip: 2001:db8::13
    local_ip: 2001:db8::10

- name: Every peer of the hub in one transaction, whatever its encapsulation; ports of peers that left are removed
  openvnet.openvnet.ovs_tunnel_port:
    bridge: br0
    ports:
      - {name: gre-sv1, type: gre, remote_ip: 192.0.2.11, local_ip: 192.0.2.10, key: null, dst_port: null, csum: false}
      - {name: vxlan-sv2, type: vxlan, remote_ip: 192.0.2.12, local_ip: 192.0.2.10, key: 0, dst_port: 4789, csum: false}
      - {name: geneve-sv3, type: geneve, remote_ip: 2001:db8::13, local_ip: 2001:db8::10, key: 7, dst_port: 6081, csum: true}
    purge: true

- name: Remove a port
  openvnet.openvnet.ovs_tunnel_port:
    bridge: br0
    name: vxlan-sv1
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
    type: vxlan
    options: {remote_ip: 192.0.2.11, local_ip: 192.0.2.10, key: '100'}
    external_ids: {managed_by: openvnet.openvnet}
    mtu_request: null
ports:
  description: Each listed port after the task, by name (absent ports are left out); bulk form only.
  returned: when O(ports) is given
  type: dict
  sample:
    vxlan-sv2:
      bridge: br0
      type: vxlan
      options: {remote_ip: 192.0.2.12, local_ip: 192.0.2.10, key: '0', dst_port: '4789', csum: 'false'}
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
    vxlan-sv2: 'vxlan-sv2: could not add network device vxlan-sv2 to ofproto (File exists) (ofport -1)'
commands:
  description:
    - The ovs-vsctl command lines that changed OVSDB (in check mode, that would have); empty
      when nothing changed. There is at most one, since all changes are one transaction.
  returned: always
  type: list
  elements: list
  sample: [["/usr/bin/ovs-vsctl", "--timeout=30", "--", "add-port", "br0", "vxlan-sv1", "--",
            "set", "Interface", "vxlan-sv1", "type=vxlan",
            "options={\"key\"=\"100\", \"local_ip\"=\"192.0.2.10\", \"remote_ip\"=\"192.0.2.11\"}",
            "external_ids:\"managed_by\"=\"openvnet.openvnet\""]]
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.openvnet.openvnet.plugins.module_utils.tunnel_port import (
    MODULE_RULES, PORT_OPTIONS, Failed, TUNNEL, TYPE_OPTIONS, TYPES, argument_spec, run)


def main():
    # ovs_gre_port's code (module_utils/tunnel_port.py) with a type and a dst_port.
    module = AnsibleModule(
        argument_spec=argument_spec(dict(PORT_OPTIONS, **TYPE_OPTIONS),
                                    type=dict(type='str', choices=list(TYPES), default='gre')),
        **MODULE_RULES)
    try:
        result = run(module, TUNNEL)
    except Failed as e:
        module.fail_json(msg=str(e), **e.result)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
