"""The plugin manager: built-in plugins and third-party ones, registered alike."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import cast

import pluggy

from policylint import hookspecs
from policylint.engine.rule import Rule
from policylint.errors import PolicylintError
from policylint.reporters.base import Reporter

ENTRY_POINT_GROUP = "policylint"


def builtin_plugins() -> Sequence[ModuleType]:
    # Imported here so that importing policylint.plugins stays cheap.
    import policylint.io.batch
    import policylint.io.register
    import policylint.io.register.sql
    import policylint.reporters
    import policylint.rules

    return (policylint.rules, policylint.io.batch, policylint.io.register, policylint.reporters,
            policylint.io.register.sql)


@functools.lru_cache(maxsize=1)
def get_plugin_manager() -> pluggy.PluginManager:
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    for module in builtin_plugins():
        pm.register(module, name=f"policylint:{module.__name__}")
    pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
    return pm


@dataclass(frozen=True)
class RuleEntry:
    rule: type[Rule]
    plugin: str


def _plugin_label(pm: pluggy.PluginManager, plugin: object) -> str:
    name = pm.get_name(plugin) or "unknown"
    return "policylint" if name.startswith("policylint:") else name


def rule_registry(pm: pluggy.PluginManager | None = None) -> dict[str, RuleEntry]:
    """Every rule by name, with the plugin that provides it; a name clash is an error."""
    pm = pm or get_plugin_manager()
    registry: dict[str, RuleEntry] = {}
    for impl in pm.hook.policylint_rules.get_hookimpls():
        label = _plugin_label(pm, impl.plugin)
        rules = cast(Sequence[type[Rule]], impl.function())
        for rule in rules:
            if not rule.name:
                raise PolicylintError(f"plugin {label} provides a rule class without a name")
            existing = registry.get(rule.name)
            if existing is not None and existing.rule is not rule:
                raise PolicylintError(
                    f"rule '{rule.name}' is provided by both {existing.plugin} and {label}")
            registry[rule.name] = RuleEntry(rule, label)
    return dict(sorted(registry.items()))


def reporter_registry(pm: pluggy.PluginManager | None = None) -> dict[str, type[Reporter]]:
    pm = pm or get_plugin_manager()
    registry: dict[str, type[Reporter]] = {}
    for reporters in pm.hook.policylint_reporters():
        for reporter in reporters:
            registry.setdefault(reporter.name, reporter)
    return registry
