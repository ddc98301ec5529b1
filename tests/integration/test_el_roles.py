"""The roles with EL7, EL8 and EL9 facts, without an EL machine: what each would manage.

Each case runs `ansible-playbook --check --diff` on one role against a host named `hub` (connection
local), through this file's own runner (`python test_el_roles.py <ansible-playbook args>`), which
replaces ActionBase._execute_module, the one door through which every action plugin runs a module:
no module runs at all, on this host or elsewhere. Each call is recorded (module, arguments, whether
in check mode) and answered as a fresh EL host would answer it (fixtures/el/hosts.yml: the facts
setup returns, which packages are installed, which files exist, what a command or a query prints).
Running a command on the host (ActionBase._low_level_execute_command) fails the run.

What a role would manage (packages and the package manager asked, repository files, services,
files with their content, database statements, commands) is compared with
fixtures/el/<role>-el<N>.yml, whose comments cite where each name comes from.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
FIXTURES = os.path.join(HERE, 'fixtures', 'el')

# ---------------------------------------------------------------------------------------------
# The runner: ansible-playbook with every module call answered by the fake EL host.
# ---------------------------------------------------------------------------------------------

PACKAGE_MANAGERS = {'dnf', 'yum', 'dnf5'}
SERVICE_MANAGERS = {'systemd', 'systemd_service', 'service', 'sysvinit'}


def _short(module_name):
    return module_name.rsplit('.', 1)[-1]


def _answer(host, module, args):
    """What a fresh EL host answers (a real module's result keys that the roles read)."""
    check = args.get('_ansible_check_mode', False)
    if module == 'setup':
        return {'ansible_facts': host['facts']}
    if module in PACKAGE_MANAGERS:
        names = args['name'] if isinstance(args['name'], list) else [args['name']]
        missing = [n for n in names if n not in host.get('installed', [])]
        return {'changed': bool(missing), 'rc': 0, 'results': ['would install %s' % n for n in missing]}
    if module in SERVICE_MANAGERS:
        return {'changed': True, 'name': args.get('name'), 'state': args.get('state'), 'status': {}}
    if module == 'stat':
        exists = args['path'] in host.get('files', [])
        return {'changed': False, 'stat': {'exists': exists, 'checksum': '0' * 40 if exists else '1'}}
    if module == 'file':
        if args.get('_diff_peek'):
            return {'changed': False, 'state': 'absent', 'rc': 0}
        return {'changed': True, 'path': args['path'], 'state': args.get('state') or 'file'}
    if module == 'find':
        return {'changed': False, 'files': [], 'matched': 0, 'examined': 0}
    if module in ('command', 'shell'):
        if check:
            return {'changed': False, 'skipped': True, 'rc': 0, 'msg': 'Command would have run if not in check mode'}
        command = ' '.join(str(x) for x in args['argv']) if args.get('argv') else args.get('_raw_params') or args.get('cmd', '')
        out = host.get('commands', {}).get(command, {'rc': 0, 'stdout': ''})
        return {'changed': True, 'rc': out.get('rc', 0), 'stdout': out.get('stdout', ''),
                'stdout_lines': out.get('stdout', '').splitlines(), 'stderr': out.get('stderr', ''),
                'stderr_lines': out.get('stderr', '').splitlines()}
    if module == 'mysql_query':
        if check:  # community.mysql.mysql_query does not support check mode: Ansible skips it
            return {'changed': False, 'skipped': True, 'msg': 'remote module does not support check mode'}
        query = args['query']
        out = host.get('queries', {}).get(query)
        if out is None:
            return {'failed': True, 'msg': 'the fake host has no answer for %r' % query}
        if 'failed' in out:
            return {'failed': True, 'msg': out['failed']}
        return {'changed': False, 'query_result': out['result'], 'executed_queries': [query]}
    if module == 'ovs_info':
        return {'changed': False, 'bridges': {}, 'interfaces': {}}
    if module in ('wait_for', 'uri'):
        return {'changed': False, 'status': 200}
    return {'changed': True}


def _run_playbook(argv):
    from ansible.plugins.action import ActionBase

    with open(os.environ['EL_FAKE_HOST']) as f:
        host = json.load(f)
    log = open(os.environ['EL_FAKE_LOG'], 'a')

    def record(entry):
        log.write(json.dumps(entry, sort_keys=True) + '\n')
        log.flush()

    def fake_execute_module(self, module_name=None, module_args=None, tmp=None, task_vars=None, persist_files=False,
                            delete_remote_tmp=None, wrap_async=False, ignore_unknown_opts=False):
        module_name = module_name or self._task.action
        args = dict(self._task.args if module_args is None else module_args)
        self._update_module_args(module_name, args, task_vars or {}, ignore_unknown_opts=ignore_unknown_opts)
        module = _short(module_name)
        result = _answer(host, module, args)
        clean = {k: ('<hidden>' if 'password' in k and v else v) for k, v in args.items() if not k.startswith('_ansible_')}
        role = self._task._role.get_name(include_role_fqcn=False) if self._task._role else None
        record({'task': self._task.get_name(), 'role': role, 'module': module, 'fqcn': module_name,
                'args': clean, 'check_mode': args['_ansible_check_mode'],
                'no_log': bool(args.get('_ansible_no_log'))})
        result['invocation'] = {'module_args': clean}
        return result

    def no_command_on_this_host(self, cmd, *args, **kwargs):
        if os.environ.get('EL_FAKE_DEBUG'):
            import traceback
            traceback.print_stack(file=open(os.environ['EL_FAKE_DEBUG'], 'a'))
        raise AssertionError('a command would run on this host: %s' % cmd)

    original_diff = ActionBase._get_diff_data

    def diff_recorded(self, destination, source, task_vars, content=None, source_file=True):
        diff = original_diff(self, destination, source, task_vars, content=content, source_file=source_file)
        record({'task': self._task.get_name(), 'module': 'content', 'args': {'dest': destination},
                'content': diff.get('after')})
        return diff

    def no_tmp_path(self, remote_user=None):
        # the path a real run would create; nothing is created, since nothing is transferred in check mode
        self._connection._shell.tmpdir = '/nonexistent/ansible-tmp-el-check'
        return self._connection._shell.tmpdir

    def no_tmp_removal(self, tmp_path, force=False):
        self._connection._shell.tmpdir = None

    original_run = ActionBase.run

    def requests_recorded(self, tmp=None, task_vars=None):
        # what a package task asks for, before the package action picks the package manager module
        # from the pkg_mgr fact (on EL7 ansible-core 2.19 finds none: the request is all there is to see),
        # and a template task's destination and mode (check mode never calls the copy module)
        if _short(self._task.action) == 'package' and type(self).__module__.endswith('package'):
            names = self._task.args.get('name')
            record({'task': self._task.get_name(), 'module': 'package-request', 'check_mode': bool(self._task.check_mode),
                    'args': {'name': names if isinstance(names, list) else [names], 'state': self._task.args.get('state'),
                             'pkg_mgr': (task_vars or {}).get('ansible_facts', {}).get('pkg_mgr')}})
        if _short(self._task.action) == 'template' and type(self).__module__.endswith('template'):
            record({'task': self._task.get_name(), 'module': 'template-request', 'check_mode': bool(self._task.check_mode),
                    'args': {k: self._task.args.get(k) for k in ('src', 'dest', 'mode', 'owner', 'group')}})
        return original_run(self, tmp=tmp, task_vars=task_vars)

    ActionBase.run = requests_recorded
    ActionBase._execute_module = fake_execute_module
    ActionBase._make_tmp_path = no_tmp_path
    ActionBase._remove_tmp_path = no_tmp_removal
    ActionBase._low_level_execute_command = no_command_on_this_host
    ActionBase._get_diff_data = diff_recorded

    from ansible.cli.playbook import main
    sys.argv = ['ansible-playbook'] + argv
    main()


if __name__ == '__main__':
    _run_playbook(sys.argv[1:])  # exits with ansible-playbook's status

# ---------------------------------------------------------------------------------------------
# The tests.
# ---------------------------------------------------------------------------------------------

import pytest  # noqa: E402
import yaml  # noqa: E402


def _load(name):
    with open(os.path.join(FIXTURES, name)) as f:
        return yaml.safe_load(f)


HOSTS = _load('hosts.yml')
CASES = _load('cases.yml')


def run_role(role, release, case):
    """Run one role in check mode with the fake host of that release; returns (rc, output, records)."""
    host = json.loads(json.dumps(HOSTS[release]))
    for key, value in case.get('host', {}).items():
        if isinstance(value, dict):
            host.setdefault(key, {}).update(value)
        else:
            host[key] = value
    work = tempfile.mkdtemp(prefix='el-roles-')
    with open(os.path.join(work, 'host.json'), 'w') as f:
        json.dump(host, f)
    with open(os.path.join(work, 'inventory.yml'), 'w') as f:
        yaml.safe_dump({'all': {'hosts': {'hub': {'ansible_connection': 'local',
                                                  'ansible_python_interpreter': host['facts']['python']['executable']}}}}, f)
    play = [{'name': 'The %s role on an %s host, check mode' % (role, release), 'hosts': 'hub',
             'gather_facts': True, 'vars': case.get('vars', {}),
             'roles': [{'role': 'openvnet.openvnet.' + role}]}]
    with open(os.path.join(work, 'play.yml'), 'w') as f:
        yaml.safe_dump(play, f)
    log = os.path.join(work, 'calls.jsonl')
    env = dict(os.environ, EL_FAKE_HOST=os.path.join(work, 'host.json'), EL_FAKE_LOG=log,
               ANSIBLE_STDOUT_CALLBACK='ansible.builtin.default', ANSIBLE_NOCOLOR='1', ANSIBLE_FORCE_COLOR='0',
               ANSIBLE_RETRY_FILES_ENABLED='0', ANSIBLE_DISPLAY_SKIPPED_HOSTS='1')
    proc = subprocess.run([sys.executable, os.path.abspath(__file__), '-i', os.path.join(work, 'inventory.yml'),
                           '--check', '--diff', os.path.join(work, 'play.yml')],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)
    records = []
    if os.path.exists(log):
        with open(log) as f:
            records = [json.loads(line) for line in f]
    shutil.rmtree(work, ignore_errors=True)
    return proc.returncode, proc.stdout + proc.stderr, records


def managed(records):
    """What the role would manage, by kind, from the recorded module calls."""
    out = {}
    files = {}
    modes = {}

    def add(kind, value):
        if value not in out.setdefault(kind, []):
            out[kind].append(value)

    for r in records:
        m, a = r['module'], r['args']
        if m == 'setup':
            continue
        if m == 'package-request':
            add('packages', {'names': a['name'], 'state': a['state'], 'pkg_mgr': a['pkg_mgr']})
        elif m in PACKAGE_MANAGERS:
            add('package_manager_module', m)
        elif m == 'yum_repository':
            add('repositories', {k: a[k] for k in ('name', 'description', 'baseurl', 'metalink', 'gpgcheck', 'gpgkey',
                                                   'reposdir') if a.get(k) not in (None, '')})
        elif m in SERVICE_MANAGERS:
            add('services', {k: a[k] for k in ('name', 'state', 'enabled', 'masked') if a.get(k) is not None})
        elif m == 'template-request':
            modes[a['dest']] = a['mode']
        elif m == 'content':
            files[a['dest']] = r['content']
        elif m == 'stat' and a.get('checksum_algorithm'):
            # the template action's look at its destination; its content follows unless the task hides its diff
            files.setdefault(a['path'], None)
        elif m == 'stat':
            add('reads', {'stat': a['path']})
        elif m == 'file' and a.get('_diff_peek'):
            continue  # the template action's look at its destination, for the diff
        elif m == 'file':
            add('paths', {k: a[k] for k in ('path', 'state', 'mode', 'owner', 'group') if a.get(k) is not None})
        elif m == 'lineinfile':
            add('lines', {'path': a['path'], 'line': a['line']})
        elif m in ('command', 'shell'):
            add('commands', {'run': ' '.join(str(x) for x in a['argv']) if a.get('argv') else a.get('_raw_params') or a.get('cmd'),
                             'in_check_mode': r['check_mode']})
        elif m == 'mysql_query':
            add('sql', {'query': a['query'], 'in_check_mode': r['check_mode']})
        elif m == 'mysql_user':
            add('db_accounts', {k: a[k] for k in ('name', 'host', 'plugin', 'state', 'priv') if a.get(k) is not None})
        elif m == 'mysql_db':
            add('databases', {'name': a['name'], 'state': a.get('state')})
        elif m in ('group', 'user'):
            add('accounts', {k: a[k] for k in ('name', 'groups', 'system') if a.get(k) is not None})
        elif m == 'firewalld':
            add('firewalld', a.get('rich_rule'))
        elif m == 'modprobe':
            add('kernel_modules', {'name': a['name'], 'state': a.get('state'), 'persistent': a.get('persistent')})
        elif m == 'ovs_info':
            add('reads', {'ovs_info': a})
        elif r['fqcn'].startswith('openvnet.openvnet.'):
            add('collection_modules', {'module': r['fqcn'], 'args': a})
        elif m == 'find':
            add('reads', {'find': a['paths'], 'patterns': a.get('patterns')})
        else:
            add('other', {'module': r['fqcn'], 'args': {k: v for k, v in a.items() if v is not None}})
    if 'accounts' in out:  # the role loops over a set intersection: its order is the hash seed's
        out['accounts'].sort(key=lambda a: a['name'])
    if files:
        out['files'] = [{'path': path, 'mode': modes.get(path), 'content': content} for path, content in files.items()]
    return out


PARAMS = [(role, release, name) for role, releases in sorted(CASES.items())
          for release, cases in sorted(releases.items()) for name in sorted(cases)]


@pytest.mark.parametrize('role, release, name', PARAMS, ids=['%s-%s-%s' % p for p in PARAMS])
def test_role_with_el_facts(role, release, name):
    case = CASES[role][release][name]
    rc, output, records = run_role(role, release, case)
    assert 'a command would run on this host' not in output, output[-3000:]
    if case.get('fails'):
        assert rc != 0, output[-3000:]
        for text in case['fails']:
            assert text in output, output[-3000:]
    else:
        assert rc == 0, output[-3000:]
    # nothing was sent outside check mode but reads the role marks check_mode: false
    for r in records:
        if r['module'] not in ('setup', 'content', 'package-request', 'template-request') and not r['check_mode']:
            assert r['module'] in ('command', 'mysql_query', 'stat', 'find', 'ovs_info'), r
    expected = _load(case['expect'])
    assert managed(records) == expected


def test_fixture_files_are_all_used():
    used = {c['expect'] for releases in CASES.values() for cases in releases.values() for c in cases.values()}
    present = {f for f in os.listdir(FIXTURES) if f not in ('hosts.yml', 'cases.yml')}
    assert present == used
