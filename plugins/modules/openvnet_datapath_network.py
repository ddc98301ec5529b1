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
  - OpenVNet lists a datapath's networks, not the association rows, so an existing association
    is not compared. To change its O(interface_uuid) or O(mac_address), remove it and add it again.
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
  description: The vnctl command lines (C(argv)) or HTTP requests (C(method), C(url), C(body)) made.
  returned: always
  type: list
  elements: dict
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.openvnet.openvnet.plugins.module_utils.openvnet import (
    CONNECTION_SPEC, Client, Invalid, OpenVNetError, check_uuid, normalize_mac)


def reconcile(module, client, dp, nw):
    p = module.params
    try:
        items, total = client.related('datapaths', dp, 'networks')
    except OpenVNetError as e:
        if e.code == '100' and p['state'] == 'absent':
            return False, []
        raise
    linked = nw in [item.get('uuid') for item in items]
    # Lists stop at the WebAPI's page size: beyond it, presence is unknown.
    unsure = not linked and total > len(items)
    if p['state'] == 'present':
        if linked:
            return True, []
        if not module.check_mode:
            params = dict(interface_uuid=p['interface_uuid'])
            if p['mac_address']:
                params['mac_address'] = p['mac_address']
            try:
                client.relate('datapaths', dp, 'networks', nw, params)
            except OpenVNetError as e:
                if unsure and e.code == '500' and 'Duplicate' in str(e):
                    return True, []
                raise
        return False, ['add %s to %s' % (nw, dp)]
    if linked or unsure:
        if not module.check_mode:
            try:
                client.unrelate('datapaths', dp, 'networks', nw)
            except OpenVNetError as e:
                if e.code == '100' and unsure:
                    return False, []
                raise
        return True, ['remove %s from %s' % (nw, dp)]
    return False, []


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
    try:
        dp = check_uuid('datapath_uuid', p['datapath_uuid'], 'dp')
        nw = check_uuid('network_uuid', p['network_uuid'], 'nw')
        check_uuid('interface_uuid', p['interface_uuid'], 'if')
        p['mac_address'] = normalize_mac('mac_address', p['mac_address'])
    except Invalid as e:
        module.fail_json(msg=str(e))
    client = Client(module)
    try:
        existed, actions = reconcile(module, client, dp, nw)
    except OpenVNetError as e:
        module.fail_json(msg=str(e), requests=client.requests)
    row = dict(datapath_uuid=dp, network_uuid=nw)
    after = row if p['state'] == 'present' else {}
    module.exit_json(changed=bool(actions), actions=actions, requests=client.requests,
                     datapath_network=after, diff=dict(before=row if existed else {}, after=after))


if __name__ == '__main__':
    main()
