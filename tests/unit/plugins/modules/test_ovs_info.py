import os
from types import SimpleNamespace
from unittest import mock

import pytest

from ansible_collections.openvnet.openvnet.plugins.module_utils import ovs
from ansible_collections.openvnet.openvnet.plugins.modules import ovs_info
from tests.support.uthelper import load_cases, run_case

CASES = os.path.join(os.path.dirname(__file__), 'test_ovs_info.yaml')
FIND_BINARY = ovs.find_binary


@pytest.mark.parametrize('case', load_cases(CASES))
def test_ovs_info(case, capsys):
    # Two tools: each is found as /usr/bin/<name>, unless the case lists it as ``missing``.
    missing = case.get('missing', [])

    def find_binary(module, name):
        return FIND_BINARY(SimpleNamespace(get_bin_path=lambda n: None if n in missing else '/usr/bin/' + n), name)

    with mock.patch.object(ovs, 'find_binary', find_binary):
        run_case(ovs_info.main, case, capsys, '/usr/bin/ovs-vsctl')
