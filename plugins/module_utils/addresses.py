# -*- coding: utf-8 -*-
# Copyright: (c) 2026, OpenVNet collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""MAC addresses and datapath ids, read the same way by the OVS and the OpenVNet modules."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

MAC = re.compile(r'^[0-9a-f]{2}([:-][0-9a-f]{2}){5}\Z')
DPID = re.compile(r'^(0x)?([0-9a-f]{16})\Z')


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
