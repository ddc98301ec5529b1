# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tests for addresses in the inventory (plain ipaddress: no netaddr on the controller)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import ipaddress
import re


def ipv4_network(value):
    """An IPv4 network in CIDR form without host bits, for example 203.0.113.0/24.
    A prefix length only: ipaddress would also take a netmask (/255.255.255.0)."""
    address, slash, prefix = str(value).partition('/')
    if not slash or not re.match(r'(0|[1-9][0-9]?)\Z', prefix):
        return False
    try:
        ipaddress.IPv4Network(str(value), strict=True)
    except ValueError:
        return False
    return True


class TestModule(object):
    def tests(self):
        return {'ipv4_network': ipv4_network}
