"""The ipv4_network test: CIDR with a prefix length, no host bits, nothing else."""

import pytest

from ansible_collections.openvnet.openvnet.plugins.test.network import ipv4_network


@pytest.mark.parametrize('value', ['203.0.113.0/24', '198.51.100.7/32', '0.0.0.0/0', '10.0.0.0/8'])
def test_networks_with_a_prefix_length(value):
    assert ipv4_network(value)


@pytest.mark.parametrize('value', [
    '203.0.113.5/24',             # host bits
    '203.0.113.0',                # no prefix
    '203.0.113.0/255.255.255.0',  # a netmask, not a prefix length
    '203.0.113.0/0.0.0.255',      # a host mask
    '203.0.113.0/024',            # leading zero
    '203.0.113.0/33',
    '203.0.113.0/24\n',           # trailing newline
    ' 203.0.113.0/24',
    '2001:db8::/32',
    '', None, 24,
])
def test_anything_else(value):
    assert not ipv4_network(value)
