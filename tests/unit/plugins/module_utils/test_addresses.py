import pytest

from ansible_collections.openvnet.openvnet.plugins.module_utils.addresses import dpid_hex, mac


@pytest.mark.parametrize('value, expected', [
    ('02:00:0A:00:01:0A', '02:00:0a:00:01:0a'),
    ('02-00-0a-00-01-0a', '02:00:0a:00:01:0a'),
    ('02:00:0a:00:01', None),
    ('02:00:0a:00:01:0g', None),
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
