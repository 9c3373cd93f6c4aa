"""Finding the policy: policylint.yaml in a parent, pyproject [tool.policylint], --policy."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from policylint.config.discovery import find_policy, load_discovered
from policylint.config.policy import load_policy, read_pyproject_table
from policylint.errors import PolicyError
from policylint.model import Severity

Write = Callable[[str, str], Path]


@pytest.fixture(autouse=True)
def _home_is_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Stop every upward search at tmp_path, so files above it cannot leak in."""
    monkeypatch.setenv("HOME", str(tmp_path))
    assert Path.home() == tmp_path


def test_found_in_a_parent_directory(write: Write, tmp_path: Path) -> None:
    policy = write("repo/policylint.yaml", "rules: {stale-address: warning}\n")
    start = tmp_path / "repo" / "mailings" / "2027-01"
    start.mkdir(parents=True)
    assert find_policy(start) == policy
    loaded = load_discovered(start, None)
    assert loaded.source == str(policy)
    setting = loaded.setting("stale-address")
    assert setting is not None and setting.severity is Severity.WARNING


def test_dot_file_and_precedence_within_a_directory(write: Write, tmp_path: Path) -> None:
    hidden = write("repo/.policylint.yaml", "version: 1\n")
    assert find_policy(tmp_path / "repo") == hidden
    visible = write("repo/policylint.yaml", "version: 1\n")
    assert find_policy(tmp_path / "repo") == visible


def test_nearest_directory_wins(write: Write, tmp_path: Path) -> None:
    write("policylint.yaml", "version: 1\n")
    inner = write("a/b/pyproject.toml", "[tool.policylint]\nversion = 1\n")
    assert find_policy(tmp_path / "a" / "b") == inner
    assert find_policy(tmp_path / "a") == tmp_path / "policylint.yaml"


def test_start_may_be_a_file(write: Write, tmp_path: Path) -> None:
    policy = write("policylint.yaml", "version: 1\n")
    batch = write("batch.csv", "person_id\n")
    assert find_policy(batch) == policy


def test_nothing_found_gives_empty_policy(tmp_path: Path) -> None:
    (tmp_path / "deep" / "er").mkdir(parents=True)
    assert find_policy(tmp_path / "deep" / "er") is None
    policy = load_discovered(tmp_path / "deep" / "er", None)
    assert policy.source is None and policy.rules == {}


def test_search_stops_at_stop_at(write: Write, tmp_path: Path) -> None:
    write("policylint.yaml", "version: 1\n")
    (tmp_path / "home" / "proj").mkdir(parents=True)
    assert find_policy(tmp_path / "home" / "proj", stop_at=tmp_path / "home") is None
    assert find_policy(tmp_path / "home" / "proj", stop_at=tmp_path) is not None


def test_pyproject_without_table_is_skipped(write: Write, tmp_path: Path) -> None:
    outer = write("policylint.yaml", "version: 1\n")
    write("proj/pyproject.toml", "[project]\nname = 'x'\n[tool.ruff]\nline-length = 100\n")
    write("other/pyproject.toml", "[tool.policylintish]\nx = 1\n")
    assert find_policy(tmp_path / "proj") == outer
    assert find_policy(tmp_path / "other") == outer


def test_pyproject_tool_policylint(write: Write, tmp_path: Path) -> None:
    pyproject = write(
        "proj/pyproject.toml",
        '[project]\nname = "mailings"\n\n'
        "[tool.policylint]\n"
        'extends = ["uk-local-gov"]\n'
        'register = "data/register"\n'
        "\n"
        "[tool.policylint.rules]\n"
        "stale-address = { max_age_days = 200 }\n"
        'merge-integrity = "off"\n'
        "\n"
        "[[tool.policylint.suppressions]]\n"
        'rule = "stale-address"\n'
        'reason = "checked"\n'
        "expires = 2027-01-31\n",
    )
    start = tmp_path / "proj" / "batches"
    start.mkdir()
    assert find_policy(start) == pyproject
    policy = load_discovered(start, None)
    assert policy.files[-1] == str(pyproject)
    assert policy.files[0].endswith("uk-local-gov.yaml")
    assert policy.register == str(tmp_path / "proj" / "data" / "register")
    stale = policy.setting("stale-address")
    assert stale is not None and stale.severity is Severity.ERROR
    assert stale.options["max_age_days"] == 200
    assert stale.line == 9
    merge = policy.setting("merge-integrity")
    assert merge is not None and not merge.enabled
    assert policy.suppressions[0].line == 12


def test_pyproject_schema_error_names_key(write: Write) -> None:
    pyproject = write(
        "pyproject.toml",
        "[tool.policylint]\nversion = 1\n\n"
        '[tool.policylint.rules.stale-address]\nseverity = "fatal"\n',
    )
    with pytest.raises(PolicyError) as info:
        load_policy(pyproject)
    err = info.value
    assert err.file == str(pyproject)
    assert err.key == "rules.stale-address.severity"
    assert err.line == 5
    assert "got 'fatal'" in err.message and "\n" not in str(err)


def test_pyproject_unknown_key(write: Write) -> None:
    pyproject = write("pyproject.toml", "[tool.policylint]\nrulez = {}\n")
    with pytest.raises(PolicyError, match="did you mean 'rules'") as info:
        load_policy(pyproject)
    assert (info.value.line, info.value.key) == (2, "rulez")


def test_invalid_toml_names_line(write: Write) -> None:
    pyproject = write("pyproject.toml", "[tool.policylint]\nversion = \n")
    with pytest.raises(PolicyError, match="invalid TOML") as info:
        find_policy(pyproject.parent)
    assert info.value.line == 2
    assert info.value.file == str(pyproject)


def test_explicit_policy_wins(write: Write, tmp_path: Path) -> None:
    write("policylint.yaml", "rules: {a: error}\n")
    explicit = write("elsewhere/custom.yml", "rules: {b: info}\n")
    policy = load_discovered(tmp_path, explicit)
    assert set(policy.rules) == {"b"}
    with pytest.raises(PolicyError, match="not found"):
        load_discovered(tmp_path, tmp_path / "missing.yaml")


def test_explicit_pyproject_without_table(write: Write) -> None:
    pyproject = write("pyproject.toml", "[project]\nname = 'x'\n")
    assert read_pyproject_table(pyproject) is None
    with pytest.raises(PolicyError, match=r"no \[tool.policylint\] table"):
        load_policy(pyproject)
