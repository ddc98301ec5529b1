"""The devices gretap_peer's ifupdown and ifcfg backends make, made for real: each kind's `ip link add`
(ifupdown's pre-up line, and the EL7 ifup-<kind> script with its ifcfg file) run in a throwaway network
namespace whose veth pair holds both ends' underlay addresses, then read back with `ip -d -o link show`:
the drift filter the role re-applies by must find nothing. Of a kind this kernel cannot make (this
sandbox's has vxlan but neither GRE nor geneve), only iproute2's taking every argument is proven, then the
test is skipped. Needs root (ip netns)."""

import os
import shlex
import subprocess
import sys
import tempfile

import jinja2
import pytest
import yaml

from ansible_collections.openvnet.openvnet.plugins.filter.verify import tunnel_drift

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TEMPLATES = os.path.join(ROOT, 'roles', 'gretap_peer', 'templates')
HUB4, PEER4, HUB6, PEER6 = '192.0.2.10', '192.0.2.11', '2001:db8::10', '2001:db8::12'

# Peers' tunnels as the topology model gives them (its contract); the lab's IPv6 VXLAN peer is vxlan6.
BASE = dict(peer='sv1', mac='02:aa:bb:cc:dd:01', local_ip=PEER4, remote_ip=HUB4, address='10.0.0.1/24', family=4,
            dst_port=None, csum=False)
V6 = dict(family=6, local_ip=PEER6, remote_ip=HUB6)
TUNNELS = {
    'gretap': dict(BASE, name='gre-sv0', kind='gretap', key=None, mtu=1462),
    'gretap-key': dict(BASE, name='gre-sv0', kind='gretap', key=42, mtu=1458),
    'ip6gretap': dict(BASE, name='gre-sv0', kind='ip6gretap', key=7, mtu=1430, **V6),
    'vxlan4': dict(BASE, name='vxlan-sv0', kind='vxlan', key=42, dst_port=4789, mtu=1450),
    'vxlan6': dict(BASE, name='vxlan-sv0', kind='vxlan', key=0, dst_port=4789, csum=True, mtu=1430, **V6),
    'geneve4': dict(BASE, name='geneve-sv0', kind='geneve', key=5, dst_port=6081, mtu=1450),
    'geneve6': dict(BASE, name='geneve-sv0', kind='geneve', key=5, dst_port=6081, csum=True, mtu=1430, **V6),
}

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason='network namespaces need root')


def render(template, tunnel):
    # as ansible.builtin.template renders: trim_blocks, the trailing newline kept
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), undefined=jinja2.StrictUndefined,
                             trim_blocks=True, keep_trailing_newline=True)
    return env.get_template(template).render(gretap_peer_tunnel=tunnel, ansible_managed='Ansible managed',
                                             gretap_peer_marker='written by openvnet.openvnet.gretap_peer')


def run(netns, *argv, **kwargs):
    return subprocess.run(['ip', 'netns', 'exec', netns] + list(argv), capture_output=True, text=True, check=False,
                          **kwargs)


@pytest.fixture
def netns():
    """A network namespace whose veth pair holds the hub's and the peer's underlay addresses (v4 and v6)."""
    name = 'ovn-peer-%d' % os.getpid()
    subprocess.run(['ip', 'netns', 'add', name], check=True)
    try:
        for argv in (['link', 'add', 'under0', 'type', 'veth', 'peer', 'name', 'under1'],
                     ['addr', 'add', PEER4 + '/24', 'dev', 'under0'], ['addr', 'add', PEER6 + '/64', 'dev', 'under0', 'nodad'],
                     ['addr', 'add', HUB4 + '/24', 'dev', 'under1'], ['addr', 'add', HUB6 + '/64', 'dev', 'under1', 'nodad'],
                     ['link', 'set', 'under0', 'up'], ['link', 'set', 'under1', 'up']):
            subprocess.run(['ip', '-n', name] + argv, check=True)
        yield name
    finally:
        subprocess.run(['ip', 'netns', 'del', name], check=False)


def skip_if_the_kernel_lacks_the_kind(made, tunnel):
    """A kernel without the kind's module refuses the device ('Unknown device type', rc 2) after iproute2
    has taken every argument (a word it does not take: its usage, rc 1): then only the arguments are proven."""
    if made.returncode != 0 and made.stderr.strip().endswith('Error: Unknown device type.'):
        assert 'Usage' not in made.stderr
        pytest.skip('iproute2 takes the arguments; this kernel has no %s devices' % tunnel['kind'])


def drift(netns, tunnel):
    link = run(netns, 'ip', '-d', '-o', 'link', 'show', 'dev', tunnel['name'])
    return tunnel_drift(tunnel, {'rc': link.returncode, 'stdout': link.stdout, 'stderr': link.stderr})


@pytest.mark.parametrize('name', sorted(TUNNELS))
def test_the_ifupdown_stanza_makes_the_models_device(netns, name):
    tunnel = TUNNELS[name]
    stanza = render('ifupdown.j2', tunnel).splitlines()
    (pre_up,) = [line.strip()[len('pre-up '):] for line in stanza if line.strip().startswith('pre-up ')]
    (mtu,) = [line.split()[1] for line in stanza if line.strip().startswith('mtu ')]
    assert shlex.split(pre_up)[:5] == ['ip', 'link', 'add', '$IFACE', 'address']
    # what ifupdown does: each command through /bin/sh with IFACE set, then the stanza's mtu
    made = run(netns, 'env', 'IFACE=' + tunnel['name'], '/bin/sh', '-c', pre_up)
    skip_if_the_kernel_lacks_the_kind(made, tunnel)
    assert made.returncode == 0, made.stderr
    run(netns, 'ip', 'link', 'set', 'dev', tunnel['name'], 'mtu', mtu)
    assert drift(netns, tunnel) == []


# network-scripts' own functions, as far as the role's scripts use them (initscripts' network-functions)
NETWORK_FUNCTIONS = '''
need_config() { CONFIG="ifcfg-${1##*ifcfg-}"; }
source_config() { . "./$CONFIG"; }
'''


@pytest.mark.parametrize('name', sorted(TUNNELS))
def test_the_ifcfg_file_and_its_ifup_script_make_the_models_device(netns, name):
    tunnel = TUNNELS[name]
    with tempfile.TemporaryDirectory() as scripts:
        # EL7's paths (/etc/init.d/functions, /etc/sysconfig/network-scripts) point at this directory
        for script in ('ifup', 'ifdown'):
            text = render('%s-tunnel.j2' % script, tunnel).replace('/etc/init.d/functions', scripts + '/functions')
            with open(os.path.join(scripts, '%s-%s' % (script, tunnel['kind'])), 'w') as f:
                f.write(text.replace('/etc/sysconfig/network-scripts', scripts))
        with open(os.path.join(scripts, 'ifcfg-' + tunnel['name']), 'w') as f:
            f.write(render('ifcfg.j2', tunnel))
        with open(os.path.join(scripts, 'functions'), 'w') as f:
            f.write('')
        with open(os.path.join(scripts, 'network-functions'), 'w') as f:
            f.write(NETWORK_FUNCTIONS)
        ifcfg = dict(line.split('=', 1) for line in render('ifcfg.j2', tunnel).splitlines() if '=' in line
                     and not line.startswith('#'))
        # ifup runs ifup-DEVICETYPE with the ifcfg file
        ifup = os.path.join(scripts, 'ifup-' + ifcfg['DEVICETYPE'])
        up = run(netns, 'bash', ifup, 'ifcfg-' + tunnel['name'], cwd=scripts)
        skip_if_the_kernel_lacks_the_kind(up, tunnel)
        assert up.returncode == 0, up.stderr
        assert drift(netns, tunnel) == []
        addresses = run(netns, 'ip', '-o', '-4', 'address', 'show', 'dev', tunnel['name']).stdout
        assert ' inet %s ' % tunnel['address'] in addresses
        # again: the device is there, ifup keeps it
        assert run(netns, 'bash', ifup, 'ifcfg-' + tunnel['name'], cwd=scripts).returncode == 0
        down = run(netns, 'bash', os.path.join(scripts, 'ifdown-' + ifcfg['DEVICETYPE']), 'ifcfg-' + tunnel['name'],
                   cwd=scripts)
        assert down.returncode == 0, down.stderr
        assert drift(netns, tunnel)[0].startswith('sv1: %s: no such device' % tunnel['name'])


def test_a_device_made_otherwise_drifts(netns):
    """The drift filter on a real device: another VNI and UDP port than the model's."""
    tunnel = TUNNELS['vxlan6']
    assert run(netns, 'ip', 'link', 'add', tunnel['name'], 'address', tunnel['mac'], 'mtu', '1430', 'type', 'vxlan',
               'id', '9', 'remote', HUB6, 'local', PEER6, 'dstport', '4790').returncode == 0
    assert drift(netns, tunnel) == [
        "sv1: vxlan-sv0: VNI 9, the hub's port has 0: frames of the other end are dropped",
        "sv1: vxlan-sv0: sends to UDP port 4790, the hub's port listens on 4789"]


def test_the_role_refuses_geneve_with_networkmanager_before_any_change(tmp_path):
    """The role itself, in check mode on this host: the refusal comes before any module that changes."""
    play = [{'hosts': 'localhost', 'gather_facts': True, 'gather_subset': ['!all', 'min'],
             'vars': {'gretap_peer_backend': 'networkmanager', 'gretap_peer_tunnel': TUNNELS['geneve6']},
             'roles': [{'role': 'openvnet.openvnet.gretap_peer'}]}]
    (tmp_path / 'play.yml').write_text(yaml.safe_dump(play))
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(ROOT, 'ansible.cfg'), ANSIBLE_NOCOLOR='1')
    proc = subprocess.run([os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), '-i', 'localhost,',
                           '-c', 'local', '-e', 'ansible_python_interpreter=' + sys.executable, '--check',
                           str(tmp_path / 'play.yml')],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)
    out = ' '.join(proc.stdout.split())
    assert proc.returncode == 2, out
    assert "TASK [openvnet.openvnet.gretap_peer : The backend must make the tunnel's kind]" in out
    assert 'geneve-sv0 is a geneve tunnel, which the networkmanager backend cannot make' in out
    assert 'changed=0' in out and 'failed=1' in out
