#!/usr/bin/env bash
# sanity_tree.sh DEST PYTHON: the tree ansible-test wants, DEST/ansible_collections/openvnet/openvnet,
# a copy of this checkout's files (tracked and untracked, not ignored; files deleted but still in the
# index are skipped) in its own git work tree, with the amazon.aws of PYTHON's `ansible` package beside
# it (aws_tunnel_eni builds on its module_utils and doc fragments, as Galaxy installs it).
# Used by `make sanity` and tests/matrix/run.sh.
set -euo pipefail
dest=$1 python=$2
cd "$(dirname "$0")/../.."
rm -rf "$dest"
mkdir -p "$dest/ansible_collections/openvnet/openvnet"
git ls-files -z --cached --others --exclude-standard |
  rsync -a --from0 --ignore-missing-args --files-from=- ./ "$dest/ansible_collections/openvnet/openvnet/"
ln -s "$("$python" -c 'import ansible_collections.amazon as a; print(list(a.__path__)[0])')" \
  "$dest/ansible_collections/amazon"
cd "$dest/ansible_collections/openvnet/openvnet" && git init -q && git add -A
