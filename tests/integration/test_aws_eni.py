"""The aws_eni role and the aws_tunnel_eni module against moto's EC2 server on 127.0.0.1:
a VPC with three instances, the role run from an inventory, results read back with boto3."""

import json
import os
import re
import shutil
import subprocess
import sys

import boto3
import pytest
import yaml

from moto.ec2.responses.elastic_network_interfaces import ElasticNetworkInterfaces
from tests.support.moto_server import serve
from tests.support.runner import ROOT, run_module

BIN = os.path.dirname(sys.executable)
RECAP = re.compile(r'^localhost\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)', re.M)
ADMIN = '203.0.113.0/24'
CREDENTIALS = dict(AWS_ACCESS_KEY_ID='testing', AWS_SECRET_ACCESS_KEY='testing', AWS_DEFAULT_REGION='us-east-1',
                   AWS_REGION='us-east-1')


class Aws:
    def __init__(self, url, tmp):
        self.url = url
        self.tmp = tmp
        self.ec2 = boto3.client('ec2', endpoint_url=url, region_name='us-east-1', aws_access_key_id='testing',
                                aws_secret_access_key='testing')
        self.vpc = self.ec2.create_vpc(CidrBlock='10.20.0.0/16')['Vpc']['VpcId']
        self.subnet = self.ec2.create_subnet(VpcId=self.vpc, CidrBlock='10.20.1.0/24',
                                             AvailabilityZone='us-east-1a')['Subnet']['SubnetId']
        other = self.ec2.create_vpc(CidrBlock='10.30.0.0/16')['Vpc']['VpcId']
        self.foreign_subnet = self.ec2.create_subnet(VpcId=other, CidrBlock='10.30.1.0/24',
                                                     AvailabilityZone='us-east-1a')['Subnet']['SubnetId']
        image = self.ec2.describe_images()['Images'][0]['ImageId']
        self.instances = {}
        for name, role, overlay in (('sv0', 'hub', ''), ('sv1', 'peer', '10.0.0.1/24'), ('sv2', 'peer', '10.0.0.2/24')):
            tags = [{'Key': 'Name', 'Value': name}, {'Key': 'openvnet-cluster', 'Value': 'openvnet'},
                    {'Key': 'openvnet-role', 'Value': role}, {'Key': 'openvnet-overlay', 'Value': overlay}]
            self.instances[name] = self.ec2.run_instances(
                ImageId=image, MinCount=1, MaxCount=1, SubnetId=self.subnet,
                TagSpecifications=[{'ResourceType': 'instance', 'Tags': tags}])['Instances'][0]['InstanceId']

    def inventory(self, peers=('sv1', 'sv2'), cluster_vars=None, **host_vars):
        """cluster_vars: the inventory's own vars for all (group_vars/all), which host vars override."""
        hosts = dict((h, dict(dict(openvnet_instance_id=self.instances[h]), **host_vars.get(h, {})))
                     for h in ('sv0',) + tuple(peers))
        data = {'all': {'vars': cluster_vars or {}, 'children': {
            'openvnet_hubs': {'hosts': {'sv0': hosts['sv0']}},
            'openvnet_peers': {'hosts': dict((p, hosts[p]) for p in peers)}}}}
        path = os.path.join(self.tmp, 'hosts.yml')
        with open(path, 'w') as f:
            yaml.safe_dump(data, f)
        return path

    def play(self, inventory, *extra, **role_vars):
        role_vars = dict(dict(aws_eni_endpoint_url=self.url, aws_eni_region='us-east-1'), **role_vars)
        vars_file = os.path.join(self.tmp, 'vars.yml')
        with open(vars_file, 'w') as f:
            yaml.safe_dump(role_vars, f)
        proc = subprocess.run([os.path.join(BIN, 'ansible-playbook'), '-i', inventory, '-e', '@' + vars_file,
                               os.path.join(ROOT, 'tests', 'integration', 'aws', 'converge.yml')] + list(extra),
                              cwd=ROOT, capture_output=True, text=True, env=dict(os.environ, **CREDENTIALS), check=False)
        recap = RECAP.search(proc.stdout)
        return proc, (dict(changed=int(recap.group(2)), failed=int(recap.group(4))) if recap else None)

    def tunnel_enis(self):
        return self.ec2.describe_network_interfaces(Filters=[
            {'Name': 'tag-key', 'Values': ['openvnet.openvnet/instance']}])['NetworkInterfaces']

    def group(self):
        groups = self.ec2.describe_security_groups(Filters=[{'Name': 'group-name', 'Values': ['openvnet-tunnels']}])
        return groups['SecurityGroups'][0] if groups['SecurityGroups'] else None


@pytest.fixture
def aws(tmp_path, monkeypatch):
    # moto serves from this process: record the Force flag of every DetachNetworkInterface it answers
    detached = []
    original = ElasticNetworkInterfaces.detach_network_interface

    def detach(self):
        detached.append(str(self._get_param('Force')).lower())  # moto parses it (True, False, None)
        return original(self)

    monkeypatch.setattr(ElasticNetworkInterfaces, 'detach_network_interface', detach)
    server, url = serve()
    try:
        found = Aws(url, str(tmp_path))
        found.detached = detached
        yield found
    finally:
        server.stop()


def rules(group, key='IpPermissions'):
    """Ingress (or egress) rules as (protocol, from, to, source or destination) tuples."""
    found = set()
    for perm in group[key]:
        for pair in perm.get('UserIdGroupPairs', []):
            found.add((perm['IpProtocol'], perm.get('FromPort'), perm.get('ToPort'), pair['GroupId']))
        for cidr in perm.get('IpRanges', []):
            found.add((perm['IpProtocol'], perm.get('FromPort'), perm.get('ToPort'), cidr['CidrIp']))
    return found


def test_one_tunnel_eni_per_instance_then_no_change_then_purge_and_absent(aws):
    inventory = aws.inventory()
    proc, recap = aws.play(inventory, '--check')
    assert recap == dict(changed=1, failed=0), proc.stdout[-3000:]
    assert aws.tunnel_enis() == [] and aws.group() is None

    proc, recap = aws.play(inventory)
    assert recap and recap['failed'] == 0 and recap['changed'] > 0, proc.stdout[-3000:]
    group = aws.group()
    # GRE, fragmentation needed (path MTU discovery) and echo request, both ways between the members and
    # nothing else: no SSH (it reaches the instance through eth0), no egress to 0.0.0.0/0
    assert rules(group) == rules(group, 'IpPermissionsEgress') == member_rules(group)
    enis = aws.tunnel_enis()
    assert sorted(e['Attachment']['InstanceId'] for e in enis) == sorted(aws.instances.values())
    for eni in enis:
        assert eni['Attachment']['DeviceIndex'] == 1
        assert eni['Attachment']['Status'] == 'attached'
        assert eni['Attachment']['DeleteOnTermination'] is True
        # GRE between the ENIs' own addresses passes the check: it stays on
        assert eni['SourceDestCheck'] is True
        assert [g['GroupId'] for g in eni['Groups']] == [group['GroupId']]
        assert eni['SubnetId'] == aws.subnet
    for name, instance in aws.instances.items():
        nics = aws.ec2.describe_instances(InstanceIds=[instance])['Reservations'][0]['Instances'][0]['NetworkInterfaces']
        assert sorted(n['Attachment']['DeviceIndex'] for n in nics) == [0, 1], name

    proc, recap = aws.play(inventory)
    assert recap == dict(changed=0, failed=0), proc.stdout[-3000:]

    # sv2 leaves the inventory: check mode reports it, the real run detaches and deletes its ENI
    smaller = aws.inventory(peers=('sv1',))
    proc, recap = aws.play(smaller, '--check')
    assert recap == dict(changed=1, failed=0), proc.stdout[-3000:]
    assert len(aws.tunnel_enis()) == 3
    proc, recap = aws.play(smaller)
    assert recap == dict(changed=1, failed=0), proc.stdout[-3000:]
    assert sorted(e['Attachment']['InstanceId'] for e in aws.tunnel_enis()) == \
        sorted([aws.instances['sv0'], aws.instances['sv1']])
    # the departed instance's ENI was detached without force
    assert aws.detached == ['false'], aws.detached

    proc, recap = aws.play(smaller, aws_eni_state='absent')
    assert recap and recap['failed'] == 0, proc.stdout[-3000:]
    assert aws.tunnel_enis() == [] and aws.group() is None


def test_the_aws_inventory_builds_hubs_peers_and_underlay_addresses_from_the_enis(aws):
    proc, recap = aws.play(aws.inventory())
    assert recap and recap['failed'] == 0, proc.stdout[-3000:]
    with open(os.path.join(ROOT, 'inventories', 'aws', 'aws_ec2.yml')) as f:
        config = yaml.safe_load(f)
    config.update(regions=['us-east-1'], endpoint_url=aws.url)
    inventory = os.path.join(aws.tmp, 'test.aws_ec2.yml')
    with open(inventory, 'w') as f:
        yaml.safe_dump(config, f)
    proc = subprocess.run([os.path.join(BIN, 'ansible-inventory'), '-i', inventory, '--list'], cwd=ROOT,
                          capture_output=True, text=True, env=dict(os.environ, **CREDENTIALS), check=True)
    found = json.loads(proc.stdout)
    assert found['openvnet_hubs']['hosts'] == ['sv0']
    assert sorted(found['openvnet_peers']['hosts']) == ['sv1', 'sv2']
    host_vars = found['_meta']['hostvars']
    enis = dict((e['Attachment']['InstanceId'], e['PrivateIpAddress']) for e in aws.tunnel_enis())
    for name, instance in aws.instances.items():
        assert unsafe(host_vars[name]['openvnet_underlay_address']) == enis[instance]
    assert unsafe(host_vars['sv1']['openvnet_overlay_address']) == '10.0.0.1/24'


def test_first_run_of_aws_yml_gives_every_host_its_underlay_address_and_tunnel_nic(aws):
    """playbooks/aws.yml's controller play against moto, with inventories/aws (its aws_ec2 source pointed at moto):
    aws_eni creates the ENIs, refresh_inventory composes each host's openvnet_underlay_address from its ENI in the
    same run, and aws_eni records what underlay_nic takes: the ENI's MAC, address and its subnet's router."""
    inventory = os.path.join(aws.tmp, 'inventory')
    shutil.copytree(os.path.join(ROOT, 'inventories', 'aws'), inventory)
    with open(os.path.join(inventory, 'aws_ec2.yml')) as f:
        config = yaml.safe_load(f)
    config.update(regions=['us-east-1'], endpoint_url=aws.url)
    with open(os.path.join(inventory, 'aws_ec2.yml'), 'w') as f:
        yaml.safe_dump(config, f)
    output = os.path.join(aws.tmp, 'first_run.json')
    extra = dict(aws_eni_endpoint_url=aws.url, aws_eni_region='us-east-1', first_run_output=output)
    proc = subprocess.run([os.path.join(BIN, 'ansible-playbook'), '-i', inventory, '-e', json.dumps(extra),
                           '--limit', 'openvnet_aws_controller',
                           os.path.join(ROOT, 'tests', 'integration', 'aws', 'first_run.yml')],
                          cwd=ROOT, capture_output=True, text=True, env=dict(os.environ, **CREDENTIALS), check=False)
    recap = RECAP.search(proc.stdout)
    assert proc.returncode == 0 and recap, proc.stdout[-3000:] + proc.stderr[-2000:]
    with open(output) as f:
        found = json.load(f)
    enis = dict((e['Attachment']['InstanceId'], e) for e in aws.tunnel_enis())
    assert sorted(found['underlay']) == sorted(found['enis']) == ['sv0', 'sv1', 'sv2']
    for name, instance in aws.instances.items():
        eni = enis[instance]
        assert found['underlay'][name] == eni['PrivateIpAddress'], name
        # underlay_nic's defaults: the NIC by this MAC, the rule from this address, the router of its subnet
        recorded = found['enis'][name]
        assert (recorded['mac_address'], recorded['private_ip_address'], recorded['subnet_cidr'], recorded['gateway']) \
            == (eni['MacAddress'], eni['PrivateIpAddress'], '10.20.1.0/24', '10.20.1.1'), name


def unsafe(value):
    """ansible-inventory marks values that came from AWS as unsafe."""
    return value['__ansible_unsafe'] if isinstance(value, dict) else value


def member_rules(group, gre=True, udp=()):
    """ICMP fragmentation needed and echo request, GRE unless told otherwise and UDP to the ports given, all from
    (and to) the group itself."""
    return ({('icmp', 3, 4, group['GroupId']), ('icmp', 8, -1, group['GroupId'])}
            | ({('47', None, None, group['GroupId'])} if gre else set())
            | {('udp', port, port, group['GroupId']) for port in udp})


def test_the_group_admits_the_tunnels_the_peers_use_and_no_other(aws):
    """openvnet_tunnel_encapsulation with a cluster default (vars for all) that a peer overrides, and
    openvnet_tunnel_udp_port: the group admits exactly the UDP ports the tunnels use (GRE only while a peer uses
    it), both ways between its members; back to GRE, the UDP rules go."""
    gre = aws.inventory()
    proc, recap = aws.play(gre)
    assert recap and recap['failed'] == 0, proc.stdout[-3000:]
    group = aws.group()
    assert rules(group) == rules(group, 'IpPermissionsEgress') == member_rules(group)

    udp = aws.inventory(cluster_vars=dict(openvnet_tunnel_encapsulation='vxlan'),
                        sv2=dict(openvnet_tunnel_encapsulation='geneve', openvnet_tunnel_udp_port=16081))
    proc, recap = aws.play(udp, '--check')
    assert recap == dict(changed=1, failed=0), proc.stdout[-3000:]
    assert rules(aws.group()) == member_rules(group)
    proc, recap = aws.play(udp)
    assert recap == dict(changed=1, failed=0), proc.stdout[-3000:]
    group = aws.group()
    assert rules(group) == rules(group, 'IpPermissionsEgress') == member_rules(group, gre=False, udp=(4789, 16081))
    proc, recap = aws.play(udp)
    assert recap == dict(changed=0, failed=0), proc.stdout[-3000:]
    # the deprecated aws_eni_vxlan adds the port VXLAN already uses: the same rules
    proc, recap = aws.play(udp, aws_eni_vxlan=True)
    assert recap == dict(changed=0, failed=0), proc.stdout[-3000:]

    # one peer back on GRE: GRE and the VXLAN port, the Geneve port goes
    mixed = aws.inventory(cluster_vars=dict(openvnet_tunnel_encapsulation='vxlan'),
                          sv2=dict(openvnet_tunnel_encapsulation='gre'))
    proc, recap = aws.play(mixed)
    assert recap == dict(changed=1, failed=0), proc.stdout[-3000:]
    group = aws.group()
    assert rules(group) == rules(group, 'IpPermissionsEgress') == member_rules(group, udp=(4789,))

    # the whole cluster on GRE: check mode predicts, the UDP rule goes
    gre = aws.inventory(cluster_vars=dict(openvnet_tunnel_encapsulation='gre'))
    proc, recap = aws.play(gre, '--check')
    assert recap == dict(changed=1, failed=0), proc.stdout[-3000:]
    assert rules(aws.group()) == member_rules(group, udp=(4789,))
    proc, recap = aws.play(gre)
    assert recap == dict(changed=1, failed=0), proc.stdout[-3000:]
    group = aws.group()
    assert rules(group) == rules(group, 'IpPermissionsEgress') == member_rules(group)
    proc, recap = aws.play(gre)
    assert recap == dict(changed=0, failed=0), proc.stdout[-3000:]


def test_vxlan_pmtud_and_ssh_rules_are_added_on_request(aws):
    proc, recap = aws.play(aws.inventory(), aws_eni_vxlan=True, aws_eni_pmtud_cidrs=['198.51.100.0/24'],
                           aws_eni_ssh=True, aws_eni_admin_cidr=ADMIN)
    assert recap and recap['failed'] == 0, proc.stdout[-3000:]
    group = aws.group()
    vxlan = ('udp', 4789, 4789, group['GroupId'])
    assert rules(group) == member_rules(group) | {vxlan, ('icmp', 3, 4, '198.51.100.0/24'), ('tcp', 22, 22, ADMIN)}
    assert rules(group, 'IpPermissionsEgress') == member_rules(group) | {vxlan}


def control_plane_rules(group, ports):
    return {('tcp', port, port, group['GroupId']) for port in ports}


def openvnet_ports():
    """Redis's default port (roles/redis) and the DCell ports (roles/openvnet): what the cluster layout opens."""
    with open(os.path.join(ROOT, 'roles', 'redis', 'defaults', 'main.yml')) as f:
        redis = yaml.safe_load(f)['redis_port']
    with open(os.path.join(ROOT, 'roles', 'openvnet', 'vars', 'main.yml')) as f:
        dcell = [node['port'] for node in yaml.safe_load(f)['openvnet_nodes']]
    return redis, dcell


def test_cluster_layout_admits_redis_and_dcell_between_the_members_only_and_back(aws):
    """openvnet_cluster_addresses on a hub (vna on other hosts): Redis and DCell listen on the underlay, so the group
    admits TCP to their ports from its own members, both ways; the default layout removes those rules again."""
    redis, dcell = openvnet_ports()
    assert (redis, sorted(dcell)) == (6379, [9101, 9102, 9103])
    default = aws.inventory()
    proc, recap = aws.play(default)
    assert recap and recap['failed'] == 0, proc.stdout[-3000:]
    group = aws.group()
    assert rules(group) == rules(group, 'IpPermissionsEgress') == member_rules(group)

    cluster = aws.inventory(sv0=dict(openvnet_cluster_addresses=['10.20.1.0/24']))
    proc, recap = aws.play(cluster, '--check')
    assert recap == dict(changed=1, failed=0), proc.stdout[-3000:]
    assert rules(aws.group()) == member_rules(group)
    proc, recap = aws.play(cluster)
    assert recap == dict(changed=1, failed=0), proc.stdout[-3000:]
    group = aws.group()
    control = control_plane_rules(group, [redis] + dcell)
    # from the group itself and to it, nothing from or to anywhere else
    assert rules(group) == rules(group, 'IpPermissionsEgress') == member_rules(group) | control
    proc, recap = aws.play(cluster)
    assert recap == dict(changed=0, failed=0), proc.stdout[-3000:]

    default = aws.inventory()  # the same file, rewritten
    proc, recap = aws.play(default, '--check')
    assert recap == dict(changed=1, failed=0), proc.stdout[-3000:]
    assert rules(aws.group()) == member_rules(group) | control
    proc, recap = aws.play(default)
    assert recap == dict(changed=1, failed=0), proc.stdout[-3000:]
    group = aws.group()
    assert rules(group) == rules(group, 'IpPermissionsEgress') == member_rules(group)
    proc, recap = aws.play(default)
    assert recap == dict(changed=0, failed=0), proc.stdout[-3000:]


def test_cluster_layout_admits_the_redis_port_the_hub_sets(aws):
    """redis_port set on the hub (as the redis role takes it) is the port admitted, not the default; given as a
    string (-e redis_port=6380) it is the same rule."""
    dcell = openvnet_ports()[1]
    inventory = aws.inventory(sv0=dict(redis_port=6380), sv1=dict(openvnet_cluster_addresses=['10.20.1.0/24']))
    proc, recap = aws.play(inventory)
    assert recap and recap['failed'] == 0, proc.stdout[-3000:]
    group = aws.group()
    control = control_plane_rules(group, [6380] + dcell)
    assert rules(group) == rules(group, 'IpPermissionsEgress') == member_rules(group) | control
    proc, recap = aws.play(aws.inventory(sv1=dict(openvnet_cluster_addresses=['10.20.1.0/24'])), redis_port='6380')
    assert recap == dict(changed=0, failed=0), proc.stdout[-3000:]
    # turned off by hand (the ports guarded elsewhere): no rule
    inventory = aws.inventory(sv0=dict(redis_port=6380), sv1=dict(openvnet_cluster_addresses=['10.20.1.0/24']))
    proc, recap = aws.play(inventory, aws_eni_control_plane=False)
    assert recap == dict(changed=1, failed=0), proc.stdout[-3000:]
    assert rules(aws.group()) == member_rules(group)


def test_source_destination_check_off_on_request_and_back_on(aws):
    """Off only for ENIs that carry other addresses (overlay prefixes routed into the VPC through them)."""
    inventory = aws.inventory()
    proc, recap = aws.play(inventory, aws_eni_source_dest_check=False)
    assert recap and recap['failed'] == 0, proc.stdout[-3000:]
    assert [e['SourceDestCheck'] for e in aws.tunnel_enis()] == [False] * 3
    proc, recap = aws.play(inventory, aws_eni_source_dest_check=False)
    assert recap == dict(changed=0, failed=0), proc.stdout[-3000:]
    proc, recap = aws.play(inventory, '--check')
    assert recap == dict(changed=1, failed=0), proc.stdout[-3000:]
    assert [e['SourceDestCheck'] for e in aws.tunnel_enis()] == [False] * 3
    proc, recap = aws.play(inventory)
    assert recap == dict(changed=1, failed=0), proc.stdout[-3000:]
    assert [e['SourceDestCheck'] for e in aws.tunnel_enis()] == [True] * 3


def test_force_detach_only_on_request(aws):
    proc, recap = aws.play(aws.inventory())
    assert recap and recap['failed'] == 0, proc.stdout[-3000:]
    proc, recap = aws.play(aws.inventory(peers=('sv1',)), aws_eni_force_detach=True)
    assert recap == dict(changed=1, failed=0), proc.stdout[-3000:]
    assert aws.detached == ['true'] and len(aws.tunnel_enis()) == 2


@pytest.mark.parametrize('case, message', [
    ('unknown instance', 'unknown instance: i-0123456789abcdef0'),
    ('subnet in another VPC', 'Subnets not in vpc-'),
    ('SSH without an admin CIDR', 'aws_eni_admin_cidr must be the admins'),
    ('SSH with an invalid admin CIDR', "got '203.0.113.5/24'"),
    ('invalid PMTUD CIDR', 'aws_eni_pmtud_cidrs: not CIDRs: 10.0.0.0/33'),
    ('Redis port out of range', 'aws_eni_control_plane_ports: not TCP ports: 70000'),
    ('Redis port not a number', "aws_eni_control_plane_ports' is of type"),
    ('control plane port zero', 'aws_eni_control_plane_ports: not TCP ports: 0'),
    ('unknown encapsulation', "sv2: openvnet_tunnel_encapsulation 'ipip' is not one of geneve, gre, vxlan"),
    ('tunnel port out of range', 'sv1: openvnet_tunnel_udp_port 70000 is not a UDP port'),
])
def test_bad_input_fails_before_any_change(aws, case, message):
    inventory = aws.inventory()
    role_vars = {}
    if case == 'unknown instance':
        inventory = aws.inventory(sv2=dict(openvnet_instance_id='i-0123456789abcdef0'))
    elif case == 'subnet in another VPC':
        inventory = aws.inventory(sv1=dict(openvnet_tunnel_subnet_id=aws.foreign_subnet))
    elif case == 'SSH without an admin CIDR':
        role_vars.update(aws_eni_ssh=True, aws_eni_admin_cidr='')
    elif case == 'SSH with an invalid admin CIDR':
        role_vars.update(aws_eni_ssh=True, aws_eni_admin_cidr='203.0.113.5/24')
    elif case == 'Redis port out of range':
        inventory = aws.inventory(sv0=dict(openvnet_cluster_addresses=['10.20.1.0/24'], redis_port=70000))
    elif case == 'Redis port not a number':
        inventory = aws.inventory(sv0=dict(openvnet_cluster_addresses=['10.20.1.0/24'], redis_port='redis'))
    elif case == 'control plane port zero':
        role_vars.update(aws_eni_control_plane=True, aws_eni_control_plane_ports=[0, 9101])
    elif case == 'unknown encapsulation':
        inventory = aws.inventory(sv2=dict(openvnet_tunnel_encapsulation='ipip'))
    elif case == 'tunnel port out of range':
        inventory = aws.inventory(cluster_vars=dict(openvnet_tunnel_encapsulation='geneve'),
                                  sv1=dict(openvnet_tunnel_udp_port=70000))
    else:
        role_vars['aws_eni_pmtud_cidrs'] = ['10.0.0.0/33']
    proc, recap = aws.play(inventory, **role_vars)
    assert proc.returncode != 0 and recap['failed'] == 1
    assert message in proc.stdout, proc.stdout[-3000:]
    assert aws.tunnel_enis() == [] and aws.group() is None


def run_eni(aws, check=False, **args):
    args = dict(dict(region='us-east-1', endpoint_url=aws.url), **args)
    return run_module('aws_tunnel_eni', args, check=check, diff=True, env=CREDENTIALS)


def test_module_check_mode_plans_without_creating(aws):
    group = aws.ec2.create_security_group(GroupName='g', Description='g', VpcId=aws.vpc)['GroupId']
    result = run_eni(aws, check=True, instance_id=aws.instances['sv1'], security_groups=[group])
    assert result['changed'] is True
    assert result['actions'] == ['create eni in %s' % aws.subnet, 'attach at device index 1',
                                 'delete_on_termination true']
    assert result['diff']['before'] == {} and result['diff']['after']['attachment']['device_index'] == 1
    assert result['diff']['after']['source_dest_check'] is True
    assert aws.tunnel_enis() == []


def test_module_absent_detaches_without_force_unless_asked(aws):
    group = aws.ec2.create_security_group(GroupName='g', Description='g', VpcId=aws.vpc)['GroupId']
    for name in ('sv1', 'sv2'):
        result = run_eni(aws, instance_id=aws.instances[name], security_groups=[group])
        assert result['changed'] is True and result['interface']['source_dest_check'] is True, result
    result = run_eni(aws, instance_id=aws.instances['sv1'], state='absent')
    assert result['changed'] is True and aws.detached == ['false'], (result, aws.detached)
    result = run_eni(aws, instance_id=aws.instances['sv2'], state='absent', force_detach=True)
    assert result['changed'] is True and aws.detached == ['false', 'true'], (result, aws.detached)
    assert aws.tunnel_enis() == []


def test_module_never_takes_a_device_index_it_did_not_fill(aws):
    group = aws.ec2.create_security_group(GroupName='g', Description='g', VpcId=aws.vpc)['GroupId']
    foreign = aws.ec2.create_network_interface(SubnetId=aws.subnet, Groups=[group])['NetworkInterface']
    aws.ec2.attach_network_interface(NetworkInterfaceId=foreign['NetworkInterfaceId'],
                                     InstanceId=aws.instances['sv1'], DeviceIndex=1)
    result = run_eni(aws, instance_id=aws.instances['sv1'], security_groups=[group])
    assert result.get('failed') is True
    assert result['msg'] == 'device_index: 1 of %s holds %s, which this module did not create; choose another index' % (
        aws.instances['sv1'], foreign['NetworkInterfaceId'])
    assert run_eni(aws, instance_id=aws.instances['sv1'], security_groups=[group], device_index=2)['changed'] is True


@pytest.mark.parametrize('args, message', [
    (dict(instance_id='i-0123456789abcdef0'), 'instance_id: i-0123456789abcdef0 does not exist (or is terminated)'),
    (dict(instance_id='sv1'), "instance_id: 'sv1' is not a i- id"),
    (dict(device_index=0), 'device_index: 0 is the primary interface, which this module does not manage'),
    (dict(security_groups=['default']), "security_groups: 'default' is not a sg- id"),
])
def test_module_bad_input(aws, args, message):
    group = aws.ec2.create_security_group(GroupName='g', Description='g', VpcId=aws.vpc)['GroupId']
    result = run_eni(aws, **dict(dict(instance_id=aws.instances['sv1'], security_groups=[group]), **args))
    assert result.get('failed') is True and result['msg'] == message
    assert aws.tunnel_enis() == []


def test_an_eni_attached_to_another_instance_names_that_instance_as_its_holder(aws):
    group = aws.ec2.create_security_group(GroupName='g', Description='g', VpcId=aws.vpc)['GroupId']
    eni = run_eni(aws, instance_id=aws.instances['sv1'], security_groups=[group])['interface']['id']
    attachment = aws.ec2.describe_network_interfaces(NetworkInterfaceIds=[eni])['NetworkInterfaces'][0]['Attachment']
    aws.ec2.detach_network_interface(AttachmentId=attachment['AttachmentId'], Force=True)
    aws.ec2.attach_network_interface(NetworkInterfaceId=eni, InstanceId=aws.instances['sv2'], DeviceIndex=2)
    result = run_eni(aws, instance_id=aws.instances['sv1'], security_groups=[group])
    assert result.get('failed') is True
    assert result['msg'] == (
        'the ENI %s carries the tunnel tags of %s (device index 1) but is attached to another instance, %s, which '
        'holds it now: detach it from %s, or remove its tags, then run again' % (
            eni, aws.instances['sv1'], aws.instances['sv2'], aws.instances['sv2']))
