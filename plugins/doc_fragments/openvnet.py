# -*- coding: utf-8 -*-
# Copyright: (c) 2026, OpenVNet collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    DOCUMENTATION = r'''
options:
  transport:
    description:
      - How to reach OpenVNet. V(vnctl) runs the vnctl CLI on the host (as OpenVNet hosts have it);
        V(api) calls the WebAPI over HTTP.
      - Either way a reply is judged by its body, never by vnctl's exit status (vnctl exits 0 on API
        errors).
    type: str
    choices: [vnctl, api]
    default: vnctl
  api_url:
    description: The WebAPI base URL, with O(transport=api).
    type: str
    default: http://127.0.0.1:9090/api/1.0
  vnctl_path:
    description:
      - Path of vnctl, with O(transport=vnctl). Searched on C(PATH) and in
        C(/opt/axsh/openvnet/client/vnctl/bin) when not given.
    type: path
  webapi:
    description:
      - C(host:port) of the WebAPI for vnctl (its C(VNET_WEBAPI)); vnctl's configuration file
        decides when not given.
      - VNET_WEBAPI makes vnctl print YAML, which needs PyYAML on the managed host.
    type: str
  timeout:
    description:
      - Seconds a WebAPI request (O(transport=api)) or a vnctl run (O(transport=vnctl), under coreutils'
        C(timeout), killed 5 seconds later if it ignores the signal) may take.
    type: int
    default: 30
  validate_certs:
    description: Verify the WebAPI's TLS certificate when O(api_url) is HTTPS.
    type: bool
    default: true
'''
