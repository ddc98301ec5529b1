"""Run the collection's modules and playbooks the way Ansible does."""

import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
COLLECTIONS = os.path.join(ROOT, '.build', 'collections')


def run_module(name, args, check=False, diff=False, env=None):
    """Run a module of the collection as Ansible does on a target: a process
    reading its arguments from a JSON file; returns the parsed result."""
    args = dict(args)
    if check:
        args['_ansible_check_mode'] = True
    if diff:
        args['_ansible_diff'] = True
    with tempfile.NamedTemporaryFile('w', suffix='.json', delete=False) as f:
        json.dump({'ANSIBLE_MODULE_ARGS': args}, f)
    try:
        proc = subprocess.run(
            [sys.executable, '-m', 'ansible_collections.openvnet.openvnet.plugins.modules.' + name, f.name],
            capture_output=True, text=True, check=False, env=dict(os.environ, PYTHONPATH=COLLECTIONS, **(env or {})))
    finally:
        os.unlink(f.name)
    try:
        return json.loads(proc.stdout)
    except ValueError:
        raise AssertionError('module printed no JSON: %s %s' % (proc.stdout, proc.stderr))
