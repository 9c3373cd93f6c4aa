"""The README stays true: its commands, its rule list and its formats match the code."""

from __future__ import annotations

import re
from pathlib import Path

from policylint.plugins import reporter_registry, rule_registry

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
CI = (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text(encoding="utf-8")


def test_every_rule_is_in_the_readme_table() -> None:
    listed = set(re.findall(r"^\| `([a-z-]+)` \|", README, flags=re.MULTILINE))
    builtin = {name for name, entry in rule_registry().items() if entry.plugin == "policylint"}
    assert listed == builtin


def test_every_output_format_is_documented() -> None:
    for name in reporter_registry():
        assert f"`{name}`" in README


def test_ci_runs_the_readme_test_command() -> None:
    blocks = re.findall(r"```sh\n(.*?)\n```", README, flags=re.DOTALL)
    test_command = blocks[1].strip()
    assert test_command.endswith("pytest -n 2")
    assert "pytest -n 2" in CI


def test_readme_example_command_uses_the_shipped_example() -> None:
    first = re.findall(r"```sh\n(.*?)\n```", README, flags=re.DOTALL)[0]
    assert "policylint check examples/batch.csv --policy examples/policylint.yaml" in first
    assert (Path(__file__).resolve().parent.parent / "examples" / "batch.csv").is_file()


def test_pre_commit_manifest_runs_real_commands_on_templates() -> None:
    import yaml

    root = Path(__file__).resolve().parent.parent
    hooks = {h["id"]: h for h in yaml.safe_load((root / ".pre-commit-hooks.yaml").read_text())}
    lint = hooks["policylint"]
    assert lint["entry"].split()[:2] == ["policylint", "lint"]
    assert lint["language"] == "python" and lint["pass_filenames"] is True
    templates = sorted((root / "examples" / "templates").iterdir())
    assert templates and all(re.search(lint["files"], p.name) for p in templates)
    assert not re.search(lint["files"], "requirements.txt")
    assert hooks["policylint-check"]["entry"].split()[:2] == ["policylint", "check"]
