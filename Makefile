# One entry point for developers and CI. `make help` lists the targets.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV := .venv
PYTHON := $(CURDIR)/$(VENV)/bin/python
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
# ansible-test's pinned pip (ansible-core 2.19); see tests/support/get_pip_offline.py.
ANSIBLE_TEST_PIP := 24_2
COLLECTION_LINK := .build/collections/ansible_collections/openvnet/openvnet
SANITY_TREE := .build/sanity/ansible_collections/openvnet/openvnet
APT_PACKAGES := openvswitch-switch git rsync iproute2 util-linux docker.io debootstrap iptables
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: help setup apt venv link lint sanity unit integration molecule test main sandbox-stop clean

help:
	@echo "make setup        system packages, .venv, the collection link (idempotent)"
	@echo "make test         everything CI runs: lint sanity unit integration main"
	@echo "make main         the main job: site.yml on the local lab, verified, run twice"
	@echo "make lint | sanity | unit | integration | molecule [MOLECULE_ROLES=redis]"

setup: apt venv link $(HOME)/.ansible/test/cache/get_pip_$(ANSIBLE_TEST_PIP).py

apt:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq; \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

venv: $(VENV)/.installed

$(VENV)/.installed: requirements-dev.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q -r requirements-dev.txt
	touch $@

# ansible-playbook, ansible-doc and the tests find openvnet.openvnet through this link.
link:
	@mkdir -p $(dir $(COLLECTION_LINK))
	@ln -sfn ../../../.. $(COLLECTION_LINK)

$(HOME)/.ansible/test/cache/get_pip_$(ANSIBLE_TEST_PIP).py: tests/support/get_pip_offline.py
	mkdir -p $(dir $@)
	cp $< $@

lint: setup
	yamllint -s .
	ansible-lint

# ansible-test wants the collection under ansible_collections/NS/NAME in a git work tree.
sanity: setup
	rm -rf .build/sanity
	mkdir -p $(SANITY_TREE)
	git ls-files -z --cached --others --exclude-standard | rsync -a --from0 --files-from=- ./ $(SANITY_TREE)/
	cd $(SANITY_TREE) && git init -q && git add -A && \
	  ansible-test sanity --local --python 3.11 --color no

unit: setup
	python -m pytest -q tests/unit

integration: setup
	python -m pytest -q -n auto tests/integration

# Every role's scenario (roles/*/molecule/*) in a Debian 12 container with systemd.
MOLECULE_ROLES ?= $(patsubst roles/%/molecule,%,$(wildcard roles/*/molecule))
molecule: setup
	bash tests/molecule/image.sh
	@for role in $(MOLECULE_ROLES); do \
	  echo "== molecule test: $$role"; \
	  (cd roles/$$role && ANSIBLE_COLLECTIONS_PATH=$(CURDIR)/.build/collections molecule test --all) || exit 1; \
	done

test: lint sanity unit integration molecule main

# Until the VM lab exists, the lab is this machine's throwaway Open vSwitch.
main: setup
	$(PYTHON) tests/support/ovs_sandbox.py start .build/sandbox br0
	ansible-playbook -i inventories/sandbox/hosts.yml site.yml
	@echo "== second run: must change nothing"
	ansible-playbook -i inventories/sandbox/hosts.yml site.yml | tee .build/main-rerun.log
	@grep -Eq '^sv0 +: ok=[0-9]+ +changed=0 .*failed=0' .build/main-rerun.log
	@echo "== main job passed. Look: ovs-vsctl --db=unix:$(CURDIR)/.build/sandbox/db.sock show"
	@echo "   Stop the sandbox with: make sandbox-stop"

sandbox-stop:
	$(PYTHON) tests/support/ovs_sandbox.py stop .build/sandbox

clean: sandbox-stop
	rm -rf .build
