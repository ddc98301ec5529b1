import os

import pytest

from ansible_collections.openvnet.openvnet.plugins.modules import openvnet_registrations
from tests.support.uthelper import load_cases
from tests.unit.plugins.modules.test_openvnet_modules import run_vnctl_case

HERE = os.path.dirname(__file__)


@pytest.mark.parametrize('case', load_cases(os.path.join(HERE, 'test_openvnet_registrations.yaml')))
def test_openvnet_registrations(case, capsys):
    run_vnctl_case(openvnet_registrations.main, case, capsys)
