"""The ICO checklist end to end: the uk-local-gov pack runs every built-in rule, and
attachments named in a batch are read once, checked, and never skipped."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from policylint.cli import cli
from policylint.config.policy import load_policy
from policylint.engine.runner import CheckRequest, Engine, open_batch
from policylint.io.templates import TemplateMeta, load_templates
from policylint.rules import BUILTIN_RULES
from tests.cli.mailing import TODAY, person, write_register
from tests.io.attachment_files import write_pdf

HEADER = ("recipient_id,title,first_name,last_name,address_line_1,address_line_2,"
          "postcode,email,channel,attachments\n")
TEMPLATE = ("---\nname: statement\nchannel: email\n---\n"
            "Dear {{ title }} {{ last_name }},\nYour statement is attached.\n")


# People whose email addresses the shared register writes in ASCII (an accented
# local part is, rightly, an invalid email).
PLAIN = [n for n in range(1, 13) if person(n)[1].isascii()]


def email_row(n: int, attachments: str) -> str:
    title, first, last = person(n)
    return (f"P-{10000 + n},{title},{first},{last},{n} Mill Lane,Kings Fenmarsh,PE30 4AB,"
            f"{first.lower()}.{n}@example.org,email,{attachments}\n")


def mailing(tmp: Path, rows: list[str], policy: str = "") -> Path:
    write_register(tmp / "register", 12)
    (tmp / "templates").mkdir()
    (tmp / "templates" / "statement.j2").write_text(TEMPLATE, encoding="utf-8")
    (tmp / "policylint.yaml").write_text(
        policy or "version: 1\nextends: [uk-local-gov]\nregister: ./register\n"
        "templates:\n  - {path: templates/*.j2}\n", encoding="utf-8")
    (tmp / "batch.csv").write_text(HEADER + "".join(rows), encoding="utf-8")
    return tmp


def run(tmp: Path, monkeypatch: pytest.MonkeyPatch, *extra: str) -> tuple[int, list[dict[
        str, object]], str]:
    monkeypatch.chdir(tmp)
    result = CliRunner().invoke(cli, ["check", "batch.csv", "--format", "json", "--today",
                                      TODAY, *extra])
    try:
        findings = json.loads(result.stdout)["findings"]
    except (ValueError, KeyError):
        findings = []
    return result.exit_code, findings, result.output


def test_uk_local_gov_enables_every_builtin_rule_with_a_severity(tmp_path: Path) -> None:
    write_register(tmp_path / "register", 1)
    path = tmp_path / "policylint.yaml"
    path.write_text("extends: [uk-local-gov]\nregister: ./register\n", encoding="utf-8")
    policy = load_policy(path)
    engine = Engine(CheckRequest(policy=policy))
    try:
        chosen = {entry.rule.name for entry, _ in engine.chosen}
    finally:
        engine.close()
    builtin = {rule.name for rule in BUILTIN_RULES}
    assert builtin <= chosen
    for name in builtin:
        setting = policy.setting(name)
        assert setting is not None and setting.enabled and setting.severity is not None, name


def test_pack_comments_name_an_ico_point_for_every_rule() -> None:
    text = (Path(__file__).resolve().parents[2] / "policies" / "uk-local-gov.yaml").read_text(
        encoding="utf-8")
    for rule in BUILTIN_RULES:
        before = text.split(f"\n  {rule.name}:\n", 1)
        assert len(before) == 2, rule.name
        comment = before[0].rsplit("\n\n", 1)[-1]
        assert "Point" in comment, rule.name


def test_clean_emails_sharing_a_leaflet_pass(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    write_pdf(tmp_path / "leaflet.pdf", [["How your council tax is spent",
                                          "Fenmarsh Council, King's Court, PE30 1EX"]])
    mailing(tmp_path, [email_row(n, "leaflet.pdf") for n in PLAIN])
    code, findings, output = run(tmp_path, monkeypatch)
    assert code == 0 and findings == [], output


def test_unencrypted_statement_and_black_box_are_found(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    _, first, last = person(2)
    write_pdf(tmp_path / "st-2.pdf", [["Statement", f"{first} {last}", "2 Mill Lane"]])
    write_pdf(tmp_path / "st-3.pdf", [["Statement", "Notes: neighbour complaint from",
                                       "9 Elm Road"]], boxed=[(0, 2)])
    mailing(tmp_path, [email_row(1, "leaflet.pdf"), email_row(2, "st-2.pdf"),
                       email_row(3, "st-3.pdf")])
    write_pdf(tmp_path / "leaflet.pdf", [["Leaflet"]])
    code, findings, output = run(tmp_path, monkeypatch)
    found = {(f["rule"], f["row"], f["code"]) for f in findings}
    assert found == {("secure-delivery", 3, "unprotected-attachment"),
                     ("redaction-residue", 4, "text-under-box")}, output
    assert code == 1
    assert last not in output


@pytest.mark.parametrize(("setup", "code"), [
    ("missing", "missing-attachment"),
    ("corrupt", "unreadable-attachment"),
    ("encrypted", "encrypted-attachment"),
    ("xlsx", "unsupported-attachment"),
])
def test_an_attachment_that_cannot_be_read_leaves_the_item_unchecked(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, setup: str, code: str) -> None:
    name = {"missing": "gone.pdf", "corrupt": "bad.pdf", "encrypted": "locked.pdf",
            "xlsx": "sheet.xlsx"}[setup]
    if setup == "corrupt":
        (tmp_path / name).write_bytes(b"%PDF-1.7 truncated")
    elif setup == "encrypted":
        write_pdf(tmp_path / name, [["Statement"]], password="secret-1")
    elif setup == "xlsx":
        (tmp_path / name).write_bytes(b"PK\x03\x04")
    write_pdf(tmp_path / "ok.pdf", [["Leaflet"]])
    mailing(tmp_path, [email_row(1, "ok.pdf"), email_row(2, f"ok.pdf;{name}")])
    exit_code, findings, output = run(tmp_path, monkeypatch)
    # Not checked is never a pass: a render-error finding and exit 2.
    assert exit_code == 2, output
    [finding] = [f for f in findings if f["code"] == code]
    assert finding["rule"] == "render-error" and finding["row"] == 3
    assert finding["file"] == "batch.csv" and "Attachment 2" in str(finding["message"])
    assert name not in str(finding["message"])  # file names may carry personal data


def test_each_attachment_is_read_once_per_run(tmp_path: Path) -> None:
    write_pdf(tmp_path / "leaflet.pdf", [["Leaflet"]])
    mailing(tmp_path, [email_row(n, "leaflet.pdf; gone.pdf") for n in PLAIN])
    policy = load_policy(tmp_path / "policylint.yaml")
    engine = Engine(CheckRequest(policy=policy, today=dt.date.fromisoformat(TODAY)))
    try:
        templates = load_templates([(tmp_path / "templates" / "statement.j2", TemplateMeta())])
        reader = open_batch(tmp_path / "batch.csv")
        try:
            engine.check_batch(reader, templates, next(iter(templates.values())))
        finally:
            reader.close()
    finally:
        engine.close()
    assert engine.attachments.reads == 1  # the leaflet; the missing file is never opened
    missing = [f for f in engine.collector.findings if f.code == "missing-attachment"]
    assert [f.row for f in missing] == list(range(2, 2 + len(PLAIN)))


def test_a_missing_extra_is_one_line_naming_it(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    write_pdf(tmp_path / "leaflet.pdf", [["Leaflet"]])
    mailing(tmp_path, [email_row(1, "leaflet.pdf")])
    monkeypatch.setitem(sys.modules, "pypdf", None)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["check", "batch.csv", "--today", TODAY])
    assert result.exit_code == 2
    assert "policylint[pdf]" in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_a_missing_word_extra_is_one_line_naming_it(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.io.attachment_files import write_docx

    write_docx(tmp_path / "letter.docx", ["Leaflet"])
    mailing(tmp_path, [email_row(1, "letter.docx")])
    monkeypatch.setitem(sys.modules, "docx", None)
    code, _, output = run(tmp_path, monkeypatch)
    assert code == 2 and "policylint[word]" in output and "Traceback" not in output
