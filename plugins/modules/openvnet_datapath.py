#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, OpenVNet collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: openvnet_datapath
short_description: Manage an OpenVNet datapath (an Open vSwitch bridge under vna's control)
version_added: 1.0.0
description:
  - Registers, updates and removes an OpenVNet datapath, what the manual procedure does with
    C(vnctl datapaths add --uuid dp-NAME --display-name NAME --dpid DPID --node-id NODE_ID).
  - O(display_name) and O(enable_ovs_learn_action) are changed in place. O(dpid) and O(node_id)
    cannot be changed by OpenVNet; when they differ the task fails listing them, unless
    O(recreate=true), which deletes and re-creates the datapath (and says so in check mode).
  - A re-create keeps the old values of the fields the task does not give. It is checked first,
    in check mode too, and refused before anything is deleted, when another datapath has
    the new dpid on the same node, or when the datapath carries datapath networks (OpenVNet would
    delete them with it). If the new datapath still cannot be created, the old one is created again
    and the task fails saying so.
  - When another run creates or deletes the same datapath between this run's read and its write,
    it is read again; if it is then as wanted the task succeeds with C(changed=false) (the other
    run made the change).
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
    description: The datapath's uuid, C(dp-) followed by 1 to 16 of C([a-z0-9]).
    type: str
    required: true
  display_name:
    description: Display name; the uuid without C(dp-) when creating and not given.
    type: str
  dpid:
    description:
      - The bridge's datapath id (its C(other-config:datapath-id)), 16 hex digits with or without
        C(0x), or the MAC address of the NIC it is derived from (C(0000) followed by the MAC, as
        the manual procedure does). Compared normalised. Required when O(state=present).
    type: str
  node_id:
    description:
      - The id of the vna that drives this datapath; must equal C(node.id) in that host's
        C(vna.conf). Required when O(state=present).
    type: str
  enable_ovs_learn_action:
    description: Let vna use Open vSwitch's learn action (OpenVNet develop).
    type: bool
  recreate:
    description:
      - Delete and re-create the datapath when O(dpid) or O(node_id) differ (checked first,
        restored if the new one cannot be made).
    type: bool
    default: false
  state:
    description: Whether the datapath should exist.
    type: str
    choices: [present, absent]
    default: present
'''

EXAMPLES = r'''
- name: The manual procedure's datapath, dpid derived from eth1's MAC
  openvnet.openvnet.openvnet_datapath:
    uuid: dp-test1
    display_name: test1
    dpid: "{{ ansible_facts.eth1.macaddress }}"
    node_id: vna

- name: Through the WebAPI instead of vnctl
  openvnet.openvnet.openvnet_datapath:
    uuid: dp-test1
    dpid: "0x0000aaaaaaaaaaaa"
    node_id: vna
    transport: api
    api_url: http://192.0.2.10:9090/api/1.0
'''

RETURN = r'''
datapath:
  description: The datapath as OpenVNet returned it (empty when absent; as it was in check mode).
  returned: always
  type: dict
  sample: {uuid: dp-test1, display_name: test1, dpid: "0x0000aaaaaaaaaaaa", node_id: vna}
actions:
  description:
      - What was (in check mode, would be) done, for example C(create dp-test1), or C(delete) then C(create) for a recreate.
      - "A change another run made at the same moment is listed as C(dp-test1: already created by another run)."
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
    CONNECTION_SPEC, Client, Datapath, Invalid, OpenVNetError, check_uuid, ensure, normalize_dpid)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            CONNECTION_SPEC,
            uuid=dict(type='str', required=True),
            display_name=dict(type='str'),
            dpid=dict(type='str'),
            node_id=dict(type='str'),
            enable_ovs_learn_action=dict(type='bool'),
            recreate=dict(type='bool', default=False),
            state=dict(type='str', choices=['present', 'absent'], default='present'),
        ),
        required_if=[('state', 'present', ('dpid', 'node_id'))],
        supports_check_mode=True,
    )
    p = module.params
    client = None
    try:
        check_uuid('uuid', p['uuid'], 'dp')
        want = dict(display_name=p['display_name'], dpid=normalize_dpid(p['dpid']), node_id=p['node_id'],
                    enable_ovs_learn_action=p['enable_ovs_learn_action'])
        client = Client(module)
        result = ensure(client, Datapath(), p['uuid'], want, p['state'], p['recreate'], module.check_mode)
    except (Invalid, OpenVNetError) as e:
        module.fail_json(msg=str(e), requests=client.requests if client else [], **e.details)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
