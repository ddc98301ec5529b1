# -*- coding: utf-8 -*-
# Copyright: (c) 2026, OpenVNet collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tunnel keys (GRE keys, VNIs) and UDP ports, read by one rule wherever they come from: the inventory
(the topology model), Open vSwitch's options and iproute2's output (the verification)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

# Where Open vSwitch and Linux send VXLAN and Geneve when no port is given (IANA's ports).
DEFAULT_UDP_PORTS = {'vxlan': 4789, 'geneve': 6081}
KEY_MAX = 0xffffffff
VNI_MAX = 0xffffff
UDP_PORT_MAX = 65535
DECIMAL = re.compile(r'[0-9]+\Z')
HEX = re.compile(r'0[xX][0-9a-fA-F]+\Z')
DOTTED = re.compile(r'[0-9]{1,3}(\.[0-9]{1,3}){3}\Z')


class FieldProblem(ValueError):
    """A value that is not a key or a UDP port; its text is a sentence naming the value."""


def tunnel_key(value):
    """A GRE key or a VNI as a number, from a whole number, its decimal digits, 0x and hex digits (as
    Open vSwitch reads it) or four dotted bytes (as iproute2 prints a GRE key: 0.0.1.2 is 258); 32 bits
    at most. Never a bool or a float. Raises :class:`FieldProblem`."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise FieldProblem('%r is not a whole number' % (value,))
    if isinstance(value, int):
        number = value
    else:
        text = value.strip()
        if DECIMAL.match(text):
            number = int(text, 10)
        elif HEX.match(text):
            number = int(text, 16)
        elif DOTTED.match(text) and all(int(part) <= 255 for part in text.split('.')):
            number = sum(int(part) << shift for part, shift in zip(text.split('.'), (24, 16, 8, 0)))
        else:
            raise FieldProblem('%r is not a whole number (decimal, 0x hex, or four dotted bytes)' % (value,))
    if not 0 <= number <= KEY_MAX:
        raise FieldProblem('%s is not a 32-bit number (0 to %d)' % (value, KEY_MAX))
    return number


def udp_port(value):
    """A UDP port as a number (1 to 65535) from a whole number or its decimal digits. Raises
    :class:`FieldProblem`."""
    if isinstance(value, bool) or not isinstance(value, (int, str)) or (
            isinstance(value, str) and not DECIMAL.match(value.strip())):
        raise FieldProblem('%r is not a whole number' % (value,))
    number = int(value)
    if not 1 <= number <= UDP_PORT_MAX:
        raise FieldProblem('%s is not a UDP port (1 to %d)' % (value, UDP_PORT_MAX))
    return number


def read_key(value):
    """What a read key is: None for none, its number, else the text as read (it then differs from any
    model's key and is shown as it was)."""
    if value is None:
        return None
    try:
        return tunnel_key(value)
    except FieldProblem:
        return value


def read_udp_port(value):
    """A read UDP port: its number, else the text as read; None for none."""
    if value is None:
        return None
    try:
        return udp_port(value)
    except FieldProblem:
        return value


def port_keys(port_type, options):
    """(in, out) keys of an Open vSwitch tunnel port from its type and options, OVS's defaults applied:
    ``key`` is both; on a vxlan or geneve port none is VNI 0, on a GRE port none is no key."""
    both = options.get('key')
    default = 0 if port_type in DEFAULT_UDP_PORTS else None
    return tuple(read_key(k) if k is not None else default
                 for k in (options.get('in_key', both), options.get('out_key', both)))


def port_udp_port(port_type, options):
    """The UDP destination port of an Open vSwitch vxlan or geneve port (its default when unset); None
    for other types."""
    if port_type not in DEFAULT_UDP_PORTS:
        return None
    value = options.get('dst_port')
    return DEFAULT_UDP_PORTS[port_type] if value in (None, '') else read_udp_port(value)
