"""The main job's cost on the three-VM lab: site.yml's first run and no-op re-runs, with
the per-role breakdown (ansible.posix.profile_roles) and the controller's peak memory,
then no-op re-runs with one Ansible setting changed at a time to show what it is worth.

Two labs, one after the other: fresh hosts (the bare image: the roles install Open vSwitch,
Redis and MariaDB, as on a user's new machines), then the test image, where those packages
are already installed (so its first run only configures). Builds the bare image if needed
(tests/lab/image.sh) and stops each lab at the end."""

import argparse
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..'))

from bench.lib import BUILD, ROOT, playbook, table, write_csv  # noqa: E402

INVENTORY = os.path.join(ROOT, 'inventories', 'lab', 'hosts.yml')
LAB = [sys.executable, os.path.join(ROOT, 'tests', 'lab', 'lab.py')]
COLUMNS = ['run', 'settings', 'wall_s', 'changed', 'peak_rss_mib', 'note']


def run(rows, label, settings, env, roles=None):
    env = dict(os.environ, **env)
    env['ANSIBLE_CALLBACKS_ENABLED'] = 'ansible.posix.profile_roles'
    try:
        result = playbook(os.path.join(ROOT, 'site.yml'), env, ['-i', INVENTORY])
    except RuntimeError as e:
        errors = [line for line in str(e).splitlines() if 'ERROR' in line or 'fatal' in line] or ['?']
        rows.append(dict(run=label, settings=settings, note='failed: %s' % errors[0][:100]))
        print('%-10s %-28s failed' % (label, settings), flush=True)
        return
    seconds, recap, times, peak = result[0], result[1], result[2], result[4]
    changed = sum(r['changed'] for r in recap.values())
    rows.append(dict(run=label, settings=settings, wall_s=seconds, changed=changed, peak_rss_mib=peak))
    print('%-10s %-28s %7.1f s  changed=%d' % (label, settings, seconds, changed), flush=True)
    if roles is not None:
        roles[label + ' / ' + settings] = times


def lab_up(image):
    env = dict(os.environ, LAB_IMAGE=image)
    subprocess.run(['bash', os.path.join(ROOT, 'tests', 'lab', 'image.sh')], env=env, check=True)
    subprocess.run(LAB + ['up'], env=env, check=True)
    subprocess.run(LAB + ['prepare'], env=env, check=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--csv', default=os.path.join(BUILD, 'lab.csv'))
    args = parser.parse_args()
    rows, roles = [], {}
    try:
        lab_up('bare')
        run(rows, 'first', 'fresh hosts', {}, roles)
        run(rows, 'no-op', 'fresh hosts', {})
    finally:
        subprocess.run(LAB + ['down'], check=False)
    try:
        lab_up('base')
        run(rows, 'first', 'packages preinstalled', {}, roles)
        run(rows, 'no-op', 'as shipped', {}, roles)
        run(rows, 'no-op', 'gathering=implicit', {'ANSIBLE_GATHERING': 'implicit'})
        run(rows, 'no-op', 'pipelining off', {'ANSIBLE_PIPELINING': 'False'})
    finally:
        subprocess.run(LAB + ['down'], check=False)

    print()
    print(table(rows, COLUMNS))
    write_csv(args.csv, rows, COLUMNS)
    for label, times in roles.items():
        print('\nper role, %s:' % label)
        for name, seconds in sorted(times, key=lambda t: -t[1]):
            print('  %-40s %7.2f s' % (name, seconds))
    print('\nCSV: %s' % os.path.relpath(args.csv, ROOT))


if __name__ == '__main__':
    main()
