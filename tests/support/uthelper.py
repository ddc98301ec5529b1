"""YAML-driven module tests in the style of community.general's UTHelper.

Each case gives the module's ``input``, optional ``flags`` (check, diff), the
exact ``run_command`` calls it must make (argv, rc, out, err: the number of
calls is checked too) and the ``output`` keys the result must contain.
"""

import json
from unittest import mock

import pytest
import yaml
from ansible.module_utils import basic
from ansible.module_utils.testing import patch_module_args


def load_cases(path):
    with open(path) as f:
        doc = yaml.safe_load(f)
    return [pytest.param(case, id=case['id']) for case in doc['test_cases']]


def run_case(main, case, capsys, binary):
    args = dict(case['input'])
    flags = case.get('flags', {})
    if flags.get('check'):
        args['_ansible_check_mode'] = True
    if flags.get('diff'):
        args['_ansible_diff'] = True
    expected = list(case.get('mocks', {}).get('run_command', []))
    made = []

    def run_command(self, argv, **kwargs):
        made.append(argv)
        assert expected, 'unexpected extra call: %r' % (argv,)
        call = expected.pop(0)
        assert argv == call['command']
        assert kwargs.get('environ_update') == call.get('environ', {'LC_ALL': 'C'})
        return call['rc'], call.get('out', ''), call.get('err', '')

    with patch_module_args(args), \
            mock.patch.object(basic.AnsibleModule, 'run_command', run_command), \
            mock.patch.object(basic.AnsibleModule, 'get_bin_path', return_value=binary):
        with pytest.raises(SystemExit):
            main()
    result = json.loads(capsys.readouterr().out)
    # ansible-core 2.19 wraps warnings as summaries; compare their text.
    result['warnings'] = [w['event']['msg'] if isinstance(w, dict) else w
                          for w in result.get('warnings', [])]
    assert not expected, 'calls not made: %r (made %r)' % (expected, made)
    for key, value in case['output'].items():
        assert result.get(key) == value, '%s: %r != %r' % (key, result.get(key), value)
    return result
