"""YAML-driven module tests in the style of community.general's UTHelper.

Each case gives the module's ``input``, optional ``flags`` (check, diff), the
exact ``run_command`` calls (argv, rc, out, err) or ``fetch_url`` requests
(method, url, body; answered with status and response) it must make, in
order and in number, and the ``output`` keys the result must contain.
"""

import json
from unittest import mock

import pytest
import yaml
from ansible.module_utils import basic
from ansible.module_utils.common import warnings
from ansible.module_utils.testing import patch_module_args


def load_cases(path):
    with open(path) as f:
        doc = yaml.safe_load(f)
    return [pytest.param(case, id=case['id']) for case in doc['test_cases']]


class Reply:
    def __init__(self, text):
        self.text = text

    def read(self):
        return self.text.encode()


def run_case(main, case, capsys, binary, fetch_url_target=None):
    args = dict(case['input'])
    flags = case.get('flags', {})
    if flags.get('check'):
        args['_ansible_check_mode'] = True
    if flags.get('diff'):
        args['_ansible_diff'] = True
    expected = list(case.get('mocks', {}).get('run_command', []))
    requests = list(case.get('mocks', {}).get('fetch_url', []))
    made = []

    def fetch_url(module, url, data=None, method=None, **kwargs):
        made.append((method, url, data))
        assert requests, 'unexpected extra request: %s %s' % (method, url)
        call = requests.pop(0)
        assert (method, url, data) == (call['method'], call['url'], call.get('body'))
        status, text = call['status'], call.get('response', '')
        if status == -1:
            return None, {'status': -1, 'msg': text}
        if status >= 400:
            return None, {'status': status, 'body': text.encode()}
        return Reply(text), {'status': status}

    def run_command(self, argv, **kwargs):
        made.append(argv)
        assert expected, 'unexpected extra call: %r' % (argv,)
        call = expected.pop(0)
        assert argv == call['command']
        assert kwargs.get('environ_update') == call.get('environ', {'LC_ALL': 'C'})
        return call['rc'], call.get('out', ''), call.get('err', '')

    # Warnings are process-wide (and deduplicated): start each case with none.
    warnings._global_warnings.clear()
    warnings._global_deprecations.clear()
    with patch_module_args(args), \
            mock.patch.object(basic.AnsibleModule, 'run_command', run_command), \
            mock.patch.object(basic.AnsibleModule, 'get_bin_path', return_value=binary), \
            mock.patch(fetch_url_target or 'ansible.module_utils.urls.fetch_url', fetch_url):
        with pytest.raises(SystemExit):
            main()
    result = json.loads(capsys.readouterr().out)
    # ansible-core 2.19 wraps warnings as summaries; compare their text.
    result['warnings'] = [w['event']['msg'] if isinstance(w, dict) else w
                          for w in result.get('warnings', [])]
    assert not expected and not requests, 'calls not made: %r (made %r)' % (expected + requests, made)
    for key, value in case['output'].items():
        assert result.get(key) == value, '%s: %r != %r' % (key, result.get(key), value)
    return result
