import os

import pytest

from ansible_collections.openvnet.openvnet.plugins.modules import (
    openvnet_datapath, openvnet_datapath_network, openvnet_info, openvnet_interface, openvnet_network)
from tests.support.uthelper import load_cases, run_case

HERE = os.path.dirname(__file__)
FETCH_URL = 'ansible_collections.openvnet.openvnet.plugins.module_utils.openvnet.fetch_url'
MODULES = {
    'openvnet_datapath': openvnet_datapath, 'openvnet_network': openvnet_network,
    'openvnet_interface': openvnet_interface, 'openvnet_datapath_network': openvnet_datapath_network,
    'openvnet_info': openvnet_info,
}


@pytest.mark.parametrize('case', load_cases(os.path.join(HERE, 'test_openvnet_modules.yaml')))
def test_openvnet_modules(case, capsys):
    run_case(MODULES[case['module']].main, case, capsys, '/usr/bin/vnctl', FETCH_URL)
