"""openvnet_registrations at hub scale: one module run converging 10, 100 and 500
interfaces (and the no-op run after it) against the WebAPI emulator, with
OpenVNet's default page (pagination_limit 30, offset/limit ignored: the wanted
interfaces past the page are read one by one) and with pagination_limit 1000
(what the openvnet role writes). Requests are counted from the emulator's log."""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..'))

from bench.lib import BUILD, ROOT, table, write_csv  # noqa: E402
from tests.support.openvnet_emulator import serve  # noqa: E402
from tests.support.runner import run_module  # noqa: E402

COLUMNS = ['interfaces', 'pagination_limit', 'run', 'changed', 'seconds', 'requests', 'writes']


def hub(n):
    return dict(
        datapaths=[dict(uuid='dp-hub', dpid='02:00:0a:00:01:0a', node_id='vna', display_name='hub')],
        networks=[dict(uuid='nw-peers', ipv4_network='10.0.0.0/16', display_name='peers')],
        interfaces=[dict(uuid='if-p%d' % i, owner_datapath_uuid='dp-hub', network_uuid='nw-peers',
                         mac_address='02:00:00:00:%02x:%02x' % (i // 256, i % 256),
                         ipv4_address='10.0.%d.%d' % (i // 250, i % 250 + 1), port_name='tap%d' % i)
                    for i in range(1, n + 1)])


def measure(server, args, label):
    del server.requests[:]
    start = time.monotonic()
    result = run_module('openvnet_registrations', args)
    seconds = time.monotonic() - start
    if result.get('failed'):
        raise SystemExit('%s failed: %s' % (label, result.get('msg')))
    return dict(run=label, changed=result['changed'], seconds=seconds, requests=len(server.requests),
                writes=sum(1 for r in server.requests if r[0] != 'GET'))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--sizes', default='10,100,500')
    parser.add_argument('--limits', default='30,1000')
    parser.add_argument('--csv', default=os.path.join(BUILD, 'registrations.csv'))
    args = parser.parse_args()
    rows = []
    for limit in [int(x) for x in args.limits.split(',')]:
        for n in [int(x) for x in args.sizes.split(',')]:
            server = serve(port=0, pagination_limit=limit)
            try:
                module_args = dict(hub(n), transport='api',
                                   api_url='http://127.0.0.1:%d/api/1.0' % server.server_address[1])
                for label in ('converge', 'no-op'):
                    rows.append(dict(measure(server, module_args, label), interfaces=n, pagination_limit=limit))
            finally:
                server.shutdown()
                server.server_close()
    print(table(rows, COLUMNS))
    write_csv(args.csv, rows, COLUMNS)
    print('\nCSV: %s' % os.path.relpath(args.csv, ROOT))


if __name__ == '__main__':
    main()
