"""Bad input gets exit 2 and one clear line naming file and row/line/key; no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.mailing import HEADER, Invoke, good_row


def assert_one_line_error(result: object, *needles: str) -> None:
    output = result.output  # type: ignore[attr-defined]
    assert result.exit_code == 2, output  # type: ignore[attr-defined]
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1, output
    assert lines[0].startswith("policylint: error: "), output
    assert "Traceback" not in output
    for needle in needles:
        assert needle in lines[0], f"{needle!r} not in {lines[0]!r}"


def test_missing_batch_file(project: Path, invoke: Invoke) -> None:
    assert_one_line_error(invoke("check", "nope.csv"), "nope.csv", "not found")


def test_empty_batch_file(project: Path, invoke: Invoke) -> None:
    (project / "empty.csv").write_bytes(b"")
    assert_one_line_error(invoke("check", "empty.csv"), "empty.csv", "empty")


def test_header_only(project: Path, invoke: Invoke) -> None:
    (project / "head.csv").write_text(HEADER, encoding="utf-8")
    assert_one_line_error(invoke("check", "head.csv"), "head.csv", "header only")


def assert_unreadable_rows(result: object, file: str, rows: list[int], *needles: str) -> None:
    """Unreadable rows are collected, not fatal at the first: each is reported at its
    row, every other row is still checked, and the run exits 2 with a summary."""
    output = result.output  # type: ignore[attr-defined]
    assert result.exit_code == 2, output  # type: ignore[attr-defined]
    assert "Traceback" not in output
    for row in rows:
        assert f"{file}:{row}:" in output, output
    for needle in needles:
        assert needle in output, f"{needle!r} not in {output!r}"
    summary = output.strip().splitlines()[-1]
    assert summary.startswith("policylint: error: ") and "not checked" in summary, summary


def test_ragged_row(project: Path, invoke: Invoke) -> None:
    rows = [good_row(n) for n in range(1, 6)]
    rows[2] = rows[2].replace(",letter,", ",letter,extra,")
    (project / "ragged.csv").write_text(HEADER + "".join(rows), encoding="utf-8")
    assert_unreadable_rows(invoke("check", "ragged.csv"), "ragged.csv", [4], "row 4")


def test_nul_byte(project: Path, invoke: Invoke) -> None:
    data = (HEADER + good_row(1) + good_row(2)).encode().replace(b"Mill", b"Mi\x00ll", 1)
    (project / "nul.csv").write_bytes(data)
    assert_unreadable_rows(invoke("check", "nul.csv"), "nul.csv", [2], "NUL")


def test_undecodable_bytes(project: Path, invoke: Invoke) -> None:
    data = (HEADER + good_row(1) + good_row(2) + good_row(3)).encode()
    data = data.replace(b"Mill Lane", b"Mill\x81Lane", 1)  # 0x81: not UTF-8, not cp1252
    (project / "bad.csv").write_bytes(data)
    assert_unreadable_rows(invoke("check", "bad.csv"), "bad.csv", [2], "undecodable byte 0x81")


def test_policy_yaml_syntax_error(project: Path, invoke: Invoke) -> None:
    (project / "policylint.yaml").write_text("version: 1\nrules:\n  merge-integrity: [\n",
                                             encoding="utf-8")
    assert_one_line_error(invoke("check", "batch.csv"), "policylint.yaml", "line")


def test_unknown_rule(project: Path, invoke: Invoke) -> None:
    (project / "policylint.yaml").write_text(
        "version: 1\nrules:\n  merge-integrty: {severity: error}\n", encoding="utf-8")
    assert_one_line_error(invoke("check", "batch.csv"), "policylint.yaml", "line 3",
                          "merge-integrty", "merge-integrity")


def test_option_of_wrong_type(project: Path, invoke: Invoke) -> None:
    (project / "policylint.yaml").write_text(
        "version: 1\nrules:\n  merge-integrity:\n    allow_duplicate_recipients: perhaps\n",
        encoding="utf-8")
    assert_one_line_error(invoke("check", "batch.csv"), "policylint.yaml", "line 4",
                          "allow_duplicate_recipients")


def test_template_syntax_error(project: Path, invoke: Invoke) -> None:
    (project / "templates" / "reminder.letter.j2").write_text(
        "---\nname: reminder\n---\nDear {{ title }} {{ last_name },\n", encoding="utf-8")
    result = invoke("check", "batch.csv")
    # The rows were not checked: a report that says so (with the template's line), and
    # one line on stderr naming the template and line.
    assert result.exit_code == 2
    assert "reminder.letter.j2:4:6: template-syntax[syntax] [error]" in result.stdout
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(errors) == 1 and errors[0].startswith("policylint: error: 40 of 40 rows")
    assert "reminder.letter.j2, line 4: template syntax error" in errors[0]


def test_an_unused_broken_template_does_not_fail_the_batch(project: Path,
                                                           invoke: Invoke) -> None:
    (project / "templates" / "spare.voicemail.j2").write_text(
        "---\nname: spare\nchannel: voicemail\n---\nHello {{ first_name }\n",
        encoding="utf-8")
    result = invoke("check", "batch.csv", "--template", "templates/reminder.letter.j2")
    assert result.exit_code == 0, result.output
    assert "spare" not in result.output
    linted = invoke("lint", "templates/spare.voicemail.j2")
    assert linted.exit_code == 1 and "template-syntax" in linted.output


def test_register_table_missing_required_column(project: Path, invoke: Invoke) -> None:
    reg = project / "broken-register"
    reg.mkdir()
    (reg / "people.csv").write_text(
        "person_id,title,given_name,family_name,date_of_birth,status,flags\n"
        "P-10001,Mrs,Siân,Okafor,1980-02-03,active,\n", encoding="utf-8")
    (reg / "addresses.csv").write_text(
        "person_id,line_1,line_2,status\nP-10001,1 Mill Lane,Kings Fenmarsh,current\n",
        encoding="utf-8")
    assert_one_line_error(invoke("register", "check", str(reg)), "addresses.csv", "postcode")
    assert_one_line_error(invoke("check", "batch.csv", "--register", str(reg)),
                          "addresses.csv", "postcode")


def test_unknown_select(project: Path, invoke: Invoke) -> None:
    assert_one_line_error(invoke("check", "batch.csv", "--select", "no-such-rule"),
                          "no-such-rule")


@pytest.mark.parametrize("value", ["£412.50", "Okafor", "s.okafor3@example.org"])
def test_errors_never_quote_cell_values(project: Path, invoke: Invoke, value: str) -> None:
    rows = [good_row(n) for n in range(1, 6)]
    rows[2] = rows[2].rstrip("\n") + ",£412.50\n"
    (project / "ragged.csv").write_text(HEADER + "".join(rows), encoding="utf-8")
    result = invoke("check", "ragged.csv")
    assert result.exit_code == 2
    assert value not in result.output
