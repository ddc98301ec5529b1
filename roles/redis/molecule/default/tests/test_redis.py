"""Redis as the role left it, seen from inside the container."""

testinfra_hosts = ['all']


def ping(host, address):
    return host.run('redis-cli -h %s -p 6379 PING', address)


def test_answers_on_every_configured_address(host):
    underlay = host.interface.default().addresses[0]
    for address in ('127.0.0.1', underlay, '127.0.0.3'):
        result = ping(host, address)
        assert result.stdout.strip() == 'PONG', (address, result.stderr)


def test_refuses_an_address_it_does_not_bind(host):
    result = ping(host, '127.0.0.2')
    assert result.stdout.strip() != 'PONG'
    assert 'refused' in (result.stdout + result.stderr).lower()


def test_protected_mode_off_only_because_it_listens_beyond_loopback(host):
    conf = host.file('/etc/redis/redis.conf')
    assert conf.contains('^protected-mode no$')
    assert conf.contains('^bind 127.0.0.1 [0-9.]* 127.0.0.3$')


def test_enabled_and_running(host):
    assert host.service('redis-server').is_enabled
    assert host.service('redis-server').is_running
