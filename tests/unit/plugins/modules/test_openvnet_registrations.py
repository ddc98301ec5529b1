import os

import pytest

from ansible_collections.openvnet.openvnet.plugins.modules import openvnet_registrations
from tests.support.uthelper import load_cases, run_case

HERE = os.path.dirname(__file__)
FETCH_URL = 'ansible_collections.openvnet.openvnet.plugins.module_utils.openvnet.fetch_url'


@pytest.mark.parametrize('case', load_cases(os.path.join(HERE, 'test_openvnet_registrations.yaml')))
def test_openvnet_registrations(case, capsys):
    run_case(openvnet_registrations.main, case, capsys, '/usr/bin/vnctl', FETCH_URL)
