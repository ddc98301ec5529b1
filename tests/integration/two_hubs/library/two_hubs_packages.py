# -*- coding: utf-8 -*-
# Copyright: (c) 2026, OpenVNet collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test-only, for tests/integration/test_two_hubs.py: the package facts deploy.yml reads with
ansible.builtin.package_facts (10 s and more on a busy machine, every package), for the given
packages only, from one dpkg-query call, in package_facts' shape. It fails when one is not
installed, so that the ovs_bridge role never reaches the machine's package manager."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(argument_spec=dict(names=dict(type='list', elements='str', required=True)),
                           supports_check_mode=True)
    names = module.params['names']
    rc, out, err = module.run_command(['dpkg-query', '--show', '--showformat=${Package} ${Version} ${db:Status-Status}\\n']
                                      + names)
    packages = {}
    for line in out.splitlines():
        name, version, status = (line.split(' ') + ['', ''])[:3]
        if status == 'installed':
            packages[name] = [{'name': name, 'version': version, 'source': 'apt'}]
    missing = [n for n in names if n not in packages]
    if missing:
        module.fail_json(msg='not installed: %s (this test never installs packages; make setup does)' % ', '.join(missing),
                         stderr=err)
    module.exit_json(changed=False, ansible_facts={'packages': packages})


if __name__ == '__main__':
    main()
