#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: aws_tunnel_eni
short_description: The second network interface (ENI) of an EC2 instance that carries the GRE tunnels
description:
  - Finds the instance's tunnel ENI by its tags (instance and device index), creates it in the instance's subnet
    when missing, attaches it at O(device_index), sets its source/destination check (on by default) and
    C(delete_on_termination); waits until it is attached.
  - Source/destination check is set on the ENI, not on the instance (the instance-level call fails once two
    ENIs are attached). GRE between tunnel ENIs passes it (the outer header carries the ENIs' own addresses;
    the inner frames are not inspected), so it stays on unless the ENI carries other addresses.
  - Every input is checked before any change (the instance exists, the subnet and security groups are in its
    VPC and the subnet in its availability zone, nothing else holds the device index).
  - An ENI this module did not create (no C(openvnet.openvnet/instance) tag) is never changed or deleted.
version_added: 1.0.0
author:
  - OpenVNet collection contributors (@openvnet)
options:
  instance_id:
    description: The EC2 instance, for example V(i-0123456789abcdef0).
    type: str
    required: true
  device_index:
    description: Where the ENI is attached on the instance (V(0) is the primary interface).
    type: int
    default: 1
  subnet_id:
    description:
      - Subnet of a new ENI; the instance's own subnet when not given. Must be in the instance's VPC and
        availability zone.
      - Not compared on an existing ENI (an ENI cannot move); a different subnet fails with a clear message.
    type: str
  security_groups:
    description: Security group ids of the ENI (the tunnel group). Required with O(state=present).
    type: list
    elements: str
  description:
    description: The ENI's description.
    type: str
  source_dest_check:
    description:
      - Source/destination check of the ENI. GRE between the ENIs' own addresses passes it.
      - V(false) only when the ENI must send or receive packets addressed from or to others, for example overlay
        prefixes routed into the VPC through it.
    type: bool
    default: true
  delete_on_termination:
    description: Delete the ENI with the instance.
    type: bool
    default: true
  tags:
    description: More tags for the ENI (the module's own tags are always set).
    type: dict
    default: {}
  force_detach:
    description:
      - With O(state=absent), force the detachment (AWS's last resort for an ENI stuck detaching; the instance's
        OS gets no chance to release the NIC first).
    type: bool
    default: false
  state:
    description: V(absent) detaches and deletes the ENI this module made for the instance and index.
    type: str
    choices: [present, absent]
    default: present
  wait_timeout:
    description: Seconds to wait for the ENI to become available or attached.
    type: int
    default: 120
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
  platform:
    platforms: posix
notes:
  - The ENI's identity is its tags C(openvnet.openvnet/instance) and C(openvnet.openvnet/device-index).
'''

EXAMPLES = r'''
- name: The tunnel NIC of sv1, in the tunnel security group
  openvnet.openvnet.aws_tunnel_eni:
    instance_id: i-0123456789abcdef0
    security_groups: [sg-0123456789abcdef0]
    region: ap-northeast-1

- name: Gone with its host
  openvnet.openvnet.aws_tunnel_eni:
    instance_id: i-0123456789abcdef0
    state: absent
'''

RETURN = r'''
interface:
  description: The ENI after the run (before it, in check mode, plus what would be created).
  returned: state is present
  type: dict
  contains:
    id: {description: ENI id (empty in check mode before creation)., type: str, sample: eni-0123456789abcdef0}
    mac_address: {description: Its MAC address; the host finds the NIC by it., type: str, sample: "0a:1b:2c:3d:4e:5f"}
    private_ip_address: {description: Its primary private IPv4 address., type: str, sample: 172.31.5.10}
    subnet_id: {description: Its subnet., type: str, sample: subnet-0123456789abcdef0}
    subnet_cidr: {description: Its subnet's IPv4 block., type: str, sample: 172.31.0.0/20}
    gateway:
      description:
        - Its subnet's router (the VPC router, the subnet's first address), which DHCP offers the ENI; the host's
          policy routing sends through it.
      type: str
      sample: 172.31.0.1
    security_groups: {description: Its security group ids., type: list, elements: str}
    source_dest_check: {description: Source/destination check., type: bool, sample: true}
    attachment:
      description: Instance, device index, delete_on_termination and status of the attachment.
      type: dict
actions:
  description: What was done (or would be in check mode), in order.
  returned: always
  type: list
  elements: str
  sample: ["create eni in subnet-0123", "attach at device index 1", "delete_on_termination true"]
'''

import ipaddress
import re
import time

try:
    import botocore
except ImportError:
    pass  # AnsibleAWSModule reports it

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import (
    ansible_dict_to_boto3_tag_list, boto3_tag_list_to_ansible_dict)

INSTANCE_TAG = 'openvnet.openvnet/instance'
INDEX_TAG = 'openvnet.openvnet/device-index'


class Invalid(Exception):
    pass


def check_id(name, value, prefix):
    if value is not None and not re.match(r'^%s-[0-9a-f]{8,17}$' % prefix, value):
        raise Invalid('%s: %r is not a %s- id' % (name, value, prefix))


def validate(p):
    check_id('instance_id', p['instance_id'], 'i')
    check_id('subnet_id', p['subnet_id'], 'subnet')
    for group in p['security_groups'] or []:
        check_id('security_groups', group, 'sg')
    if not 0 <= p['device_index'] <= 31:
        raise Invalid('device_index: %s is not from 0 to 31' % p['device_index'])
    if p['device_index'] == 0:
        raise Invalid('device_index: 0 is the primary interface, which this module does not manage')
    if p['state'] == 'present' and not p['security_groups']:
        raise Invalid('security_groups: required with state=present (the group that admits GRE)')


class Ec2:
    def __init__(self, module):
        self.module = module
        self.client = module.client('ec2', retry_decorator=AWSRetry.jittered_backoff())

    def call(self, name, **kwargs):
        try:
            return getattr(self.client, name)(aws_retry=True, **kwargs)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            self.module.fail_json_aws(e, msg='EC2 %s failed' % name)

    def instance(self, instance_id):
        try:
            found = self.client.describe_instances(aws_retry=True, InstanceIds=[instance_id])
        except botocore.exceptions.ClientError as e:
            if e.response['Error']['Code'] in ('InvalidInstanceID.NotFound', 'InvalidInstanceID.Malformed'):
                return None
            self.module.fail_json_aws(e, msg='EC2 DescribeInstances failed')
        instances = [i for r in found['Reservations'] for i in r['Instances']
                     if i['State']['Name'] not in ('terminated', 'shutting-down')]
        return instances[0] if instances else None

    def ours(self, instance_id, index):
        return self.call('describe_network_interfaces', Filters=[
            {'Name': 'tag:' + INSTANCE_TAG, 'Values': [instance_id]},
            {'Name': 'tag:' + INDEX_TAG, 'Values': [str(index)]}])['NetworkInterfaces']

    def eni(self, eni_id):
        return self.call('describe_network_interfaces', NetworkInterfaceIds=[eni_id])['NetworkInterfaces'][0]

    def wait(self, eni_id, ready, timeout):
        deadline = time.time() + timeout
        while True:
            eni = self.eni(eni_id)
            if ready(eni):
                return eni
            if time.time() > deadline:
                self.module.fail_json(msg='%s not ready after %d s (status %s)' % (eni_id, timeout, eni.get('Status')))
            time.sleep(1)


def view(eni):
    if eni is None:
        return None
    att = eni.get('Attachment') or {}
    return dict(
        id=eni.get('NetworkInterfaceId', ''), mac_address=eni.get('MacAddress'),
        private_ip_address=eni.get('PrivateIpAddress'), subnet_id=eni.get('SubnetId'),
        security_groups=sorted(g['GroupId'] for g in eni.get('Groups', [])),
        source_dest_check=eni.get('SourceDestCheck'), description=eni.get('Description', ''),
        tags=boto3_tag_list_to_ansible_dict(eni.get('TagSet', [])),
        attachment=dict(instance_id=att.get('InstanceId'), device_index=att.get('DeviceIndex'),
                        delete_on_termination=att.get('DeleteOnTermination'), status=att.get('Status'))
        if att else None)


def with_subnet(eni, subnet):
    """The ENI's view with its subnet's block and router (AWS reserves the block's first address for it)."""
    if eni is None:
        return None
    network = ipaddress.ip_network(subnet['CidrBlock'])
    return dict(eni, subnet_cidr=str(network), gateway=str(network.network_address + 1))


def check_placement(ec2, p, instance):
    """Everything an ENI for this instance needs, checked before any change; returns the subnet."""
    subnet_id = p['subnet_id'] or instance['SubnetId']
    subnets = ec2.call('describe_subnets', Filters=[{'Name': 'subnet-id', 'Values': [subnet_id]}])['Subnets']
    if not subnets:
        raise Invalid('subnet_id: %s does not exist' % subnet_id)
    subnet = subnets[0]
    if subnet['VpcId'] != instance['VpcId']:
        raise Invalid('subnet_id: %s is in %s, but %s is in %s'
                      % (subnet_id, subnet['VpcId'], p['instance_id'], instance['VpcId']))
    zone = instance['Placement']['AvailabilityZone']
    if subnet['AvailabilityZone'] != zone:
        raise Invalid('subnet_id: %s is in %s, but %s is in %s'
                      % (subnet_id, subnet['AvailabilityZone'], p['instance_id'], zone))
    groups = ec2.call('describe_security_groups', Filters=[{'Name': 'group-id', 'Values': p['security_groups']}])
    found = dict((g['GroupId'], g['VpcId']) for g in groups['SecurityGroups'])
    for group in p['security_groups']:
        if group not in found:
            raise Invalid('security_groups: %s does not exist' % group)
        if found[group] != instance['VpcId']:
            raise Invalid('security_groups: %s is in %s, not in the instance\'s %s' % (group, found[group],
                                                                                       instance['VpcId']))
    return subnet


def present(module, ec2, p, instance, current):
    actions = []
    index = p['device_index']
    tags = dict(p['tags'], **{INSTANCE_TAG: p['instance_id'], INDEX_TAG: str(index)})
    description = p['description'] or 'OpenVNet tunnels of %s' % p['instance_id']
    subnet = check_placement(ec2, p, instance)
    subnet_id = subnet['SubnetId']
    holder = [n for n in instance.get('NetworkInterfaces', []) if n['Attachment']['DeviceIndex'] == index]
    if holder and (current is None or holder[0]['NetworkInterfaceId'] != current['NetworkInterfaceId']):
        raise Invalid('device_index: %s of %s holds %s, which this module did not create; choose another index'
                      % (index, p['instance_id'], holder[0]['NetworkInterfaceId']))
    if current is not None:
        if current['SubnetId'] != subnet_id:
            raise Invalid('subnet_id: the tunnel ENI %s of %s is in %s, not %s; an ENI cannot move (state=absent '
                          'first)' % (current['NetworkInterfaceId'], p['instance_id'], current['SubnetId'], subnet_id))
        attached_to = (current.get('Attachment') or {}).get('InstanceId')
        if attached_to not in (None, p['instance_id']):
            raise Invalid('the ENI %s carries the tunnel tags of %s (device index %s) but is attached to another '
                          'instance, %s, which holds it now: detach it from %s, or remove its tags, then run again'
                          % (current['NetworkInterfaceId'], p['instance_id'], index, attached_to, attached_to))
    before = with_subnet(view(current), subnet)
    planned = dict(before or with_subnet(dict(id='', mac_address=None, private_ip_address=None, subnet_id=subnet_id,
                                              source_dest_check=True, attachment=None, tags={}), subnet),
                   security_groups=sorted(p['security_groups']), source_dest_check=p['source_dest_check'],
                   description=description, tags=dict((before or {}).get('tags', {}), **tags),
                   attachment=dict(instance_id=p['instance_id'], device_index=index,
                                   delete_on_termination=p['delete_on_termination'], status='attached'))
    if current is None:
        actions.append('create eni in %s' % subnet_id)
    else:
        if before['tags'] != planned['tags']:
            actions.append('tags')
        if before['description'] != description:
            actions.append('description')
        if before['security_groups'] != planned['security_groups']:
            actions.append('security groups %s' % ','.join(planned['security_groups']))
    if current is None or before['attachment'] is None:
        actions.append('attach at device index %s' % index)
    # a new ENI starts with the check on, as AWS creates it
    if (before['source_dest_check'] if before else True) != p['source_dest_check']:
        actions.append('source_dest_check %s' % str(p['source_dest_check']).lower())
    if current is None or before['attachment'] is None or \
            before['attachment']['delete_on_termination'] != p['delete_on_termination']:
        actions.append('delete_on_termination %s' % str(p['delete_on_termination']).lower())
    if module.check_mode or not actions:
        return actions, before, planned

    if current is None:
        current = ec2.call('create_network_interface', SubnetId=subnet_id, Groups=p['security_groups'],
                           Description=description, TagSpecifications=[{
                               'ResourceType': 'network-interface',
                               'Tags': ansible_dict_to_boto3_tag_list(tags)}])['NetworkInterface']
        current = ec2.wait(current['NetworkInterfaceId'], lambda e: e['Status'] == 'available', p['wait_timeout'])
    eni_id = current['NetworkInterfaceId']
    if 'tags' in actions:
        ec2.call('create_tags', Resources=[eni_id], Tags=ansible_dict_to_boto3_tag_list(tags))
    if 'description' in actions:
        ec2.call('modify_network_interface_attribute', NetworkInterfaceId=eni_id, Description={'Value': description})
    if any(a.startswith('security groups') for a in actions):
        ec2.call('modify_network_interface_attribute', NetworkInterfaceId=eni_id, Groups=p['security_groups'])
    if not current.get('Attachment'):
        ec2.call('attach_network_interface', NetworkInterfaceId=eni_id, InstanceId=p['instance_id'],
                 DeviceIndex=index)
    current = ec2.wait(eni_id, lambda e: (e.get('Attachment') or {}).get('Status') == 'attached', p['wait_timeout'])
    if current['SourceDestCheck'] != p['source_dest_check']:
        ec2.call('modify_network_interface_attribute', NetworkInterfaceId=eni_id,
                 SourceDestCheck={'Value': p['source_dest_check']})
    if current['Attachment'].get('DeleteOnTermination') != p['delete_on_termination']:
        ec2.call('modify_network_interface_attribute', NetworkInterfaceId=eni_id, Attachment={
            'AttachmentId': current['Attachment']['AttachmentId'], 'DeleteOnTermination': p['delete_on_termination']})
    return actions, before, with_subnet(view(ec2.eni(eni_id)), subnet)


def absent(module, ec2, p, current):
    if current is None:
        return [], None
    before = view(current)
    eni_id = current['NetworkInterfaceId']
    actions = (['detach from %s' % before['attachment']['instance_id']] if before['attachment'] else []) + \
        ['delete %s' % eni_id]
    if not module.check_mode:
        if current.get('Attachment'):
            ec2.call('detach_network_interface', AttachmentId=current['Attachment']['AttachmentId'],
                     Force=p['force_detach'])
            ec2.wait(eni_id, lambda e: e['Status'] == 'available', p['wait_timeout'])
        ec2.call('delete_network_interface', NetworkInterfaceId=eni_id)
    return actions, before


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            instance_id=dict(type='str', required=True),
            device_index=dict(type='int', default=1),
            subnet_id=dict(type='str'),
            security_groups=dict(type='list', elements='str'),
            description=dict(type='str'),
            source_dest_check=dict(type='bool', default=True),
            force_detach=dict(type='bool', default=False),
            delete_on_termination=dict(type='bool', default=True),
            tags=dict(type='dict', default={}),
            state=dict(type='str', choices=['present', 'absent'], default='present'),
            wait_timeout=dict(type='int', default=120),
        ),
        supports_check_mode=True,
    )
    p = module.params
    try:
        validate(p)
    except Invalid as e:
        module.fail_json(msg=str(e))
    ec2 = Ec2(module)
    ours = ec2.ours(p['instance_id'], p['device_index'])
    if len(ours) > 1:
        module.fail_json(msg='%d ENIs carry the tags of %s device index %s: %s; delete the extra ones' % (
            len(ours), p['instance_id'], p['device_index'], ', '.join(e['NetworkInterfaceId'] for e in ours)))
    current = ours[0] if ours else None

    if p['state'] == 'absent':
        actions, before = absent(module, ec2, p, current)
        module.exit_json(changed=bool(actions), actions=actions, diff=dict(before=before or {}, after={}))

    instance = ec2.instance(p['instance_id'])
    if instance is None:
        module.fail_json(msg='instance_id: %s does not exist (or is terminated)' % p['instance_id'])
    try:
        actions, before, after = present(module, ec2, p, instance, current)
    except Invalid as e:
        module.fail_json(msg=str(e))
    module.exit_json(changed=bool(actions), actions=actions, interface=after,
                     diff=dict(before=before or {}, after=after))


if __name__ == '__main__':
    main()
