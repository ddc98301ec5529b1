"""Stand-in for the get-pip.py that ansible-test downloads from a host this
machine cannot reach. `make setup` copies it to ansible-test's cache path.

It installs pip from the standard library (ensurepip), then lets that pip
install what ansible-test asked for, from the package index pip is configured
to use.
"""
import ensurepip
import os
import subprocess
import sys

ensurepip.bootstrap(upgrade=True)
# ensurepip points PIP_CONFIG_FILE at /dev/null, which hides the machine's pip
# configuration (index, CA bundle): drop it before pip runs.
os.environ.pop('PIP_CONFIG_FILE', None)
args = [a for a in sys.argv[1:] if a not in ('--no-setuptools', '--no-wheel')]
sys.exit(subprocess.call([sys.executable, '-m', 'pip', 'install'] + args))
