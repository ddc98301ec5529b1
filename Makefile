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
APT_PACKAGES := openvswitch-switch python3-os-ken git rsync iproute2 util-linux docker.io debootstrap iptables nftables qemu-system-x86 qemu-utils openssh-client e2fsprogs
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: help setup apt venv link lint sanity unit integration molecule release-check matrix checks lab-image lab-up lab-down lab-test test main bench clean

help:
	@echo "make setup        system packages, .venv, the collection link (idempotent)"
	@echo "make test         everything CI runs: lab-test, and beside it (nice 10) make checks in two streams"
	@echo "make checks       $(CHECKS), one after another"
	@echo "make main         the main job: site.yml on the local lab (3 VMs), verified, run twice"
	@echo "make lint | sanity | unit | integration | molecule [MOLECULE_ROLES=redis] | release-check | matrix | lab-test"
	@echo "make bench        benchmarks: hub scale vs openvswitch.openvswitch, module calls, lab timings"
	@echo "make lab-up | lab-down"

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
	@[ "$$(readlink $(COLLECTION_LINK))" = ../../../.. ] || ln -sfn ../../../.. $(COLLECTION_LINK)

$(HOME)/.ansible/test/cache/get_pip_$(ANSIBLE_TEST_PIP).py: tests/support/get_pip_offline.py
	mkdir -p $(dir $@)
	cp $< $@

lint: setup
	yamllint -s .
	ansible-lint

# ansible-test wants the collection under ansible_collections/NS/NAME in a git work tree.
sanity: setup
	bash tests/support/sanity_tree.sh .build/sanity $(PYTHON)
	cd $(SANITY_TREE) && ansible-test sanity --local --python 3.11 --color no

# Plugins that run on the controller (filters) get their own process: importing
# controller code makes modules send warnings to the console instead of their result.
unit: setup
	python -m pytest -q tests/unit --ignore=tests/unit/plugins/filter
	python -m pytest -q tests/unit/plugins/filter

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

# What a Galaxy user gets, checked from the built artifact installed into an empty collections
# path: changelog, metadata, build_ignore, a playbook/role/module run from it, galaxy-importer,
# antsibull-docs, ansible-builder create (tests/release/check.sh says more).
release-check: setup
	bash tests/release/check.sh

# The other ansible-core lines meta/runtime.yml claims (2.16 for EL7 hosts: sanity, unit, the OVS and
# OpenVNet integration tests; 2.17 and 2.18: part of sanity, unit), vermin for Python 3.6 targets,
# compile tests on every Python here (tests/matrix/run.sh says more).
matrix: setup
	bash tests/matrix/run.sh

# The lab: three QEMU VMs (tests/lab). lab-test runs the main job end to end on a
# fresh lab: site.yml, a no-op second run, reboots, an inventory change, teardown.
LAB_INVENTORY := inventories/lab/hosts.yml
lab-image: setup
	bash tests/lab/image.sh

lab-up: lab-image
	$(PYTHON) tests/lab/lab.py up
	$(PYTHON) tests/lab/lab.py prepare

lab-down:
	$(PYTHON) tests/lab/lab.py down

lab-test: lab-image
	python -m pytest -q -s --durations=0 tests/lab

# Every check but the lab, one after another, each timed; all run even if one fails.
CHECKS_1 := lint sanity unit integration release-check
CHECKS_2 := molecule matrix
CHECKS := $(CHECKS_1) $(CHECKS_2)
checks: setup
	@failed=""; for t in $(CHECKS); do \
	  start=$$SECONDS; echo "== $$t"; \
	  if $(MAKE) --no-print-directory $$t; then echo "== $$t passed in $$((SECONDS - start)) s"; \
	  else echo "== $$t FAILED after $$((SECONDS - start)) s"; failed="$$failed $$t"; fi; \
	done; [ -z "$$failed" ] || { echo "== failed:$$failed"; exit 1; }

# The lab is the critical path (QEMU software emulation): the other checks run beside it in
# two streams at a lower CPU priority (nice 10, Docker's daemon and so the Molecule containers
# too) and fill the time it leaves idle. Their output goes to .build/checks-N.log, printed
# when all are done.
test: setup
	@nice -n 10 bash tests/molecule/image.sh --daemon-only
	@start=$$SECONDS; rm -f .build/checks-*.log .build/checks-*.rc; \
	for n in 1 2; do \
	  ( if [ $$n = 1 ]; then list="$(CHECKS_1)"; else list="$(CHECKS_2)"; fi; \
	    nice -n 10 $(MAKE) --no-print-directory checks CHECKS="$$list" > .build/checks-$$n.log 2>&1; \
	    echo $$? > .build/checks-$$n.rc ) & \
	done; \
	lab=0; $(MAKE) --no-print-directory lab-test || lab=$$?; \
	echo "== lab-test exited $$lab after $$((SECONDS - start)) s; waiting for the checks"; \
	wait; rc=$$lab; \
	for n in 1 2; do \
	  echo "== checks $$n (.build/checks-$$n.log):"; cat .build/checks-$$n.log; \
	  [ "$$(cat .build/checks-$$n.rc 2>/dev/null)" = 0 ] || rc=1; \
	done; \
	grep -h '^== .* \(passed in\|FAILED after\)' .build/checks-*.log || true; \
	echo "== make test: lab-test exited $$lab; $$((SECONDS - start)) s in all"; \
	exit $$rc

# Benchmarks (figures, not pass/fail): hub scale against openvswitch.openvswitch, each
# module's external calls on a no-op, and the lab's site.yml timings. About 40 minutes.
bench: setup lab-image
	python bench/hub_scale.py
	python bench/module_calls.py
	python bench/registrations.py
	python bench/lab.py

# The main job: a fresh lab, site.yml (which ends with its verification), then again
# to show it changes nothing. The lab stays up to look at; `make lab-down` stops it.
main: lab-up
	ansible-playbook -i $(LAB_INVENTORY) site.yml
	@echo "== second run: must change nothing"
	ansible-playbook -i $(LAB_INVENTORY) site.yml | tee .build/main-rerun.log
	@! grep -E '^sv[0-9] +: .*changed=[1-9]' .build/main-rerun.log
	@echo "== main job passed. The lab is up:"
	@$(PYTHON) tests/lab/lab.py status
	@echo "   ssh -i .build/lab/id_ed25519 -p 2220 root@127.0.0.1 ovs-vsctl show   (the hub)"
	@echo "   ssh -i .build/lab/id_ed25519 -p 2221 root@127.0.0.1 ping 10.0.0.2    (sv1 to sv2 over GRE)"
	@echo "   make lab-down    to stop it"

clean: lab-down
	rm -rf .build
