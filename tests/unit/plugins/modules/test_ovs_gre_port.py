import errno
import json
import os
from unittest import mock

import pytest
from ansible.module_utils import basic
from ansible.module_utils.testing import patch_module_args

from ansible_collections.openvnet.openvnet.plugins.modules import ovs_gre_port
from tests.support.uthelper import load_cases, run_case

CASES = os.path.join(os.path.dirname(__file__), 'test_ovs_gre_port.yaml')


@pytest.mark.parametrize('case', load_cases(CASES))
def test_ovs_gre_port(case, capsys):
    # A case may say where ovs-vsctl is found (null: not installed).
    run_case(ovs_gre_port.main, case, capsys, case.get('binary', '/usr/bin/ovs-vsctl'))


def run_raising(error, capsys, **args):
    """The module's result when ovs-vsctl cannot even be started (run_command raises)."""
    def run_command(self, argv, **kwargs):
        raise error
    with patch_module_args(args), \
            mock.patch.object(basic.AnsibleModule, 'run_command', run_command), \
            mock.patch.object(basic.AnsibleModule, 'get_bin_path', return_value='/usr/bin/ovs-vsctl'):
        with pytest.raises(SystemExit):
            ovs_gre_port.main()
    return json.loads(capsys.readouterr().out)


def test_an_over_long_command_line_says_so(capsys):
    ports = [dict(name='gre-%d' % i, remote_ip='192.0.2.%d' % i) for i in range(1, 4)]
    result = run_raising(OSError(errno.E2BIG, 'Argument list too long'), capsys, bridge='br0', ports=ports)
    assert result['failed'] is True
    assert result['msg'].startswith('the ovs-vsctl command line is too long for this host (')
    assert result['msg'].endswith('manage fewer ports in one task')


def test_a_binary_gone_at_run_time_says_so(capsys):
    result = run_raising(OSError(errno.ENOENT, 'No such file or directory'), capsys,
                         bridge='br0', name='gre-sv1', remote_ip='192.0.2.11')
    assert result['failed'] is True
    assert result['msg'] == ('ovs-vsctl not found at /usr/bin/ovs-vsctl (No such file or directory); '
                             'is Open vSwitch installed?')
