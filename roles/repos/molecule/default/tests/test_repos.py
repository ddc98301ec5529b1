"""The repository files the role wrote with EL facts, byte for byte."""

import os

testinfra_hosts = ['all']
EXPECTED = os.path.join(os.path.dirname(__file__), 'expected')


def test_repository_files_are_exactly_as_expected(host):
    for release in sorted(os.listdir(EXPECTED)):
        wanted = sorted(os.listdir(os.path.join(EXPECTED, release)))
        assert sorted(host.file('/tmp/' + release).listdir()) == wanted, release
        for name in wanted:
            with open(os.path.join(EXPECTED, release, name)) as f:
                assert host.file('/tmp/%s/%s' % (release, name)).content_string == f.read(), name


def test_nothing_written_where_the_role_refused_or_only_checked(host):
    # every refusal of side_effect.yml pointed the role at /tmp/refused
    assert host.file('/tmp/refused').listdir() == []
    assert host.file('/tmp/el7-check').listdir() == []
    assert not host.file('/etc/yum.repos.d').exists
