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
