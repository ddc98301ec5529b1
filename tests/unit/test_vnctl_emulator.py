"""The vnctl emulator (tests/support/vnctl_emulator.py, run as tests/support/bin/vnctl) behaves
as OpenVNet's vnctl does. Each test names the upstream file the behaviour was read from, at
axsh/openvnet 1407ad799ab825f9b2bce20d60326f3afc1222ec (1407ad79), under client/vnctl.

vnctl runs against a recording HTTP server (what was sent: method, path and query, body,
Content-Type) that answers canned bodies, with a HOME of its own per test."""

import json
import os
import socket
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import yaml

from tests.support import vnctl_emulator
from tests.support.openvnet_emulator import serve
from tests.support.runner import ROOT

VNCTL = os.path.join(ROOT, 'tests', 'support', 'bin', 'vnctl')


class Recorder(BaseHTTPRequestHandler):
    def log_message(self, fmt, *args):
        pass

    def _answer(self):
        length = int(self.headers.get('Content-Length') or 0)
        self.server.seen.append(dict(method=self.command, path=self.path, body=self.rfile.read(length).decode(),
                                     content_type=self.headers.get('Content-Type')))
        status, text = self.server.reply(self.command, self.path)
        data = text.encode()
        self.send_response(status)
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = _answer


@pytest.fixture
def webapi():
    server = HTTPServer(('127.0.0.1', 0), Recorder)
    server.seen = []
    server.reply = lambda method, path: (200, '{"uuid": "x"}' if '.json' in path else '---\n:uuid: x\n')
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


class Vnctl:
    def __init__(self, home, server):
        self.home = str(home)
        self.server = server
        self.port = server.server_address[1] if server else None

    def rc(self, text):
        with open(os.path.join(self.home, '.vnctlrc'), 'w') as f:
            f.write(text)

    def __call__(self, *argv, **env):
        """(rc, stdout, stderr); VNET_WEBAPI unless env says otherwise (None: unset)."""
        environ = dict(os.environ, HOME=self.home)
        environ.pop('VNET_WEBAPI', None)
        if self.port:
            environ['VNET_WEBAPI'] = '127.0.0.1:%d' % self.port
        for key, value in env.items():
            if value is None:
                environ.pop(key, None)
            else:
                environ[key] = value
        proc = subprocess.run([VNCTL] + list(argv), capture_output=True, text=True, env=environ, timeout=60,
                              check=False)
        return proc.returncode, proc.stdout, proc.stderr

    def sent(self):
        return [(r['method'], r['path']) for r in self.server.seen]


@pytest.fixture
def vnctl(tmp_path, webapi):
    return Vnctl(tmp_path, webapi)


def closed_port():
    sock = socket.socket()
    sock.bind(('127.0.0.1', 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


# -- requests: client/vnctl/lib/vnctl/webapi.rb and cli/base.rb ------------------------------------

def test_every_option_goes_into_the_query_string_and_no_request_has_a_body(vnctl):
    # axsh/openvnet 1407ad79 client/vnctl/lib/vnctl/webapi.rb: URI.encode_www_form(params) as the
    # query, verb.new(uri.request_uri) with no body, POST and PUT included.
    assert vnctl('datapaths', 'add', '--uuid=dp-1', '--display-name=a b', '--dpid=0x1', '--node-id=vna',
                 '--enable-ovs-learn-action=false')[0] == 0
    assert vnctl('datapaths', 'modify', 'dp-1', '--display-name=b~x*y&z')[0] == 0
    assert vnctl.sent() == [
        ('POST', '/api/1.0/datapaths.yml?uuid=dp-1&display_name=a+b&dpid=0x1&node_id=vna&enable_ovs_learn_action=false'),
        ('PUT', '/api/1.0/datapaths/dp-1.yml?display_name=b%7Ex*y%26z')]
    assert [r['body'] for r in vnctl.server.seen] == ['', '']
    # Net::HTTP's empty POST/PUT, as observed: a form content type over an empty body
    assert [r['content_type'] for r in vnctl.server.seen] == ['application/x-www-form-urlencoded'] * 2


def test_booleans_and_numbers_as_thor_parses_them(vnctl):
    # axsh/openvnet 1407ad79 client/vnctl/lib/vnctl/cli/datapath.rb (enable_ovs_learn_action boolean),
    # cli/network.rb (ipv4_prefix numeric): Thor's --flag, --no-flag, --flag=false; numbers as Ruby
    # Integers (024 is 24).
    vnctl('datapaths', 'modify', 'dp-1', '--enable-ovs-learn-action')
    vnctl('datapaths', 'modify', 'dp-1', '--no-enable-ovs-learn-action')
    vnctl('networks', 'add', '--ipv4-network=10.0.0.0', '--ipv4-prefix=024')
    assert vnctl.sent() == [('PUT', '/api/1.0/datapaths/dp-1.yml?enable_ovs_learn_action=true'),
                            ('PUT', '/api/1.0/datapaths/dp-1.yml?enable_ovs_learn_action=false'),
                            ('POST', '/api/1.0/networks.yml?ipv4_network=10.0.0.0&ipv4_prefix=24')]
    rc, out, err = vnctl('networks', 'add', '--ipv4-network=10.0.0.0', '--ipv4-prefix=abc')
    assert (rc, out, err) == (0, '', 'Expected numeric value for \'--ipv4-prefix\'; got "abc"\n')


def test_show_sends_paging_options_only_without_uuids(vnctl):
    # axsh/openvnet 1407ad79 client/vnctl/lib/vnctl/cli/base.rb define_show: options (limit, offset)
    # without UUIDs; with UUIDs one GET each and no query string; each body put on its own.
    vnctl('datapaths', 'show', '--limit=3', '--offset=1')
    rc, out, dummy = vnctl('datapaths', 'show', 'dp-1', 'dp-2', '--limit=3')
    assert vnctl.sent() == [('GET', '/api/1.0/datapaths.yml?limit=3&offset=1'),
                            ('GET', '/api/1.0/datapaths/dp-1.yml'), ('GET', '/api/1.0/datapaths/dp-2.yml')]
    assert (rc, out) == (0, '---\n:uuid: x\n---\n:uuid: x\n')


def test_del_one_request_per_uuid_and_bodies_joined_by_a_newline(vnctl):
    # axsh/openvnet 1407ad79 client/vnctl/lib/vnctl/cli/base.rb define_del: DELETE suffix/UUID with the
    # (empty) options, so a bare "?"; the bodies joined with "\n", then put.
    rc, out, dummy = vnctl('datapaths', 'del', 'dp-1', 'dp-2')
    assert vnctl.sent() == [('DELETE', '/api/1.0/datapaths/dp-1.yml?'), ('DELETE', '/api/1.0/datapaths/dp-2.yml?')]
    assert (rc, out) == (0, '---\n:uuid: x\n\n---\n:uuid: x\n')
    assert vnctl('datapaths', 'del') == (0, '\n', '')


def test_relations(vnctl):
    # axsh/openvnet 1407ad79 client/vnctl/lib/vnctl/cli/base.rb define_relation: add BASE REL with the
    # options, del BASE REL(S) without a query string, show BASE with the options;
    # client/vnctl/lib/vnctl/cli/datapath.rb: networks add takes mac_address and interface_uuid.
    vnctl('datapaths', 'networks', 'add', 'dp-1', 'nw-1', '--interface-uuid=if-1', '--mac-address=52:56:01:00:00:01')
    vnctl('datapaths', 'networks', 'show', 'dp-1')
    vnctl('datapaths', 'networks', 'del', 'dp-1', 'nw-1', 'nw-2')
    # client/vnctl/lib/vnctl/cli/interface.rb: ports add takes no PORT_UUID; ports del with no
    # PORT_UUID sends nothing at all and puts an empty line.
    vnctl('interfaces', 'ports', 'add', 'if-1', '--port-name=tap1', '--singular')
    assert vnctl('interfaces', 'ports', 'del', 'if-1', '--port-name=tap1') == (0, '\n', '')
    # client/vnctl/lib/vnctl/cli/mac_range_group.rb: mac_ranges add takes no range UUID
    vnctl('mac_range_groups', 'mac_ranges', 'add', 'mrg-1', '--begin-mac-address=1', '--end-mac-address=2')
    # client/vnctl/lib/vnctl/cli/interface.rb define_rename: PUT suffix/UUID/rename
    vnctl('interfaces', 'rename', 'if-1', '--new-uuid=if-2')
    assert vnctl.sent() == [
        ('POST', '/api/1.0/datapaths/dp-1/networks/nw-1.yml?interface_uuid=if-1&mac_address=52%3A56%3A01%3A00%3A00%3A01'),
        ('GET', '/api/1.0/datapaths/dp-1/networks.yml?'),
        ('DELETE', '/api/1.0/datapaths/dp-1/networks/nw-1.yml'), ('DELETE', '/api/1.0/datapaths/dp-1/networks/nw-2.yml'),
        ('POST', '/api/1.0/interfaces/if-1/ports.yml?port_name=tap1&singular=true'),
        ('POST', '/api/1.0/mac_range_groups/mrg-1/mac_ranges.yml?begin_mac_address=1&end_mac_address=2'),
        ('PUT', '/api/1.0/interfaces/if-1/rename.yml?new_uuid=if-2')]


def test_the_raw_body_is_printed_and_the_exit_status_is_0_on_api_errors(vnctl):
    # axsh/openvnet 1407ad79 client/vnctl/lib/vnctl/webapi.rb: response.body whatever the status;
    # cli/base.rb: puts it.
    vnctl.server.reply = lambda method, path: (400, '---\n:error: Vnet::Endpoints::Errors::DuplicateUUID\n:code: \'102\'')
    assert vnctl('datapaths', 'add', '--uuid=dp-1', '--dpid=0x1', '--node-id=vna') == \
        (0, "---\n:error: Vnet::Endpoints::Errors::DuplicateUUID\n:code: '102'\n", '')
    vnctl.server.reply = lambda method, path: (404, '<h1>Not Found</h1>')
    assert vnctl('datapaths', 'show', 'dp-1') == (0, '<h1>Not Found</h1>\n', '')


# -- Thor: what each command accepts -------------------------------------------------------------

def test_a_missing_required_option_is_thors_message_no_body_exit_0(vnctl):
    # axsh/openvnet 1407ad79 client/vnctl/lib/vnctl/cli/datapath.rb: set_required_options [:dpid, :node_id]
    assert vnctl('datapaths', 'add', '--uuid=dp-2') == \
        (0, '', "No value provided for required options '--dpid', '--node-id'\n")
    # same file: interface_uuid required on the networks relation's add
    assert vnctl('datapaths', 'networks', 'add', 'dp-1', 'nw-1') == \
        (0, '', "No value provided for required options '--interface-uuid'\n")
    # client/vnctl/lib/vnctl/cli/network.rb: set_required_options [:ipv4_network]
    assert vnctl('networks', 'add', '--uuid=nw-1')[2] == "No value provided for required options '--ipv4-network'\n"
    # client/vnctl/lib/vnctl/cli/route.rb: named in the order the options are declared
    assert vnctl('routes', 'add', '--uuid=r-1')[2] == \
        "No value provided for required options '--route-link-uuid', '--network-uuid'\n"
    assert vnctl.sent() == []


def test_interfaces_have_no_display_name_option(vnctl):
    # axsh/openvnet 1407ad79 client/vnctl/lib/vnctl/cli/interface.rb: neither add nor modify declares
    # display_name, so Thor takes --display-name=... for an argument, which add and modify do not
    # take: its usage error on stderr, no body, exit 0, no request.
    assert vnctl('interfaces', 'modify', 'if-inst1', '--display-name=vm1') == (
        0, '', 'ERROR: "vnctl interfaces modify" was called with arguments ["if-inst1", "--display-name=vm1"]\n'
               'Usage: "vnctl interfaces modify UUID [OPTIONS]"\n')
    assert vnctl('interfaces', 'add', '--uuid=if-1', '--mode=vif', '--display-name=vm1') == (
        0, '', 'ERROR: "vnctl interfaces add" was called with arguments ["--display-name=vm1"]\n'
               'Usage: "vnctl interfaces add [OPTIONS]"\n')
    # the value as a separate word goes with it
    assert '["if-1", "--display-name", "vm1"]' in vnctl('interfaces', 'modify', 'if-1', '--display-name', 'vm1')[2]
    assert vnctl.sent() == []


def test_the_options_each_command_has(vnctl):
    # axsh/openvnet 1407ad79 client/vnctl/lib/vnctl/cli/datapath.rb, network.rb, interface.rb,
    # mac_range_group.rb (with cli/base.rb: option_uuid on add only; option_limit/option_offset on show)
    have = dict((k, sorted(c['options'])) for k, c in (
        ('datapaths add', vnctl_emulator.COMMANDS['datapaths']['add']),
        ('datapaths modify', vnctl_emulator.COMMANDS['datapaths']['modify']),
        ('datapaths networks add', vnctl_emulator.COMMANDS['datapaths']['networks']['add']),
        ('networks add', vnctl_emulator.COMMANDS['networks']['add']),
        ('networks modify', vnctl_emulator.COMMANDS['networks']['modify']),
        ('interfaces add', vnctl_emulator.COMMANDS['interfaces']['add']),
        ('interfaces modify', vnctl_emulator.COMMANDS['interfaces']['modify']),
        ('interfaces ports add', vnctl_emulator.COMMANDS['interfaces']['ports']['add']),
        ('mac_range_groups add', vnctl_emulator.COMMANDS['mac_range_groups']['add']),
        ('mac_range_groups modify', vnctl_emulator.COMMANDS['mac_range_groups']['modify']),
        ('mac_range_groups mac_ranges add', vnctl_emulator.COMMANDS['mac_range_groups']['mac_ranges']['add']),
        ('routes add', vnctl_emulator.COMMANDS['routes']['add']),
        ('routes modify', vnctl_emulator.COMMANDS['routes']['modify'])))
    assert have == {
        'datapaths add': ['display_name', 'dpid', 'enable_ovs_learn_action', 'node_id', 'uuid'],
        'datapaths modify': ['display_name', 'dpid', 'enable_ovs_learn_action', 'node_id'],
        'datapaths networks add': ['interface_uuid', 'mac_address'],
        'networks add': ['display_name', 'domain_name', 'ipv4_network', 'ipv4_prefix', 'mode', 'network_mode',
                         'segment_uuid', 'topology_uuid', 'uuid'],
        'networks modify': ['display_name', 'domain_name'],
        'interfaces add': ['enable_filtering', 'enable_route_translation', 'enable_routing', 'ipv4_address',
                           'mac_address', 'mode', 'network_uuid', 'owner_datapath_uuid', 'port_name',
                           'segment_uuid', 'uuid'],
        'interfaces modify': ['enable_filtering', 'enable_route_translation', 'enable_routing',
                              'owner_datapath_uuid'],
        'interfaces ports add': ['datapath_uuid', 'port_name', 'singular'],
        'mac_range_groups add': ['allocation_type', 'uuid'],
        'mac_range_groups modify': ['allocation_type'],
        'mac_range_groups mac_ranges add': ['begin_mac_address', 'end_mac_address'],
        # client/vnctl/lib/vnctl/cli/route.rb
        'routes add': ['egress', 'ingress', 'interface_uuid', 'ipv4_network', 'ipv4_prefix', 'network_uuid',
                       'route_link_uuid', 'uuid'],
        'routes modify': ['interface_uuid', 'ipv4_network', 'ipv4_prefix', 'network_uuid', 'route_link_uuid'],
    }
    assert vnctl_emulator.COMMANDS['routes']['add']['required'] == ['network_uuid', 'route_link_uuid']
    # add-only options are refused by modify (network.rb: mode is in add_shared_options)
    rc, out, err = vnctl('networks', 'modify', 'nw-1', '--mode=virtual')
    assert (rc, out) == (0, '') and 'ERROR: "vnctl networks modify" was called with arguments ["nw-1", "--mode=virtual"]' in err


def test_a_wrong_argument_count_or_an_unknown_command(vnctl):
    # axsh/openvnet 1407ad79 client/vnctl/lib/vnctl/cli/base.rb define_relation: add takes BASE and REL
    rc, out, err = vnctl('datapaths', 'networks', 'add', 'dp-1', '--interface-uuid=if-1')
    assert (rc, out) == (0, '') and err == (
        'ERROR: "vnctl networks add" was called with arguments ["dp-1"]\n'
        'Usage: "vnctl networks add DATAPATHS_UUID NETWORK_UUID OPTIONS --interface-uuid=INTERFACE_UUID"\n')
    assert vnctl('interfaces', 'modify')[2].startswith('ERROR: "vnctl interfaces modify" was called with no arguments\n')
    # cli/base.rb define_show/define_del take *uuids: an unknown option is a uuid there
    vnctl('datapaths', 'show', '--foo=bar')
    assert vnctl.sent() == [('GET', '/api/1.0/datapaths/--foo=bar.yml')]
    # client/vnctl/lib/vnctl/cli/root.rb: the resources are Thor subcommands
    assert vnctl('nothing', 'show') == (0, '', 'Could not find command "nothing".\n')
    assert vnctl('datapaths', 'frob') == (0, '', 'Could not find command "frob".\n')


# -- configuration: client/vnctl/bin/vnctl and lib/vnctl/configuration/vnctl.rb --------------------

def test_vnet_webapi_forces_yaml_and_a_configuration_file_can_ask_for_json(tmp_path, webapi):
    vnctl = Vnctl(tmp_path, webapi)
    vnctl.rc("webapi_uri '192.0.2.1'\nwebapi_port '1'\noutput_format 'json'\n")
    # axsh/openvnet 1407ad79 client/vnctl/bin/vnctl: VNET_WEBAPI replaces the files (defaults: yml)
    assert vnctl('datapaths', 'show', 'dp-1') == (0, '---\n:uuid: x\n', '')
    # the first file found (~/.vnctlrc): a Fuguta file, quoted strings or numbers, # comments
    vnctl.rc("# json\nwebapi_uri \"127.0.0.1\"\nwebapi_port %d  # the emulator\noutput_format 'json'\n" % vnctl.port)
    assert vnctl('datapaths', 'show', 'dp-1', VNET_WEBAPI=None) == (0, '{"uuid": "x"}\n', '')
    assert vnctl.sent() == [('GET', '/api/1.0/datapaths/dp-1.yml'), ('GET', '/api/1.0/datapaths/dp-1.json')]


def test_an_invalid_output_format_is_a_validation_error_exit_1(tmp_path):
    # axsh/openvnet 1407ad79 client/vnctl/lib/vnctl/configuration/vnctl.rb validate(), reported by
    # client/vnctl/bin/vnctl's abort: stderr, exit 1, before any request
    vnctl = Vnctl(tmp_path, None)
    vnctl.rc("webapi_port '9'\noutput_format 'xml'\n")
    assert vnctl('datapaths', 'show', 'dp-1') == (1, '', 'Validation Error: %s/.vnctlrc\n  "xml" is not a valid '
                                                  'output_format. Must be one of ["yml", "json"]\n' % tmp_path)


def test_an_unreachable_webapi_is_a_ruby_backtrace_exit_1(tmp_path):
    # axsh/openvnet 1407ad79 client/vnctl/lib/vnctl/webapi.rb: nothing rescues Net::HTTP's errors
    port = closed_port()
    vnctl = Vnctl(tmp_path, None)
    rc, out, err = vnctl('datapaths', 'show', 'dp-1', VNET_WEBAPI='127.0.0.1:%d' % port)
    assert (rc, out) == (1, '')
    first, frames = err.split('\n', 1)
    assert first.endswith('Failed to open TCP connection to 127.0.0.1:%d (Connection refused - connect(2) for '
                          '"127.0.0.1" port %d) (Errno::ECONNREFUSED)' % (port, port)), first
    assert frames.startswith('\tfrom ') and 'client/vnctl/lib/vnctl/webapi.rb:21:in `send_request\'' in frames
    # client/vnctl/bin/vnctl: VNET_WEBAPI without a port leaves "host:" in the URL: port 80, not 9090
    rc, out, err = vnctl('datapaths', 'show', 'dp-1', VNET_WEBAPI='192.0.2.1.invalid')
    assert rc == 1 and 'Failed to open TCP connection to 192.0.2.1.invalid:80 ' in err


# -- YAML with Ruby tags (issue 24 item 6) --------------------------------------------------------

DATAPATH = ('---\n:id: 1\n:uuid: dp-test1\n:display_name: test1\n:dpid: \'0x000002000a00010a\'\n'
            ':node_id: vna\n:enable_ovs_learn_action: true\n')
TAGGED = DATAPATH + "!ruby/symbol '':\n"


def test_an_empty_symbol_key_as_psych_writes_it(vnctl):
    # Psych (psych/visitors/yaml_tree.rb visit_Symbol) writes :"" as the tag !ruby/symbol over an
    # empty scalar: `puts({:uuid => "dp-1", :"" => nil}.to_yaml)` prints "!ruby/symbol '':" last.
    vnctl.server.reply = lambda method, path: (200, DATAPATH)
    flag = dict(VNCTL_EMULATOR_EMPTY_SYMBOL_KEY='1')
    assert vnctl('datapaths', 'show', 'dp-test1', **flag) == (0, TAGGED, '')
    assert vnctl('datapaths', 'show', 'dp-test1') == (0, DATAPATH, '')
    # in a collection: each item gets it, at the item's indentation
    page = ("---\n:total_count: 2\n:offset: 0\n:limit: 30\n:items:\n- :id: 1\n  :uuid: nw-1\n  :display_name: a\n"
            "- :id: 2\n  :uuid: nw-2\n  :display_name: b\n")
    vnctl.server.reply = lambda method, path: (200, page)
    assert vnctl('networks', 'show', **flag)[1] == (
        "---\n:total_count: 2\n:offset: 0\n:limit: 30\n:items:\n- :id: 1\n  :uuid: nw-1\n  :display_name: a\n"
        "  !ruby/symbol '':\n- :id: 2\n  :uuid: nw-2\n  :display_name: b\n  !ruby/symbol '':\n")
    # not interfaces, not relations, not JSON
    assert vnctl('interfaces', 'show', **flag)[1] == page
    assert vnctl('datapaths', 'networks', 'show', 'dp-1', **flag)[1] == page


def test_pyyaml_safe_load_refuses_the_ruby_tag():
    # what the module's YAML parser (a PyYAML safe loader) meets: the tag is unknown to it
    with pytest.raises(yaml.constructor.ConstructorError, match="could not determine a constructor for the tag "
                                                                "'!ruby/symbol'"):
        yaml.safe_load(TAGGED)


def test_the_empty_symbol_key_through_the_webapi_emulator(tmp_path):
    """End to end: the WebAPI emulator's YAML for a datapath and a network, through vnctl."""
    server = serve(port=0)
    try:
        vnctl = Vnctl(tmp_path, server)
        flag = dict(VNCTL_EMULATOR_EMPTY_SYMBOL_KEY='1')
        rc, out, err = vnctl('datapaths', 'add', '--uuid=dp-1', '--display-name=a', '--dpid=0x1', '--node-id=vna', **flag)
        assert (rc, err) == (0, '') and out.endswith("\n!ruby/symbol '':\n"), out
        rc, out, err = vnctl('networks', 'add', '--uuid=nw-1', '--display-name=b', '--ipv4-network=10.0.0.0', '--ipv4-prefix=24', **flag)
        assert out.count("!ruby/symbol '':") == 1, out
        rc, out, err = vnctl('networks', 'show', **flag)
        lines = out.split('\n')
        tagged = [line for line in lines if line.strip() == "!ruby/symbol '':"]
        uuid = next(line for line in lines if ':uuid: nw-1' in line)
        # one, at the item's key column
        assert tagged == [uuid[:uuid.index(':uuid:')] + "!ruby/symbol '':"], out
        # with the tagged key taken out, the rest is the WebAPI emulator's own YAML
        assert yaml.safe_load(out.replace(tagged[0] + '\n', ''))[':items'][0][':uuid'] == 'nw-1'
        # JSON has no such thing
        vnctl.rc("webapi_port '%d'\noutput_format 'json'\n" % vnctl.port)
        rc, out, err = vnctl('networks', 'show', VNET_WEBAPI=None, **flag)
        assert json.loads(out)['items'][0]['uuid'] == 'nw-1'
    finally:
        server.shutdown()
        server.server_close()


# -- faults the integration tests inject ------------------------------------------------------------

def test_injected_faults(vnctl):
    rc, out, err = vnctl('datapaths', 'show', 'dp-1', VNCTL_EMULATOR_CRASH='load-error')
    assert (rc, out) == (1, '') and "cannot load such file -- thor (LoadError)\n\tfrom " in err
    rc, out, err = vnctl('datapaths', 'show', 'dp-1', VNCTL_EMULATOR_RUBY_WARNINGS='1')
    assert (rc, out) == (0, '---\n:uuid: x\n') and 'warning: constant ::Fixnum is deprecated' in err
