# -*- coding: utf-8 -*-
# Copyright: (c) 2026, OpenVNet collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test-only service manager for tests/integration/test_two_hubs.py: the ovs_bridge role's
"Enable and start Open vSwitch" task reaches it through the play's module_defaults
(ansible.builtin.service's ``use``), so the test's own userspace Open vSwitch instances stand in
for the machine's service and the machine's openvswitch-switch is never started or enabled.
It changes nothing and says so (``two_hubs_stub``), so the test can check it was the one used."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(argument_spec=dict(name=dict(type='str', required=True), enabled=dict(type='bool'),
                                              state=dict(type='str')),
                           supports_check_mode=True)
    module.exit_json(changed=False, two_hubs_stub=True, **module.params)


if __name__ == '__main__':
    main()
