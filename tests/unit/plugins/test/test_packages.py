from ansible_collections.openvnet.openvnet.plugins.test.packages import installed

FACTS = {'packages': {'redis-server': [{'version': '5:7.0.15-1'}], 'redis-tools': [{'version': '5:7.0.15-1'}],
                      'libstdc++6': [{'version': '12.2.0-14'}]}}


def test_installed_only_when_the_facts_list_every_package():
    assert installed(['redis-server', 'redis-tools'], FACTS)
    assert installed('libstdc++6', FACTS)
    assert not installed(['redis-server', 'mariadb-server'], FACTS)


def test_without_facts_the_package_manager_decides():
    assert not installed(['redis-server'], {})
    assert not installed(['redis-server'], {'packages': {}})


def test_versions_globs_and_paths_are_left_to_the_package_manager():
    for name in ('redis-server=5:7.0.15-1', 'redis-*', '/tmp/redis.deb', 'redis-server>=7'):
        assert not installed([name], FACTS)
