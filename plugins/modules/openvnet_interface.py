#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, OpenVNet collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: openvnet_interface
short_description: Manage an OpenVNet interface (a VM NIC, a host uplink, a simulated service)
version_added: 1.0.0
description:
  - Registers, updates and removes an OpenVNet interface, what the manual procedure does with
    C(vnctl interfaces add --uuid if-inst1 --mode vif --owner-datapath-uuid dp-test1
    --mac-address EE:99:D5:67:FD:52 --network-uuid nw-test1 --ipv4-address 10.0.0.1 --port-name tap1).
  - Only O(display_name) can be changed in place. Every other field is fixed at creation; when
    one differs the task fails listing them, unless O(recreate=true).
  - A re-create keeps the old values of the fields the task does not give (its port and owner are
    read from OpenVNet). It is checked first, in check mode too; the network and owner must exist,
    the address must be in the network, and no other interface may have the MAC or the address.
    Port names are not listed by OpenVNet, so a port taken is found by the create, and then the old
    interface is created again, with its port, and the task fails saying so. OpenVNet also removes
    the datapath networks that use a deleted host interface; add them again after re-creating one.
  - O(ipv4_address) is checked against its network's range (read from OpenVNet) before any change.
  - When another run creates or deletes the same interface between this run's read and its write,
    it is read again; if it is then as wanted the task succeeds with C(changed=false).
author:
  - OpenVNet collection contributors (@openvnet)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - openvnet.openvnet.openvnet
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
  platform:
    platforms: posix
options:
  uuid:
    description: The interface's uuid, C(if-) followed by 1 to 16 of C([a-z0-9]).
    type: str
    required: true
  mode:
    description:
      - V(vif) for a VM or container NIC, V(host) for a datapath's uplink on a physical network,
        V(simulated) for a service address with no port. Required when O(state=present).
    type: str
    choices: [vif, host, simulated, patch, internal, promiscuous, remote]
  display_name:
    description: Display name, the one field OpenVNet changes in place.
    type: str
  owner_datapath_uuid:
    description: The datapath (C(dp-...)) whose port this interface is.
    type: str
  network_uuid:
    description: The network (C(nw-...)) of O(ipv4_address).
    type: str
  mac_address:
    description: The interface's MAC address; compared case-insensitively.
    type: str
  ipv4_address:
    description:
      - The interface's address, inside O(network_uuid)'s range. Needs O(network_uuid) and
        O(mac_address), since OpenVNet leases the address to the MAC and stores none without one.
    type: str
  port_name:
    description: The Open vSwitch port name (as in C(ovs-vsctl show)) the interface is attached to.
    type: str
  enable_routing:
    description: Let the interface route (for simulated router interfaces).
    type: bool
  recreate:
    description: Delete and re-create the interface when a field other than O(display_name) differs.
    type: bool
    default: false
  state:
    description: Whether the interface should exist.
    type: str
    choices: [present, absent]
    default: present
'''

EXAMPLES = r'''
- name: The manual procedure's two instances
  openvnet.openvnet.openvnet_interface:
    uuid: "{{ item.uuid }}"
    mode: vif
    owner_datapath_uuid: dp-test1
    network_uuid: nw-test1
    mac_address: "{{ item.mac }}"
    ipv4_address: "{{ item.ip }}"
    port_name: "{{ item.port }}"
  loop:
    - {uuid: if-inst1, mac: "EE:99:D5:67:FD:52", ip: 10.0.0.1, port: tap1}
    - {uuid: if-inst2, mac: "2A:27:6E:63:5E:E5", ip: 10.0.0.2, port: tap2}
'''

RETURN = r'''
interface:
  description: The interface as OpenVNet returned it (empty when absent; as it was in check mode).
  returned: always
  type: dict
  sample: {uuid: if-inst1, mode: vif, mac_address: "ee:99:d5:67:fd:52", ipv4_address: 10.0.0.1}
actions:
  description: What was (in check mode, would be) done.
  returned: always
  type: list
  elements: str
requests:
  description:
      - The vnctl command lines (C(argv), and C(stderr) when vnctl printed warnings) or HTTP requests
        (C(method), C(url), C(body)) made.
  returned: always
  type: list
  elements: dict
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.openvnet.openvnet.plugins.module_utils.openvnet import (
    CONNECTION_SPEC, Client, Interface, Invalid, OpenVNetError, check_ipv4, check_uuid, ensure, normalize_mac)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            CONNECTION_SPEC,
            uuid=dict(type='str', required=True),
            mode=dict(type='str', choices=['vif', 'host', 'simulated', 'patch', 'internal', 'promiscuous', 'remote']),
            display_name=dict(type='str'),
            owner_datapath_uuid=dict(type='str'),
            network_uuid=dict(type='str'),
            mac_address=dict(type='str'),
            ipv4_address=dict(type='str'),
            port_name=dict(type='str'),
            enable_routing=dict(type='bool'),
            recreate=dict(type='bool', default=False),
            state=dict(type='str', choices=['present', 'absent'], default='present'),
        ),
        required_if=[('state', 'present', ('mode',))],
        # OpenVNet leases an address to a MAC: without one it stores no address, and every run would differ.
        required_by={'ipv4_address': ('network_uuid', 'mac_address')},
        supports_check_mode=True,
    )
    p = module.params
    client = None
    try:
        check_uuid('uuid', p['uuid'], 'if')
        want = dict(mode=p['mode'], display_name=p['display_name'],
                    owner_datapath_uuid=check_uuid('owner_datapath_uuid', p['owner_datapath_uuid'], 'dp'),
                    network_uuid=check_uuid('network_uuid', p['network_uuid'], 'nw'),
                    mac_address=normalize_mac('mac_address', p['mac_address']),
                    ipv4_address=check_ipv4('ipv4_address', p['ipv4_address']),
                    port_name=p['port_name'], enable_routing=p['enable_routing'])
        client = Client(module)
        result = ensure(client, Interface(), p['uuid'], want, p['state'], p['recreate'], module.check_mode)
    except (Invalid, OpenVNetError) as e:
        module.fail_json(msg=str(e), requests=client.requests if client else [], **e.details)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
