#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, OpenVNet collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: openvnet_registrations
short_description: Converge whole sets of OpenVNet datapaths, networks and interfaces in one run
version_added: 1.1.0
description:
  - Registers every datapath, network and interface listed, in one module run, instead of one run
    (and three reads) per resource as M(openvnet.openvnet.openvnet_interface) does. Meant for a hub
    with hundreds of peers.
  - "Reads: one list request per kind when OpenVNet's page holds everything (C(pagination_limit) in
    C(webapi.conf), 30 unless raised). When a list is cut short the next page is asked for once
    (C(?offset=N&limit=N)); OpenVNet develop ignores those, and then the wanted uuids not yet seen
    are read one by one, with a warning that O(purge) could only see part of the resources."
  - "Every resource this module creates is marked: its C(display_name) is C(<marker>[<owner>]: <label>)
    (C(<marker>: <label>) without O(owner)), where the label is the item's O(datapaths[].display_name)
    or its uuid. An interface's name also records the port and owner datapath the WebAPI does not list:
    C(<marker>[<owner>]: <label> [port <port_name> on <owner_datapath_uuid>]) (parts that are not set are
    left out). The mark is parsed whole: only resources whose mark names exactly this O(marker) and
    O(owner) are purged or deleted, so two hubs sharing one WebAPI never touch each other's
    registrations, nor a user's resource whose name merely starts like a mark. A network several owners
    want (one subnet) names them all (C(<marker>[dp-a,dp-b]: ...)); purge or O(state=absent) removes only
    this owner from it, and deletes it when no owner is left. The interface ports are read (one request
    for that interface) only when the stored name differs from the wanted one."
  - "Before a delete or a re-create, what OpenVNet would destroy with the resource is read completely
    (axsh/openvnet vnet/lib/vnet/models/network.rb, datapath.rb, interface.rb): a network's interfaces
    (their IP leases), datapath networks and routes; a datapath's interface ports and datapath networks;
    a C(host) interface's datapath networks. Interfaces this task lists are re-created after their network
    or owner datapath; anything else fails the task before any change, named (O(purge) keeps the resource,
    with a warning). When OpenVNet cuts a list short, nothing that list would decide is deleted."
  - Writes are the differences only, in dependency order (datapaths, networks, interfaces; deletes
    in reverse). Display names and domain names change in place. Other fields cannot be changed by
    OpenVNet; by default (O(recreate=true)) the resource is deleted and re-created, after checking
    the new one can be created, and the old one is created again if that fails. Interfaces follow
    a re-created network or owner datapath.
  - A wanted uuid that exists without the marker (made by someone else) fails the task before any
    change, unless O(force=true), which adopts it.
author:
  - OpenVNet collection contributors (@openvnet)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - openvnet.openvnet.openvnet
attributes:
  check_mode:
    support: full
    details: The same reads and the same planned actions, without any write.
  diff_mode:
    support: full
    details: Before and after of each resource changed, by kind and uuid.
  platform:
    platforms: posix
options:
  datapaths:
    description: The datapaths (Open vSwitch bridges driven by a vna).
    type: list
    elements: dict
    default: []
    suboptions:
      uuid:
        description: C(dp-) followed by 1 to 16 of C([a-z0-9]).
        type: str
        required: true
      dpid:
        description:
          - 16 hex digits with or without C(0x), or the MAC the dpid is derived from (C(0000) + MAC).
          - A string; quote it (YAML reads some unquoted values, such as digits with leading zeros, as numbers).
          - Required with O(state=present).
        type: raw
      node_id:
        description: The id of the vna driving it (C(node.id) in its C(vna.conf)). A string; required with O(state=present).
        type: raw
      display_name:
        description: The label in the stored display name; the uuid when not given. A string.
        type: raw
  networks:
    description: The networks.
    type: list
    elements: dict
    default: []
    suboptions:
      uuid:
        description: C(nw-) followed by 1 to 16 of C([a-z0-9]).
        type: str
        required: true
      ipv4_network:
        description: C(10.0.0.0/24), or C(10.0.0.0) with O(networks[].ipv4_prefix). No host bits. Required with O(state=present).
        type: raw
      ipv4_prefix:
        description: The prefix length (1 to 32) when O(networks[].ipv4_network) has none; 24 when neither says.
        type: int
      mode:
        description: The network mode.
        type: str
        choices: [virtual, physical, internal]
        default: virtual
      display_name:
        description: The label in the stored display name; the uuid when not given. A string.
        type: raw
      domain_name:
        description: The network's DNS domain, changed in place. A string.
        type: raw
  interfaces:
    description: The interfaces (VM or peer NICs, host uplinks, simulated services).
    type: list
    elements: dict
    default: []
    suboptions:
      uuid:
        description: C(if-) followed by 1 to 16 of C([a-z0-9]).
        type: str
        required: true
      mode:
        description: The interface mode.
        type: str
        choices: [vif, host, simulated, patch, internal, promiscuous, remote]
        default: vif
      owner_datapath_uuid:
        description: The datapath (C(dp-...)) whose port this interface is.
        type: str
      network_uuid:
        description: The network (C(nw-...)) of O(interfaces[].ipv4_address); required with it.
        type: str
      mac_address:
        description: The MAC address (a string; quote it), required with O(interfaces[].ipv4_address).
        type: raw
      ipv4_address:
        description: The address; checked against its network's range (from O(networks) or OpenVNet).
        type: raw
      port_name:
        description: The Open vSwitch port name. A string.
        type: raw
      display_name:
        description: The label in the stored display name; the uuid when not given. A string.
        type: raw
  purge:
    description:
      - Delete the marked resources of each kind that are not listed (interfaces, then networks, then
        datapaths). Resources without the marker are never touched.
      - A marked network or datapath still used by an interface that stays is kept, with a warning.
    type: bool
    default: false
  marker:
    description:
      - The first part of the display name of every resource this module manages; 1-64 of letters,
        digits and C(. _ / -).
    type: str
    default: openvnet.openvnet
  owner:
    description:
      - Who owns what this task marks, written into the mark (C(<marker>[<owner>]:)); 1-64 of lower-case
        letters, digits and C(. _ -). The openvnet.openvnet.openvnet role gives the hub's datapath uuid.
      - Without it the mark is C(<marker>:) and only resources marked without an owner are this task's.
      - Resources marked by release 1.2.0 (C(<marker>:), no owner) and listed by the task are taken over
        (their display name gains the owner); unlisted ones are never purged by an owner, since 1.2.0 did
        not record which hub made them.
    type: str
  force:
    description:
      - Adopt listed resources that exist without this task's mark (a user's, or another owner's; their
        display name is rewritten with this mark), and, with O(state=absent), delete them. Without it such a
        resource fails the task before any change. Unlisted resources are never adopted.
    type: bool
    default: false
  recreate:
    description:
      - Delete and re-create a resource whose fixed fields differ (datapath dpid and node_id; network
        address, prefix and mode; interface mode, MAC, address, network, port and owner).
      - When false, such a difference fails the task before any change, listing them.
    type: bool
    default: true
  state:
    description:
      - V(present) converges the listed resources.
      - V(absent) deletes exactly the listed uuids that exist and are marked (all fields but C(uuid) are ignored).
    type: str
    choices: [present, absent]
    default: present
notes:
  - OpenVNet's list routes return at most C(pagination_limit) items (C(webapi.conf), default 30) and
    ignore C(offset)/C(limit); the C(openvnet.openvnet.openvnet) role sets it from
    C(openvnet_webapi_pagination_limit) (1000), which makes every read one request per kind.
  - The WebAPI transport (O(transport=api)) is the safer choice here; a stock vnctl may not pass
    C(display_name) for interfaces, which this module detects and reports.
seealso:
  - module: openvnet.openvnet.openvnet_interface
  - module: openvnet.openvnet.openvnet_datapath
  - module: openvnet.openvnet.openvnet_network
'''

EXAMPLES = r'''
- name: The hub, its virtual network and one interface per peer, in one run
  openvnet.openvnet.openvnet_registrations:
    transport: api
    datapaths:
      - {uuid: dp-test1, dpid: "{{ ansible_facts.eth1.macaddress }}", node_id: vna, display_name: test1}
    networks:
      - {uuid: nw-test1, ipv4_network: 10.0.0.0/24, display_name: test1-net}
    interfaces: "{{ peers | map('combine', {'owner_datapath_uuid': 'dp-test1', 'network_uuid': 'nw-test1'}) }}"
    purge: true
  vars:
    peers:
      - {uuid: if-sv1, mac_address: "EE:99:D5:67:FD:52", ipv4_address: 10.0.0.1, port_name: tap1}
      - {uuid: if-sv2, mac_address: "2A:27:6E:63:5E:E5", ipv4_address: 10.0.0.2, port_name: tap2}

- name: Remove two interfaces this module made
  openvnet.openvnet.openvnet_registrations:
    interfaces: [{uuid: if-sv1}, {uuid: if-sv2}]
    state: absent
'''

RETURN = r'''
actions:
  description:
    - What was (in check mode, would be) done, in order, for example C(create if-sv1),
      C(update nw-test1 (display_name changed)), C(recreate if-sv1 (ipv4_address changed)),
      C(recreate if-sv2 (network nw-test1 re-created)), C(delete if-sv9 (purge)).
  returned: always
  type: list
  elements: str
  sample: [create if-sv1, delete if-sv9 (purge)]
requests:
  description: The vnctl command lines (C(argv)) or HTTP requests (C(method), C(url), C(body)) made.
  returned: always
  type: list
  elements: dict
datapaths:
  description: The listed datapaths as OpenVNet returned them (as read when unchanged or in check mode; empty with O(state=absent)).
  returned: always
  type: list
  elements: dict
  sample: [{uuid: dp-test1, display_name: "openvnet.openvnet: test1", dpid: "0x000002000a00010a", node_id: vna}]
networks:
  description: The listed networks, as for RV(datapaths).
  returned: always
  type: list
  elements: dict
interfaces:
  description: The listed interfaces, as for RV(datapaths).
  returned: always
  type: list
  elements: dict
  sample: [{uuid: if-sv1, display_name: "openvnet.openvnet: if-sv1 [port tap1 on dp-test1]", mode: vif}]
diff:
  description: With diff mode, C(before) and C(after) of each resource changed, by kind then uuid.
  returned: when diff mode is on
  type: dict
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.openvnet.openvnet.plugins.module_utils.openvnet import CONNECTION_SPEC
from ansible_collections.openvnet.openvnet.plugins.module_utils.registrations import ITEM_SPECS, run


def main():
    module = AnsibleModule(
        argument_spec=dict(
            CONNECTION_SPEC,
            datapaths=dict(type='list', elements='dict', default=[], options=ITEM_SPECS['datapaths']),
            networks=dict(type='list', elements='dict', default=[], options=ITEM_SPECS['networks']),
            interfaces=dict(type='list', elements='dict', default=[], options=ITEM_SPECS['interfaces']),
            purge=dict(type='bool', default=False),
            marker=dict(type='str', default='openvnet.openvnet'),
            owner=dict(type='str'),
            force=dict(type='bool', default=False),
            recreate=dict(type='bool', default=True),
            state=dict(type='str', choices=['present', 'absent'], default='present'),
        ),
        supports_check_mode=True,
    )
    run(module)


if __name__ == '__main__':
    main()
