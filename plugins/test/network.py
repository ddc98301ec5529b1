# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tests for addresses in the inventory (plain ipaddress: no netaddr on the controller)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import ipaddress


def ipv4_network(value):
    """An IPv4 network in CIDR form without host bits, for example 203.0.113.0/24."""
    try:
        ipaddress.IPv4Network(str(value), strict=True)
    except ValueError:
        return False
    return '/' in str(value)


class TestModule(object):
    def tests(self):
        return {'ipv4_network': ipv4_network}
