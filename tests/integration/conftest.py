import shutil
import tempfile

import pytest

from tests.support.ovs_sandbox import OvsSandbox, available


@pytest.fixture
def ovs():
    """A fresh real Open vSwitch with bridge br0, stopped after the test."""
    if not available():
        pytest.fail('Open vSwitch is not installed (make setup installs openvswitch-switch)')
    # Short path: unix socket paths are limited to 108 bytes.
    sandbox = OvsSandbox(tempfile.mkdtemp(prefix='ovs-', dir='/tmp'))
    try:
        sandbox.start()
        sandbox.add_bridge('br0')
        yield sandbox
    finally:
        sandbox.stop()
        shutil.rmtree(sandbox.dir, ignore_errors=True)
