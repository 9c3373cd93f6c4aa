"""The plugin API: third-party rules arrive through the ``policylint`` entry-point group,
clash loudly, and the built-in rules come in through the very same hook.

The third-party plugin is the real one in ``plugins/policylint-sms-length``, "installed"
for the test only: a ``.dist-info`` directory with its entry point on a temporary
``sys.path`` entry, which is what ``pip install`` leaves in site-packages.
"""

from __future__ import annotations

import importlib.metadata
import json
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import ModuleType, SimpleNamespace

import pluggy
import pytest
from click.testing import CliRunner

from policylint import hookspecs
from policylint.cli import cli
from policylint.engine.rule import Rule
from policylint.errors import PolicylintError
from policylint.hookspecs import hookimpl
from policylint.plugins import ENTRY_POINT_GROUP, get_plugin_manager, rule_registry
from policylint.rules import BUILTIN_RULES
from policylint.rules.stale_address import StaleAddress

ROOT = Path(__file__).resolve().parent.parent
PLUGIN_DIR = ROOT / "plugins" / "policylint-sms-length"
MODULE = "policylint_sms_length"
DIST = "policylint-sms-length"
# Someone who followed the plugin's README in this environment has it for real: then the
# tests that show the plugin absent without the fake install have nothing to show.
REALLY_INSTALLED = any(ep.name == "sms_length"
                       for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP))
needs_uninstalled = pytest.mark.skipif(
    REALLY_INSTALLED, reason="policylint-sms-length is installed in this environment")


def fresh_plugin_manager() -> pluggy.PluginManager:
    """A new manager built by get_plugin_manager's own code, bypassing its cache."""
    return get_plugin_manager.__wrapped__()


@pytest.fixture
def plugin_importable(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The plugin's module importable (its source directory on sys.path), imported afresh,
    and whatever was in sys.modules put back afterwards. No entry point yet."""
    get_plugin_manager()  # the cached manager is built before, so it never sees the plugin
    saved = sys.modules.pop(MODULE, None)
    monkeypatch.syspath_prepend(str(PLUGIN_DIR))
    yield
    sys.modules.pop(MODULE, None)
    if saved is not None:
        sys.modules[MODULE] = saved


@pytest.fixture
def installed(plugin_importable: None, tmp_path: Path,
              monkeypatch: pytest.MonkeyPatch) -> Path:
    """What `pip install ./plugins/policylint-sms-length` leaves behind, in tmp_path."""
    site = tmp_path / "site-packages"
    dist_info = site / "policylint_sms_length-0.1.0.dist-info"
    dist_info.mkdir(parents=True)
    (dist_info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {DIST}\nVersion: 0.1.0\nRequires-Dist: policylint\n",
        encoding="utf-8")
    (dist_info / "entry_points.txt").write_text(
        f"[{ENTRY_POINT_GROUP}]\nsms_length = {MODULE}\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(site))
    return site


# --- (a) a third-party plugin found through the entry-point group ----------------------


def test_installed_plugin_is_found_through_its_entry_point(installed: Path) -> None:
    assert MODULE not in sys.modules
    pm = fresh_plugin_manager()
    registry = rule_registry(pm)

    entry = registry["sms-length"]
    assert entry.plugin == "sms_length"  # the entry point's name labels the plugin
    assert entry.rule.__module__ == MODULE
    module = sys.modules[MODULE]  # imported by the entry point, from the plugin's source
    assert Path(str(module.__file__)).parent == PLUGIN_DIR
    assert pm.get_plugin("sms_length") is module
    [dist] = [d for p, d in pm.list_plugin_distinfo() if p is module]
    assert (dist.project_name, dist.version) == (DIST, "0.1.0")

    # ...next to every built-in rule, which stays labelled as policylint's own.
    for rule in BUILTIN_RULES:
        assert registry[rule.name].rule is rule
        assert registry[rule.name].plugin == "policylint"
    assert set(registry) == {r.name for r in BUILTIN_RULES} | {"sms-length"}


@needs_uninstalled
def test_importable_is_not_enough_without_the_entry_point(plugin_importable: None) -> None:
    registry = rule_registry(fresh_plugin_manager())
    assert "sms-length" not in registry
    assert set(registry) == {r.name for r in BUILTIN_RULES}


@needs_uninstalled
def test_the_cached_manager_is_untouched(installed: Path) -> None:
    assert "sms-length" in rule_registry(fresh_plugin_manager())
    assert "sms-length" not in rule_registry(get_plugin_manager())


def test_installed_rule_runs_from_the_command_line(
        installed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """End to end: discovered by the CLI, configured by the policy, reported and masked."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "reminder.j2").write_text(
        "---\nname: reminder\nchannel: sms\n---\nHello {{ first_name }}, your garden waste "
        "collection moves to Saturday this week. Bins out by 7am please. Details at "
        "fenmarsh.gov.uk/bins or call 01632 960000.\n", encoding="utf-8")
    (project / "policylint.yaml").write_text(
        "version: 1\ntemplates:\n  - path: '*.j2'\n"
        "rules:\n  sms-length: {severity: error, max_fragments: 1}\n", encoding="utf-8")
    (project / "batch.csv").write_text(
        "recipient_id,first_name,phone,channel,template\n"
        "P-1,Sian,07700 900123,sms,reminder\n"     # 147 GSM characters: one fragment
        "P-2,Michał,07700 900456,sms,reminder\n",  # ł makes it Unicode: three fragments
        encoding="utf-8")
    monkeypatch.chdir(project)
    get_plugin_manager.cache_clear()  # the CLI's own manager: rebuilt with the plugin...
    try:
        result = CliRunner().invoke(cli, [
            "check", "batch.csv", "--select", "sms-length", "--format", "json",
            "--today", "2026-11-26"], catch_exceptions=False)
        rules = CliRunner().invoke(cli, ["rules", "--format", "json"], catch_exceptions=False)
    finally:
        monkeypatch.undo()  # the fake install off sys.path, then the CLI's manager is
        get_plugin_manager.cache_clear()  # ...rebuilt without it for every test after
    assert result.exit_code == 1, result.output
    findings = json.loads(result.output)
    findings = findings["findings"] if isinstance(findings, dict) else findings
    assert [(f["rule"], f["code"], f["row"], f["severity"]) for f in findings] == [
        ("sms-length", "too-many-fragments", 3, "error")]
    assert "U+0142" in findings[0]["message"]
    assert "Micha" not in result.output  # the rendered text is never quoted
    listed = {r["name"]: r for r in json.loads(rules.output)}
    assert listed["sms-length"]["plugin"] == "sms_length"
    assert ("sms-length" in rule_registry(get_plugin_manager())) is REALLY_INSTALLED


# --- (b) a rule name clash between two plugins -----------------------------------------


def _rule(name: str) -> type[Rule]:
    return type(f"Rule_{name.replace('-', '_')}", (Rule,), {"name": name, "summary": name})


def _plugin(*rules: type[Rule]) -> SimpleNamespace:
    @hookimpl
    def policylint_rules() -> Sequence[type[Rule]]:
        return rules

    return SimpleNamespace(policylint_rules=policylint_rules)


def _bare_manager() -> pluggy.PluginManager:
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    return pm


def test_rule_name_clash_between_two_plugins_names_both() -> None:
    pm = _bare_manager()
    pm.register(_plugin(_rule("sms-length")), name="acme_sms")
    pm.register(_plugin(_rule("postcode-format"), _rule("sms-length")), name="borough_texts")
    with pytest.raises(PolicylintError, match="rule 'sms-length'") as raised:
        rule_registry(pm)
    assert "acme_sms" in str(raised.value) and "borough_texts" in str(raised.value)


def test_a_plugin_cannot_quietly_replace_a_builtin_rule(installed: Path) -> None:
    pm = fresh_plugin_manager()
    pm.register(_plugin(_rule("stale-address")), name="lenient_addresses")
    with pytest.raises(PolicylintError) as raised:
        rule_registry(pm)
    message = str(raised.value)
    assert "'stale-address'" in message
    assert "policylint" in message and "lenient_addresses" in message


def test_the_same_rule_class_twice_is_not_a_clash() -> None:
    pm = _bare_manager()
    pm.register(_plugin(StaleAddress), name="one")
    pm.register(_plugin(StaleAddress), name="two")
    assert rule_registry(pm)["stale-address"].rule is StaleAddress


def test_distinct_names_from_two_plugins_both_register() -> None:
    pm = _bare_manager()
    first, second = _rule("postcode-format"), _rule("sms-length")
    pm.register(_plugin(first), name="acme_sms")
    pm.register(_plugin(second), name="borough_texts")
    registry = rule_registry(pm)
    assert {n: (e.rule, e.plugin) for n, e in registry.items()} == {
        "postcode-format": (first, "acme_sms"), "sms-length": (second, "borough_texts")}


def test_a_rule_without_a_name_is_refused() -> None:
    pm = _bare_manager()
    pm.register(_plugin(_rule("")), name="careless")
    with pytest.raises(PolicylintError, match="careless"):
        rule_registry(pm)


# --- (c) the built-in rules come through the same hook ---------------------------------


def test_builtin_rules_are_registered_through_the_rules_hook() -> None:
    import policylint.rules

    pm = fresh_plugin_manager()
    assert policylint.rules in pm.get_plugins()
    assert pm.get_name(policylint.rules) == "policylint:policylint.rules"
    impls = [i for i in pm.hook.policylint_rules.get_hookimpls()
             if isinstance(i.plugin, ModuleType) and i.plugin.__name__.startswith("policylint.")]
    assert [i.plugin for i in impls] == [policylint.rules]
    assert impls[0].function() == BUILTIN_RULES
    registry = rule_registry(pm)
    for rule in BUILTIN_RULES:
        assert registry[rule.name].plugin == "policylint"


def test_a_blocked_builtin_plugin_takes_its_rules_with_it() -> None:
    """Proof the built-ins arrive only through the hook: without the plugin, no rules."""
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    pm.set_blocked("policylint:policylint.rules")
    import policylint.rules

    assert pm.register(policylint.rules, name="policylint:policylint.rules") is None
    assert rule_registry(pm) == {}
