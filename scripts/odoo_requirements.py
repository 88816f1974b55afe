"""Print Odoo's Python requirements in a form that installs from wheels on Python 3.11.

Odoo 18 pins, for Python < 3.12, versions (cryptography 3.4.8, psycopg2 2.9.5, gevent 22.10,
...) that only exist as source archives and no longer build with current setuptools. The pins
Odoo chose for Python >= 3.12 (Ubuntu Noble) are wheels that also install on 3.11, so the
environment markers are evaluated as if the interpreter were 3.12.

Usage: python odoo_requirements.py /path/to/odoo/requirements.txt
"""

import sys

from packaging.requirements import Requirement

# Marker values the requirements are evaluated against (see module docstring).
MARKER_ENV = {"python_version": "3.12", "python_full_version": "3.12.0", "sys_platform": "linux"}

# The plain names that are swapped or left out, and why.
REPLACE = {
    # psycopg2 builds from source against libpq headers; the binary wheel is the same library.
    "psycopg2": "psycopg2-binary",
}
SKIP = {
    # Only used by auth_ldap (not a dependency of rental_risk) and needs libldap headers to build.
    "python-ldap",
    "pypiwin32",
    "rl-renderpm",
}


def wheel_friendly_requirements(lines):
    for raw in lines:
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        req = Requirement(line)
        if req.marker is not None and not req.marker.evaluate(MARKER_ENV):
            continue
        name = req.name.lower()
        if name in SKIP:
            continue
        req.marker = None
        text = str(req)
        if name in REPLACE:
            text = text.replace(req.name, REPLACE[name], 1)
        yield text


def main(argv):
    with open(argv[1], encoding="utf-8") as handle:
        for requirement in wheel_friendly_requirements(handle):
            print(requirement)


if __name__ == "__main__":
    main(sys.argv)
