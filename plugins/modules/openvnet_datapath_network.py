#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, OpenVNet collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: openvnet_datapath_network
short_description: Attach an OpenVNet network to a datapath
version_added: 1.0.0
description:
  - Manages the association that makes a datapath take part in a network across hosts,
    C(vnctl datapaths networks add DP NW --interface-uuid IF [--mac-address MAC]).
  - OpenVNet lists a datapath's networks, not the association rows, so the interface and MAC of an
    existing association cannot be read back; they are checked in OpenVNet's reply when the
    association is made (a different MAC fails the task), not afterwards. To change them, remove
    the association and add it again.
  - When another run adds or removes the same association at the same moment ("already exists",
    "not found"), it is read again and the task succeeds with C(changed=false).
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
  datapath_uuid:
    description: The datapath, C(dp-...).
    type: str
    required: true
  network_uuid:
    description: The network, C(nw-...).
    type: str
    required: true
  interface_uuid:
    description: The datapath's host interface used for this network, C(if-...). Required when O(state=present).
    type: str
  mac_address:
    description:
      - The datapath's MAC address in this network; OpenVNet leases one from its C(datapath_mac_group)
        (C(mrg-dpg)) when not given, and fails when that group has none.
    type: str
  state:
    description: Whether the association should exist.
    type: str
    choices: [present, absent]
    default: present
'''

EXAMPLES = r'''
- name: dp-1 carries the virtual network through its host interface
  openvnet.openvnet.openvnet_datapath_network:
    datapath_uuid: dp-1
    network_uuid: nw-vnet1
    interface_uuid: if-dp1eth1
'''

RETURN = r'''
datapath_network:
  description: The association after the task (empty when absent).
  returned: always
  type: dict
  sample: {datapath_uuid: dp-1, network_uuid: nw-vnet1}
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
    CONNECTION_SPEC, Client, Invalid, OpenVNetError, check_uuid, ensure_association, normalize_mac)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            CONNECTION_SPEC,
            datapath_uuid=dict(type='str', required=True),
            network_uuid=dict(type='str', required=True),
            interface_uuid=dict(type='str'),
            mac_address=dict(type='str'),
            state=dict(type='str', choices=['present', 'absent'], default='present'),
        ),
        required_if=[('state', 'present', ('interface_uuid',))],
        supports_check_mode=True,
    )
    p = module.params
    client = None
    try:
        dp = check_uuid('datapath_uuid', p['datapath_uuid'], 'dp')
        nw = check_uuid('network_uuid', p['network_uuid'], 'nw')
        check_uuid('interface_uuid', p['interface_uuid'], 'if')
        mac_address = normalize_mac('mac_address', p['mac_address'])
        client = Client(module)
        result = ensure_association(client, dp, nw, p['state'], p['interface_uuid'], mac_address, module.check_mode)
    except (Invalid, OpenVNetError) as e:
        module.fail_json(msg=str(e), requests=client.requests if client else [], **e.details)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
