"""An emulator of OpenVNet's vnctl (a Ruby/Thor REST client), for tests only.
Run through tests/support/bin/vnctl. Standard library only: the lab copies this one
file (with bin/vnctl) onto its hosts.

Every behaviour below was read from upstream's source, axsh/openvnet at commit
1407ad799ab825f9b2bce20d60326f3afc1222ec (written 1407ad79 below), client/vnctl, and
the comment beside it names the file. Thor's own messages (vnctl is built on Thor;
client/vnctl/Gemfile.lock pins thor 0.20.0) were observed by running that client; this
emulator prints them as Thor 0.20 does, without the deprecation notice Thor 1.x adds.
tests/unit/test_vnctl_emulator.py pins each behaviour.

In short:
- the WebAPI from VNET_WEBAPI=host:port (which forces the defaults: yml output), else the
  first of ~/.vnctlrc, ~/.vnctl.conf, /etc/openvnet/vnctl.conf, /etc/wakame-vnet/vnctl.conf;
- every option goes into the URL query string, for POST and PUT too; no request has a body;
- only the options Thor declares per command are options; any other --word becomes a
  positional argument (so `interfaces modify UUID --display-name=x` is refused by Thor);
- it prints the raw response body and exits 0 whatever the HTTP status;
- Thor's complaints (a missing required option, a wrong argument count, a bad number)
  go to stderr with no body and exit 0;
- an unreachable WebAPI is an uncaught Ruby exception: backtrace, exit 1.

Faults a test can inject, through the environment:
- VNCTL_EMULATOR_SLEEP=N: hang N seconds before the request (a stuck vnctl or WebAPI);
- VNCTL_EMULATOR_CRASH=load-error: die as Ruby does when a gem is missing (LoadError, exit 1);
- VNCTL_EMULATOR_RUBY_WARNINGS=1: print Ruby's deprecation warnings on stderr, then work;
- VNCTL_EMULATOR_EMPTY_SYMBOL_KEY=1: in YAML output, give every datapath and network object
  an entry whose key is Ruby's empty Symbol (:""), as Psych writes it (issue 24 item 6).
"""
import errno
import os
import re
import socket
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

S, B, N = 'string', 'boolean', 'numeric'

# axsh/openvnet 1407ad79 client/vnctl/bin/vnctl: the configuration files, first found wins.
CONFIGS = ['~/.vnctlrc', '~/.vnctl.conf', '/etc/openvnet/vnctl.conf', '/etc/wakame-vnet/vnctl.conf']
# axsh/openvnet 1407ad79 client/vnctl/lib/vnctl/configuration/vnctl.rb: parameters and defaults.
DEFAULTS = {'webapi_protocol': 'http', 'webapi_uri': '127.0.0.1', 'webapi_port': '9090',
            'webapi_version': '1.0', 'output_format': 'yml'}
FORMATS = ['yml', 'json']   # same file: validate()

# axsh/openvnet 1407ad79 client/vnctl/lib/vnctl/cli/base.rb: option_limit and option_offset
# (numeric), declared on every show, the relations' show too.
PAGE = {'limit': N, 'offset': N}


def command(verb, usage, arity, options=None, required=(), send='options', path='{s}/{0}'):
    """One Thor command. arity (min, max), max None for *args; send: 'options' (the parsed
    options are the query string, "?" alone when there are none) or 'nothing' (no query
    string); path: the URL suffix, {s} the resource, {0}, {1} the arguments."""
    return dict(verb=verb, usage=usage, arity=arity, options=dict(options or {}), required=list(required),
                send=send, path=path)


def standard(add, modify, required=()):
    """base.rb define_standard_crud_commands: add (option_uuid first), modify, show, del."""
    return {
        # base.rb define_add: POST suffix with the options; set_required_options marks some required.
        'add': command('POST', 'add [OPTIONS]', (0, 0), dict([('uuid', S)] + add), required, path='{s}'),
        # base.rb define_modify: PUT suffix/UUID with the options.
        'modify': command('PUT', 'modify UUID [OPTIONS]', (1, 1), modify),
        # base.rb define_show: no UUID, GET suffix with the options; UUIDs, one GET each, no query string.
        'show': command('GET', 'show [UUID(S)]', (0, None), PAGE),
        # base.rb define_del: one DELETE per UUID with the (empty) options; bodies joined by "\n".
        'del': command('DELETE', 'del UUID(S)', (0, None)),
    }


def relation(parent, name, add_options=None, required=(), with_other=True, only_show=False):
    """base.rb define_relation: add, del, show under RESOURCE NAME."""
    base = '%s_UUID' % parent.upper()
    other = '%s_UUID' % name[:-1].upper()
    rel = {'show': command('GET', 'show %s' % base, (1, 1), PAGE, path='{s}/{0}/%s' % name)}
    if only_show:
        return rel
    if with_other:
        rel['add'] = command('POST', 'add %s %s OPTIONS' % (base, other), (2, 2), add_options, required,
                             path='{s}/{0}/%s/{1}' % name)
    else:
        rel['add'] = command('POST', 'add %s OPTIONS' % base, (1, 1), add_options, required,
                             path='{s}/{0}/%s' % name)
    # del BASE REL(S): one DELETE per REL, no query string; none when no REL is given.
    rel['del'] = command('DELETE', 'del %s %s(S)' % (base, other), (1, None), send='nothing',
                         path='{s}/{0}/%s/{1}' % name)
    return rel


def _commands():
    # axsh/openvnet 1407ad79 client/vnctl/lib/vnctl/cli/datapath.rb
    dp_shared = [('display_name', S), ('dpid', S), ('node_id', S), ('enable_ovs_learn_action', B)]
    datapaths = standard(dp_shared, dp_shared, required=['dpid', 'node_id'])
    link = [('mac_address', S), ('interface_uuid', S)]       # interface_uuid required on add
    for name in ('networks', 'segments', 'route_links'):
        datapaths[name] = relation('datapaths', name, link, required=['interface_uuid'])

    # axsh/openvnet 1407ad79 client/vnctl/lib/vnctl/cli/network.rb: add_shared_options only on add,
    # add_modify_shared_options on both; ipv4_prefix numeric; ipv4_network required on add.
    nw_add = [('mode', S), ('network_mode', S), ('ipv4_network', S), ('ipv4_prefix', N),
              ('segment_uuid', S), ('topology_uuid', S)]
    nw_shared = [('display_name', S), ('domain_name', S)]
    networks = standard(nw_add + nw_shared, nw_shared, required=['ipv4_network'])

    # axsh/openvnet 1407ad79 client/vnctl/lib/vnctl/cli/interface.rb: no display_name option at all
    # (neither add nor modify); modify has the four shared options only.
    if_shared = [('enable_routing', B), ('enable_route_translation', B), ('owner_datapath_uuid', S),
                 ('enable_filtering', B)]
    if_add = if_shared + [('segment_uuid', S), ('network_uuid', S), ('mac_address', S), ('ipv4_address', S),
                          ('port_name', S), ('mode', S)]
    interfaces = standard(if_add, if_shared)
    # same file: define_rename (base.rb: PUT suffix/UUID/rename, new_uuid required).
    interfaces['rename'] = command('PUT', 'rename UUID', (1, 1), [('uuid', S), ('new_uuid', S)], ['new_uuid'],
                                   path='{s}/{0}/rename')
    # same file: the ports relation takes no PORT_UUID on add; add and del get datapath_uuid,
    # port_name, singular (del declares them but sends nothing).
    port_options = [('datapath_uuid', S), ('port_name', S), ('singular', B)]
    interfaces['ports'] = relation('interfaces', 'ports', port_options, with_other=False)
    interfaces['ports']['del']['options'] = dict(port_options)
    # same file: define_assoc, show and a modify with --static, for networks, segments, route_links.
    for name in ('networks', 'segments', 'route_links'):
        interfaces[name] = relation('interfaces', name, only_show=True)
        interfaces[name]['modify'] = command('PUT', 'INTERFACE_UUID %s_UUID --static true/false' % name[:-1].upper(),
                                             (2, 2), [('static', B)], path='{s}/{0}/%s/{1}' % name)

    # axsh/openvnet 1407ad79 client/vnctl/lib/vnctl/cli/mac_range_group.rb
    mac_range_groups = standard([('allocation_type', S)], [('allocation_type', S)])
    mac_range_groups['mac_ranges'] = relation('mac_range_groups', 'mac_ranges',
                                              [('begin_mac_address', S), ('end_mac_address', S)], with_other=False)
    # axsh/openvnet 1407ad79 client/vnctl/lib/vnctl/cli/route.rb: add has the shared options, ingress and
    # egress, network_uuid and route_link_uuid required; modify the shared ones.
    rt_shared = [('interface_uuid', S), ('route_link_uuid', S), ('network_uuid', S), ('ipv4_network', S),
                 ('ipv4_prefix', N)]
    routes = standard(rt_shared + [('ingress', B), ('egress', B)], rt_shared,
                      required=['network_uuid', 'route_link_uuid'])
    return {'datapaths': datapaths, 'networks': networks, 'interfaces': interfaces,
            'mac_range_groups': mac_range_groups, 'routes': routes}


# Resource -> command -> spec, and resource -> relation -> command -> spec. The other resources
# of client/vnctl/lib/vnctl/cli/root.rb (filters, route_links, segments, ...) are not emulated.
COMMANDS = _commands()

# Emulated Ruby paths, as OpenVNet's packages install them: vnctl in /opt/axsh/openvnet/client/vnctl
# (ci/ci.el7/rspec_rpmbuild/packages.d/vnet/openvnet.spec, 1407ad79), its gems bundled beside it.
VNCTL_DIR = '/opt/axsh/openvnet/client/vnctl'
RUBY_LIB = '/opt/rh/rh-ruby23/root/usr/share/ruby'


class ThorError(Exception):
    """What Thor prints on stderr (no body, exit 0: Thor's exit_on_failure? is false)."""


def crash(first, frames, status=1):
    """An uncaught Ruby exception: "file:line:in `m': message (Class)", then "\\tfrom" lines; exit 1."""
    sys.stderr.write(first + '\n' + ''.join('\tfrom %s\n' % f for f in frames))
    sys.exit(status)


def read_config(path):
    """A Fuguta DSL file: one `param value` per line, value a Ruby literal; '#' comments."""
    conf = {}
    with open(path) as f:
        for number, line in enumerate(f, 1):
            if not line.strip() or line.lstrip().startswith('#'):
                continue
            m = re.match(r"""^\s*(\w+)\s*\(?\s*(?:'([^']*)'|"([^"]*)"|(\d+))\s*\)?\s*(?:#.*)?$""", line)
            if not m or m.group(1) not in DEFAULTS:
                # Fuguta evaluates the file as Ruby: an unknown name is a NoMethodError, which it
                # reports as its SyntaxError (observed with fuguta 1.0.4.1, the version Gemfile.lock pins).
                crash("%s/vendor/bundle/ruby/2.3.0/gems/fuguta-1.0.4.1/lib/fuguta.rb:439:in `rescue in parse_dsl': "
                      'Syntax Error from %s:%d (Fuguta::SyntaxError)' % (VNCTL_DIR, path, number),
                      ['%s/bin/vnctl:46:in `block in <main>\'' % VNCTL_DIR, '%s/bin/vnctl:56:in `<main>\'' % VNCTL_DIR])
            conf[m.group(1)] = next(v for v in m.group(2, 3, 4) if v is not None)
    return conf


def settings():
    conf = dict(DEFAULTS)
    # axsh/openvnet 1407ad79 client/vnctl/bin/vnctl: VNET_WEBAPI (when set at all) is split on ":"
    # into uri and port over a fresh configuration: the files are not read, output is yml, and a
    # missing port leaves "host:" in the URL, i.e. the scheme's default port (80), not 9090.
    if 'VNET_WEBAPI' in os.environ:
        parts = os.environ['VNET_WEBAPI'].split(':')
        conf.update(webapi_uri=parts[0] if parts else '', webapi_port=parts[1] if len(parts) > 1 else '')
        return conf
    path = next((p for p in (os.path.expanduser(c) for c in CONFIGS) if os.path.exists(p)), None)
    if path:
        conf.update(read_config(path))
        # configuration/vnctl.rb validate(), reported by bin/vnctl's abort: stderr, exit 1.
        if conf['output_format'] not in FORMATS:
            sys.stderr.write('Validation Error: %s\n  "%s" is not a valid output_format. Must be one of %s\n'
                             % (path, conf['output_format'], '["yml", "json"]'))
            sys.exit(1)
    return conf


def parse_options(spec, argv):
    """Thor's option parser for one command: (options in the order given, the other words)."""
    declared = spec['options']
    options, rest = {}, []
    i = 0
    while i < len(argv):
        arg = argv[i]
        i += 1
        name, eq, value = arg[2:].partition('=') if arg.startswith('--') else ('', '', '')
        key = name.replace('-', '_')
        negated = key[3:] if key[:3] == 'no_' else key[5:] if key[:5] == 'skip_' else None
        if key in declared:
            kind = declared[key]
        elif negated in declared and declared[negated] == B and not eq:
            options[negated] = False        # --no-FLAG / --skip-FLAG
            continue
        else:
            rest.append(arg)                # not an option of this command: an argument
            continue
        if not eq:
            nxt = argv[i] if i < len(argv) else None
            if nxt is None or nxt.startswith('-'):
                if kind == B:
                    options[key] = True
                elif kind == S and key not in spec['required']:
                    options[key] = key      # Thor: a string option without a value is its own name
                else:
                    raise ThorError("No value provided for option '--%s'" % key.replace('_', '-'))
                continue
            if kind == B and nxt not in ('true', 'false', 't', 'f', 'TRUE', 'FALSE', 'T', 'F'):
                options[key] = True
                continue
            value = nxt
            i += 1
        if kind == B:
            options[key] = value in ('true', 't', 'TRUE', 'T') or value not in ('false', 'f', 'FALSE', 'F')
        elif kind == N:
            if not re.match(r'^[-+]?(\d*\.\d+|\d+)$', value):
                raise ThorError("Expected numeric value for '--%s'; got \"%s\"" % (key.replace('_', '-'), value))
            options[key] = float(value) if '.' in value else int(value)
        else:
            options[key] = value
    # Thor names them in the order the command declares them
    missing = ['--' + o.replace('_', '-') for o in declared if o in spec['required'] and o not in options]
    if missing:
        raise ThorError("No value provided for required options '%s'" % "', '".join(missing))
    return options, rest


def usage_error(ancestor, verb, spec, args):
    """Thor's handle_argument_error: the arguments a command cannot take, and its usage."""
    called = 'arguments %s' % ('[%s]' % ', '.join('"%s"' % a for a in args)) if args else 'no arguments'
    usage = spec['usage'] + ''.join(' --%s=%s' % (o.replace('_', '-'), o.upper())
                                    for o in spec['options'] if o in spec['required'])
    raise ThorError('ERROR: "vnctl %s %s" was called with %s\nUsage: "vnctl %s %s"'
                    % (ancestor, verb, called, ancestor, usage))


def form(options):
    """URI.encode_www_form: unreserved *-._ and alphanumerics kept, space as +, the rest %XX."""
    def text(v):
        return 'true' if v is True else 'false' if v is False else str(v)
    return '&'.join('%s=%s' % (urllib.parse.quote_plus(k, safe='*'), urllib.parse.quote_plus(text(v), safe='*'))
                    for k, v in options.items()).replace('~', '%7E')


def request(conf, method, suffix, query):
    # axsh/openvnet 1407ad79 client/vnctl/lib/vnctl/webapi.rb: URI "proto://uri:port/api/version/
    # suffix.format"; query = URI.encode_www_form(params) when params are given (so "?" alone when
    # they are empty); Net::HTTP.start(host, port) then verb.new(request_uri): plain HTTP whatever
    # webapi_protocol says, no body, and the body is returned whatever the status.
    port = conf['webapi_port'] or ('443' if conf['webapi_protocol'] == 'https' else '80')
    url = 'http://%s:%s/api/%s/%s.%s' % (conf['webapi_uri'], port, conf['webapi_version'], suffix,
                                         conf['output_format'])
    if query is not None:
        url += '?' + query
    req = urllib.request.Request(url, method=method, data=b'' if method in ('POST', 'PUT') else None)
    where = '%s:%s' % (conf['webapi_uri'], port)
    frames = ['%s/net/http.rb:879:in `open\'' % RUBY_LIB, '%s/net/http.rb:863:in `do_start\'' % RUBY_LIB,
              '%s/net/http.rb:584:in `start\'' % RUBY_LIB,
              '%s/lib/vnctl/webapi.rb:21:in `send_request\'' % VNCTL_DIR, '%s/bin/vnctl:56:in `<main>\'' % VNCTL_DIR]
    try:
        # Net::HTTP's default open and read timeouts: 60 seconds.
        with urllib.request.urlopen(req, timeout=60) as resp:
            body = resp.read()
    except urllib.error.HTTPError as e:
        body = e.read()
    except (urllib.error.URLError, OSError) as e:
        # Net::HTTP raises, nothing in vnctl rescues: Ruby's report, exit 1. The exception class
        # and message are Ruby 2.3's (OpenVNet's packages use Software Collections' rh-ruby23);
        # the line numbers inside Ruby's library are illustrative.
        reason = getattr(e, 'reason', e)
        if isinstance(reason, socket.timeout):
            crash("%s/net/protocol.rb:158:in `rbuf_fill': Net::ReadTimeout (Net::ReadTimeout)" % RUBY_LIB, frames[3:])
        if isinstance(reason, socket.gaierror):
            crash("%s/net/http.rb:882:in `rescue in block in connect': Failed to open TCP connection to %s "
                  '(getaddrinfo: Name or service not known) (SocketError)' % (RUBY_LIB, where), frames)
        code = errno.errorcode.get(getattr(reason, 'errno', None) or errno.ECONNREFUSED, 'ECONNREFUSED')
        crash("%s/net/http.rb:882:in `rescue in block in connect': Failed to open TCP connection to %s "
              '(%s - connect(2) for "%s" port %s) (Errno::%s)'
              % (RUBY_LIB, where, os.strerror(getattr(errno, code)), conf['webapi_uri'], port, code), frames)
    return body.decode()


def as_puts(text):
    """What Ruby's puts prints: the text, and a newline unless it ends with one."""
    return text if text.endswith('\n') else text + '\n'


def empty_symbol_keys(text):
    """Psych's text for {..., :"" => nil}: the key `!ruby/symbol ''` (Psych writes an empty Symbol
    with that tag, psych/visitors/yaml_tree.rb visit_Symbol), nothing after the colon, added
    as the last entry of every object that has a :uuid: in this body."""
    lines = text.rstrip('\n').split('\n')
    out, open_objects = [], []      # open_objects: key columns of the objects not yet closed

    def close(upto):
        while open_objects and open_objects[-1] >= upto:
            out.append(' ' * open_objects.pop() + "!ruby/symbol '':")

    for line in lines:
        m = re.match(r'^( *)(- )?(.*)$', line)
        column = len(m.group(1)) + (2 if m.group(2) else 0)
        if line != '---' and not line.startswith('--- '):
            # a line at a lower column, or a new list item at the object's own level, ends it
            close(column + 1 if not m.group(2) else len(m.group(1)) + 1)
        out.append(line)
        if m.group(3).startswith(':uuid:') and column not in open_objects:
            open_objects.append(column)
    close(0)
    return '\n'.join(out) + '\n'


def faults():
    if os.environ.get('VNCTL_EMULATOR_RUBY_WARNINGS'):
        sys.stderr.write('%s/vendor/bundle/ruby/2.3.0/gems/thor-0.20.0/lib/thor/base.rb:534: '
                         'warning: constant ::Fixnum is deprecated\n' % VNCTL_DIR)
    if os.environ.get('VNCTL_EMULATOR_CRASH') == 'load-error':
        crash("%s/bin/vnctl:16:in `require': cannot load such file -- thor (LoadError)" % VNCTL_DIR,
              ['%s/bin/vnctl:16:in `<main>\'' % VNCTL_DIR])
    if os.environ.get('VNCTL_EMULATOR_SLEEP'):
        time.sleep(float(os.environ['VNCTL_EMULATOR_SLEEP']))


def help_text(ancestor, table):
    """Thor's command list (vnctl RESOURCE with no command): stdout, exit 0."""
    names = sorted(table)
    return 'Commands:\n' + ''.join('  %s\n' % ' '.join(['vnctl'] + [w for w in (ancestor, n) if w])
                                   for n in names) + '\n'


def run(conf, argv):
    """(stdout text, Thor's complaint or None) for one vnctl command line."""
    if not argv or argv[0].startswith('-') or argv[0] == 'help':
        return help_text('', COMMANDS), None
    if argv[0] not in COMMANDS:
        return '', 'Could not find command "%s".' % argv[0]
    resource, table, ancestor, rest = argv[0], COMMANDS[argv[0]], argv[0], argv[1:]
    if rest and rest[0] in table and 'verb' not in table[rest[0]]:
        table, ancestor, rest = table[rest[0]], rest[0], rest[1:]      # a relation: "vnctl networks add"
    if not rest or rest[0].startswith('-') or rest[0] == 'help':
        return help_text(ancestor, table), None
    if rest[0] not in table:
        return '', 'Could not find command "%s".' % rest[0]
    verb, spec = rest[0], table[rest[0]]
    try:
        options, args = parse_options(spec, rest[1:])
        low, high = spec['arity']
        if len(args) < low or (high is not None and len(args) > high):
            usage_error(ancestor, verb, spec, args)
    except ThorError as e:
        return '', str(e)
    query = form(options) if spec['send'] == 'options' else None
    if spec['path'] == '{s}':
        return request(conf, spec['verb'], resource, query), None
    if verb == 'show' and ancestor == resource:
        if not args:
            return request(conf, 'GET', resource, query), None
        return ''.join(as_puts(request(conf, 'GET', '%s/%s' % (resource, a), None)) for a in args), None
    if verb == 'del':
        base, others = (args[0], args[1:]) if ancestor != resource else (None, args)
        bodies = [request(conf, 'DELETE', spec['path'].format(base, o, s=resource) if base else
                          '%s/%s' % (resource, o), query) for o in others]
        return '\n'.join(bodies), None
    return request(conf, spec['verb'], spec['path'].format(*args, s=resource), query), None


def main(argv):
    faults()
    conf = settings()
    out, complaint = run(conf, argv)
    if complaint is not None:
        sys.stderr.write(complaint + '\n')
        return 0
    # datapath and network objects (not their relations' objects), in yml output only
    relation = len(argv) > 1 and argv[0] in COMMANDS and 'verb' not in COMMANDS[argv[0]].get(argv[1], {'verb': 1})
    if (os.environ.get('VNCTL_EMULATOR_EMPTY_SYMBOL_KEY') and conf['output_format'] == 'yml'
            and argv[0] in ('datapaths', 'networks') and not relation):
        out = empty_symbol_keys(out)
    sys.stdout.write(as_puts(out))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
