import os

import pytest

from ansible_collections.openvnet.openvnet.plugins.modules import ovs_gre_port
from tests.support.uthelper import load_cases, run_case

CASES = os.path.join(os.path.dirname(__file__), 'test_ovs_gre_port.yaml')


@pytest.mark.parametrize('case', load_cases(CASES))
def test_ovs_gre_port(case, capsys):
    # A case may say where ovs-vsctl is found (null: not installed).
    run_case(ovs_gre_port.main, case, capsys, case.get('binary', '/usr/bin/ovs-vsctl'))
