"""The layers do not reach up: hook specifications, roles, readers and the register
import nothing from the engine, the rules, the plugin manager or the command line.

Each module is imported in a fresh interpreter, so what another test imported
first cannot hide an upward import.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

UPPER = ("policylint.engine", "policylint.rules", "policylint.plugins", "policylint.cli",
         "policylint.reporters")
# module -> the packages it must not pull in (besides UPPER)
LOWER: dict[str, tuple[str, ...]] = {
    "policylint.hookspecs": ("policylint.io",),
    "policylint.roles": ("policylint.io",),
    "policylint.io.fields": (),
    "policylint.io.register.memory": (),
}


@pytest.mark.parametrize("module", sorted(LOWER))
def test_lower_layers_import_nothing_above_them(module: str) -> None:
    forbidden = UPPER + LOWER[module]
    code = (f"import sys, {module}\n"
            f"print('\\n'.join(m for m in sys.modules if m.startswith({forbidden!r})))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.split() == []


def test_engine_rule_still_exports_the_roles() -> None:
    from policylint import roles
    from policylint.engine import rule

    assert rule.FieldMap is roles.FieldMap
    assert rule.ADDRESS_ROLES is roles.ADDRESS_ROLES
    assert roles.ADDRESS_ROLES[0] == "address_line_1" and len(roles.ADDRESS_ROLES) == 7
