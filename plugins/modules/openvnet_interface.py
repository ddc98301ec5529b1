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
  - O(ipv4_address) is checked against its network's range (read from OpenVNet) before any change.
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
    description: The interface's address, inside O(network_uuid)'s range.
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
  description: The vnctl command lines (C(argv)) or HTTP requests (C(method), C(url), C(body)) made.
  returned: always
  type: list
  elements: dict
'''

import ipaddress

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.openvnet.openvnet.plugins.module_utils.openvnet import (
    CONNECTION_SPEC, Invalid, Kind, check_ipv4, check_uuid, normalize_mac, run)


class Interface(Kind):
    resource = 'interfaces'
    key = 'interface'
    mutable = ('display_name',)
    immutable = ('mode', 'owner_datapath_uuid', 'network_uuid', 'mac_address', 'ipv4_address',
                 'port_name', 'enable_routing')

    def __init__(self, want):
        self.want = want

    def view(self, client, obj):
        view = dict(mode=obj.get('mode'), display_name=obj.get('display_name'),
                    mac_address=(obj.get('mac_address') or '').lower() or None,
                    network_uuid=obj.get('network_uuid'), ipv4_address=obj.get('ipv4_address'),
                    enable_routing=obj.get('enable_routing'))
        owner = self.want['owner_datapath_uuid']
        if self.want['port_name'] is not None or owner is not None:
            # The interface object has neither: they live in its ports, by datapath id.
            items = client.related('interfaces', obj['uuid'], 'ports')[0]
            port = items[0] if items else {}
            view['port_name'] = port.get('port_name')
            dp_id = port.get('datapath_id')
            view['owner_datapath_uuid'] = None
            if dp_id is not None and owner is not None:
                datapath = client.get('datapaths', owner)
                same = datapath is not None and datapath.get('id') == dp_id
                view['owner_datapath_uuid'] = owner if same else 'datapath id %s' % dp_id
        return view


def in_network(client, want):
    if want['ipv4_address'] is None:
        return
    network = client.get('networks', want['network_uuid'])
    if network is None:
        raise Invalid('network_uuid: %s does not exist' % want['network_uuid'])
    subnet = ipaddress.IPv4Network('%s/%s' % (network['ipv4_network'], network['ipv4_prefix']))
    if ipaddress.IPv4Address(want['ipv4_address']) not in subnet:
        raise Invalid('ipv4_address: %s is not in %s (%s)' % (want['ipv4_address'], want['network_uuid'], subnet))


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
        required_by={'ipv4_address': 'network_uuid'},
        supports_check_mode=True,
    )
    p = module.params
    try:
        check_uuid('uuid', p['uuid'], 'if')
        want = dict(mode=p['mode'], display_name=p['display_name'],
                    owner_datapath_uuid=check_uuid('owner_datapath_uuid', p['owner_datapath_uuid'], 'dp'),
                    network_uuid=check_uuid('network_uuid', p['network_uuid'], 'nw'),
                    mac_address=normalize_mac('mac_address', p['mac_address']),
                    ipv4_address=check_ipv4('ipv4_address', p['ipv4_address']),
                    port_name=p['port_name'], enable_routing=p['enable_routing'])
    except Invalid as e:
        module.fail_json(msg=str(e))
    run(module, Interface(want), p['uuid'], want, check=in_network)


if __name__ == '__main__':
    main()
