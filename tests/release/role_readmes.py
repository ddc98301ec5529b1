"""Each role's README.md (galaxy-importer refuses a collection whose roles have none), generated from its
meta/main.yml and meta/argument_specs.yml so that it cannot drift from them.

    python tests/release/role_readmes.py           write roles/<role>/README.md
    python tests/release/role_readmes.py --check   fail when one differs from what would be written
"""
import os
import re
import sys

import yaml

repo = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
check = sys.argv[1:] == ['--check']
stale = []


def text(v):
    if isinstance(v, list):
        v = ' '.join(v)
    v = ' '.join(str(v).split())
    v = re.sub(r'\b[OV]\(([^)]*)\)', r'`\1`', v)
    v = re.sub(r'\bC\(([^)]*)\)', r'`\1`', v)
    v = re.sub(r'\bM\(([^)]*)\)', r'`\1`', v)
    return v.replace('|', '\\|')


def default_cell(opt):
    if 'default' not in opt:
        return 'required' if opt.get('required') else ''
    dumped = yaml.safe_dump(opt['default'], default_flow_style=True).strip().replace('\n...', '')
    return '`%s`' % dumped.replace('|', '\\|')


for role in sorted(os.listdir(os.path.join(repo, 'roles'))):
    meta = yaml.safe_load(open(os.path.join(repo, 'roles', role, 'meta', 'main.yml')))['galaxy_info']
    spec = yaml.safe_load(open(os.path.join(repo, 'roles', role, 'meta', 'argument_specs.yml')))['argument_specs']['main']
    lines = ['# openvnet.openvnet.%s' % role, '', text(meta['description']) + '.', '']
    for d in spec.get('description', []):
        lines += ['- ' + text(d)]
    lines += ['', 'Part of the [openvnet.openvnet](../../README.md) collection; the collection README\'s "Roles"',
              'section says how the roles work together, and `site.yml` / `openvnet.openvnet.deploy` run them.', '']
    plats = ', '.join('%s %s' % (p['name'], '/'.join(str(v) for v in p.get('versions', []))) for p in meta.get('platforms', []))
    lines += ['Platforms: %s. Ansible: %s or newer.' % (plats, meta.get('min_ansible_version')), '',
              '## Variables', '',
              '`ansible-doc -t role openvnet.openvnet.%s` shows the full argument spec.' % role, '',
              '| variable | type | default | description |', '|---|---|---|---|']
    for name, opt in sorted(spec.get('options', {}).items()):
        default = default_cell(opt)
        lines.append('| `%s` | %s | %s | %s |' % (name, opt.get('type', 'str'), default, text(opt.get('description', ''))))
    lines += ['', '## Example', '', '```yaml', '- name: %s' % text(spec.get('short_description', role)),
              '  hosts: all', '  roles:', '    - role: openvnet.openvnet.%s' % role, '```', '', '## Licence', '',
              'GPL-3.0-or-later, see the collection\'s `LICENSE`.', '']
    path = os.path.join(repo, 'roles', role, 'README.md')
    wanted = '\n'.join(lines)
    current = open(path).read() if os.path.exists(path) else None
    if current != wanted:
        stale.append(path)
        if not check:
            with open(path, 'w') as f:
                f.write(wanted)
if check and stale:
    sys.exit('not generated from the roles\' meta (run python tests/release/role_readmes.py): ' + ' '.join(stale))
print('%s: %s' % ('stale' if check and stale else 'written' if stale else 'up to date', ' '.join(stale) or 'all roles'))
