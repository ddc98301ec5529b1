# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Whether packages are already installed, by the package facts the play read."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

from ansible.module_utils.six import string_types

PLAIN_NAME = re.compile(r'^[A-Za-z0-9][A-Za-z0-9.+_-]*$')


def installed(value, facts):
    """True when ansible.builtin.package_facts has run and lists every package in value.
    A version, a glob or a path is left to the package manager (False), as are missing facts."""
    known = (facts or {}).get('packages')
    if not known:
        return False
    names = [value] if isinstance(value, string_types) else list(value)
    return all(PLAIN_NAME.match(name) and name in known for name in names)


class TestModule(object):
    def tests(self):
        return {'installed': installed}
