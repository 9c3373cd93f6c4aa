"""Fuzz policy loading: safe YAML, schema validation, extends, rule options.

Any exception other than a PolicyError is a bug (a PolicylintError of another
kind is one too: a policy problem must be reported as a policy problem).
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _common import run_atheris, scratch

from policylint.config.policy import load_policy, validate_rule_settings
from policylint.config.yamlsafe import load_yaml
from policylint.errors import PolicyError
from policylint.plugins import rule_registry

_SCHEMAS = None


def TestOneInput(data: bytes) -> None:
    global _SCHEMAS
    if _SCHEMAS is None:
        _SCHEMAS = {n: e.rule.options_schema for n, e in rule_registry().items()}
    text = data.decode("utf-8", errors="replace")
    try:
        load_yaml(text, "fuzz.yaml")
    except PolicyError as err:
        assert "\n" not in str(err), repr(str(err))
    path = scratch() / "policylint.yaml"
    path.write_bytes(data)
    try:
        policy = load_policy(path)
        validate_rule_settings(policy, _SCHEMAS)
    except PolicyError as err:
        assert "\n" not in str(err), repr(str(err))


def main() -> None:
    run_atheris(TestOneInput)


if __name__ == "__main__":
    main()
