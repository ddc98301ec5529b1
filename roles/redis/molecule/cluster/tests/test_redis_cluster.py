"""Redis in the cluster layout: it also listens on the underlay (192.0.2.10), and only loopback
and the cluster (192.0.2.11, in the namespace "underlay") reach it; 192.0.2.99 is refused."""

import time

testinfra_hosts = ['all']

# Connects from a given source address and sends PING; prints PONG, or the error's name.
PROBE = '''
import socket, sys
try:
    s = socket.create_connection(('192.0.2.10', 6379), timeout=5, source_address=(sys.argv[1], 0))
    s.sendall(b'PING\\r\\n')
    print(s.recv(64).decode().strip().lstrip('+'))
except OSError as e:
    print(type(e).__name__)
'''


def probe(host, source):
    return host.check_output('ip netns exec underlay python3 -c %s %s', PROBE, source)


def listeners(host, port):
    out = host.check_output('ss -Htln sport = :%d' % port)
    return sorted(line.split()[3].rsplit(':', 1)[0] for line in out.splitlines())


def test_listens_on_loopback_and_the_underlay_only(host):
    assert listeners(host, 6379) == ['127.0.0.1', '192.0.2.10']


def test_a_cluster_address_is_admitted(host):
    assert probe(host, '192.0.2.11') == 'PONG'


def test_an_address_outside_the_cluster_is_refused(host):
    assert probe(host, '192.0.2.99') == 'ConnectionRefusedError'


def test_loopback_is_admitted(host):
    assert host.check_output('redis-cli -h 127.0.0.1 PING') == 'PONG'
    assert host.check_output('redis-cli -h 192.0.2.10 PING') == 'PONG'


def test_our_own_table_and_nothing_else(host):
    table = host.check_output('nft list table inet openvnet_redis')
    assert '192.0.2.10' in table and '192.0.2.11' in table and '192.0.2.99' not in table
    assert 'tcp dport 6379 reject with tcp reset' in table
    assert 'policy accept' in table and table.count('reject') == 1
    assert host.file('/etc/nftables.d/openvnet-redis.nft').mode == 0o644


def test_the_table_survives_a_restart_of_nftables_service(host):
    """nftables.service loads /etc/nftables.conf, which starts with `flush ruleset`."""
    unit = host.service('openvnet-redis-firewall')
    assert unit.is_enabled and unit.is_running
    host.check_output('systemctl restart nftables.service')
    # our unit restarts with it (PartOf), right after it
    deadline = time.time() + 10
    while 'openvnet_redis' not in host.check_output('nft list tables') and time.time() < deadline:
        time.sleep(0.5)
    assert 'openvnet_redis' in host.check_output('nft list tables')
    assert probe(host, '192.0.2.99') == 'ConnectionRefusedError'
    assert probe(host, '192.0.2.11') == 'PONG'


def test_protected_mode_off_because_the_firewall_guards_the_port(host):
    conf = host.file('/etc/redis/redis.conf')
    assert conf.contains('^protected-mode no$')
    assert conf.contains('^bind 127.0.0.1 192.0.2.10$')
