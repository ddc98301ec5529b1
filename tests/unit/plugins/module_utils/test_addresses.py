import ipaddress

import pytest

from ansible_collections.openvnet.openvnet.plugins.module_utils.addresses import (
    dpid_hex, endpoint_problem, mac, unicast_mac_problem, yaml_number)


@pytest.mark.parametrize('value, expected', [
    ('02:00:0A:00:01:0A', '02:00:0a:00:01:0a'),
    ('02-00-0a-00-01-0a', '02:00:0a:00:01:0a'),
    ('02:00:0a:00:01', None),
    ('02:00:0a:00:01:0g', None),
    ('02:00:0a:00:01:0a\n', None),
    ('', None),
])
def test_mac(value, expected):
    assert mac(value) == expected


@pytest.mark.parametrize('value, expected', [
    ('02:00:0a:00:01:0a', '000002000a00010a'),   # the manual procedure: 0000 + the MAC
    ('0x000002000A00010A', '000002000a00010a'),
    ('000002000a00010a', '000002000a00010a'),
    ('0x2000a00010a', None),
    ('br0', None),
])
def test_dpid_hex(value, expected):
    assert dpid_hex(value) == expected


@pytest.mark.parametrize('value, expected', [
    ('02:00:0a:00:01:0a', None),
    ('03:00:0a:00:01:0a', 'is a multicast address (the first octet is odd)'),
    ('ff:ff:ff:ff:ff:ff', 'is a multicast address (the first octet is odd)'),
    ('00:00:00:00:00:00', 'is all zeros'),
])
def test_unicast_mac_problem(value, expected):
    assert unicast_mac_problem(value) == expected


@pytest.mark.parametrize('value, expected', [
    ('192.0.2.11', None),
    ('2001:db8::2', None),
    ('169.254.0.1', None),
    ('0.0.0.0', 'is the unspecified address'),
    ('::', 'is the unspecified address'),
    ('127.0.0.1', 'is a loopback address'),
    ('::1', 'is a loopback address'),
    ('224.0.0.5', 'is a multicast address'),
    ('ff02::1', 'is a multicast address'),
    ('255.255.255.255', 'is the broadcast address'),
    ('fe80::1', 'is an IPv6 link-local address (fe80::/10), which needs a scope Open vSwitch cannot be given'),
    ('febf::1', 'is an IPv6 link-local address (fe80::/10), which needs a scope Open vSwitch cannot be given'),
])
def test_endpoint_problem(value, expected):
    assert endpoint_problem(ipaddress.ip_address(value)) == expected


@pytest.mark.parametrize('value, expected', [
    (2199191027978, True),           # datapath_id: 0x000002000a00010a, unquoted
    ('9783981296', True),            # hwaddr: 12:34:56:12:34:56, unquoted, after Ansible made it a str
    ('02:00:0a:00:01:0a', False),
    ('0x1234', False),
    ('12\n', False),
])
def test_yaml_number(value, expected):
    assert yaml_number(value) is expected
