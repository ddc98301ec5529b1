# -*- coding: utf-8 -*-
# Copyright: (c) 2026, OpenVNet collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one place that talks to ovs-vsctl.

Reads are typed JSON (``--format=json --data=json``), several tables in one
process; writes are one ovs-vsctl process, hence one OVSDB transaction.
Commands are argument lists, never shell strings.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

# external_ids key and value that mark the rows this collection created.
OWNER_KEY = 'managed_by'
OWNER_VALUE = 'openvnet.openvnet'


class OvsError(Exception):
    """ovs-vsctl failed; the message is meant for the user."""


def from_json(datum):
    """Turn an OVSDB JSON datum into Python: maps to dicts, sets to lists."""
    if isinstance(datum, list) and len(datum) == 2:
        kind, body = datum
        if kind == 'map':
            return dict((from_json(k), from_json(v)) for k, v in body)
        if kind == 'set':
            return [from_json(v) for v in body]
        if kind in ('uuid', 'named-uuid'):
            return body
    return datum


def as_list(value):
    """A set column holding one element comes back bare; make it a list."""
    return value if isinstance(value, list) else [value]


def optional(value):
    """An optional scalar column is an empty set when unset."""
    return None if value == [] else value


def quote(value):
    """Quote a string atom for ovs-vsctl (OVSDB strings use JSON escapes)."""
    return json.dumps(str(value))


def format_map(mapping):
    """``{"k"="v", ...}``, sorted so that argv is reproducible."""
    return '{' + ', '.join('%s=%s' % (quote(k), quote(v)) for k, v in sorted(mapping.items())) + '}'


class OvsVsctl:
    """Runs ovs-vsctl for a module; ``db`` is ovs-vsctl's ``--db`` target."""

    DEFAULT_DB = 'unix:/var/run/openvswitch/db.sock'

    def __init__(self, module, db=None, timeout=10):
        self.module = module
        self.db = db
        self.timeout = timeout
        self.binary = module.get_bin_path('ovs-vsctl', required=True)

    def _argv(self, extra):
        argv = [self.binary]
        if self.db:
            argv.append('--db=%s' % self.db)
        argv.append('--timeout=%d' % self.timeout)
        return argv + extra

    def _run(self, argv):
        rc, out, err = self.module.run_command(argv, environ_update={'LC_ALL': 'C'})
        if rc != 0:
            err = (err or out or '').strip()
            if 'database connection failed' in err or 'connection attempt failed' in err:
                raise OvsError('cannot reach ovsdb-server at %s (%s); is Open vSwitch running?'
                               % (self.db or self.DEFAULT_DB, err))
            if rc == 142 or 'timeout' in err.lower():
                raise OvsError('ovs-vsctl gave up after %d s (%s); is ovs-vswitchd running?'
                               % (self.timeout, err or 'timed out'))
            raise OvsError('ovs-vsctl failed (rc=%d): %s' % (rc, err))
        return out

    def list_tables(self, queries):
        """Read several tables in one ovs-vsctl process.

        ``queries`` is a list of ``(table, [columns])``; the result is one list
        of row dicts per query, values converted by :func:`from_json`.
        """
        args = ['--format=json', '--data=json']
        for table, columns in queries:
            args += ['--', '--columns=%s' % ','.join(columns), 'list', table]
        out = self._run(self._argv(args))
        docs = [json.loads(line) for line in out.splitlines() if line.strip()]
        if len(docs) != len(queries):
            raise OvsError('unexpected ovs-vsctl output: %r' % out[:200])
        return [[dict(zip(doc['headings'], [from_json(v) for v in row])) for row in doc['data']]
                for doc in docs]

    def transact_argv(self, commands):
        """The argv that runs ``commands`` (lists of words) as one transaction."""
        args = []
        for command in commands:
            args += ['--'] + list(command)
        return self._argv(args)

    def transact(self, commands):
        """Run ``commands`` in one ovs-vsctl process (one OVSDB transaction)."""
        argv = self.transact_argv(commands)
        self._run(argv)
        return argv


def read_ports(client):
    """Bridges, ports and interfaces in one read.

    Returns ``(bridges, ports)``: ``bridges`` is the set of bridge names;
    ``ports`` maps a port name to ``{'bridge', 'interfaces'}`` where
    ``interfaces`` is a list of interface rows (name, type, options,
    external_ids, mtu_request).
    """
    bridge_rows, port_rows, iface_rows = client.list_tables([
        ('Bridge', ['name', 'ports']),
        ('Port', ['_uuid', 'name', 'interfaces']),
        ('Interface', ['_uuid', 'name', 'type', 'options', 'external_ids', 'mtu_request']),
    ])
    ifaces = dict((row['_uuid'], {
        'name': row['name'],
        'type': row['type'],
        'options': row['options'],
        'external_ids': row['external_ids'],
        'mtu_request': optional(row['mtu_request']),
    }) for row in iface_rows)
    bridge_of = {}
    for row in bridge_rows:
        for port_uuid in as_list(row['ports']):
            bridge_of[port_uuid] = row['name']
    ports = {}
    for row in port_rows:
        ports[row['name']] = {
            'bridge': bridge_of.get(row['_uuid']),
            'interfaces': [ifaces[u] for u in as_list(row['interfaces']) if u in ifaces],
        }
    return set(row['name'] for row in bridge_rows), ports
