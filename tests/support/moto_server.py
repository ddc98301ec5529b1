"""moto's AWS server on 127.0.0.1 for the AWS tests, with one fix to its EC2 model.

moto 5.2 answers HTTP 500 to an ingress rule without ports for a protocol other than
TCP, UDP or ICMP (GRE: `proto: 47`, exactly as amazon.aws.ec2_security_group sends it);
AWS accepts such a rule and reports it without FromPort/ToPort. The fix keeps those
ports empty, as AWS does. Nothing else is changed."""

import argparse
import logging
import time
import urllib.request

from moto.ec2.models.security_groups import SecurityGroupRule
from moto.ec2.responses.elastic_network_interfaces import ElasticNetworkInterfaces
from moto.server import ThreadedMotoServer

_init = SecurityGroupRule.__init__


def _portless_init(self, ec2_backend, ip_protocol, group_id, from_port, to_port, *args, **kwargs):
    portless = from_port is None and to_port is None
    _init(self, ec2_backend, ip_protocol, group_id, 0 if portless else from_port, 0 if portless else to_port,
          *args, **kwargs)
    if portless:
        self.from_port = self.to_port = None


SecurityGroupRule.__init__ = _portless_init

_modify = ElasticNetworkInterfaces.modify_network_interface_attribute


def _modify_with_attachment(self):
    result = _modify(self)
    delete = self._get_param('Attachment.DeleteOnTermination')
    if delete is not None:
        eni = self.ec2_backend.get_network_interface(self._get_param('NetworkInterfaceId'))
        if eni.attachment_id != self._get_param('Attachment.AttachmentId'):
            raise ValueError('unknown attachment')
        eni.delete_on_termination = str(delete).lower() == 'true'
    return result


ElasticNetworkInterfaces.modify_network_interface_attribute = _modify_with_attachment


def serve(port=0):
    """Start the server in a thread; returns (server, endpoint URL)."""
    logging.getLogger('werkzeug').setLevel(logging.ERROR)  # one line per request otherwise
    server = ThreadedMotoServer(ip_address='127.0.0.1', port=port, verbose=False)
    server.start()
    host, bound = server.get_host_and_port()
    url = 'http://%s:%d' % (host, bound)
    # moto keeps its state per process, not per server: start from an empty account
    urllib.request.urlopen(urllib.request.Request(url + '/moto-api/reset', method='POST')).close()
    return server, url


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--port', type=int, default=5000)
    args = parser.parse_args()
    url = serve(args.port)[1]
    print(url, flush=True)
    while True:
        time.sleep(3600)
