"""The vna emulator (tests/support/vna_emulator.py) against a real Open vSwitch
and the WebAPI emulator: it connects, installs vna's flows for the registered
vifs, the bridge then forwards registered traffic only, and registration
changes, port changes and restarts are followed.

The sandbox's ovs-vswitchd runs in its own network namespace, where the
host's 127.0.0.1 is out of reach: the bridge's controller is ``unix:PATH``, a
relay in this test that connects each connection to the emulator's TCP port
(the lab's tcp:127.0.0.1:6633)."""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request

import pytest

from tests.support.openvnet_emulator import serve
from tests.support.runner import ROOT

EMULATOR = os.path.join(ROOT, 'tests', 'support', 'vna_emulator.py')
DPID = '0000aaaaaaaaaaaa'
IF1 = dict(uuid='if-inst1', mac='ee:99:d5:67:fd:52', ip='10.0.0.1', port='gre-sv1')
IF2 = dict(uuid='if-inst2', mac='2a:27:6e:63:5e:e5', ip='10.0.0.2', port='gre-sv2')
NEW_MAC2 = '2a:27:6e:63:5e:e6'
OFPORT = {'gre-sv1': 1, 'gre-sv2': 2, 'eth9': 3}


# Generous: CI runs these tests beside the lab at a lower CPU priority.
def wait_for(what, check, timeout=60.0):
    deadline = time.time() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.time() > deadline:
            raise AssertionError('timed out waiting for %s' % what)
        time.sleep(0.2)


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def pump(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    for s in (src, dst):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def relay(path, port):
    """unix:PATH -> tcp:127.0.0.1:PORT, one TCP connection per Unix connection."""
    server = socket.socket(socket.AF_UNIX)
    server.bind(path)
    server.listen(8)

    def accept_loop():
        while True:
            try:
                conn, dummy = server.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(('127.0.0.1', port), timeout=2)
                upstream.settimeout(None)
            except OSError:
                conn.close()
                continue
            for a, b in ((conn, upstream), (upstream, conn)):
                threading.Thread(target=pump, args=(a, b), daemon=True).start()
    threading.Thread(target=accept_loop, daemon=True).start()
    return server


def debian_os_ken():
    """Debian 12's /usr/bin/python3 with python3-os-ken (2.5.0), what the lab VM runs."""
    return subprocess.run(['/usr/bin/python3', '-c', 'import os_ken'], capture_output=True, check=False).returncode == 0


@pytest.fixture(params=['venv', 'debian'])
def python(request):
    """The interpreter the emulator runs under: the venv's (os-ken from PyPI) or Debian's."""
    if request.param == 'venv':
        return sys.executable
    if not os.path.exists('/usr/bin/python3') or not debian_os_ken():
        pytest.skip('Debian python3-os-ken is not installed (apt-get install python3-os-ken)')
    return '/usr/bin/python3'


class Lab:
    def __init__(self, ovs, api, tmp, python):
        self.ovs, self.api, self.tmp, self.python = ovs, api, tmp, python
        self.sock = os.path.join(ovs.dir, 'vna.sock')
        self.port = free_port()
        self.relay = relay(self.sock, self.port)
        self.proc = None
        self.log = None

    def start(self):
        self.log = open(os.path.join(self.tmp, 'vna.log'), 'a')
        self.proc = subprocess.Popen([self.python, EMULATOR, '--listen', '127.0.0.1', '--port', str(self.port),
                                      '--api', self.api, '--interval', '0.5'], env=self.ovs.env, stdout=self.log,
                                     stderr=subprocess.STDOUT)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)
        if self.log:
            self.log.close()

    def output(self):
        with open(os.path.join(self.tmp, 'vna.log')) as f:
            return f.read()

    def ofctl(self, *args):
        return subprocess.run(['ovs-ofctl'] + list(args), env=self.ovs.env, check=True,
                              capture_output=True, text=True).stdout

    def flows(self):
        """dump-flows lines without counters: 'table=N, priority=P,match actions=...'."""
        out = self.ofctl('-O', 'OpenFlow13', '--no-names', 'dump-flows', 'br0')
        lines = []
        for line in out.splitlines()[1:]:
            line = re.sub(r'(cookie|duration|n_packets|n_bytes|idle_age|hard_age|reset_counts)=[^ ,]*,? ?', '',
                          line.strip())
            lines.append(line)
        return lines

    def has_flow(self, *parts):
        return [f for f in self.flows() if all(p in f for p in parts)]

    def connected(self):
        return self.ovs.vsctl('--columns=is_connected', 'list', 'Controller').split()[-1] == 'true'

    def trace(self, flow):
        out = subprocess.run(['ovs-appctl', 'ofproto/trace', 'br0', flow], env=self.ovs.env, check=True,
                             capture_output=True, text=True).stdout
        actions = re.search(r'^Datapath actions: (.*)$', out, re.M).group(1)
        return actions, out

    def odp_port(self, name):
        out = subprocess.run(['ovs-appctl', 'dpif/show'], env=self.ovs.env, check=True,
                             capture_output=True, text=True).stdout
        return re.search(r'^\s+%s \d+/(\d+):' % re.escape(name), out, re.M).group(1)


def post(api, path):
    req = urllib.request.Request('%s/%s' % (api, path), method='POST')
    with urllib.request.urlopen(req) as resp:
        return json.loads(resp.read())


def delete(api, path):
    req = urllib.request.Request('%s/%s' % (api, path), method='DELETE')
    with urllib.request.urlopen(req) as resp:
        return json.loads(resp.read())


def add_interface(api, spec, mac=None):
    return post(api, 'interfaces.json?uuid=%s&mode=vif&owner_datapath_uuid=dp-test1&mac_address=%s'
                     '&network_uuid=nw-test1&ipv4_address=%s&port_name=%s'
                % (spec['uuid'], mac or spec['mac'], spec['ip'], spec['port']))


def icmp(src, dst, src_mac=None, src_ip=None):
    return 'in_port=%s,icmp,dl_src=%s,dl_dst=%s,nw_src=%s,nw_dst=%s' % (
        src['port'], src_mac or src['mac'], dst['mac'], src_ip or src['ip'], dst['ip'])


def arp_request(src, dst):
    return 'in_port=%s,arp,dl_src=%s,dl_dst=ff:ff:ff:ff:ff:ff,arp_op=1,arp_sha=%s,arp_spa=%s,arp_tpa=%s' % (
        src['port'], src['mac'], src['mac'], src['ip'], dst['ip'])


@pytest.fixture
def lab(ovs, tmp_path, python):
    server = serve(port=0)
    api = 'http://127.0.0.1:%d/api/1.0' % server.server_address[1]
    ovs.vsctl('set', 'Bridge', 'br0', 'other-config:datapath-id=' + DPID, 'fail_mode=secure',
              'protocols=OpenFlow10,OpenFlow13', 'other-config:disable-in-band=true')
    for name in ('gre-sv1', 'eth9'):
        ovs.vsctl('add-port', 'br0', name, '--', 'set', 'Interface', name, 'type=internal',
                  'ofport_request=%d' % OFPORT[name])
    lab = Lab(ovs, api, str(tmp_path), python)
    lab.server = server
    # Reconnect within a second (default backoff: up to 8 s).
    ovs.vsctl('--id=@c', 'create', 'Controller', 'target="unix:%s"' % lab.sock, 'max_backoff=1000', '--',
              'set', 'Bridge', 'br0', 'controller=@c')
    try:
        yield lab
    finally:
        lab.stop()
        lab.relay.close()
        # Shown by pytest when the test fails.
        print('--- vna emulator\n' + (lab.output() if lab.log else ''))
        with open(os.path.join(ovs.dir, 'ovs-vswitchd.log')) as f:
            print('--- ovs-vswitchd\n' + ''.join(f.readlines()[-30:]))
        server.shutdown()
        server.server_close()


def test_vna_emulator_forwards_registered_vifs_only(lab):
    api = lab.api
    post(api, 'datapaths.json?uuid=dp-test1&display_name=test1&dpid=0x%s&node_id=vna' % DPID)
    post(api, 'networks.json?uuid=nw-test1&display_name=test1&ipv4_network=10.0.0.0&ipv4_prefix=24&mode=virtual')
    add_interface(api, IF1)
    add_interface(api, IF2)
    lab.start()
    wait_for('the controller connection', lab.connected)
    wait_for('the vif flows of gre-sv1', lambda: lab.has_flow('table=0', 'in_port=1 ', 'goto_table:17'))

    # A port added while connected is bound too (PORT_STATUS).
    lab.ovs.vsctl('add-port', 'br0', 'gre-sv2', '--', 'set', 'Interface', 'gre-sv2', 'type=internal',
                  'ofport_request=2')
    wait_for('the flood flow to both ports', lambda: lab.has_flow('table=51', 'actions=output:1,output:2,goto_table:52'))
    flows = lab.flows()
    text = '\n'.join(flows)
    for spec in (IF1, IF2):
        assert lab.has_flow('table=20', 'dl_src=%s' % spec['mac'], 'nw_src=%s' % spec['ip']), text
        assert lab.has_flow('table=20', 'arp', 'arp_spa=%s' % spec['ip'], 'arp_sha=%s' % spec['mac']), text
        assert lab.has_flow('table=43', 'dl_dst=%s' % spec['mac'], 'nw_dst=%s' % spec['ip']), text
        assert lab.has_flow('table=43', 'arp', 'arp_tpa=%s' % spec['ip'], 'arp_tha=%s' % spec['mac']), text
        assert lab.has_flow('table=90', 'actions=output:%d' % OFPORT[spec['port']]), text
    assert lab.has_flow('table=0', 'in_port=2 ', 'goto_table:17'), text
    # The unregistered port has no flows; its packets meet tun_id=0 -> drop.
    assert not lab.has_flow('in_port=3 '), text
    assert not lab.has_flow('output:3'), text
    assert lab.has_flow('table=0', 'priority=1,tun_id=0 actions=drop'), text

    # Every port is no-flood (OpenFlow 1.0's view of the port config).
    show = lab.ofctl('-O', 'OpenFlow10', 'show', 'br0')
    for name in OFPORT:
        block = re.search(r'\(%s\):.*?config:([^\n]*)' % re.escape(name), show, re.S)
        assert block and 'NO_FLOOD' in block.group(1).split(), show

    # The bridge forwards registered traffic only.
    out2 = lab.odp_port('gre-sv2')
    assert lab.trace(icmp(IF1, IF2))[0] == out2
    assert lab.trace(icmp(IF2, IF1))[0] == lab.odp_port('gre-sv1')
    assert lab.trace(arp_request(IF1, IF2))[0] == out2
    assert lab.trace(icmp(IF1, IF2, src_mac='ee:99:d5:67:fd:53'))[0] == 'drop'
    assert lab.trace(icmp(IF1, IF2, src_ip='10.0.0.9'))[0] == 'drop'
    assert lab.trace(icmp(IF1, dict(IF2, mac='2a:27:6e:63:5e:ff')))[0] == 'drop'
    assert lab.trace(icmp(IF1, dict(IF2, ip='10.0.0.3')))[0] == 'drop'
    assert lab.trace('in_port=eth9,icmp,dl_src=%s,dl_dst=%s,nw_src=%s,nw_dst=%s'
                     % (IF1['mac'], IF2['mac'], IF1['ip'], IF2['ip']))[0] == 'drop'

    # Deleting an interface removes its flows; re-creating it with another MAC brings the new ones.
    delete(api, 'interfaces/if-inst2.json')
    wait_for('if-inst2 flows gone', lambda: not lab.has_flow(IF2['mac']) and not lab.has_flow('in_port=2 '))
    assert lab.has_flow('table=51', 'actions=output:1,goto_table:52')
    assert lab.trace(icmp(IF1, IF2))[0] == 'drop'
    add_interface(api, IF2, mac=NEW_MAC2)
    wait_for('flows for the new MAC', lambda: lab.has_flow('table=20', 'dl_src=%s' % NEW_MAC2))
    assert not lab.has_flow(IF2['mac'])
    assert lab.trace(icmp(IF1, dict(IF2, mac=NEW_MAC2)))[0] == out2

    # A restart (flows wiped meanwhile) brings everything back.
    lab.stop()
    wait_for('the disconnection', lambda: not lab.connected())
    lab.ofctl('-O', 'OpenFlow13', 'del-flows', 'br0')
    assert lab.flows() == []
    lab.start()
    wait_for('the flows after a restart', lambda: lab.has_flow('table=20', 'dl_src=%s' % NEW_MAC2))
    assert lab.trace(icmp(IF1, dict(IF2, mac=NEW_MAC2)))[0] == out2

    # An unreachable WebAPI keeps the flows.
    before = sorted(lab.flows())
    lab.server.shutdown()
    lab.server.server_close()
    wait_for('the WebAPI warning', lambda: 'unreachable' in lab.output())
    time.sleep(1)
    assert sorted(lab.flows()) == before
    # ... and a port removed from the switch still loses its flows (the last registrations are kept).
    lab.ovs.vsctl('del-port', 'br0', 'gre-sv2')
    wait_for('gre-sv2 flows gone', lambda: not lab.has_flow('in_port=2 ') and not lab.has_flow('output:2'))
    assert lab.has_flow('table=51', 'actions=output:1,goto_table:52')
    log = lab.output()
    assert 'switch 0x%s connected' % DPID in log and 'bound: gre-sv1(1)=if-inst1' in log, log


def test_vna_emulator_listens_on_tcp(python):
    """Without a WebAPI: OpenFlow on a TCP port, an OpenFlow 1.3 HELLO, and a warning."""
    port = free_port()
    proc = subprocess.Popen([python, EMULATOR, '--listen', '127.0.0.1', '--port', str(port),
                             '--api', 'http://127.0.0.1:1/api/1.0'], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        def hello():
            try:
                with socket.create_connection(('127.0.0.1', port), timeout=2) as c:
                    return c.recv(8)
            except OSError:
                return None
        header = wait_for('an OpenFlow HELLO', hello)
        assert header[0] == 0x04 and header[1] == 0, header    # OFP 1.3, OFPT_HELLO
    finally:
        proc.kill()
        out = proc.communicate(timeout=10)[0].decode()
    assert 'unreachable' in out, out
