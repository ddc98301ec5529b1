"""Module steady state: the external calls each module makes when there is nothing
to do (ovs-vsctl processes, vnctl processes, HTTP requests to the WebAPI), counted
outside the module: a logging ovs-vsctl/vnctl on PATH, the WebAPI emulator's
request log. The target is one read and no write."""

import os
import shutil
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..'))

from bench.lib import BUILD, ROOT, CallLog, real, table, vsctl_counts  # noqa: E402
from tests.support.openvnet_emulator import serve  # noqa: E402
from tests.support.ovs_sandbox import OvsSandbox  # noqa: E402
from tests.support.runner import run_module  # noqa: E402

VNCTL = os.path.join(ROOT, 'tests', 'support', 'bin', 'vnctl')
OVS = [
    ('ovs_bridge', dict(name='br1', datapath_id='02:00:0a:00:01:0a', protocols=['OpenFlow10', 'OpenFlow13'],
                        disable_in_band=True, fail_mode='standalone', controllers=['tcp:127.0.0.1:6633'],
                        datapath_type='netdev')),
    ('ovs_gre_port', dict(bridge='br1', name='gre-sv1', local_ip='192.0.2.10', remote_ip='192.0.2.11')),
    ('ovs_gre_port (50 ports)', dict(bridge='br1', local_ip='192.0.2.10', purge=True, ports=[
        dict(name='gre-p%d' % i, remote_ip='10.0.%d.%d' % (i // 256, i % 256)) for i in range(1, 51)])),
]
OPENVNET = [
    ('openvnet_datapath', dict(uuid='dp-test1', display_name='test1', dpid='02:00:0a:00:01:0a', node_id='vna')),
    ('openvnet_network', dict(uuid='nw-test1', display_name='test1-net', ipv4_network='10.0.0.0', ipv4_prefix=24,
                              mode='virtual')),
    ('openvnet_interface', dict(uuid='if-inst1', mode='vif', owner_datapath_uuid='dp-test1',
                                mac_address='ee:99:d5:67:fd:52', network_uuid='nw-test1', ipv4_address='10.0.0.1',
                                port_name='tap1')),
    ('openvnet_interface', dict(uuid='if-dp1eth1', mode='host', owner_datapath_uuid='dp-test1', port_name='eth1',
                                mac_address='02:00:0a:00:01:0a')),
    ('openvnet_datapath_network', dict(datapath_uuid='dp-test1', network_uuid='nw-test1', interface_uuid='if-dp1eth1',
                                       mac_address='52:56:01:00:00:01')),
    ('openvnet_info', dict(resource='datapaths', uuid='dp-test1')),
]
COLUMNS = ['module', 'transport', 'changed', 'ovs_vsctl', 'ovs_vsctl_writes', 'vnctl', 'http_requests', 'http_writes']


def module_name(label):
    return label.split(' ')[0]


def main():
    workdir = os.path.join(BUILD, 'module_calls')
    shutil.rmtree(workdir, ignore_errors=True)
    os.makedirs(workdir)
    log = CallLog(workdir, {'ovs-vsctl': real('ovs-vsctl'), 'vnctl': VNCTL})
    rows = []

    sandbox = OvsSandbox(os.path.join(workdir, 'ovs')).start()
    try:
        for label, args in OVS:
            args = dict(args, db=sandbox.db)
            assert not run_module(module_name(label), args).get('failed')
            log.reset()
            result = run_module(module_name(label), args, env=log.env())
            calls, writes = vsctl_counts(log.calls())
            rows.append(dict(module=label, transport='ovs-vsctl', changed=result['changed'], ovs_vsctl=calls,
                             ovs_vsctl_writes=writes))
    finally:
        sandbox.stop()

    for transport in ('api', 'vnctl'):
        server = serve(port=0)
        port = server.server_address[1]
        if transport == 'api':
            conn = dict(transport='api', api_url='http://127.0.0.1:%d/api/1.0' % port)
        else:
            conn = dict(vnctl_path=os.path.join(log.dir, 'vnctl'), webapi='127.0.0.1:%d' % port)
        try:
            for label, args in OPENVNET:
                args = dict(args, **conn)
                first = run_module(module_name(label), args)
                assert not first.get('failed'), first
                log.reset()
                del server.requests[:]
                result = run_module(module_name(label), args, env=log.env())
                assert not result.get('failed'), result
                rows.append(dict(module=label, transport=transport, changed=result['changed'],
                                 vnctl=sum(1 for c in log.calls() if c[0] == 'vnctl') if transport == 'vnctl' else None,
                                 http_requests=len(server.requests),
                                 http_writes=sum(1 for r in server.requests if r[0] != 'GET')))
        finally:
            server.shutdown()

    print(table(rows, COLUMNS))


if __name__ == '__main__':
    main()
