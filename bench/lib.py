"""What the benchmarks share: counting the external commands a run makes, running
ansible-playbook with a timer, and printing figures as a table and as CSV."""

import csv
import os
import re
import resource
import shutil
import stat
import subprocess
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..'))
BUILD = os.path.join(ROOT, '.build', 'bench')
BIN = os.path.dirname(sys.executable)
RECAP = re.compile(r'^(\S+)\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)', re.M)
TASK_TIME = re.compile(r'^(.+?) -+ (\d+\.\d+)s$', re.M)
# ovs-vsctl commands that write (anything else it runs here is a read)
VSCTL_WRITES = {'add-br', 'del-br', 'add-port', 'del-port', 'set', 'remove', 'clear', 'add', 'create',
                'destroy', 'set-controller', 'del-controller', 'set-fail-mode', 'del-fail-mode', 'init'}


class CallLog:
    """A directory put first on PATH whose wrappers log every call of the named
    tools (one line per process: tool, then its arguments) and run the real one."""

    def __init__(self, workdir, tools):
        self.dir = os.path.join(workdir, 'bin')
        self.log = os.path.join(workdir, 'calls.log')
        os.makedirs(self.dir, exist_ok=True)
        for tool, real in tools.items():
            path = os.path.join(self.dir, tool)
            with open(path, 'w') as f:
                f.write('#!/bin/bash\nprintf "%%s\\0" %s "$@" >>"%s"; printf "\\n" >>"%s"\nexec %s "$@"\n'
                        % (tool, self.log, self.log, real))
            os.chmod(path, os.stat(path).st_mode | stat.S_IEXEC)

    def env(self, base=None):
        env = dict(base or os.environ)
        env['PATH'] = self.dir + os.pathsep + env.get('PATH', '')
        return env

    def reset(self):
        if os.path.exists(self.log):
            os.unlink(self.log)

    def calls(self):
        if not os.path.exists(self.log):
            return []
        with open(self.log) as f:
            return [line.rstrip('\0').split('\0') for line in f.read().split('\n') if line]


def vsctl_counts(calls):
    """(invocations, of which writes) of ovs-vsctl."""
    runs = [c[1:] for c in calls if c[0] == 'ovs-vsctl']
    return len(runs), sum(1 for argv in runs if VSCTL_WRITES & set(argv))


def playbook(path, env, extra=()):
    """Run a playbook; returns (seconds, recap per host, task times, stdout, child peak RSS MiB)."""
    env = dict(dict(ANSIBLE_CALLBACKS_ENABLED='ansible.posix.profile_tasks', PROFILE_TASKS_SORT_ORDER='none',
                    PROFILE_TASKS_TASK_OUTPUT_LIMIT='all', ANSIBLE_CONFIG=os.path.join(ROOT, 'ansible.cfg')), **env)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.monotonic()
    proc = subprocess.run([os.path.join(BIN, 'ansible-playbook'), path] + list(extra), cwd=ROOT, env=env,
                          capture_output=True, text=True, check=False)
    seconds = time.monotonic() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if proc.returncode != 0:
        raise RuntimeError('%s failed:\n%s\n%s' % (path, proc.stdout[-3000:], proc.stderr[-2000:]))
    recap = dict((m[0], dict(ok=int(m[1]), changed=int(m[2]))) for m in RECAP.findall(proc.stdout))
    tasks = [(name.strip(), float(sec)) for name, sec in TASK_TIME.findall(proc.stdout)]
    # ru_maxrss of children is the largest single child so far, not a sum: only a rise is this run's
    return seconds, recap, tasks, proc.stdout, (peak / 1024.0 if peak > before else None)


def table(rows, columns):
    widths = [max(len(str(c)), *(len(fmt(r.get(c))) for r in rows)) for c in columns]
    lines = ['  '.join(str(c).ljust(w) for c, w in zip(columns, widths))]
    lines.append('  '.join('-' * w for w in widths))
    for r in rows:
        lines.append('  '.join(fmt(r.get(c)).ljust(w) for c, w in zip(columns, widths)))
    return '\n'.join(lines)


def fmt(value):
    if value is None:
        return '-'
    if isinstance(value, float):
        return '%.2f' % value
    return str(value)


def write_csv(path, rows, columns):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w', newline='') as f:
        writer = csv.DictWriter(f, fieldnames=columns, extrasaction='ignore')
        writer.writeheader()
        for r in rows:
            writer.writerow(dict((c, fmt(r.get(c))) for c in columns))


def real(tool):
    path = shutil.which(tool)
    if not path:
        raise SystemExit('%s is not installed (make setup)' % tool)
    return path
