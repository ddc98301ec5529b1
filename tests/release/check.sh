#!/usr/bin/env bash
# The release check: what a Galaxy user gets, checked from the artifact, not from the checkout.
# Run from anywhere after `make setup` (it uses .venv's ansible-core for build, install and play):
#
#   bash tests/release/check.sh
#
#   venv        .build/venv-release from tests/release/requirements.txt (galaxy-importer, antsibull-docs,
#               antsibull-changelog, ansible-builder and the pinned `ansible`), made again when that file changes
#   changelog   fragments and changelogs/changelog.yaml lint; CHANGELOG.rst is what changelog.yaml generates
#   metadata    the roles' READMEs are generated from their meta; galaxy.yml's dependencies = requirements.yml's,
#               and the pinned `ansible` ships versions inside them
#   build       ansible-galaxy collection build; the tarball holds no development file and every shipped part
#   install     ansible-galaxy collection install of the tarball into an empty collections path (--no-deps:
#               no Galaxy here; the dependencies are the pinned `ansible` package's)
#   play        from an empty directory, without ansible.cfg: openvnet.openvnet.underlay by name, a role,
#               a module, filters and tests (tests/release/smoke.yml); ansible-doc; every path is the install's
#   importer    galaxy-importer on the tarball (tests/release/galaxy-importer.cfg): no error, no warning
#   docs        antsibull-docs lint-collection-docs --plugin-docs on the installed collection
#   ee          ansible-builder introspect on the installed collection; ansible-builder create on
#               tests/release/execution-environment.yml (the build context only: no image, no registry)
#
# Exits non-zero at the first part that fails, after printing the wall time of each part that ran.
# `bash tests/release/check.sh docs ee` runs only those parts (on the output of an earlier full run).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
MAIN_BIN=$ROOT/.venv/bin
REL_VENV=$ROOT/.build/venv-release
REL_BIN=$REL_VENV/bin
OUT=$ROOT/.build/release
INSTALL=$OUT/install
COLL=$INSTALL/ansible_collections/openvnet/openvnet
REQS=tests/release/requirements.txt

[ -x "$MAIN_BIN/ansible-galaxy" ] || { echo "no $MAIN_BIN/ansible-galaxy: run make setup first" >&2; exit 1; }
SITE_COLLECTIONS=$("$MAIN_BIN/python" -c 'import ansible_collections, os; print(os.path.dirname(list(ansible_collections.__path__)[0]))')
VERSION=$("$MAIN_BIN/python" -c 'import yaml; print(yaml.safe_load(open("galaxy.yml"))["version"])')
TARBALL=$OUT/openvnet-openvnet-$VERSION.tar.gz

# Ansible run by this script sees no ansible.cfg (the checkout's points at the lab and .build/collections)
# and only the collections paths given below, never ~/.ansible/collections.
mkdir -p "$OUT"
EMPTY_CFG=$OUT/empty-ansible.cfg
: > "$EMPTY_CFG"
export ANSIBLE_CONFIG=$EMPTY_CFG
unset ANSIBLE_COLLECTIONS_PATH ANSIBLE_COLLECTIONS_PATHS ANSIBLE_ROLES_PATH ANSIBLE_INVENTORY || true
export ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0 PY_COLORS=0

TIMINGS=()
CURRENT=""
summary() {
  local rc=$?
  echo
  echo "== release check: wall time per part"
  local t
  for t in "${TIMINGS[@]}"; do echo "   $t"; done
  if [ "$rc" -ne 0 ]; then
    echo "== release check FAILED in part '$CURRENT' (exit $rc)"
  else
    echo "== release check passed"
  fi
}
trap summary EXIT

# part NAME FUNCTION: runs FUNCTION under errexit (never in a condition, which would disable it).
part() {
  CURRENT=$1
  echo
  echo "== $1"
  local start end
  start=$(date +%s%N)
  "$2"
  end=$(date +%s%N)
  TIMINGS+=("$(printf '%-10s %7.1f s' "$1" "$(( (end - start) / 1000000 ))e-3")")
  echo "-- $1 ok"
}

die() { echo "FAIL: $*" >&2; exit 1; }

# ---------------------------------------------------------------------------------------------
venv() {
  local want have=""
  want=$(sha256sum "$REQS" | cut -d' ' -f1)
  [ -f "$REL_VENV/.installed" ] && have=$(cat "$REL_VENV/.installed")
  if [ "$have" = "$want" ] && [ -x "$REL_BIN/python" ]; then
    echo "reusing $REL_VENV"
    return
  fi
  rm -rf "$REL_VENV"
  python3 -m venv "$REL_VENV"
  "$REL_BIN/pip" install -q --disable-pip-version-check -r "$REQS"
  echo "$want" > "$REL_VENV/.installed"
}

changelog() {
  local tmp
  "$REL_BIN/antsibull-changelog" lint
  "$REL_BIN/antsibull-changelog" lint-changelog-yaml changelogs/changelog.yaml
  grep -q "^v$VERSION\$" CHANGELOG.rst || die "CHANGELOG.rst has no section v$VERSION (galaxy.yml's version): run antsibull-changelog release"
  # CHANGELOG.rst must be what changelogs/changelog.yaml generates (nobody edited it by hand)
  tmp=$(mktemp -d)
  cp -r changelogs galaxy.yml CHANGELOG.rst "$tmp/"
  (cd "$tmp" && "$REL_BIN/antsibull-changelog" generate)
  diff -u CHANGELOG.rst "$tmp/CHANGELOG.rst" || die "CHANGELOG.rst differs from what changelogs/changelog.yaml generates: run antsibull-changelog generate"
  diff -u changelogs/changelog.yaml "$tmp/changelogs/changelog.yaml" || die "changelogs/changelog.yaml is not in antsibull-changelog's own format: run antsibull-changelog generate"
  rm -rf "$tmp"
  # fragments written after the release of this version are not in the artifact's changelog yet
  local pending
  pending=$(find changelogs/fragments -maxdepth 1 -type f \( -name '*.yml' -o -name '*.yaml' \) 2>/dev/null | sort | tr '\n' ' ')
  if [ -n "$pending" ] && grep -qE "^  ['\"]?$VERSION['\"]?:\$" changelogs/changelog.yaml; then
    echo "WARNING: $VERSION is already released in changelogs/changelog.yaml and these fragments are not in it: $pending"
    echo "WARNING: before publishing, fold them in (antsibull-changelog release --update-existing) or raise galaxy.yml's version and release"
  fi
}

metadata() {
  # every role's README (galaxy-importer requires one) is generated from its meta: not stale
  "$MAIN_BIN/python" tests/release/role_readmes.py --check
  "$MAIN_BIN/python" - "$SITE_COLLECTIONS" <<'EOF'
import json, os, sys, yaml
from ansible.galaxy.dependency_resolution.versioning import meets_requirements
site = sys.argv[1]
deps = yaml.safe_load(open('galaxy.yml'))['dependencies'] or {}
reqs = {c['name']: c.get('version', '*') for c in yaml.safe_load(open('requirements.yml'))['collections']}
errors = []
if deps != reqs:
    errors.append('galaxy.yml dependencies %s != requirements.yml %s' % (deps, reqs))
for name, spec in sorted(deps.items()):
    ns, coll = name.split('.')
    manifest = os.path.join(site, 'ansible_collections', ns, coll, 'MANIFEST.json')
    if not os.path.exists(manifest):
        errors.append('%s: not in the pinned ansible package (%s)' % (name, manifest))
        continue
    version = json.load(open(manifest))['collection_info']['version']
    ok = meets_requirements(version, spec)
    print('%-18s %-18s pinned ansible ships %-8s %s' % (name, spec, version, 'ok' if ok else 'OUTSIDE THE RANGE'))
    if not ok:
        errors.append('%s %s is outside %s' % (name, version, spec))
for e in errors:
    print('FAIL: ' + e, file=sys.stderr)
sys.exit(1 if errors else 0)
EOF
}

build() {
  rm -f "$OUT"/openvnet-openvnet-*.tar.gz
  "$MAIN_BIN/ansible-galaxy" collection build --output-path "$OUT" --force "$ROOT"
  [ -f "$TARBALL" ] || die "no $TARBALL"
  tar -tzf "$TARBALL" | sed 's|^\./||' | sort > "$OUT/contents.txt"
  echo "$(wc -l < "$OUT/contents.txt") entries, $(du -k "$TARBALL" | cut -f1) KiB"
  # development files: none may be in the artifact
  local forbidden='^(Makefile|ansible\.cfg|requirements-dev\.txt|pytest\.ini|\.yamllint|\.gitignore)$'
  forbidden+='|^(\.ci|\.config|\.venv|\.build|\.ansible|\.benchmarks|\.pytest_cache|\.cache|tests|bench|inventories/lab)(/|$)'
  forbidden+='|^roles/[^/]+/molecule(/|$)|(^|/)__pycache__(/|$)|\.pyc$|\.tar\.gz$'
  if grep -E "$forbidden" "$OUT/contents.txt" > "$OUT/forbidden.txt"; then
    cat "$OUT/forbidden.txt"
    die "development files in the artifact (galaxy.yml build_ignore)"
  fi
  # what a user needs: all of it must be there
  local f missing=0
  for f in MANIFEST.json FILES.json README.md LICENSE CHANGELOG.rst changelogs/changelog.yaml \
           meta/runtime.yml meta/execution-environment.yml meta/ee-requirements.txt bindep.txt requirements.yml \
           site.yml playbooks/underlay.yml playbooks/deploy.yml playbooks/verify.yml playbooks/teardown.yml playbooks/aws.yml \
           inventories/example/hosts.yml inventories/aws/aws_ec2.yml \
           plugins/modules/ovs_gre_port.py plugins/modules/ovs_tunnel_port.py plugins/module_utils/ovs.py plugins/module_utils/tunnel_port.py plugins/filter/topology.py roles/repos/tasks/main.yml; do
    grep -qxF "$f" "$OUT/contents.txt" || { echo "missing: $f" >&2; missing=1; }
  done
  [ "$missing" = 0 ] || die "files missing from the artifact"
  local plugin
  for plugin in plugins/modules/*.py plugins/filter/* plugins/test/* roles/*/tasks/main.yml; do
    grep -qxF "$plugin" "$OUT/contents.txt" || die "missing from the artifact: $plugin"
  done
}

install() {
  rm -rf "$INSTALL"
  mkdir -p "$INSTALL"
  ANSIBLE_COLLECTIONS_PATH=$INSTALL "$MAIN_BIN/ansible-galaxy" collection install --no-deps --force -p "$INSTALL" "$TARBALL"
  [ -f "$COLL/MANIFEST.json" ] || die "nothing installed in $COLL"
  ANSIBLE_COLLECTIONS_PATH=$INSTALL "$MAIN_BIN/ansible-galaxy" collection list openvnet.openvnet > "$OUT/list.txt" 2>&1
  cat "$OUT/list.txt"
  grep -qxF "# $INSTALL/ansible_collections" "$OUT/list.txt" || die "openvnet.openvnet is not listed in $INSTALL"
  [ "$(grep -c '^openvnet\.openvnet ' "$OUT/list.txt")" = 1 ] || die "openvnet.openvnet found more than once"
}

play() {
  local smoke log
  smoke=$(mktemp -d /tmp/openvnet-release-smoke.XXXXXX)
  cp tests/release/smoke.yml tests/release/smoke-inventory.yml "$smoke/"
  mkdir "$smoke/yum.repos.d"
  log=$OUT/play.log
  # the artifact, then the pinned ansible package's collections (the dependencies)
  (cd "$smoke" && ANSIBLE_COLLECTIONS_PATH=$INSTALL:$SITE_COLLECTIONS OPENVNET_SMOKE_DIR=$smoke \
     "$MAIN_BIN/ansible-playbook" -i smoke-inventory.yml smoke.yml -vvv > "$log" 2>&1) \
    || { tail -40 "$log"; die "the smoke playbook failed (log: $log)"; }
  sed -n '/^PLAY RECAP/,$p' "$log"
  grep -q "task path: $COLL/playbooks/underlay.yml:" "$log" || die "openvnet.openvnet.underlay did not run from $COLL"
  grep -q "task path: $COLL/roles/repos/tasks/main.yml:" "$log" || die "the repos role did not run from $COLL"
  grep -qxF "Using module file $COLL/plugins/modules/ovs_gre_port.py" "$log" || die "ovs_gre_port did not run from $COLL"
  # nothing may come from the checkout (its .venv holds ansible-core and the dependencies)
  if grep -F "$ROOT/" "$log" | grep -vF "$ROOT/.venv/" | grep -vF "$OUT/" > "$OUT/play-checkout.txt"; then
    head -5 "$OUT/play-checkout.txt"
    die "the smoke playbook used files of the checkout"
  fi
  (cd "$smoke" && ANSIBLE_COLLECTIONS_PATH=$INSTALL:$SITE_COLLECTIONS "$MAIN_BIN/ansible-doc" openvnet.openvnet.ovs_gre_port > "$OUT/ansible-doc.txt")
  head -1 "$OUT/ansible-doc.txt"
  grep -qF "$COLL/plugins/modules/ovs_gre_port.py" "$OUT/ansible-doc.txt" || die "ansible-doc did not read ovs_gre_port from $COLL"
  (cd "$smoke" && ANSIBLE_COLLECTIONS_PATH=$INSTALL:$SITE_COLLECTIONS "$MAIN_BIN/ansible-doc" -t filter openvnet.openvnet.topology > /dev/null)
  rm -rf "$smoke"
}

importer() {
  local log=$OUT/galaxy-importer.log
  # its own PATH: galaxy-importer runs ansible-doc and ansible-lint from the release venv
  # from $OUT: it writes importer_result.json into the current directory
  # its own HOME: its ansible-lint also reads ~/.ansible/collections (whatever the environment says),
  # where another copy of this collection may be, or be being written by Molecule beside it
  rm -rf "$OUT/home" && mkdir -p "$OUT/home"
  (cd "$OUT" && HOME=$OUT/home PATH=$REL_BIN:$PATH GALAXY_IMPORTER_CONFIG=$ROOT/tests/release/galaxy-importer.cfg \
    "$REL_BIN/python" -m galaxy_importer.main "$TARBALL") > "$log" 2>&1 \
    || { grep -vE '^Loading ' "$log" | tail -30; die "galaxy-importer failed (log: $log)"; }
  grep -vE '^Loading ' "$log"
  if grep -E '^(ERROR|WARNING|CRITICAL):' "$log" > "$OUT/galaxy-importer-findings.txt"; then
    die "galaxy-importer reported $(wc -l < "$OUT/galaxy-importer-findings.txt") error(s)/warning(s) (log: $log)"
  fi
  grep -qxF 'Importer processing completed successfully' "$log" || die "galaxy-importer did not complete (log: $log)"
}

docs() {
  # In the installed tree (ansible_collections/openvnet/openvnet). antsibull-docs copies the collection
  # and its dependencies (amazon.aws's doc fragments, from the release venv's pinned ansible package)
  # into a temporary tree, and copies only the files git tracks from a path inside a git work tree:
  # .build is inside the checkout but untracked, so without the ceiling it would copy nothing and
  # lint an empty collection. Git must not look above .build.
  export GIT_CEILING_DIRECTORIES=$ROOT/.build:$(dirname "$(realpath "$REL_VENV")"):$(dirname "$(realpath "$INSTALL")")
  ! git -C "$COLL" rev-parse --is-inside-work-tree > /dev/null 2>&1 || die "$COLL still counts as inside a git work tree"
  (cd "$COLL" && PATH=$REL_BIN:$PATH "$REL_BIN/antsibull-docs" lint-collection-docs --plugin-docs .)
  unset GIT_CEILING_DIRECTORIES
}

ee() {
  local context=$OUT/ee-context
  "$REL_BIN/ansible-builder" introspect --sanitize "$INSTALL" > "$OUT/ee-introspect.txt"
  cat "$OUT/ee-introspect.txt"
  local want
  for want in "boto3>=1.34.0  # from collection openvnet.openvnet" "botocore>=1.34.0  # from collection openvnet.openvnet" \
              "openssh-clients [platform:rpm]  # from collection openvnet.openvnet"; do
    grep -qF -- "$want" "$OUT/ee-introspect.txt" || die "ansible-builder introspect: missing '$want'"
  done
  rm -rf "$OUT/ee-src" "$context"
  mkdir -p "$OUT/ee-src"
  cp "$TARBALL" "$OUT/ee-src/openvnet-openvnet.tar.gz"
  "$REL_BIN/ansible-builder" create -f tests/release/execution-environment.yml -c "$context" \
    --output-filename Containerfile -v 2
  [ -f "$context/Containerfile" ] || die "no Containerfile in $context"
  cmp "$TARBALL" "$context/_build/collections/openvnet-openvnet.tar.gz" || die "the artifact is not in the build context"
  grep -qF 'collections/openvnet-openvnet.tar.gz' "$context/_build/requirements.yml" || die "the context's galaxy requirements do not install the artifact"
  grep -q 'introspect.py introspect' "$context/Containerfile" || die "the Containerfile does not introspect the collections"
  grep -q 'ansible-core==2.19.14' "$context/Containerfile" || die "the Containerfile does not pin ansible-core"
}

# Arguments: the parts to run (default: all, in this order); later parts need build and install's output.
ALL_PARTS=(venv changelog metadata build install play importer docs ee)
for p in "${@:-${ALL_PARTS[@]}}"; do
  [[ " ${ALL_PARTS[*]} " == *" $p "* ]] || die "unknown part '$p' (parts: ${ALL_PARTS[*]})"
  part "$p" "$p"
done
CURRENT=""
