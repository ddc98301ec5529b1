#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, OpenVNet collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: openvnet_network
short_description: Manage an OpenVNet network
version_added: 1.0.0
description:
  - Registers, updates and removes an OpenVNet network, what the manual procedure does with
    C(vnctl networks add --uuid nw-NAME --ipv4-network 10.0.0.0 --ipv4-prefix 24 --network-mode virtual).
  - O(display_name) and O(domain_name) are changed in place. O(ipv4_network), O(ipv4_prefix) and
    O(mode) cannot be changed by OpenVNet; when they differ the task fails listing them, unless
    O(recreate=true), which keeps the old values of the fields the task does not give and creates
    the old network again if the new one cannot be made (OpenVNet refuses to delete a network
    still in use, before anything is lost).
  - When another run creates or deletes the same network between this run's read and its write,
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
    description: The network's uuid, C(nw-) followed by 1 to 16 of C([a-z0-9]).
    type: str
    required: true
  display_name:
    description: Display name; the uuid without C(nw-) when creating and not given.
    type: str
  domain_name:
    description: DNS domain of the network; OpenVNet uses the uuid without C(nw-) when not given.
    type: str
  ipv4_network:
    description:
      - The network address, V(10.0.0.0), or with its prefix length, V(10.0.0.0/24). A netmask
        (V(10.0.0.0/255.255.255.0)) is refused, not converted. Host bits are an error. Required
        when O(state=present).
    type: str
  ipv4_prefix:
    description: Prefix length, 1 to 32; from O(ipv4_network) when written there, else 24.
    type: int
  mode:
    description:
      - V(virtual) for an overlay network, V(physical) for an underlay one. Required when
        O(state=present) (vna ignores a network without a mode).
    type: str
    choices: [virtual, physical, internal]
    aliases: [network_mode]
  recreate:
    description: Delete and re-create the network when its address, prefix or mode differ.
    type: bool
    default: false
  state:
    description: Whether the network should exist.
    type: str
    choices: [present, absent]
    default: present
'''

EXAMPLES = r'''
- name: The manual procedure's virtual network
  openvnet.openvnet.openvnet_network:
    uuid: nw-test1
    display_name: test1-net
    ipv4_network: 10.0.0.0/24
    mode: virtual
'''

RETURN = r'''
network:
  description: The network as OpenVNet returned it (empty when absent; as it was in check mode).
  returned: always
  type: dict
  sample: {uuid: nw-test1, ipv4_network: 10.0.0.0, ipv4_prefix: 24, mode: virtual}
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
    CONNECTION_SPEC, Client, Invalid, Network, OpenVNetError, check_uuid, ensure, network_cidr)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            CONNECTION_SPEC,
            uuid=dict(type='str', required=True),
            display_name=dict(type='str'),
            domain_name=dict(type='str'),
            ipv4_network=dict(type='str'),
            ipv4_prefix=dict(type='int'),
            mode=dict(type='str', choices=['virtual', 'physical', 'internal'], aliases=['network_mode']),
            recreate=dict(type='bool', default=False),
            state=dict(type='str', choices=['present', 'absent'], default='present'),
        ),
        required_if=[('state', 'present', ('ipv4_network', 'mode'))],
        supports_check_mode=True,
    )
    p = module.params
    client = None
    try:
        check_uuid('uuid', p['uuid'], 'nw')
        address, prefix = network_cidr(p['ipv4_network'], p['ipv4_prefix']) if p['ipv4_network'] else (None, None)
        want = dict(display_name=p['display_name'], domain_name=p['domain_name'], ipv4_network=address,
                    ipv4_prefix=prefix, mode=p['mode'])
        client = Client(module)
        result = ensure(client, Network(), p['uuid'], want, p['state'], p['recreate'], module.check_mode)
    except (Invalid, OpenVNetError) as e:
        module.fail_json(msg=str(e), requests=client.requests if client else [], **e.details)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
