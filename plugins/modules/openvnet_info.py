#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, OpenVNet collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: openvnet_info
short_description: Read OpenVNet resources
version_added: 1.0.0
description:
  - Reads one OpenVNet resource by uuid, a list of them, or a resource's relations (a datapath's
    networks, an interface's ports).
  - OpenVNet returns at most C(pagination_limit) (30 by default) items per list; the module warns
    when C(total_count) says there are more. Read objects by uuid to be sure.
author:
  - OpenVNet collection contributors (@openvnet)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - openvnet.openvnet.openvnet
attributes:
  check_mode:
    support: full
  diff_mode:
    support: N/A
  platform:
    platforms: posix
options:
  resource:
    description: The kind of resource.
    type: str
    required: true
    choices: [datapaths, networks, interfaces, mac_range_groups]
  uuid:
    description:
      - One resource's uuid, with the resource's prefix (C(dp-), C(nw-), C(if-), C(mrg-)); all of
        them (up to the page size) when not given.
    type: str
  relation:
    description:
      - With O(uuid), list this relation of the resource instead (C(networks) of a datapath,
        C(ports) of an interface); any other pairing is refused before any request.
    type: str
    choices: [networks, ports]
'''

EXAMPLES = r'''
- name: Everything registered on dp-test1
  openvnet.openvnet.openvnet_info:
    resource: datapaths
    uuid: dp-test1
    relation: networks
  register: dp_networks
'''

RETURN = r'''
objects:
  description: The resources read (one, or none when O(uuid) does not exist).
  returned: always
  type: list
  elements: dict
total_count:
  description: How many exist, which may be more than RV(objects) holds.
  returned: always
  type: int
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
    CONNECTION_SPEC, PREFIXES, Client, Invalid, OpenVNetError, check_uuid)

# The relations OpenVNet lists, by resource.
RELATIONS = {'datapaths': ('networks',), 'interfaces': ('ports',)}


def main():
    module = AnsibleModule(
        argument_spec=dict(
            CONNECTION_SPEC,
            resource=dict(type='str', required=True, choices=['datapaths', 'networks', 'interfaces', 'mac_range_groups']),
            uuid=dict(type='str'),
            relation=dict(type='str', choices=['networks', 'ports']),
        ),
        required_by={'relation': 'uuid'},
        supports_check_mode=True,
    )
    p = module.params
    client = None
    try:
        check_uuid('uuid', p['uuid'], PREFIXES[p['resource']])
        if p['relation'] and p['relation'] not in RELATIONS.get(p['resource'], ()):
            raise Invalid('relation: %s has no %s (%s)' % (p['resource'], p['relation'], ', '.join(
                '%s of %s' % (r, k) for k, v in sorted(RELATIONS.items()) for r in v)))
        client = Client(module)
        if p['relation']:
            objects, total = client.relations(p['resource'], p['uuid'], p['relation'])
        elif p['uuid']:
            obj = client.read(p['resource'], p['uuid'])
            objects, total = ([obj], 1) if obj else ([], 0)
        else:
            objects, total = client.list(p['resource'])[:2]
    except (Invalid, OpenVNetError) as e:
        module.fail_json(msg=str(e), requests=client.requests if client else [], **e.details)
    if total > len(objects):
        module.warn('OpenVNet listed %d of %d %s (its page size); read them by uuid, or raise '
                    'pagination_limit in webapi.conf' % (len(objects), total, p['relation'] or p['resource']))
    module.exit_json(changed=False, objects=objects, total_count=total, requests=client.requests)


if __name__ == '__main__':
    main()
