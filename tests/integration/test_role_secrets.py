"""The database password's checks in the openvnet and mysqld roles, run by ansible-playbook on
localhost: every password that cannot survive common.conf (a Ruby string), OpenVNet's database
URL (mysql2://host:port/db?user=U&password=P) and rake's shell is refused before any change, the
refusal says why and how to make a good one, the password never appears in the output (even at
-vvv), and a good one passes. One run per role, one inventory host per password."""

import os
import re
import subprocess
import sys

import pytest
import yaml

ROOT = os.path.join(os.path.dirname(__file__), '..', '..')
COLLECTIONS = os.path.join(ROOT, '.build', 'collections')
ANSIBLE_PLAYBOOK = os.path.join(os.path.dirname(sys.executable), 'ansible-playbook')

# Each one distinctive, so that finding it in the output cannot be a coincidence.
HOSTILE = {
    'ampersand': 'Zq7k&Xw9mQ',            # ends password= in the URL
    'hash': 'Zq7k#Xw9mQ',                 # starts the URL's fragment
    'ruby_code': 'Zq7k#{`id`}Xw9mQ',      # runs in a double-quoted Ruby string
    'ruby_global': 'Zq7k#$0Xw9mQ',        # interpolates $0
    'ruby_ivar': 'Zq7k#@confXw9mQ',       # interpolates @conf
    'quote': 'Zq7k"Xw9mQ',                # ends the Ruby string
    'backslash': 'Zq7k\\nXw9mQ',          # an escape in the Ruby string
    'question': 'Zq7k?Xw9mQ',
    'percent': 'Zq7k%41Xw9mQ',            # Sequel percent-decodes it: %41 becomes A
    'slash': 'Zq7k/Xw9mQ',
    'at': 'Zq7k@Xw9mQ',
    'plus': 'Zq7k+Xw9mQ',
    'space': 'Zq7k Xw9mQ',
    'tilde': '~Zq7kXw9mQ',                # rake db:create: /bin/sh expands a leading ~ after =
    'dollar': 'Zq7k$HOMEXw9mQ',           # the shell expands it
    'single_quote': "Zq7k'Xw9mQ",
    'semicolon': 'Zq7k;Xw9mQ',
    'newline': 'Zq7kXw9mQ\n',             # '$' in a regex would let a trailing newline through
    'non_ascii': 'Zq7k\u00e9Xw9mQ',
}
EMPTY = {'empty': '', 'null': None}
GOOD = 'b5f0c1e2d3a4-Good_pass.24'


def inventory(tmp_path):
    hosts = {'hostile_%s' % name: {'mysqld_openvnet_password': password} for name, password in HOSTILE.items()}
    hosts.update(('hostile_%s' % name, {'mysqld_openvnet_password': password}) for name, password in EMPTY.items())
    hosts['good'] = {'mysqld_openvnet_password': GOOD}
    hosts['unset'] = {}
    path = tmp_path / 'inventory.yml'
    path.write_text(yaml.safe_dump({'all': {
        'vars': {'ansible_connection': 'local', 'ansible_python_interpreter': sys.executable},
        'hosts': hosts}}))
    return str(path)


def playbook(tmp_path, text):
    path = tmp_path / 'play.yml'
    path.write_text(text)
    return str(path)


def run(tmp_path, inventory_path, play_path, *extra):
    proc = subprocess.run(
        [ANSIBLE_PLAYBOOK, '-vvv', '--forks', '25', '-i', inventory_path, play_path] + list(extra),
        capture_output=True, text=True, timeout=600, check=False, cwd=str(tmp_path),
        env=dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS, ANSIBLE_NOCOLOR='1',
                 ANSIBLE_LOCAL_TEMP=str(tmp_path / 'tmp'), ANSIBLE_HOME=str(tmp_path / 'home')))
    return proc, proc.stdout + proc.stderr


def recap(output):
    """host -> (ok, failed) from the play recap."""
    return {m.group(1): (int(m.group(2)), int(m.group(3)))
            for m in re.finditer(r'^(\S+)\s+: ok=(\d+)\s+changed=\d+\s+unreachable=\d+\s+failed=(\d+)', output, re.M)}


def assert_no_password_in(output):
    for name, password in HOSTILE.items():
        assert password.strip() not in output, 'the %s password appears in the output' % name
    assert GOOD not in output


@pytest.mark.parametrize('role', ['openvnet', 'mysqld'])
def test_hostile_passwords_are_refused_without_being_shown(tmp_path, role):
    play = playbook(tmp_path, '''
- name: The password check alone
  hosts: all
  gather_facts: false
  tasks:
    - name: The role's check
      ansible.builtin.include_role:
        name: openvnet.openvnet.%s
        tasks_from: validate
''' % role)
    proc, output = run(tmp_path, inventory(tmp_path), play)
    assert proc.returncode != 0
    hosts = recap(output)
    assert hosts['good'][1] == 0 and hosts['good'][0] >= 1, output[-3000:]
    refused = sorted(name for name in hosts if hosts[name][1])
    assert refused == sorted(['hostile_%s' % n for n in list(HOSTILE) + list(EMPTY)] + ['unset']), output[-3000:]
    # every hostile host was refused by the check, which says why and what to do
    assert output.count('openssl rand -hex 24') >= len(HOSTILE) + len(EMPTY)
    assert "'&', '#', '?', '%', '/', '@', '+' and spaces break the connection" in output
    assert_no_password_in(output)


def test_the_openvnet_role_refuses_before_any_change(tmp_path):
    """The whole role, every step on, on a hostile host: it stops at the check, nothing is written."""
    config = tmp_path / 'etc-openvnet'
    play = playbook(tmp_path, '''
- name: The openvnet role
  hosts: hostile_ruby_code
  gather_facts: false
  tasks:
    - name: OpenVNet with every step on
      ansible.builtin.include_role:
        name: openvnet.openvnet.openvnet
      vars:
        openvnet_install_packages: false
        openvnet_configure: true
        openvnet_migrate: true
        openvnet_manage_services: false
        openvnet_register: false
        openvnet_firewall: none
        openvnet_config_dir: %s
''' % config)
    proc, output = run(tmp_path, inventory(tmp_path), play)
    assert proc.returncode != 0
    assert recap(output)['hostile_ruby_code'][1] == 1
    assert 'Check that the database password survives' in output
    assert 'openssl rand -hex 24' in output
    assert not config.exists()
    assert_no_password_in(output)
