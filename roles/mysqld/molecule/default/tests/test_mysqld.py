"""MariaDB as the role left it, seen from inside the container."""

testinfra_hosts = ['all']
PASSWORD = 'molecule-not-a-secret'  # molecule.yml


def sql(host, user, query, password=None, database=''):
    auth = ['-p' + password] if password else []
    return host.run(' '.join(['mysql', '-h', '127.0.0.1', '-u', user] + auth + [database, '-N', '-e', '%s']), query)


def test_openvnet_user_can_create_a_table_in_its_database(host):
    query = ('CREATE TABLE probe (id INT NOT NULL, name VARCHAR(8) NOT NULL); '
             'INSERT INTO probe (id) VALUES (1); SELECT COUNT(*) FROM probe; DROP TABLE probe')
    result = sql(host, 'vnet', query, PASSWORD, 'vnet')
    assert result.rc == 0, result.stderr
    # Non-strict mode: the NOT NULL column without a value is accepted, as OpenVNet needs.
    assert result.stdout.strip() == '1'


def test_wrong_password_is_refused(host):
    assert sql(host, 'vnet', 'SELECT 1', 'wrong', 'vnet').rc != 0


def test_root_cannot_log_in_over_tcp_with_an_empty_password(host):
    result = sql(host, 'root', 'SELECT 1')
    assert result.rc != 0
    assert 'Access denied' in result.stderr


def test_listens_on_loopback_only(host):
    listeners = [line.split()[3] for line in host.check_output('ss -Htln').splitlines()]
    assert [a for a in listeners if a.endswith(':3306')] == ['127.0.0.1:3306']
    assert host.service('mariadb').is_enabled
    # Debian's socket units would listen on *:3306 and MariaDB would ignore bind-address (seen in the
    # lab, where they start at boot): masked
    assert host.run('systemctl is-enabled mariadb.socket').stdout.strip() == 'masked'
    # mariadb-extra.socket came with later 10.11 builds: masked where it exists
    assert host.run('systemctl is-enabled mariadb-extra.socket').stdout.strip() in ('masked', '')
