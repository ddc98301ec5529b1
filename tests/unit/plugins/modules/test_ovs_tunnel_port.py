from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import pytest

from ansible_collections.openvnet.openvnet.plugins.modules import ovs_tunnel_port
from tests.support.uthelper import load_cases, run_case

CASES = os.path.join(os.path.dirname(__file__), 'test_ovs_tunnel_port.yaml')


@pytest.mark.parametrize('case', load_cases(CASES))
def test_ovs_tunnel_port(case, capsys):
    run_case(ovs_tunnel_port.main, case, capsys, '/usr/bin/ovs-vsctl')
