import copy
import os
from unittest import mock

import pytest

from ansible_collections.openvnet.openvnet.plugins.modules import (
    openvnet_datapath, openvnet_datapath_network, openvnet_info, openvnet_interface, openvnet_network)
from tests.support.uthelper import load_cases, run_case

HERE = os.path.dirname(__file__)
OPENVNET = 'ansible_collections.openvnet.openvnet.plugins.module_utils.openvnet'
FETCH_URL = OPENVNET + '.fetch_url'
MODULES = {
    'openvnet_datapath': openvnet_datapath, 'openvnet_network': openvnet_network,
    'openvnet_interface': openvnet_interface, 'openvnet_datapath_network': openvnet_datapath_network,
    'openvnet_info': openvnet_info,
}


def under_timeout(case):
    """vnctl runs under coreutils timeout (``timeout --kill-after=5 <timeout option>``): the cases
    give the vnctl argv, as the result's requests show it; the wrapper is added here."""
    case = copy.deepcopy(case)
    prefix = ['/usr/bin/timeout', '--kill-after=5', str(case['input'].get('timeout', 30))]
    for call in case.get('mocks', {}).get('run_command', []):
        call['command'] = prefix + call['command']
    return case


def run_vnctl_case(main, case, capsys):
    with mock.patch(OPENVNET + '.get_bin_path', return_value='/usr/bin/timeout'):
        return run_case(main, under_timeout(case), capsys, '/usr/bin/vnctl', FETCH_URL)


@pytest.mark.parametrize('case', load_cases(os.path.join(HERE, 'test_openvnet_modules.yaml')))
def test_openvnet_modules(case, capsys):
    run_vnctl_case(MODULES[case['module']].main, case, capsys)
