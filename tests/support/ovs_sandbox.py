"""A real Open vSwitch (ovsdb-server + ovs-vswitchd, userspace datapath) in a
temporary directory, for tests and benchmarks. Nothing of the host's own OVS is
touched: every command names the sandbox's socket."""

import json
import os
import shlex
import shutil
import signal
import subprocess

SCHEMA = '/usr/share/openvswitch/vswitch.ovsschema'


class OvsSandbox:
    def __init__(self, workdir):
        self.dir = str(workdir)
        self.sock = os.path.join(self.dir, 'db.sock')
        self.db = 'unix:' + self.sock
        self.env = dict(os.environ, OVS_RUNDIR=self.dir, OVS_LOGDIR=self.dir,
                        OVS_DBDIR=self.dir, OVS_SYSCONFDIR=self.dir)

    def _daemon(self, argv):
        subprocess.run(argv + ['--detach', '--no-chdir', '--pidfile'],
                       check=True, env=self.env, cwd=self.dir, capture_output=True)

    def start(self):
        os.makedirs(self.dir, exist_ok=True)
        conf = os.path.join(self.dir, 'conf.db')
        subprocess.run(['ovsdb-tool', 'create', conf, SCHEMA], check=True, env=self.env)
        self._daemon(['ovsdb-server', conf, '--remote=punix:' + self.sock,
                      '--log-file=' + os.path.join(self.dir, 'ovsdb-server.log')])
        # ovs-vswitchd is not up yet: do not wait for it to apply the change.
        self.vsctl('--no-wait', 'init')
        # Its own network namespace: the userspace datapath creates tap devices
        # (ovs-netdev, one per bridge) that would clash with another sandbox's.
        self._daemon(['unshare', '--net', 'ovs-vswitchd', self.db,
                      '--log-file=' + os.path.join(self.dir, 'ovs-vswitchd.log')])
        return self

    def stop(self):
        for name in ('ovs-vswitchd', 'ovsdb-server'):
            pidfile = os.path.join(self.dir, name + '.pid')
            try:
                with open(pidfile) as f:
                    pid = int(f.read())
            except (OSError, ValueError):
                continue
            # Throwaway state: no need for a graceful (and slow) shutdown.
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def vsctl(self, *args):
        out = subprocess.run(['ovs-vsctl', '--db=' + self.db, '--timeout=30'] + list(args),
                             check=True, env=self.env, capture_output=True, text=True)
        return out.stdout

    def add_bridge(self, name):
        # No OVS kernel module here: bridges use the userspace datapath.
        self.vsctl('add-br', name, '--', 'set', 'Bridge', name, 'datapath_type=netdev')

    def interface(self, name):
        """The Interface row's configuration, or None."""
        out = self.vsctl('--format=json', '--data=json', '--columns=type,options,external_ids,mtu_request',
                         'find', 'Interface', 'name=' + name)
        rows = json.loads(out)['data']
        if not rows:
            return None
        kind, options, ids, mtu = rows[0]
        return {'type': kind, 'options': dict(options[1]), 'external_ids': dict(ids[1]),
                'mtu_request': None if mtu == ['set', []] else mtu}

    def ports(self, bridge):
        return sorted(self.vsctl('list-ports', bridge).split())

    def snapshot(self):
        """Every configuration column a module could write, with row uuids, as
        text: equal snapshots mean OVSDB's configuration is byte-for-byte the same."""
        parts = []
        for table, columns in (('Bridge', 'name,ports,other_config,external_ids'),
                               ('Port', 'name,interfaces,external_ids'),
                               ('Interface', 'name,type,options,external_ids,mtu_request')):
            parts.append(self.vsctl('--format=json', '--data=json', '--columns=_uuid,' + columns,
                                    'list', table))
        return ''.join(parts)


def available():
    return all(shutil.which(b) for b in ('ovsdb-tool', 'ovsdb-server', 'ovs-vswitchd', 'ovs-vsctl'))


def interposed_vsctl(directory, word, before, out):
    """A directory holding an ovs-vsctl that, the first time its arguments include ``word`` (say
    add-port), runs the argv ``before`` (its output to the file ``out``) and only then the real
    ovs-vsctl. First in a module's PATH, it lands another run's write between that module's read
    and its write, every time: a race made deterministic."""
    real = shutil.which('ovs-vsctl')
    os.makedirs(str(directory), exist_ok=True)
    once = os.path.join(str(directory), 'once')
    script = os.path.join(str(directory), 'ovs-vsctl')
    command = ' '.join(shlex.quote(a) for a in before)
    with open(script, 'w') as f:
        f.write('#!/bin/sh\n'
                'case " $* " in *" %s "*) if mkdir %s 2>/dev/null; then %s >%s 2>&1; fi;; esac\n'
                'exec %s "$@"\n' % (word, shlex.quote(once), command, shlex.quote(str(out)), shlex.quote(real)))
    os.chmod(script, 0o755)
    return str(directory)
