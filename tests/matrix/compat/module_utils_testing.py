"""ansible.module_utils.testing for ansible-core < 2.19 (test virtualenvs only).

ansible-core 2.19 added ``patch_module_args``, which tests/support/uthelper.py and
tests/unit/plugins/modules/test_ovs_gre_port.py use to hand a module its arguments.
tests/matrix/run.sh copies this file into a matrix virtualenv whose ansible-core lacks
it, as ``ansible/module_utils/testing.py``: it does what the 2.19 helper does there
(the JSON arguments in ``basic._ANSIBLE_ARGS``, which ``_load_params`` reads), without
2.19's serialisation profiles. Never shipped with the collection.
"""

import contextlib
import json
from unittest import mock

from ansible.module_utils import basic
from ansible.module_utils.common.text.converters import to_bytes


@contextlib.contextmanager
def patch_module_args(args=None):
    """Expose the given module args to ``AnsibleModule`` instances created within this context."""
    if not isinstance(args, (dict, type(None))):
        raise TypeError("The `args` arg must be a dict or None.")
    with mock.patch.object(basic, '_ANSIBLE_ARGS', to_bytes(json.dumps({'ANSIBLE_MODULE_ARGS': args or {}}))):
        yield
