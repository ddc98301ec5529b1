"""The main job's cost on the three-VM lab: site.yml's first run and no-op re-runs, with
the per-role breakdown (ansible.posix.profile_roles) and the controller's peak memory,
then no-op re-runs with one Ansible setting changed at a time to show what it is worth.

Needs the lab image (make lab-image); boots a fresh lab and stops it at the end."""

import argparse
import glob
import os
import subprocess
import sys
import zipfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..'))

from bench.lib import BUILD, ROOT, playbook, table, write_csv  # noqa: E402

INVENTORY = os.path.join(ROOT, 'inventories', 'lab', 'hosts.yml')
LAB = [sys.executable, os.path.join(ROOT, 'tests', 'lab', 'lab.py')]
MITOGEN = '0.3.54'
COLUMNS = ['run', 'settings', 'wall_s', 'changed', 'peak_rss_mib', 'note']


def mitogen():
    """Mitogen's strategy plugins from its wheel (bench only), or None if unavailable."""
    dest = os.path.join(BUILD, 'mitogen')
    if not os.path.isdir(os.path.join(dest, 'ansible_mitogen')):
        wheels = os.path.join(BUILD, 'wheels')
        proc = subprocess.run([sys.executable, '-m', 'pip', 'download', '--no-deps', '-q', '-d', wheels,
                               'mitogen==' + MITOGEN], capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            return None
        with zipfile.ZipFile(glob.glob(os.path.join(wheels, 'mitogen-%s-*.whl' % MITOGEN))[0]) as z:
            z.extractall(dest)
    return os.path.join(dest, 'ansible_mitogen', 'plugins', 'strategy')


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


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--csv', default=os.path.join(BUILD, 'lab.csv'))
    args = parser.parse_args()
    rows, roles = [], {}
    subprocess.run(LAB + ['up'], check=True)
    try:
        prepare = subprocess.run([os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), '-i', INVENTORY,
                                  os.path.join(ROOT, 'tests', 'lab', 'prepare.yml')], cwd=ROOT, check=False,
                                 capture_output=True, text=True)
        if prepare.returncode != 0:
            raise SystemExit('lab preparation failed:\n' + prepare.stdout[-3000:])
        run(rows, 'first', 'as shipped', {}, roles)
        run(rows, 'no-op', 'as shipped', {}, roles)
        run(rows, 'no-op', 'gathering=implicit', {'ANSIBLE_GATHERING': 'implicit'})
        run(rows, 'no-op', 'pipelining off', {'ANSIBLE_PIPELINING': 'False'})
        strategy = mitogen()
        if strategy:
            run(rows, 'no-op', 'mitogen %s' % MITOGEN,
                {'ANSIBLE_STRATEGY_PLUGINS': strategy, 'ANSIBLE_STRATEGY': 'mitogen_linear'})
        else:
            rows.append(dict(run='no-op', settings='mitogen', note='not downloadable here'))
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
