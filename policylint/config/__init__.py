"""The policy (configuration) layer: safe YAML, the policy schema, loading and discovery."""

from __future__ import annotations

from policylint.config.discovery import POLICY_FILENAMES, find_policy, load_discovered
from policylint.config.policy import (
    Policy,
    RuleSetting,
    Suppression,
    TemplateSpec,
    available_packs,
    builtin_pack_dir,
    empty_policy,
    load_policy,
    read_pyproject_table,
    validate_rule_settings,
)
from policylint.config.schema import POLICY_SCHEMA, ROLES
from policylint.config.yamlsafe import load_yaml

__all__ = [
    "POLICY_FILENAMES",
    "POLICY_SCHEMA",
    "ROLES",
    "Policy",
    "RuleSetting",
    "Suppression",
    "TemplateSpec",
    "available_packs",
    "builtin_pack_dir",
    "empty_policy",
    "find_policy",
    "load_discovered",
    "load_policy",
    "load_yaml",
    "read_pyproject_table",
    "starter_policy",
    "validate_rule_settings",
]


def starter_policy() -> str:
    """The commented starter ``policylint.yaml`` that ``policylint init`` writes."""
    from policylint.config.starter import starter_text
    from policylint.plugins import rule_registry  # late: plugins import the rules

    return starter_text({name: entry.rule for name, entry in rule_registry().items()})
