# -*- coding: utf-8 -*-
# Copyright: (c) 2026, OpenVNet collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one place that talks to Open vSwitch: ovs-vsctl (OVSDB) and ovs-ofctl (OpenFlow).

Reads are typed JSON (``--format=json --data=json``), every table in one
process (:func:`read_state`); writes are one ovs-vsctl process, hence one OVSDB
transaction. Commands are argument lists, never shell strings. Nothing here
exits the module: failures raise :class:`OvsError` and the modules decide.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import json
import re
import signal

# external_ids key and value that mark the rows this collection created.
OWNER_KEY = 'managed_by'
OWNER_VALUE = 'openvnet.openvnet'

# Linux interface names (bridges and ports are interfaces): 1 to 15 bytes (IFNAMSIZ - 1),
# no whitespace, control characters, '/' or ':', not '.' or '..'.
INTERFACE_NAME = re.compile(r'[^\s\x00-\x1f\x7f/:]{1,15}')
IFNAMSIZ = 16

# Interface types that are tunnels (the ones ``purge`` may remove, when they carry the mark).
TUNNEL_TYPES = ('gre', 'ip6gre', 'vxlan', 'geneve', 'erspan', 'ip6erspan', 'stt', 'lisp', 'gtpu',
                'bareudp', 'srv6')


class OvsError(Exception):
    """ovs-vsctl or ovs-ofctl failed; the message is meant for the user."""


class OvsRefused(OvsError):
    """The tool ran and refused (an exit status, not a signal or a timeout); ``err`` is its own
    text. ovs-vsctl exits so before it commits: a refused transaction changed nothing."""

    def __init__(self, message, err):
        super(OvsRefused, self).__init__(message)
        self.err = err


def interface_name_problem(field, name, kind):
    """Why ``name`` cannot be a bridge or port name, or None when it can."""
    if (isinstance(name, str) and INTERFACE_NAME.fullmatch(name) and name not in ('.', '..')
            and len(name.encode('utf-8')) < IFNAMSIZ):
        return None
    return ('%s: %r is not a valid %s name (1 to 15 characters, no spaces, "/" or ":")'
            % (field, name, kind))


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


def find_binary(module, name):
    path = module.get_bin_path(name)
    if not path:
        raise OvsError('%s not found on this host (PATH and the sbin directories); is Open vSwitch '
                       'installed (package openvswitch-switch or openvswitch)?' % name)
    return path


class _Tool:
    """One Open vSwitch command-line tool run with argv lists, ``LC_ALL=C`` and a timeout."""

    NAME = None

    def __init__(self, module, timeout=10):
        self.module = module
        self.timeout = timeout
        self.binary = find_binary(module, self.NAME)

    def _explain(self, rc, err):
        """A specific message for a known failure, or None."""
        return None

    def _start_problem(self, argv, e):
        """What to say when the tool could not even be started."""
        if e.errno == errno.E2BIG:
            return ('the %s command line is too long for this host (%d arguments, %d bytes; the kernel '
                    'limits it, see getconf ARG_MAX): manage fewer ports in one task'
                    % (self.NAME, len(argv), sum(len(a) + 1 for a in argv)))
        if e.errno == errno.ENOENT:
            return '%s not found at %s (%s); is Open vSwitch installed?' % (self.NAME, argv[0], e.strerror)
        return 'could not run %s: %s' % (self.NAME, e)

    def _run(self, argv):
        try:
            rc, out, err = self.module.run_command(argv, environ_update={'LC_ALL': 'C'},
                                                   handle_exceptions=False)
        except OSError as e:
            raise OvsError(self._start_problem(argv, e))
        if rc == 0:
            return out
        err = (err or out or '').strip() or 'no output'
        # --timeout makes the tool kill itself with SIGALRM; Python reports a signal as -signum.
        if rc in (-signal.SIGALRM, 128 + signal.SIGALRM):
            raise OvsError('%s gave up after %d s (timeout); is ovs-vswitchd running and '
                           'answering? (%s)' % (self.NAME, self.timeout, err))
        if rc < 0:
            raise OvsError('%s was killed by signal %d (%s)' % (self.NAME, -rc, err))
        raise OvsRefused(self._explain(rc, err) or '%s failed (rc=%d): %s' % (self.NAME, rc, err), err)


class OvsVsctl(_Tool):
    """Runs ovs-vsctl for a module; ``db`` is ovs-vsctl's ``--db`` target."""

    NAME = 'ovs-vsctl'
    DEFAULT_DB = 'unix:/var/run/openvswitch/db.sock'

    def __init__(self, module, db=None, timeout=10):
        super(OvsVsctl, self).__init__(module, timeout)
        self.db = db

    def _argv(self, extra):
        argv = [self.binary]
        if self.db:
            argv.append('--db=%s' % self.db)
        argv.append('--timeout=%d' % self.timeout)
        return argv + extra

    def _explain(self, rc, err):
        if 'database connection failed' in err or 'connection attempt failed' in err:
            return ('cannot reach ovsdb-server at %s (%s); is Open vSwitch running?'
                    % (self.db or self.DEFAULT_DB, err))
        return None

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
        """Run ``commands`` in one ovs-vsctl process (one OVSDB transaction).

        ovs-vsctl (without ``--no-wait``) returns once ovs-vswitchd has applied the
        transaction, so a read made afterwards sees what ovs-vswitchd did with it.
        """
        argv = self.transact_argv(commands)
        self._run(argv)
        return argv


class OvsOfctl(_Tool):
    """Runs ovs-ofctl against a bridge's management socket.

    ``rundir`` is ovs-vswitchd's run directory (where ``BRIDGE.mgmt`` lives);
    ovs-ofctl's own default (``$OVS_RUNDIR`` or /var/run/openvswitch) when None.
    """

    NAME = 'ovs-ofctl'

    def __init__(self, module, rundir=None, timeout=10):
        super(OvsOfctl, self).__init__(module, timeout)
        self.rundir = rundir

    def target(self, bridge):
        return 'unix:%s/%s.mgmt' % (self.rundir.rstrip('/'), bridge) if self.rundir else bridge

    def argv(self, version, command, bridge):
        return [self.binary, '--timeout=%d' % self.timeout, '-O', version, '--no-names',
                command, self.target(bridge)]

    def _explain(self, rc, err):
        if 'version negotiation failed' in err:
            return ('ovs-ofctl: the bridge does not speak the OpenFlow version asked for (%s)'
                    % ' '.join(err.split()))
        if 'is not a bridge or a socket' in err or 'connecting to' in err or 'failed to connect' in err:
            return ('cannot reach ovs-vswitchd over OpenFlow (%s); is ovs-vswitchd running, and is '
                    'rundir right?' % ' '.join(err.split()))
        return None

    def run(self, version, command, bridge):
        argv = self.argv(version, command, bridge)
        try:
            return self._run(argv)
        except OvsError as e:
            if '--no-names' not in str(e):
                raise
            # OVS before 2.8 (the 2.4/2.5 that OpenVNet's EL7 packages want) has no --no-names,
            # and prints port numbers anyway
            return self._run([a for a in argv if a != '--no-names'])


# ---------------------------------------------------------------------------------------------
# OVSDB: one read of every table the modules look at.

BRIDGE_COLUMNS = ['name', 'datapath_id', 'datapath_type', 'fail_mode', 'protocols',
                  'controller', 'ports', 'external_ids', 'other_config']
CONTROLLER_COLUMNS = ['_uuid', 'target', 'is_connected']
PORT_COLUMNS = ['_uuid', 'name', 'interfaces']
INTERFACE_COLUMNS = ['_uuid', 'name', 'type', 'options', 'ofport', 'error', 'mac_in_use',
                     'external_ids', 'mtu', 'mtu_request']


def read_state(client):
    """Bridges, controllers, ports and interfaces in one ovs-vsctl process.

    Returns ``{'bridges': {name: {...}}, 'ports': {name: {'bridge', 'interfaces'}},
    'interfaces': {name: {...}}}`` (see ovs_info's RETURN for the fields).
    """
    tables = [('Bridge', BRIDGE_COLUMNS), ('Controller', CONTROLLER_COLUMNS), ('Port', PORT_COLUMNS)]
    try:
        bridge_rows, controller_rows, port_rows, iface_rows = client.list_tables(tables + [('Interface', INTERFACE_COLUMNS)])
    except OvsError as e:
        if 'mtu_request' not in str(e):
            raise
        # OVS before 2.6 has no mtu_request column
        bridge_rows, controller_rows, port_rows, iface_rows = client.list_tables(
            tables + [('Interface', [c for c in INTERFACE_COLUMNS if c != 'mtu_request'])])
    controllers = dict((row['_uuid'], dict(target=row['target'], is_connected=row['is_connected']))
                       for row in controller_rows)
    iface_names = dict((row['_uuid'], row['name']) for row in iface_rows)
    port_of, bridge_of_port = {}, {}
    for row in bridge_rows:
        for uuid in as_list(row['ports']):
            bridge_of_port[uuid] = row['name']
    ports, port_names = {}, {}
    for row in port_rows:
        port_names[row['_uuid']] = row['name']
        names = [iface_names[u] for u in as_list(row['interfaces']) if u in iface_names]
        ports[row['name']] = dict(bridge=bridge_of_port.get(row['_uuid']), interfaces=names)
        for name in names:
            port_of[name] = row['name']
    bridges = {}
    for row in bridge_rows:
        bridges[row['name']] = dict(
            datapath_id=optional(row['datapath_id']),
            datapath_type=row['datapath_type'],
            fail_mode=optional(row['fail_mode']),
            protocols=sorted(as_list(row['protocols'])),
            controllers=sorted((controllers[u] for u in as_list(row['controller']) if u in controllers),
                               key=lambda c: c['target']),
            ports=sorted(port_names[u] for u in as_list(row['ports']) if u in port_names),
            external_ids=row['external_ids'],
            other_config=row['other_config'])
    interfaces = {}
    for row in iface_rows:
        port = port_of.get(row['name'])
        interfaces[row['name']] = dict(
            bridge=ports[port]['bridge'] if port else None,
            port=port,
            type=row['type'],
            options=row['options'],
            ofport=optional(row['ofport']),
            error=optional(row['error']),
            mac_in_use=optional(row['mac_in_use']),
            external_ids=row['external_ids'],
            mtu=optional(row['mtu']),
            mtu_request=optional(row.get('mtu_request', [])))
    return dict(bridges=bridges, ports=ports, interfaces=interfaces)


def interface_fault(name, iface):
    """Why ovs-vswitchd did not set up an interface (its ``error``, an ``ofport`` of -1 or
    none at all), or None when it has an OpenFlow port."""
    if iface is None:
        return '%s: no such interface in OVSDB' % name
    ofport = iface.get('ofport')
    if iface.get('error'):
        return '%s: %s (ofport %s)' % (name, iface['error'], ofport if ofport is not None else 'none')
    if ofport is None:
        return '%s: ovs-vswitchd has not given it an OpenFlow port (ofport none)' % name
    if ofport < 0:
        return '%s: ovs-vswitchd could not add it (ofport %d); see the ovs-vswitchd log' % (name, ofport)
    return None


def read_ports(client):
    """``(bridges, ports, state)``: the set of bridge names; port name -> ``{'bridge',
    'interfaces'}`` with ``interfaces`` the list of Interface rows (each with its ``name``);
    and the whole :func:`read_state` result."""
    state = read_state(client)
    ports = {}
    for name, port in state['ports'].items():
        ports[name] = dict(bridge=port['bridge'], interfaces=[
            dict(state['interfaces'][i], name=i) for i in port['interfaces']])
    return set(state['bridges']), ports, state


# ---------------------------------------------------------------------------------------------
# OpenFlow: ovs-ofctl's text output, parsed.

# Keys ovs-ofctl prints about a flow rather than as part of its match.
FLOW_INT_KEYS = ('table', 'priority', 'n_packets', 'n_bytes', 'idle_timeout', 'hard_timeout',
                 'importance')
FLOW_DROPPED_KEYS = ('duration', 'idle_age', 'hard_age')  # change on every dump
FLOW_FLAGS = ('send_flow_rem', 'check_overlap', 'reset_counts', 'no_packet_counts',
              'no_byte_counts')
DEFAULT_PRIORITY = 32768  # ovs-ofctl leaves priority out when it has this value
ACTIONS = re.compile(r'(?:^|[\s,])actions=')
PORT_DESC = re.compile(r'^\s*(\w+)\((.*)\): addr:(\S+)\s*$')
OFPP_LOCAL = 65534  # what OVSDB's ofport says for a bridge's own (LOCAL) port


def _fields(text):
    """Split ``a=1, b, c=(x,y) d`` on commas and blanks outside parentheses."""
    fields, depth, current = [], 0, ''
    for char in text:
        if char in ',' + ' \t' and depth == 0:
            if current:
                fields.append(current)
            current = ''
            continue
        depth += {'(': 1, ')': -1}.get(char, 0)
        current += char
    if current:
        fields.append(current)
    return fields


def parse_flow(line):
    """One line of ``ovs-ofctl dump-flows`` as a dict, or None for a line that is not a flow."""
    found = ACTIONS.search(line)
    if not found:
        return None
    flow = dict(table=0, priority=DEFAULT_PRIORITY, cookie='0x0', match={},
                actions=line[found.end():].strip(), n_packets=None, n_bytes=None,
                idle_timeout=0, hard_timeout=0, importance=0, flags=[])
    for field in _fields(line[:found.start()]):
        key, sep, value = field.partition('=')
        if key in FLOW_DROPPED_KEYS:
            continue
        if key in FLOW_INT_KEYS and sep:
            flow[key] = int(value, 0)
        elif key == 'cookie' and sep:
            flow['cookie'] = value
        elif key in FLOW_FLAGS and not sep:
            flow['flags'].append(key)
        else:
            # A match field as OVS prints it; a protocol shorthand (ip, arp, tcp...) has ''.
            flow['match'][key] = value
    return flow


def parse_flows(text):
    """Every flow of a ``dump-flows`` output, ordered by table then priority (highest first)."""
    flows = [f for f in (parse_flow(line) for line in text.splitlines()) if f is not None]
    return sorted(flows, key=lambda f: (f['table'], -f['priority']))


def parse_port_descs(text):
    """``dump-ports-desc`` (or ``show``) output: a list of ``{name, ofport, hw_addr, config,
    state}`` ordered by ofport; ``config``/``state`` are OVS's flag names (empty for 0)."""
    ports, port = [], None
    for line in text.splitlines():
        head = PORT_DESC.match(line)
        if head:
            number, name, hw_addr = head.groups()
            port = dict(name=name, ofport=OFPP_LOCAL if number == 'LOCAL' else int(number),
                        hw_addr=hw_addr, config=[], state=[])
            ports.append(port)
            continue
        key, sep, value = line.strip().partition(':')
        if port is not None and sep and key in ('config', 'state'):
            port[key] = [word for word in value.split() if word != '0']
    return sorted(ports, key=lambda p: p['ofport'])


def openflow_version(protocols, preferred):
    """``preferred`` when the bridge accepts it (an empty ``protocols`` accepts every version),
    else every version it accepts, for ovs-ofctl to negotiate the highest."""
    if not protocols or preferred in protocols:
        return preferred
    return ','.join(sorted(protocols))
