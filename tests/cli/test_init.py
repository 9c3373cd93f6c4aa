"""`policylint init`: a starter policy that runs on the example as written, lists every
built-in rule with its default, and can be fitted to a real batch's header."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from policylint.cli import cli
from policylint.plugins import rule_registry

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture
def example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for part in ("register", "templates"):
        shutil.copytree(EXAMPLES / part, tmp_path / part)
    shutil.copy(EXAMPLES / "batch.csv", tmp_path / "batch.csv")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("args", [(), ("--from-batch", "batch.csv")])
def test_the_starter_runs_on_the_example_as_written(example: Path,
                                                    args: tuple[str, ...]) -> None:
    run = CliRunner().invoke
    assert run(cli, ["init", *args]).exit_code == 0
    result = run(cli, ["check", "batch.csv", "--today", "2026-11-26", "--statistics"])
    assert result.exit_code == 1, result.output  # findings, not a policy or input error
    assert "stale-address[previous-address]" in result.stdout


def test_every_built_in_rule_is_listed_with_its_default(example: Path) -> None:
    CliRunner().invoke(cli, ["init"])
    text = (example / "policylint.yaml").read_text(encoding="utf-8")
    for name, entry in rule_registry().items():
        if entry.plugin == "policylint":
            assert f"  # {name}: {entry.rule.default_severity.value}\n" in text, name
    assert yaml.safe_load(text)["rules"] == {}  # the pack's own severities apply


def test_from_batch_maps_the_roles_of_a_real_header(example: Path) -> None:
    (example / "export.csv").write_text(
        "Tenant Ref,Surname,Forename,Address Line 1,Post Code,Mobile,Account Ref\n"
        "T-1,Lee,Ann,1 Elm Rd,PE1 1AA,07700 900123,A-1\n", encoding="utf-8")
    assert CliRunner().invoke(cli, ["init", "--from-batch", "export.csv"]).exit_code == 0
    fields = yaml.safe_load((example / "policylint.yaml").read_text(encoding="utf-8"))["fields"]
    assert fields["address_line_1"] == "Address Line 1"
    assert fields["postcode"] == "Post Code" and fields["phone"] == "Mobile"
    assert fields["reference"] == "Account Ref"
    assert "recipient_id" not in fields  # no default header matched: left for the user


def test_init_refuses_to_overwrite(example: Path) -> None:
    (example / "policylint.yaml").write_text("version: 1\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["init"])
    assert result.exit_code == 2 and "not overwriting" in result.output
