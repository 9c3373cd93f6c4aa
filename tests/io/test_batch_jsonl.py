"""JSON Lines batches: one object per line, row = physical line, every bad line listed."""

from __future__ import annotations

import codecs
import csv
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from policylint.cli import cli
from policylint.errors import InputError
from policylint.io.batch import BatchReader, JsonLinesBatchReader, Limits
from policylint.model import Row, RowProblem
from policylint.plugins import get_plugin_manager

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def write(tmp_path: Path, *lines: str | bytes, name: str = "batch.jsonl") -> Path:
    path = tmp_path / name
    path.write_bytes(b"".join((x.encode() if isinstance(x, str) else x) + b"\n"
                              for x in lines))
    return path


def obj(**values: Any) -> str:
    return json.dumps(values, ensure_ascii=False)


def read(path: Path, limits: Limits = Limits()) -> tuple[list[Row], list[RowProblem]]:  # noqa: B008
    with JsonLinesBatchReader(path, limits=limits) as reader:
        return list(reader.rows()), reader.problems


def test_rows_are_line_numbers_and_keys_are_every_key_in_first_seen_order(
        tmp_path: Path) -> None:
    path = write(tmp_path,
                 obj(recipient_id="P-1", **{"First Name": "Siân"}),
                 "",  # a blank line: skipped, still counted
                 obj(recipient_id="P-2", **{"First Name": "Bob", "Phone": "07700 900123"}),
                 obj(Phone="07700 900124", recipient_id="P-3"))
    with JsonLinesBatchReader(path) as reader:
        assert isinstance(reader, BatchReader)
        assert reader.header == ("recipient_id", "First Name", "Phone")
        assert reader.names == ("recipient_id", "first_name", "phone")
        rows = list(reader.rows())
        assert reader.problems == [] and reader.warnings == []
    assert [(r.number, r.line) for r in rows] == [(1, 1), (3, 3), (4, 4)]
    assert dict(rows[0].values) == {"recipient_id": "P-1", "first_name": "Siân", "phone": ""}
    assert dict(rows[2].values) == {"recipient_id": "P-3", "first_name": "",
                                    "phone": "07700 900124"}
    assert rows[0].headers["first_name"] == "First Name"


def test_values_as_text(tmp_path: Path) -> None:
    path = write(tmp_path, '{"id": "P-1", "amount": 1.50, "count": 3, "big": 12345678901234567890,'
                           ' "paid": true, "sent": false, "note": null, "text": "null"}')
    [row], problems = read(path)
    assert problems == []
    assert dict(row.values) == {"id": "P-1", "amount": "1.50", "count": "3",
                                "big": "12345678901234567890", "paid": "true", "sent": "false",
                                "note": "", "text": "null"}


def test_every_bad_line_is_listed_and_reading_goes_on(tmp_path: Path) -> None:
    path = write(tmp_path,
                 obj(id="P-1", name="Alice"),  # 1
                 '{"id": "P-2", "name": "Bob"',  # 2: cut short
                 obj(id="P-3", name={"first": "Cai"}),  # 3: nested object
                 '["P-4", "Dai"]',  # 4: not an object
                 obj(id="P-5", name=["Eleri"]),  # 5: list
                 '{"id": "P-6", "name": "Ffion", "name": "Other"}',  # 6: repeated key
                 b'{"id": "P-7", "name": "Zo\xeb"}',  # 7: not UTF-8
                 '{"id": "P-8", "amount": NaN}',  # 8: not JSON
                 b'{"id": "P-9",\x00 "name": "x"}',  # 9: NUL byte
                 obj(id="P-10", name="Gwen"))  # 10
    rows, problems = read(path)
    assert [r.number for r in rows] == [1, 10]
    assert [(p.row, p.line, p.column) for p in problems] == [
        (2, 2, None), (3, 3, "name"), (4, 4, None), (5, 5, "name"), (6, 6, "name"),
        (7, 7, None), (8, 8, None), (9, 9, None)]
    reasons = [p.reason for p in problems]
    assert "not valid JSON" in reasons[0]
    assert "nested object" in reasons[1] and "nested list" in reasons[3]
    assert "not an object" in reasons[2] and "appears twice" in reasons[4]
    assert "UTF-8" in reasons[5] and "NaN" in reasons[6] and "NUL" in reasons[7]
    for reason in reasons:
        for secret in ("Bob", "Cai", "Dai", "Eleri", "Ffion", "Other", "Zo", "P-"):
            assert secret not in reason, reason


def test_too_many_bad_lines_stop_the_reader(tmp_path: Path) -> None:
    path = write(tmp_path, obj(id="P-1"), *(["{oops"] * 10))
    with JsonLinesBatchReader(path, limits=Limits(max_bad_rows=4)) as reader, \
            pytest.raises(InputError, match="stopped after 4 unreadable rows"):
        list(reader.rows())


def test_over_long_line_and_value(tmp_path: Path) -> None:
    path = write(tmp_path, obj(id="P-1", note="x" * 50), obj(id="P-2", note="y" * 500),
                 obj(id="P-3", note="z" * 5000), obj(id="P-4", note="fine"))
    rows, problems = read(path, Limits(max_cell_chars=100, max_row_chars=1000))
    assert [r.number for r in rows] == [1, 4]
    assert [(p.row, p.column) for p in problems] == [(2, "note"), (3, None)]


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = write(tmp_path, codecs.BOM_UTF8 + obj(id="P-1").encode(), obj(id="P-2"))
    rows, problems = read(path)
    assert [r.values["id"] for r in rows] == ["P-1", "P-2"] and problems == []


@pytest.mark.parametrize(("lines", "message"), [
    ((), "empty file: no JSON objects"),
    (("", "  "), "empty file: no JSON objects"),
    (('[{"id": "P-1"},', '{"id": "P-2"}]'), "no line holds a JSON object"),
    (("{", '  "id": "P-1"', "}"), "no line holds a JSON object"),
    ((obj(Email="a@b.org"), obj(email="c@d.org")), "duplicate key 'email'"),
])
def test_unusable_files(tmp_path: Path, lines: tuple[str, ...], message: str) -> None:
    path = write(tmp_path, *lines)
    with pytest.raises(InputError) as info:
        JsonLinesBatchReader(path)
    assert message in str(info.value) and "batch.jsonl" in str(info.value)


def test_hook_opens_jsonl_and_ndjson(tmp_path: Path) -> None:
    hook = get_plugin_manager().hook.policylint_open_batch
    for name in ("b.jsonl", "b.NDJSON"):
        reader = hook(path=write(tmp_path, obj(id="P-1"), name=name), sheet=None, display=None)
        assert isinstance(reader, JsonLinesBatchReader)
        reader.close()


def test_example_batch_as_json_lines_gives_the_same_findings(tmp_path: Path) -> None:
    """Same findings, one row earlier: JSON Lines has no header line."""
    with open(EXAMPLES / "batch.csv", encoding="utf-8-sig", newline="") as source:
        records = list(csv.DictReader(source))
    path = tmp_path / "batch.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                    encoding="utf-8")
    args = ["--policy", str(EXAMPLES / "policylint.yaml"), "--today", "2026-11-26",
            "--format", "json"]
    from_csv = CliRunner().invoke(cli, ["check", str(EXAMPLES / "batch.csv"), *args])
    from_jsonl = CliRunner().invoke(cli, ["check", str(path), *args])
    assert from_csv.exit_code == from_jsonl.exit_code == 1, from_jsonl.output

    def findings(output: str, shift: int) -> list[tuple[str, int]]:
        return sorted((f["rule"], (f["row"] or shift) - shift)
                      for f in json.loads(output)["findings"])

    assert findings(from_jsonl.output, 0) == findings(from_csv.output, 1)
