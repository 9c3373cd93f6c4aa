"""Baselines: fingerprints only, deterministic, strict about what they read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policylint import __version__
from policylint.engine.baseline import filter_baseline, load_baseline, write_baseline
from policylint.errors import InputError
from policylint.model import Finding, Severity


def _finding(fp: str, rule: str = "stale-address", code: str = "previous-address",
             message: str = "Letter to J. S***, 10 H*** St") -> Finding:
    return Finding(rule=rule, severity=Severity.ERROR, message=message, file="batch.csv",
                   code=code, row=5, recipient_id="P-1043", column="address_line_1",
                   fingerprint=fp)


@pytest.fixture
def findings() -> list[Finding]:
    return [
        _finding("fp-b"),
        _finding("fp-a", rule="voicemail-content", code="surname"),
        _finding("fp-b"),  # same finding twice (duplicate rows): one entry
        _finding("fp-c", rule="merge-integrity", code="placeholder"),
        _finding(""),  # no fingerprint: cannot be baselined
    ]


def test_round_trip(tmp_path: Path, findings: list[Finding]) -> None:
    path = tmp_path / "baseline.json"
    assert write_baseline(path, findings) == 3
    assert load_baseline(path) == frozenset({"fp-a", "fp-b", "fp-c"})


def test_file_holds_fingerprints_only_sorted(tmp_path: Path, findings: list[Finding]) -> None:
    path = tmp_path / "baseline.json"
    write_baseline(path, findings, reason="accepted by the DPO, ticket 4411",
                   written="2026-12-01T09:00:00+00:00")
    text = path.read_text()
    doc = json.loads(text)
    assert doc == {
        "version": 1,
        "tool": "policylint",
        "policylint_version": __version__,
        "written": "2026-12-01T09:00:00+00:00",
        "reason": "accepted by the DPO, ticket 4411",
        "findings": [
            {"fingerprint": "fp-c", "rule": "merge-integrity", "code": "placeholder"},
            {"fingerprint": "fp-b", "rule": "stale-address", "code": "previous-address"},
            {"fingerprint": "fp-a", "rule": "voicemail-content", "code": "surname"},
        ],
    }
    for leaked in ("J. S***", "H***", "P-1043", "batch.csv", "address_line_1"):
        assert leaked not in text
    assert text.endswith("\n")


def test_output_independent_of_input_order(tmp_path: Path, findings: list[Finding]) -> None:
    one, two = tmp_path / "one.json", tmp_path / "two.json"
    write_baseline(one, findings)
    write_baseline(two, list(reversed(findings)))
    assert one.read_bytes() == two.read_bytes()


def test_write_replaces_atomically(tmp_path: Path, findings: list[Finding]) -> None:
    path = tmp_path / "baseline.json"
    path.write_text("old")
    write_baseline(path, findings[:1])
    assert load_baseline(path) == frozenset({"fp-b"})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["baseline.json"]


def test_empty_baseline(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    assert write_baseline(path, []) == 0
    assert load_baseline(path) == frozenset()


def test_filter(findings: list[Finding]) -> None:
    kept, hidden = filter_baseline(findings, frozenset({"fp-b", "fp-zzz"}))
    assert hidden == 2
    assert [f.fingerprint for f in kept] == ["fp-a", "fp-c", ""]
    kept, hidden = filter_baseline(findings, frozenset({""}))
    assert hidden == 0 and len(kept) == len(findings)  # empty fingerprints never hidden


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.json"
    with pytest.raises(InputError, match="baseline file not found") as info:
        load_baseline(path)
    assert info.value.file == str(path)


def test_invalid_json_names_line(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    path.write_text('{\n  "version": 1,\n  "findings": [,]\n}\n')
    with pytest.raises(InputError, match="not valid JSON") as info:
        load_baseline(path)
    assert info.value.file == str(path)
    assert info.value.line == 3
    assert str(info.value).startswith(f"{path}, line 3: ")


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    path.write_bytes(b'{"version": 1, "findings": ["\xff"]}')
    with pytest.raises(InputError, match="not UTF-8"):
        load_baseline(path)


def test_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    path.write_bytes(b'\xef\xbb\xbf{"version": 1, "findings": [{"fingerprint": "x"}]}')
    assert load_baseline(path) == frozenset({"x"})


@pytest.mark.parametrize(
    ("document", "key", "match"),
    [
        ([], None, "must be a JSON object"),
        ({"findings": []}, "version", "unsupported baseline version None"),
        ({"version": 2, "findings": []}, "version", "unsupported baseline version 2"),
        ({"version": True, "findings": []}, "version", "unsupported baseline version True"),
        ({"version": 1}, "findings", "'findings' must be a list"),
        ({"version": 1, "findings": {"fingerprint": "x"}}, "findings", "must be a list"),
        ({"version": 1, "findings": ["x"]}, "findings[0].fingerprint", "non-empty string"),
        ({"version": 1, "findings": [{"fingerprint": "a"}, {"fingerprint": 3}]},
         "findings[1].fingerprint", "non-empty string"),
        ({"version": 1, "findings": [{"fingerprint": ""}]}, "findings[0].fingerprint",
         "non-empty string"),
    ],
)
def test_wrong_shape(tmp_path: Path, document: object, key: str | None, match: str) -> None:
    path = tmp_path / "baseline.json"
    path.write_text(json.dumps(document))
    with pytest.raises(InputError, match=match) as info:
        load_baseline(path)
    assert info.value.file == str(path)
    assert info.value.key == key


def test_directory_is_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read baseline"):
        load_baseline(tmp_path)


def test_stale_entries_are_reported_so_the_baseline_shrinks(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    from click.testing import CliRunner

    from policylint.cli import cli
    from tests.cli.mailing import HEADER, TODAY, good_row, write_register

    write_register(tmp_path / "register", 3)
    (tmp_path / "policylint.yaml").write_text("version: 1\nregister: ./register\n",
                                              encoding="utf-8")
    rows = [good_row(1), good_row(2).replace("Patel", "Shah"), good_row(3)]
    (tmp_path / "batch.csv").write_text(HEADER + "".join(rows), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    run = CliRunner().invoke
    written = run(cli, ["check", "batch.csv", "--today", TODAY, "--write-baseline", "b.json",
                        "--baseline-reason", "known typo, fixed in the source system"])
    assert written.exit_code == 0
    doc = json.loads((tmp_path / "b.json").read_text(encoding="utf-8"))
    assert doc["reason"] == "known typo, fixed in the source system" and doc["written"]
    still = run(cli, ["check", "batch.csv", "--today", TODAY, "--baseline", "b.json"])
    assert still.exit_code == 0 and "stale-baseline" not in still.output
    (tmp_path / "batch.csv").write_text(HEADER + good_row(1) + good_row(2) + good_row(3),
                                        encoding="utf-8")
    fixed = run(cli, ["check", "batch.csv", "--today", TODAY, "--baseline", "b.json"])
    assert fixed.exit_code == 0
    assert "policy[stale-baseline] [info]" in fixed.output
    assert "matched no finding" in fixed.output
