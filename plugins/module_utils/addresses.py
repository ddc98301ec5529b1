# -*- coding: utf-8 -*-
# Copyright: (c) 2026, OpenVNet collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""MAC addresses, datapath ids and tunnel endpoints, read the same way by the OVS and the OpenVNet modules."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import re

MAC = re.compile(r'^[0-9a-f]{2}([:-][0-9a-f]{2}){5}\Z')
DPID = re.compile(r'^(0x)?([0-9a-f]{16})\Z')
DIGITS = re.compile(r'[0-9]+\Z')
IPV4_BROADCAST = ipaddress.ip_address(u'255.255.255.255')


def mac(value):
    """aa:bb:cc:dd:ee:ff (lower case, colons) from a MAC with colons or dashes; None if it is not one."""
    text = str(value).lower()
    return text.replace('-', ':') if MAC.match(text) else None


def dpid_hex(value):
    """The 16 hex digits of a datapath id given as 16 hex digits (with or without 0x) or as a MAC,
    from which it is derived as the manual procedure does (0000 + the MAC); None if neither."""
    address = mac(value)
    if address:
        return '0000' + address.replace(':', '')
    m = DPID.match(str(value).lower())
    return m.group(2) if m else None


def unicast_mac_problem(address):
    """Why a MAC (as :func:`mac` returns it) cannot be a device's own address, or None."""
    if int(address[:2], 16) & 1:
        return 'is a multicast address (the first octet is odd)'
    if address == '00:00:00:00:00:00':
        return 'is all zeros'
    return None


def endpoint_problem(address):
    """Why an ``ipaddress`` address cannot be a tunnel endpoint (either end), or None."""
    if address.is_unspecified:
        return 'is the unspecified address'
    if address.is_loopback:
        return 'is a loopback address'
    if address.is_multicast:
        return 'is a multicast address'
    if address == IPV4_BROADCAST:
        return 'is the broadcast address'
    if address.version == 6 and address.is_link_local:
        # OVS takes no zone (fe80::1%eth1), and without one the address is ambiguous.
        return 'is an IPv6 link-local address (fe80::/10), which needs a scope Open vSwitch cannot be given'
    return None


def yaml_number(value):
    """True when a value YAML turned into a number: an unquoted 0x... or a MAC of digits and colons
    (12:34:56:... is a base-60 number in YAML 1.1) arrives as an int, or as its decimal digits."""
    return isinstance(value, int) or bool(DIGITS.match(str(value)))


class AddressProblem(ValueError):
    """A text that is not one IP address as Open vSwitch and Linux take it."""


def canonical_address(value):
    """One tunnel endpoint as Open vSwitch and Linux compare it: (text, version).

    ``ipaddress`` writes the text (IPv6 compressed, lower case), and an IPv4-mapped IPv6 address
    (``::ffff:192.0.2.1``) is the IPv4 address it maps, since that is where its packets go. A scope id
    (``2001:db8::1%eth0``) is refused whatever the address: OVS's ``remote_ip``/``local_ip`` take none.
    Raises :class:`AddressProblem` with a sentence that names the value.
    """
    text = str(value).strip() if value is not None else ''
    if '%' in text:
        raise AddressProblem('%r has a scope id (%%...), which Open vSwitch does not take; write the address '
                             'alone' % value)
    try:
        address = ipaddress.ip_address(u'%s' % text)
    except ValueError:
        raise AddressProblem('%r is not an IPv4 or IPv6 address' % (value,))
    if address.version == 6 and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return str(address), address.version


def same_address(first, second):
    """True when two texts name the same endpoint (see :func:`canonical_address`); False when either
    is not an address."""
    try:
        return canonical_address(first)[0] == canonical_address(second)[0]
    except AddressProblem:
        return False
