#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, OpenVNet collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: ovs_info
short_description: Read Open vSwitch bridges, interfaces, and optionally OpenFlow flows and ports
version_added: 1.1.0
description:
  - Reads what Open vSwitch has, as OVSDB and ovs-vswitchd report it - bridges (datapath id,
    fail mode, OpenFlow versions, controllers and whether they are connected, ports) and
    interfaces (type, options, OpenFlow port number, the error ovs-vswitchd reported) - in one
    C(ovs-vsctl --format=json) call.
  - With O(flows=true), also each bridge's flow table (C(ovs-ofctl dump-flows)) and OpenFlow port
    descriptions (C(ovs-ofctl dump-ports-desc)), two C(ovs-ofctl) calls per bridge.
  - It only reads; it never changes anything.
author:
  - OpenVNet collection contributors (@openvnet)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
  platform:
    platforms: posix
requirements:
  - ovs-vsctl (Open vSwitch) on the managed host; ovs-ofctl as well with O(flows=true)
options:
  bridge:
    description:
      - Report only this bridge and its interfaces (and its flows). The task fails when the bridge
        does not exist.
      - All bridges when not given.
    type: str
  flows:
    description:
      - Also read each reported bridge's flows and OpenFlow port descriptions through ovs-ofctl.
      - Flows are read with OpenFlow 1.3 (V(-O OpenFlow13)), in which C(write_metadata) and
        C(goto_table) print as such; port descriptions with OpenFlow 1.0, the only version whose
        port config has C(NO_FLOOD). When the bridge's C(protocols) exclude that version,
        ovs-ofctl negotiates the highest one the bridge accepts.
    type: bool
    default: false
  db:
    description:
      - ovsdb-server to talk to, as ovs-vsctl's C(--db), for example
        V(unix:/var/run/openvswitch/db.sock) or V(tcp:192.0.2.1:6640). ovs-vsctl's default
        when not given.
    type: str
  rundir:
    description:
      - ovs-vswitchd's run directory, where each bridge's OpenFlow management socket
        C(BRIDGE.mgmt) is; used with O(flows=true). ovs-ofctl's default (C($OVS_RUNDIR) or
        C(/var/run/openvswitch)) when not given.
    type: path
  timeout:
    description: Seconds each ovs-vsctl or ovs-ofctl call may take (their C(--timeout)).
    type: int
    default: 30
notes:
  - Field names and values are Open vSwitch's own (OVSDB columns, ovs-ofctl match fields); unset
    optional columns are V(null).
seealso:
  - module: openvnet.openvnet.ovs_bridge
  - module: openvnet.openvnet.ovs_gre_port
  - name: The Open vSwitch database schema
    description: The Bridge, Controller and Interface tables.
    link: https://www.openvswitch.org/support/dist-docs/ovs-vswitchd.conf.db.5.txt
'''

EXAMPLES = r'''
- name: Every bridge and interface
  openvnet.openvnet.ovs_info:
  register: ovs

- name: The hub's GRE interfaces that ovs-vswitchd did not set up
  ansible.builtin.debug:
    msg: "{{ item.key }}: {{ item.value.error }} (ofport {{ item.value.ofport }})"
  loop: "{{ ovs.interfaces | dict2items | selectattr('value.type', 'eq', 'gre') }}"
  when: item.value.error or (item.value.ofport | default(-1, true)) < 1

- name: br0 with its flows and OpenFlow ports
  openvnet.openvnet.ovs_info:
    bridge: br0
    flows: true
  register: br0

- name: vna is connected and has installed its flows
  ansible.builtin.assert:
    that:
      - br0.bridges.br0.controllers | selectattr('is_connected') | list | length > 0
      - br0.flows.br0 | selectattr('table', 'eq', 0) | list | length > 0
'''

RETURN = r'''
bridges:
  description: The bridges (only O(bridge) when given), by name.
  returned: always
  type: dict
  sample:
    br0:
      datapath_id: "000002000a00010a"
      datapath_type: system
      fail_mode: standalone
      protocols: [OpenFlow10, OpenFlow12, OpenFlow13]
      controllers: [{target: "tcp:127.0.0.1:6633", is_connected: false}]
      ports: [br0, gre-sv1]
      external_ids: {managed_by: openvnet.openvnet}
      other_config: {datapath-id: "000002000a00010a", disable-in-band: "true"}
  contains:
    datapath_id:
      description: The datapath id ovs-vswitchd uses (16 hex digits); null until it set up the bridge.
      type: str
    datapath_type:
      description: C(datapath_type) as configured; empty means the default (system).
      type: str
    fail_mode:
      description: V(standalone), V(secure), or null when not set.
      type: str
    protocols:
      description: The OpenFlow versions configured, sorted; empty means Open vSwitch's default set.
      type: list
      elements: str
    controllers:
      description: The controllers, sorted by target, with whether ovs-vswitchd is connected to each.
      type: list
      elements: dict
    ports:
      description: The names of the bridge's ports, sorted (the bridge's own port included).
      type: list
      elements: str
    external_ids:
      description: The C(external_ids) map.
      type: dict
    other_config:
      description: The C(other_config) map.
      type: dict
interfaces:
  description: The interfaces (only those of O(bridge) when given), by name.
  returned: always
  type: dict
  sample:
    gre-sv1:
      bridge: br0
      port: gre-sv1
      type: gre
      options: {remote_ip: 192.0.2.11, local_ip: 192.0.2.10}
      ofport: 1
      error: null
      mac_in_use: "b2:ef:9c:f8:e7:3d"
      external_ids: {managed_by: openvnet.openvnet}
      mtu: 1458
      mtu_request: 1458
  contains:
    bridge:
      description: The bridge of the interface's port; null for an interface in no port.
      type: str
    port:
      description: The port the interface belongs to (its own name, except in bonds).
      type: str
    type:
      description: C(type); empty for a system (plain Linux) interface.
      type: str
    options:
      description: The C(options) map (tunnel endpoints, keys...).
      type: dict
    ofport:
      description: >-
        The OpenFlow port number; -1 when ovs-vswitchd could not add the interface, null when it
        has not (yet) processed it.
      type: int
    error:
      description: Why ovs-vswitchd could not set up the interface, in its own words; null when none.
      type: str
    mac_in_use:
      description: The interface's MAC address, as ovs-vswitchd reports it.
      type: str
    external_ids:
      description: The C(external_ids) map.
      type: dict
    mtu:
      description: The MTU in use; null when the interface has none (a tunnel in some versions).
      type: int
    mtu_request:
      description: The MTU requested through OVSDB; null when none.
      type: int
flows:
  description:
    - With O(flows=true), each reported bridge's flows, ordered by table, then priority highest first.
    - C(match) keeps OVS's field names and values as ovs-ofctl prints them (for example C(in_port),
      C(metadata) with its mask as V(0x1/0xff), C(dl_src), C(nw_src), C(arp_spa)); a protocol shorthand
      (V(ip), V(arp), V(tcp)...) is a key whose value is the empty string.
  returned: when O(flows=true)
  type: dict
  sample:
    br0:
      - table: 3
        priority: 40
        cookie: "0x0"
        match: {ip: "", metadata: "0x20000000001/0xffffffffffff", dl_src: "02:00:00:00:00:01"}
        actions: output:7
        n_packets: 0
        n_bytes: 0
        idle_timeout: 0
        hard_timeout: 0
        importance: 0
        flags: []
  contains:
    table:
      description: The table number.
      type: int
    priority:
      description: The priority (32768 when ovs-ofctl leaves it out, the default).
      type: int
    cookie:
      description: The cookie, in hex as printed.
      type: str
    match:
      description: The match fields.
      type: dict
    actions:
      description: The actions (instructions) as printed, for example V(write_metadata:0x1/0xff,goto_table:3).
      type: str
    n_packets:
      description: Packets matched; null when the flow does not count them.
      type: int
    n_bytes:
      description: Bytes matched; null when the flow does not count them.
      type: int
    idle_timeout:
      description: Idle timeout in seconds (0 for none).
      type: int
    hard_timeout:
      description: Hard timeout in seconds (0 for none).
      type: int
    importance:
      description: Eviction importance (printed by OpenFlow 1.4 and later only; 0 otherwise).
      type: int
    flags:
      description: Flow flags such as V(reset_counts), V(send_flow_rem), V(check_overlap).
      type: list
      elements: str
ports:
  description: With O(flows=true), each reported bridge's OpenFlow ports, ordered by port number.
  returned: when O(flows=true)
  type: dict
  sample:
    br0:
      - {name: gre-sv1, ofport: 1, hw_addr: "b2:ef:9c:f8:e7:3d", config: [NO_FLOOD], state: []}
      - {name: br0, ofport: 65534, hw_addr: "4a:7c:95:a0:bf:43", config: [PORT_DOWN], state: [LINK_DOWN]}
  contains:
    name:
      description: The port's name.
      type: str
    ofport:
      description: The OpenFlow port number (65534 for the bridge's own LOCAL port, as in OVSDB).
      type: int
    hw_addr:
      description: The port's MAC address.
      type: str
    config:
      description: The port config flags set (for example V(NO_FLOOD), V(PORT_DOWN)); empty when none.
      type: list
      elements: str
    state:
      description: The port state flags (for example V(LINK_DOWN), V(LIVE)); empty when none.
      type: list
      elements: str
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.openvnet.openvnet.plugins.module_utils.ovs import (
    OvsError, OvsOfctl, OvsVsctl, interface_name_problem, openflow_version, parse_flows,
    parse_port_descs, read_state)

FLOWS_VERSION = 'OpenFlow13'
PORTS_VERSION = 'OpenFlow10'  # NO_FLOOD exists only in OpenFlow 1.0's port config


def restrict(state, bridge):
    """``bridges`` and ``interfaces``, only ``bridge``'s when it is given."""
    if bridge is None:
        return state['bridges'], state['interfaces']
    if bridge not in state['bridges']:
        raise OvsError('bridge: %s does not exist (known bridges: %s)'
                       % (bridge, ', '.join(sorted(state['bridges'])) or 'none'))
    interfaces = dict((name, iface) for name, iface in state['interfaces'].items()
                      if iface['bridge'] == bridge)
    return {bridge: state['bridges'][bridge]}, interfaces


def openflow(ofctl, bridges):
    """Flows and OpenFlow port descriptions of each bridge."""
    flows, ports = {}, {}
    for name, bridge in sorted(bridges.items()):
        version = openflow_version(bridge['protocols'], FLOWS_VERSION)
        flows[name] = parse_flows(ofctl.run(version, 'dump-flows', name))
        version = openflow_version(bridge['protocols'], PORTS_VERSION)
        ports[name] = parse_port_descs(ofctl.run(version, 'dump-ports-desc', name))
    return flows, ports


def main():
    module = AnsibleModule(
        argument_spec=dict(
            bridge=dict(type='str'),
            flows=dict(type='bool', default=False),
            db=dict(type='str'),
            rundir=dict(type='path'),
            timeout=dict(type='int', default=30),
        ),
        supports_check_mode=True,
    )
    p = module.params
    if p['bridge'] is not None:
        problem = interface_name_problem('bridge', p['bridge'], 'bridge')
        if problem:
            module.fail_json(msg=problem)
    try:
        vsctl = OvsVsctl(module, db=p['db'], timeout=p['timeout'])
        ofctl = OvsOfctl(module, rundir=p['rundir'], timeout=p['timeout']) if p['flows'] else None
        bridges, interfaces = restrict(read_state(vsctl), p['bridge'])
        result = dict(changed=False, bridges=bridges, interfaces=interfaces)
        if ofctl:
            result['flows'], result['ports'] = openflow(ofctl, bridges)
    except OvsError as e:
        module.fail_json(msg=str(e))
    module.exit_json(**result)


if __name__ == '__main__':
    main()
