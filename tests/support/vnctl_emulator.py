"""An emulator of OpenVNet's vnctl (a Ruby/Thor REST client), for tests only.
Run through tests/support/bin/vnctl.

It behaves as the reference says the real CLI does (section 3):
- the WebAPI from VNET_WEBAPI=host:port (which forces the defaults: http,
  version 1.0, yml output), else the first of ~/.vnctlrc, ~/.vnctl.conf,
  /etc/openvnet/vnctl.conf, /etc/wakame-vnet/vnctl.conf, else
  http://127.0.0.1:9090/api/1.0 with yml output;
- every option goes into the URL query string, for POST and PUT too;
- it prints the raw response body and exits 0 whatever the HTTP status;
- a missing required option prints Thor's message on stderr and exits 0;
- an unreachable WebAPI raises Errno::ECONNREFUSED: backtrace, exit 1.

Faults a test can inject, through the environment:
- VNCTL_EMULATOR_SLEEP=N: hang N seconds before the request (a stuck vnctl or WebAPI);
- VNCTL_EMULATOR_CRASH=load-error: die as Ruby does when a gem is missing (LoadError, exit 1);
- VNCTL_EMULATOR_RUBY_WARNINGS=1: print Ruby's deprecation warnings on stderr, then work.
"""
import os
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

CONFIGS = ['~/.vnctlrc', '~/.vnctl.conf', '/etc/openvnet/vnctl.conf', '/etc/wakame-vnet/vnctl.conf']
BOOLEANS = {'enable_ovs_learn_action', 'enable_routing', 'enable_route_translation',
            'enable_filtering', 'singular', 'is_connected'}
# Options Thor marks required, per (resource, command).
REQUIRED = {('datapaths', 'add'): ['dpid', 'node_id']}
RESOURCES = {'datapaths', 'networks', 'interfaces', 'mac_range_groups'}
RELATIONS = {('datapaths', 'networks'), ('interfaces', 'ports'), ('mac_range_groups', 'mac_ranges')}


def settings():
    conf = {'webapi_protocol': 'http', 'webapi_uri': '127.0.0.1', 'webapi_port': '9090',
            'webapi_version': '1.0', 'output_format': 'yml'}
    if os.environ.get('VNET_WEBAPI'):
        host, port = (os.environ['VNET_WEBAPI'].split(':', 1) + [''])[:2]
        conf.update(webapi_uri=host, webapi_port=port or '9090')
        return conf
    for path in CONFIGS:
        path = os.path.expanduser(path)
        if os.path.exists(path):
            with open(path) as f:
                for line in f:
                    m = re.match(r"^\s*(\w+)\s+['\"]?([^'\"\s]+)['\"]?\s*$", line)
                    if m and not line.lstrip().startswith('#'):
                        conf[m.group(1)] = m.group(2)
            break
    if conf['output_format'] not in ('yml', 'json'):
        sys.stderr.write("output_format must be 'yml' or 'json'\n")
        sys.exit(1)
    return conf


def parse(argv):
    """Thor: positional words and --options (dashes or underscores)."""
    words, options = [], {}
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg.startswith('--'):
            name, eq, value = arg[2:].partition('=')
            name = name.replace('-', '_')
            if not eq:
                if name.startswith('no_') and name[3:] in BOOLEANS:
                    name, value = name[3:], 'false'
                elif name in BOOLEANS and (i + 1 >= len(argv) or argv[i + 1] not in ('true', 'false')):
                    value = 'true'
                else:
                    i += 1
                    value = argv[i] if i < len(argv) else ''
            options[name] = value
        else:
            words.append(arg)
        i += 1
    return words, options


def request(conf, method, suffix, options):
    url = '%s://%s:%s/api/%s/%s.%s' % (conf['webapi_protocol'], conf['webapi_uri'], conf['webapi_port'],
                                       conf['webapi_version'], suffix, conf['output_format'])
    if options:
        url += '?' + urllib.parse.urlencode(options)
    req = urllib.request.Request(url, method=method, data=b'' if method in ('POST', 'PUT') else None)
    try:
        with urllib.request.urlopen(req) as resp:
            body = resp.read()
    except urllib.error.HTTPError as e:
        body = e.read()
    except urllib.error.URLError as e:
        sys.stderr.write('/opt/axsh/openvnet/client/vnctl/lib/vnctl/webapi_client.rb:30:in `initialize\': '
                         'Connection refused - connect(2) for "%s" port %s (Errno::ECONNREFUSED)\n'
                         '\tfrom /opt/axsh/openvnet/client/vnctl/bin/vnctl:12:in `<main>\'\n'
                         % (conf['webapi_uri'], conf['webapi_port']))
        sys.exit(1)
    text = body.decode()
    sys.stdout.write(text if text.endswith('\n') else text + '\n')


def faults():
    if os.environ.get('VNCTL_EMULATOR_RUBY_WARNINGS'):
        sys.stderr.write('/opt/axsh/openvnet/client/vnctl/vendor/bundle/ruby/2.3.0/gems/thor-0.19.1/lib/thor/base.rb:534: '
                         'warning: constant ::Fixnum is deprecated\n')
    if os.environ.get('VNCTL_EMULATOR_CRASH') == 'load-error':
        sys.stderr.write("/opt/axsh/openvnet/client/vnctl/bin/vnctl:7:in `require': cannot load such file -- thor "
                         "(LoadError)\n\tfrom /opt/axsh/openvnet/client/vnctl/bin/vnctl:7:in `<main>'\n")
        sys.exit(1)
    if os.environ.get('VNCTL_EMULATOR_SLEEP'):
        time.sleep(float(os.environ['VNCTL_EMULATOR_SLEEP']))


def main(argv):
    faults()
    conf = settings()
    words, options = parse(argv)
    if len(words) < 2 or words[0] not in RESOURCES:
        sys.stderr.write('Could not find command "%s".\n' % ' '.join(words[:2]))
        return 0
    resource = words[0]
    if (resource, words[1]) in RELATIONS:
        relation, command, args = words[1], words[2], words[3:]
        base = '%s/%s/%s' % (resource, args[0], relation)
        if command == 'add':
            target = base + ('/' + args[1] if len(args) > 1 else '')
            request(conf, 'POST', target, options)
        elif command == 'show':
            request(conf, 'GET', base, options)
        elif command == 'del':
            for other in args[1:] or ['']:
                request(conf, 'DELETE', base + ('/' + other if other else ''), options)
        return 0
    command, args = words[1], words[2:]
    missing = [n for n in REQUIRED.get((resource, command), []) if n not in options]
    if missing:
        sys.stderr.write("No value provided for required options '--%s'\n" % "', '--".join(missing))
        return 0
    if command == 'add':
        request(conf, 'POST', resource, options)
    elif command == 'show':
        for uuid in args or [None]:
            request(conf, 'GET', resource + ('/' + uuid if uuid else ''), options)
    elif command == 'modify':
        request(conf, 'PUT', '%s/%s' % (resource, args[0]), options)
    elif command == 'del':
        for uuid in args:
            request(conf, 'DELETE', '%s/%s' % (resource, uuid), options)
    else:
        sys.stderr.write('Could not find command "%s".\n' % command)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
