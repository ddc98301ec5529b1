"""Files the network roles write for systems that cannot run here (EL network-scripts,
NetworkManager): rendered with Ansible's template settings and compared line by line."""

import fnmatch
import os
import re
import subprocess

import jinja2
import pytest
import yaml

ROLES = os.path.join(os.path.dirname(__file__), '..', '..', 'roles')
TUNNEL = dict(name='gre-sv0', mac='02:aa:bb:cc:dd:01', local_ip='192.0.2.11', remote_ip='192.0.2.10', address='10.0.0.1/24', mtu=1462, key=None)


def render(role, template, **variables):
    # ansible.builtin.template: trim_blocks on, trailing newline kept
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(os.path.join(ROLES, role, 'templates')),
                             undefined=jinja2.StrictUndefined, trim_blocks=True, keep_trailing_newline=True)
    role_vars = {}
    if os.path.exists(os.path.join(ROLES, role, 'vars', 'main.yml')):
        with open(os.path.join(ROLES, role, 'vars', 'main.yml')) as f:
            role_vars = yaml.safe_load(f)
    role_vars.update(ansible_managed='Ansible managed', **variables)
    return env.get_template(template).render(**role_vars)


def body(text):
    """The lines after the two comment lines every file starts with."""
    return text.splitlines()[2:]


def gretap_layouts():
    with open(os.path.join(ROLES, 'gretap_peer', 'vars', 'main.yml')) as f:
        return yaml.safe_load(f)['__gretap_peer_layouts']


@pytest.mark.parametrize('backend', sorted(gretap_layouts()))
def test_every_gretap_backend_marks_its_files_and_names_its_device(backend):
    layout = gretap_layouts()[backend]
    for item in layout['files']:
        text = render('gretap_peer', item['template'], gretap_peer_tunnel=TUNNEL)
        assert 'written by openvnet.openvnet.gretap_peer' in text.splitlines()[1]
        name = item['name'] % TUNNEL['name']
        assert re.sub(layout['device_regex'], r'\1', name) == TUNNEL['name']
        assert any(fnmatch.fnmatch(name, p) for p in layout['patterns'])


def test_gretap_ifcfg_for_el7():
    assert body(render('gretap_peer', 'ifcfg.j2', gretap_peer_tunnel=dict(TUNNEL, key=7))) == [
        '# network-scripts have no gretap type: ifup runs ifup-gretap for DEVICETYPE=gretap.',
        'DEVICE=gre-sv0',
        'DEVICETYPE=gretap',
        '# The MAC OpenVNet has registered for this peer (ifup-gretap sets it).',
        'MACADDR=02:aa:bb:cc:dd:01',
        'ONBOOT=yes',
        'BOOTPROTO=none',
        'NM_CONTROLLED=no',
        'GRETAP_LOCAL=192.0.2.11',
        'GRETAP_REMOTE=192.0.2.10',
        'GRETAP_KEY=7',
        'IPADDR=10.0.0.1',
        'PREFIX=24',
        'MTU=1462',
        'DEFROUTE=no',
    ]


def test_gretap_networkmanager_keyfile_for_el8_el9():
    assert body(render('gretap_peer', 'nmconnection.j2', gretap_peer_tunnel=TUNNEL)) == [
        '[connection]', 'id=openvnet-gre-sv0', 'type=ip-tunnel', 'interface-name=gre-sv0', 'autoconnect=true', '',
        '[ip-tunnel]', '# 10 = gretap', 'mode=10', 'local=192.0.2.11', 'remote=192.0.2.10', 'mtu=1462', '',
        '[ethernet]', '# The MAC OpenVNet has registered for this peer.', 'cloned-mac-address=02:aa:bb:cc:dd:01', '',
        '[ipv4]', 'method=manual', 'address1=10.0.0.1/24', 'never-default=true', '',
        '[ipv6]', 'method=disabled',
    ]


@pytest.mark.parametrize('key, suffix', [(None, ''), (42, ' key 42')])
def test_gretap_ifupdown_stanza(key, suffix):
    assert body(render('gretap_peer', 'ifupdown.j2', gretap_peer_tunnel=dict(TUNNEL, key=key))) == [
        'auto gre-sv0',
        'iface gre-sv0 inet static',
        '    address 10.0.0.1/24',
        '    mtu 1462',
        '    pre-up ip link add $IFACE address 02:aa:bb:cc:dd:01 type gretap local 192.0.2.11 remote 192.0.2.10' + suffix,
        '    post-down ip link delete $IFACE',
    ]


@pytest.mark.parametrize('script', ['ifup-gretap', 'ifdown-gretap'])
def test_gretap_network_scripts_parse(script):
    path = os.path.join(ROLES, 'gretap_peer', 'templates', script + '.j2')
    assert '{{' not in open(path).read()
    subprocess.run(['bash', '-n', path], check=True)


def test_gretap_networkd_netdev_pins_the_registered_mac():
    assert body(render('gretap_peer', 'networkd.netdev.j2', gretap_peer_tunnel=dict(TUNNEL, key=5))) == [
        '[NetDev]', 'Name=gre-sv0', 'Kind=gretap',
        '# The MAC OpenVNet has registered for this peer: vna drops frames from any other.',
        'MACAddress=02:aa:bb:cc:dd:01', 'MTUBytes=1462', '',
        '[Tunnel]', 'Local=192.0.2.11', 'Remote=192.0.2.10', 'Key=5',
        '# Not bound to one underlay link: the kernel routes to Remote.', 'Independent=true',
    ]


def test_ovs_bridge_attached_ifcfg_as_the_manual_procedure():
    facts = dict(ovs_bridge_name='br0', ovs_bridge_protocols=['OpenFlow10', 'OpenFlow12', 'OpenFlow13'],
                 ovs_bridge_disable_in_band=True, ovs_bridge_fail_mode='standalone',
                 ovs_bridge_controllers=['tcp:127.0.0.1:6633'],
                 ovs_bridge_ifcfg=dict(uplink='eth1', address='172.31.5.10', prefix='20',
                                       datapath_id='00000a1b2c3d4e5f', hwaddr='0a:1b:2c:3d:4e:5f'))
    assert body(render('ovs_bridge', 'ifcfg-uplink.j2', **facts)) == [
        'DEVICE=eth1', 'DEVICETYPE=ovs', 'TYPE=OVSPort', 'OVS_BRIDGE=br0', 'BOOTPROTO=none', 'ONBOOT=yes',
        'HOTPLUG=no']
    assert body(render('ovs_bridge', 'ifcfg-bridge.j2', **facts)) == [
        'DEVICE=br0', 'DEVICETYPE=ovs', 'TYPE=OVSBridge', 'ONBOOT=yes', 'BOOTPROTO=static',
        'IPADDR=172.31.5.10', 'PREFIX=20', 'HOTPLUG=no',
        'OVS_EXTRA="set bridge ${DEVICE} protocols=OpenFlow10,OpenFlow12,OpenFlow13'
        ' -- set bridge ${DEVICE} other-config:disable-in-band=true'
        ' -- set bridge ${DEVICE} other-config:datapath-id=00000a1b2c3d4e5f'
        ' -- set bridge ${DEVICE} other-config:hwaddr=0a:1b:2c:3d:4e:5f'
        ' -- set-fail-mode ${DEVICE} standalone -- set-controller ${DEVICE} tcp:127.0.0.1:6633"']
    # a plain GRE hub (no OpenVNet): no controller, which the ifcfg must remove, not leave empty
    facts['ovs_bridge_controllers'] = []
    plain = body(render('ovs_bridge', 'ifcfg-bridge.j2', **facts))[-1]
    assert plain.endswith(' -- set-fail-mode ${DEVICE} standalone -- del-controller ${DEVICE}"')


NIC = dict(underlay_nic_mac='0A:1B:2C:3D:4E:5F', underlay_nic_device='ens6')


def test_underlay_nic_ifcfg_for_el7_as_the_manual_procedure():
    assert body(render('underlay_nic', 'ifcfg.j2', **NIC)) == [
        'DEVICE=ens6', 'HWADDR=0a:1b:2c:3d:4e:5f', 'TYPE=Ethernet', 'ONBOOT=yes', 'BOOTPROTO=dhcp',
        '# The primary NIC keeps the default route and the resolver.', 'DEFROUTE=no', 'PEERDNS=no', 'IPV6INIT=no']


def test_underlay_nic_netplan_matches_the_mac_without_routes():
    netplan = yaml.safe_load(render('underlay_nic', 'netplan.yaml.j2', **NIC))
    nic = netplan['network']['ethernets']['openvnet-underlay']
    assert nic['match'] == {'macaddress': '0a:1b:2c:3d:4e:5f'}
    assert nic['dhcp4'] is True and nic['dhcp4-overrides']['use-routes'] is False


def test_underlay_nic_networkmanager_never_default():
    text = render('underlay_nic', 'nmconnection.j2', **NIC)
    assert 'mac-address=0A:1B:2C:3D:4E:5F' in text.splitlines()
    assert 'never-default=true' in text.splitlines() and 'method=auto' in text.splitlines()


def test_underlay_nic_ifupdown_stanza_and_dhclient_hook():
    assert body(render('underlay_nic', 'ifupdown.j2', **NIC))[2:] == ['auto ens6', 'iface ens6 inet dhcp']
    hook = render('underlay_nic', 'dhclient-hook.j2', **NIC)
    assert 'if [ "$interface" = "ens6" ]; then' in hook.splitlines()
    subprocess.run(['bash', '-n'], input=hook, text=True, check=True)
