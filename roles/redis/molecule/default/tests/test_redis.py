"""Redis as the role left it in the default layout (every OpenVNet service on this host),
seen from inside the container."""

testinfra_hosts = ['all']


def ping(host, address):
    return host.run('redis-cli -h %s -p 6379 PING', address)


def listeners(host, port):
    """Local addresses with a TCP listener on port, as `ss -ltn` shows them."""
    out = host.check_output('ss -Htln sport = :%d' % port)
    return sorted(line.split()[3].rsplit(':', 1)[0] for line in out.splitlines())


def test_listens_on_127_0_0_1_only(host):
    assert listeners(host, 6379) == ['127.0.0.1']


def test_answers_on_loopback_and_refuses_the_underlay(host):
    assert ping(host, '127.0.0.1').stdout.strip() == 'PONG'
    underlay = host.interface.default().addresses[0]
    result = ping(host, underlay)
    assert result.stdout.strip() != 'PONG'
    assert 'refused' in (result.stdout + result.stderr).lower()


def test_protected_mode_on_and_no_firewall_of_ours(host):
    conf = host.file('/etc/redis/redis.conf')
    assert conf.contains('^protected-mode yes$')
    assert conf.contains('^bind 127.0.0.1$')
    # loopback only: nothing to guard
    assert not host.file('/etc/systemd/system/openvnet-redis-firewall.service').exists
    assert not host.file('/etc/nftables.d/openvnet-redis.nft').exists


def test_enabled_and_running(host):
    assert host.service('redis-server').is_enabled
    assert host.service('redis-server').is_running
