#!/usr/bin/env bash
# The ansible-core matrix behind meta/runtime.yml's requires_ansible, and the target-Python checks.
# Run from the repository root after `make setup`:   bash tests/matrix/run.sh [STEP-PREFIX...]
#
#   vermin              plugins/modules and plugins/module_utils must run on Python 3.6 (EL7's
#                       python3): vermin (tests/matrix/vermin.txt) fails on anything newer.
#   core-2.16/...       ansible 9.x (tests/matrix/core-2.16.txt), the EL7 controller: the virtualenv;
#                       full ansible-test sanity on Python 3.11 (as `make sanity`); sanity compile on
#                       every Python this machine has that 2.16 targets (3.6-3.12); sanity import on
#                       Python 3.6 (EL7's python3); the unit tests (as `make unit`); the OVS and
#                       OpenVNet integration tests (INTEGRATION_2_16 below).
#   core-2.17/..., core-2.18/...   ansible 10.x, 11.x: sanity validate-modules, import and compile
#                       (Python 3.11), and the unit tests.
#   core-2.19/compile   the main .venv's ansible-test: sanity compile on every Python from 3.8 on that
#                       this machine has (3.13 included, which 2.16-2.18 cannot target). The rest of
#                       2.19 is `make sanity unit integration`.
# `bash tests/matrix/run.sh core-2.16` runs the 2.16 steps only; no argument runs every step.
#
# Virtualenvs: .build/venv-core-<line> and .build/venv-vermin, made here (again when their
# requirement file changes). Sanity trees: .build/matrix/sanity-<line>. Python 2.7 is not a
# supported target (the modules import the standard library's ipaddress, Python 3.3+, which EL7's
# python2 lacks), so nothing runs on it. Every step runs even when an earlier one failed (except
# the steps of a line whose virtualenv failed); the output ends with each step's wall time, and the
# exit status is non-zero when any step failed.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
MATRIX=tests/matrix
BUILD=.build/matrix
export ANSIBLE_CONFIG=$ROOT/ansible.cfg
# pytest-xdist workers: the machine is shared.
JOBS=${JOBS:-2}

# The OVS and OpenVNet integration tests (modules against a real Open vSwitch, the WebAPI emulator,
# the vnctl emulator; two hubs through ansible-playbook and the ovs_bridge
# role). Left out: test_aws_eni.py (moto and boto3, not EL7's concern), test_role_secrets.py and
# test_el_roles.py (role checks), test_vna_emulator.py (tests the vna emulator, a test helper, not
# collection code).
INTEGRATION_2_16=(
  tests/integration/test_ovs_gre_port.py
  tests/integration/test_ovs_tunnel_port.py
  tests/integration/test_ovs_bridge.py
  tests/integration/test_ovs_info.py
  tests/integration/test_two_hubs.py
  tests/integration/test_openvnet_modules.py
  tests/integration/test_openvnet_registrations.py
)
SANITY_SUBSET=(--test validate-modules --test import --test compile)

[ -x .venv/bin/python ] && [ -e .build/collections/ansible_collections/openvnet/openvnet ] || {
  echo "run 'make setup' first (.venv and the collection link)" >&2; exit 2; }

# Pythons this machine has, by version: /usr/bin and pyenv's. ansible-test finds `pythonX.Y` on
# PATH, so each one gets a link in $BUILD/bin.
mkdir -p "$BUILD/bin"
for py in /usr/bin/python3.[0-9]* /root/.pyenv/versions/*/bin/python[23].[0-9]*; do
  [[ $py =~ /python([23]\.[0-9]+)$ ]] || continue
  [ -e "$BUILD/bin/python${BASH_REMATCH[1]}" ] || ln -s "$py" "$BUILD/bin/python${BASH_REMATCH[1]}"
done
export PATH=$ROOT/$BUILD/bin:$PATH
have_python() { [ -x "$BUILD/bin/python$1" ]; }

# ansible-test's pip bootstrap, cached where it looks (as `make setup` does for 2.19's pip 24.2):
# 2.16 and 2.17 pin pip 23.1.2, and 21.3.1 in virtualenvs of Python 3.6.
for pip in 21_3_1 23_1_2 24_2; do
  [ -e ~/.ansible/test/cache/get_pip_$pip.py ] || install -D -m 644 tests/support/get_pip_offline.py ~/.ansible/test/cache/get_pip_$pip.py
done

# venv NAME REQUIREMENTS: made once, remade when the requirement file changes.
venv() {
  local dir=.build/venv-$1 req=$2
  if ! cmp -s "$req" "$dir/.requirements" 2>/dev/null; then
    rm -rf "$dir"
    python3.11 -m venv "$dir"
    # (pip's notes about this machine's unused local index locations filtered out)
    "$dir/bin/pip" install -q --disable-pip-version-check -r "$req" 2> >(grep -v 'is neither a file nor a directory' >&2)
    cp "$req" "$dir/.requirements"
  fi
  # tests/support/uthelper.py and one unit test use ansible.module_utils.testing (ansible-core 2.19+).
  local mu=$dir/lib/python3.11/site-packages/ansible/module_utils
  if [ -d "$mu" ] && ! grep -q 'def patch_module_args' "$mu/testing.py" 2>/dev/null; then
    cp "$MATRIX/compat/module_utils_testing.py" "$mu/testing.py"
  fi
}

# vdir LINE: that line's virtualenv; 2.19's is the main .venv (requirements-dev.txt).
vdir() { if [ "$1" = 2.19 ]; then echo .venv; else echo ".build/venv-core-$1"; fi; }

# sanity_tree LINE: the tree `make sanity` uses, under $BUILD/sanity-LINE, with that line's amazon.aws.
sanity_tree() { bash tests/support/sanity_tree.sh "$BUILD/sanity-$1" "$(vdir "$1")/bin/python"; }

ansible_test() {  # ansible_test LINE ARGS...: ansible-test of that line in its sanity tree
  local line=$1; shift
  (cd "$BUILD/sanity-$line/ansible_collections/openvnet/openvnet" &&
     PATH=$ROOT/$(vdir "$line")/bin:$PATH ansible-test sanity --local --color no "$@")
}

step_vermin() {
  venv vermin "$MATRIX/vermin.txt"
  # --target=3.6-: every file must run on 3.6 or older; --violations: list only what breaks that
  # and exit 1; --eval-annotations: annotations count as evaluated code (no `from __future__ import
  # annotations` needed to hide them).
  .build/venv-vermin/bin/vermin --no-tips --eval-annotations --target=3.6- --violations \
    plugins/modules plugins/module_utils
}

step_venv() {  # step_venv LINE
  venv "core-$1" "$MATRIX/core-$1.txt"
  ".build/venv-core-$1/bin/python" -c 'import ansible.release as r; print("ansible-core", r.__version__)'
}

step_sanity() {  # step_sanity LINE [ARGS...]: ansible-test sanity on Python 3.11, all tests or ARGS
  local line=$1; shift
  sanity_tree "$line"
  ansible_test "$line" --python 3.11 "$@"
}

step_compile() {  # step_compile LINE X.Y...: ansible-test sanity --test compile on each available Python
  local line=$1 v ran=0; shift
  if [ ! -d "$BUILD/sanity-$line" ]; then sanity_tree "$line"; fi
  for v in "$@"; do
    have_python "$v" || { echo "-- no Python $v on this machine"; continue; }
    echo "-- compile, Python $v"
    ansible_test "$line" --test compile --python "$v"
    ran=$((ran + 1))
  done
  [ $ran -gt 0 ]
}

step_unit() {  # step_unit LINE: both invocations of `make unit`
  local py=.build/venv-core-$1/bin/python
  "$py" -m pytest -q tests/unit --ignore=tests/unit/plugins/filter
  "$py" -m pytest -q tests/unit/plugins/filter
}

step_integration() {  # step_integration LINE
  ".build/venv-core-$1/bin/python" -m pytest -q -n "$JOBS" "${INTEGRATION_2_16[@]}"
}

# Steps, in order; arguments select those whose name starts with one of them (`core-2.16`, `vermin`).
STEPS=(
  vermin
  core-2.16/venv core-2.16/sanity core-2.16/compile core-2.16/import-py36 core-2.16/unit core-2.16/integration
  core-2.17/venv core-2.17/sanity-subset core-2.17/unit
  core-2.18/venv core-2.18/sanity-subset core-2.18/unit
  core-2.19/compile
)
run_step() {
  local line=${1%%/*}
  line=${line#core-}
  case $1 in
    vermin) step_vermin ;;
    */venv) step_venv "$line" ;;
    */sanity) step_sanity "$line" ;;
    */sanity-subset) step_sanity "$line" "${SANITY_SUBSET[@]}" ;;
    core-2.16/compile) step_compile 2.16 3.6 3.7 3.8 3.9 3.10 3.11 3.12 ;;
    # 2.19 is the main .venv, with a tree of its own here; 3.13 is only tested here.
    core-2.19/compile) sanity_tree 2.19
                       step_compile 2.19 3.8 3.9 3.10 3.11 3.12 3.13 3.14 ;;
    # EL7's python3: the modules and module_utils imported for real by Python 3.6 (what vermin
    # checks statically; compile checks only the syntax).
    core-2.16/import-py36) if [ ! -d "$BUILD/sanity-2.16" ]; then sanity_tree 2.16; fi
                           ansible_test 2.16 --test import --python 3.6 ;;
    */unit) step_unit "$line" ;;
    */integration) step_integration "$line" ;;
    *) echo "unknown step $1" >&2; return 2 ;;
  esac
}

SELECTED=()
for step in "${STEPS[@]}"; do
  if [ $# = 0 ]; then SELECTED+=("$step"); continue; fi
  for arg in "$@"; do [[ $step == "$arg"* ]] && { SELECTED+=("$step"); break; }; done
done
[ ${#SELECTED[@]} -gt 0 ] || { echo "no step matches: $* (steps: ${STEPS[*]})" >&2; exit 2; }

declare -A TIME STATUS
failed=0
total=$SECONDS
for step in "${SELECTED[@]}"; do
  echo "== $step"
  start=$SECONDS
  # Each step in a subshell with errexit: a failing command ends that step, the others still run.
  # (Not as an `if` condition: bash ignores errexit there, even inside the subshell.) A step
  # whose virtualenv step failed is not run.
  if [[ $step == core-*/* && $step != */venv && ${STATUS[${step%%/*}/venv]:-ok} != ok ]]; then
    rc=3
  else
    set +e
    (set -e; run_step "$step")
    rc=$?
    set -e
  fi
  TIME[$step]=$((SECONDS - start))
  if [ $rc = 0 ]; then STATUS[$step]=ok; else STATUS[$step]="FAILED($rc)"; failed=1; fi
  echo "== $step: ${STATUS[$step]} (${TIME[$step]} s)"
done
echo "== summary: wall time per step"
for step in "${SELECTED[@]}"; do printf '   %-26s %-10s %5d s\n' "$step" "${STATUS[$step]}" "${TIME[$step]}"; done
printf '   %-26s %-10s %5d s\n' total "$([ $failed = 0 ] && echo ok || echo FAILED)" $((SECONDS - total))
exit $failed
