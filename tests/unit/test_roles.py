"""Role data that cannot run here: per-OS variables for EL7/8/9 resolve as the
roles' first_found lookups resolve them, and hold the expected names; every
default is documented in the role's argument_specs."""

import os

import pytest
import yaml

ROLES = os.path.join(os.path.dirname(__file__), '..', '..', 'roles')
PLATFORMS = [('Debian', '12'), ('RedHat', '7'), ('RedHat', '8'), ('RedHat', '9')]


def os_vars(role, family, major, distribution=None):
    """What `first_found: [<distribution>.yml, <family>-<major>.yml, <family>.yml]` loads."""
    for name in (['%s.yml' % distribution] if distribution else []) + ['%s-%s.yml' % (family, major), '%s.yml' % family]:
        path = os.path.join(ROLES, role, 'vars', name)
        if os.path.exists(path):
            with open(path) as f:
                return yaml.safe_load(f)
    raise AssertionError('%s has no vars for %s %s' % (role, family, major))


@pytest.mark.parametrize('family, major, packages, service, config', [
    ('Debian', '12', ['redis-server', 'redis-tools'], 'redis-server', '/etc/redis/redis.conf'),
    ('RedHat', '7', ['redis'], 'redis', '/etc/redis.conf'),
    ('RedHat', '8', ['redis'], 'redis', '/etc/redis.conf'),
    ('RedHat', '9', ['redis'], 'redis', '/etc/redis/redis.conf'),
])
def test_redis_os_vars(family, major, packages, service, config):
    found = os_vars('redis', family, major)
    assert (found['__redis_packages'], found['__redis_service'], found['__redis_config_file']) == \
        (packages, service, config)


@pytest.mark.parametrize('family, major, server, service, socket, root_socket_auth', [
    ('Debian', '12', 'mariadb-server', 'mariadb', '/run/mysqld/mysqld.sock', False),
    ('RedHat', '7', 'mariadb-server', 'mariadb', '/var/lib/mysql/mysql.sock', True),
    ('RedHat', '8', 'mariadb-server', 'mariadb', '/var/lib/mysql/mysql.sock', False),
    ('RedHat', '9', 'mariadb-server', 'mariadb', '/var/lib/mysql/mysql.sock', False),
])
def test_mysqld_os_vars(family, major, server, service, socket, root_socket_auth):
    found = os_vars('mysqld', family, major)
    assert server in found['__mysqld_packages']['mariadb']
    assert any('pymysql' in p.lower() for p in found['__mysqld_packages']['mariadb'])
    assert found['__mysqld_service']['mariadb'] == service
    assert found['__mysqld_socket'] == socket
    assert found['__mysqld_root_socket_auth'] is root_socket_auth
    if family == 'RedHat':
        assert found['__mysqld_service']['mysql'] == 'mysqld'


@pytest.mark.parametrize('family, major, backend', [
    ('Debian', '12', 'networkd'), ('RedHat', '7', 'ifcfg'), ('RedHat', '8', 'networkmanager'),
    ('RedHat', '9', 'networkmanager')])
def test_gretap_backend_by_os(family, major, backend):
    assert os_vars('gretap_peer', family, major)['__gretap_peer_backend'] == backend


@pytest.mark.parametrize('distribution, family, major, backend', [
    ('Debian', 'Debian', '12', 'networkd'), ('Ubuntu', 'Debian', '24', 'netplan'), ('CentOS', 'RedHat', '7', 'ifcfg'),
    ('Rocky', 'RedHat', '8', 'networkmanager'), ('RedHat', 'RedHat', '9', 'networkmanager')])
def test_underlay_nic_backend_by_os(distribution, family, major, backend):
    assert os_vars('underlay_nic', family, major, distribution)['__underlay_nic_backend'] == backend


@pytest.mark.parametrize('role', sorted(os.listdir(ROLES)))
def test_every_default_is_documented(role):
    with open(os.path.join(ROLES, role, 'defaults', 'main.yml')) as f:
        defaults = yaml.safe_load(f) or {}
    with open(os.path.join(ROLES, role, 'meta', 'argument_specs.yml')) as f:
        spec = yaml.safe_load(f)['argument_specs']['main']['options']
    assert sorted(set(defaults) - set(spec)) == []
    for name, option in spec.items():
        assert option.get('description'), '%s: %s has no description' % (role, name)


def test_underlay_nic_policy_routing_defaults_agree():
    """defaults/main.yml, the argument spec's nested defaults and the keys vars/main.yml fills in are one set."""
    with open(os.path.join(ROLES, 'underlay_nic', 'defaults', 'main.yml')) as f:
        default = yaml.safe_load(f)['underlay_nic_policy_routing']
    with open(os.path.join(ROLES, 'underlay_nic', 'meta', 'argument_specs.yml')) as f:
        spec = yaml.safe_load(f)['argument_specs']['main']['options']['underlay_nic_policy_routing']['options']
    with open(os.path.join(ROLES, 'underlay_nic', 'vars', 'main.yml')) as f:
        filled = yaml.safe_load(f)['__underlay_nic_routing']
    assert default == dict((name, option['default']) for name, option in spec.items())
    literal = filled[filled.index('{{') + 2:filled.index('| combine')].strip()
    assert yaml.safe_load(literal) == default
    # the priority must come before the main table's rule (32766)
    assert 0 < default['priority'] < 32766


@pytest.mark.parametrize('family, major, firewall', [
    ('Debian', '12', 'nftables'), ('RedHat', '7', 'firewalld'), ('RedHat', '8', 'firewalld'), ('RedHat', '9', 'firewalld')])
def test_redis_firewall_by_os(family, major, firewall):
    assert os_vars('redis', family, major)['__redis_firewall'] == firewall


def role_vars(role):
    with open(os.path.join(ROLES, role, 'vars', 'main.yml')) as f:
        return yaml.safe_load(f)


GOOD_PASSWORDS = ['molecule-not-a-secret', 'lab-only-password', 'b5f0c1e2d3a4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f50',
                  'A.b_c-9']
BAD_PASSWORDS = ['', 'a&b', 'a#b', 'a#{1}', 'a#$x', 'a#@x', 'a"b', 'a\\b', 'a?b', 'a%41', 'a/b', 'a@b', 'a+b', 'a b',
                 '~ab', 'a~b', 'a$b', "a'b", 'a;b', 'ab\n', '\u00e9t\u00e9', 'a:b', 'a=b']


@pytest.mark.parametrize('role, name', [('openvnet', '__openvnet_db_password_pattern'),
                                        ('mysqld', '__mysqld_openvnet_password_pattern')])
def test_database_password_pattern(role, name):
    """The roles' check (Ansible's `match` test is re.match): one rule in both roles."""
    import re
    pattern = role_vars(role)[name]
    assert pattern == role_vars('openvnet')['__openvnet_db_password_pattern']
    assert [p for p in GOOD_PASSWORDS if not re.match(pattern, p)] == []
    assert [p for p in BAD_PASSWORDS if re.match(pattern, p)] == []


def test_openvnet_dcell_ports_by_service():
    nodes = {node['name']: node['port'] for node in role_vars('openvnet')['openvnet_nodes']}
    assert nodes == {'webapi': 9101, 'vnmgr': 9102, 'vna': 9103}


def role_defaults(role):
    with open(os.path.join(ROLES, role, 'defaults', 'main.yml')) as f:
        return yaml.safe_load(f)


def test_repos_names_no_package_source_of_its_own_for_openvnet():
    """OpenVNet's sources are the user's to give (upstream's hosts are gone, its packages unsigned); the
    sources the role does default to (EPEL, SCL) are https and signed."""
    defaults = role_defaults('repos')
    assert defaults['repos_openvnet_baseurl'] == defaults['repos_openvnet_third_party_baseurl'] == ''
    assert defaults['repos_allow_unsigned_http'] is False
    for name, value in defaults.items():
        if isinstance(value, str) and '://' in value:
            assert value.startswith('https://'), '%s: %s' % (name, value)
    assert defaults['repos_epel_gpgcheck'] is True and defaults['repos_scl_gpgcheck'] is True
    # on whenever a key is given
    assert defaults['repos_openvnet_gpgcheck'] == "{{ repos_openvnet_gpgkey | trim | length > 0 }}"


def test_aws_eni_least_privilege_defaults():
    defaults = role_defaults('aws_eni')
    assert defaults['aws_eni_ssh'] is False
    assert defaults['aws_eni_source_dest_check'] is True
    assert defaults['aws_eni_force_detach'] is False


# Issue 23, 8: verify.yml --check is a read-only audit of a live deployment.
VERIFY = os.path.join(ROLES, '..', 'playbooks', 'verify.yml')
READ_ONLY_MODULES = {'openvnet.openvnet.ovs_info', 'openvnet.openvnet.openvnet_info', 'ansible.builtin.debug',
                     'ansible.builtin.assert', 'ansible.builtin.meta', 'ansible.builtin.command'}


def _verify_tasks():
    with open(VERIFY) as f:
        plays = yaml.safe_load(f)
    return [(play['name'], task) for play in plays for task in play.get('tasks', [])]


def _module(task):
    return next(k for k in task if '.' in k and k.split('.')[0] in ('ansible', 'openvnet'))


def test_verify_in_check_mode_reads_and_judges_and_writes_nothing():
    tasks = _verify_tasks()
    assert tasks
    for play, task in tasks:
        module = _module(task)
        if module == 'ansible.builtin.include_role':
            # openvnet's registered.yml: one openvnet_info read
            with open(os.path.join(ROLES, 'openvnet', 'tasks', task[module]['tasks_from'])) as f:
                included = yaml.safe_load(f)
            assert [_module(t) for t in included] == ['openvnet.openvnet.openvnet_info'], included
            continue
        assert module in READ_ONLY_MODULES, (play, task['name'], module)
        if module == 'ansible.builtin.command':
            # a read or a probe: it runs in check mode, and reports no change
            assert task.get('check_mode') is False and task.get('changed_when') is False, task['name']
        if module == 'ansible.builtin.meta':
            # check mode ends the verification only after a run that merely predicted the deployment
            assert task[module] == 'end_play' and 'verify_predicted' in task['when'], task['name']


def test_verify_skips_only_after_a_predicted_deployment():
    with open(VERIFY) as f:
        text = f.read()
    assert 'when: ansible_check_mode\n' not in text
    with open(os.path.join(ROLES, 'gretap_peer', 'tasks', 'main.yml')) as f:
        assert 'gretap_peer_predicted: "{{ ansible_check_mode }}"' in f.read()


# Issue 23, 6: repository URLs as URLs allow them.
def _repos_patterns():
    with open(os.path.join(ROLES, 'repos', 'vars', 'main.yml')) as f:
        found = yaml.safe_load(f)
    return found['__repos_url_pattern'], found['__repos_trusted_pattern']


@pytest.mark.parametrize('url, ok', [
    ('https://mirror.example/openvnet/', True),
    ('HTTPS://mirror.example/openvnet/', True),
    ('Http://mirror.example/x', True),
    ('ftp://mirror.example/x', True),
    ('file:///srv/repo', True),
    ('https:///path', False),
    ('https://', False),
    ('http:// mirror.example/x', False),
    ('mirror.example/x', False),
])
def test_repos_url_pattern(url, ok):
    import re
    url_pattern = _repos_patterns()[0]
    # Jinja's match test: re.match
    assert bool(re.match(url_pattern, url)) is ok


@pytest.mark.parametrize('url, trusted', [
    ('HTTPS://mirror.example/key', True), ('File:///etc/pki/key', True), ('http://mirror.example/key', False)])
def test_repos_trusted_pattern(url, trusted):
    import re
    trusted_pattern = _repos_patterns()[1]
    assert bool(re.match(trusted_pattern, url)) is trusted


# Issue 23, 7: vna's OpenFlow port (vna listens on every address) is loopback-only wherever vna runs.
def _openvnet_firewall_vars(**overrides):
    """vars/main.yml's firewall switches as Ansible evaluates them on a Debian hub with an underlay address."""
    from ansible.parsing.dataloader import DataLoader
    from ansible.template import Templar
    try:
        from ansible.template import trust_as_template
    except ImportError:     # ansible-core before 2.19 templates every string

        def trust_as_template(value):
            return value

    def trust(value):
        if isinstance(value, str):
            return trust_as_template(value)
        if isinstance(value, list):
            return [trust(v) for v in value]
        if isinstance(value, dict):
            return dict((k, trust(v)) for k, v in value.items())
        return value

    variables = trust(dict(role_defaults('openvnet'), **role_vars('openvnet')))
    variables.update(ansible_facts={'os_family': 'Debian'}, inventory_hostname='sv0', openvnet_topology={'hubs': {}},
                     openvnet_underlay_address='192.0.2.10')
    variables.update(trust(overrides))
    templar = Templar(loader=DataLoader(), variables=variables)
    return dict((name, templar.template(variables[name])) for name in
                ('openvnet_firewalled', '__openvnet_firewall_dcell_ports', '__openvnet_firewall_openflow_ports'))


@pytest.mark.parametrize('overrides, firewalled, dcell, openflow', [
    ({}, True, [], [6633]),                                                          # default layout: OpenFlow only
    ({'openvnet_cluster_addresses': ['192.0.2.0/24']}, True, [9101, 9102, 9103], [6633]),   # cluster: both
    ({'openvnet_services': ['vna'], 'openvnet_cluster_addresses': ['192.0.2.0/24']}, True, [9103], [6633]),
    ({'openvnet_vna_openflow_port': 16633}, True, [], [16633]),
    ({'openvnet_services': ['vnmgr', 'webapi']}, False, [], []),                       # no vna, DCell on loopback
    ({'openvnet_firewall': 'none'}, False, [], [6633]),                                # left to the user
])
def test_openvnet_firewall_covers_vnas_openflow_port_in_every_layout(overrides, firewalled, dcell, openflow):
    found = _openvnet_firewall_vars(**overrides)
    assert found == {'openvnet_firewalled': firewalled, '__openvnet_firewall_dcell_ports': dcell,
                     '__openvnet_firewall_openflow_ports': openflow}
    assert role_defaults('openvnet')['openvnet_vna_openflow_port'] == 6633


def test_openvnet_vna_openflow_port_is_where_the_bridges_controller_points():
    from ansible_collections.openvnet.openvnet.plugins.filter.topology import CONTROLLER
    assert CONTROLLER == 'tcp:127.0.0.1:%d' % role_defaults('openvnet')['openvnet_vna_openflow_port']
