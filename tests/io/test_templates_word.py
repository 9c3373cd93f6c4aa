"""Word mail-merge .docx templates: MERGEFIELD (simple and complex), «field» text,
headers, footers, tables and text boxes; line numbers are paragraph numbers."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from policylint.cli import cli
from policylint.errors import InputError
from policylint.io.templates import RenderError, TemplateMeta, load_template, render
from tests.io.wordbuild import (
    build,
    complex_field,
    field_xml,
    merge_xml,
    raw,
    simple,
    textbox,
)

ROOT = Path(__file__).resolve().parents[2]
LETTER = TemplateMeta(channel="letter", audience="recipient")
ROW = {"title": "Ms", "last_name": "Okafor", "first_name": "Ada", "account_ref": "CT-1",
       "postcode": "PE39 1QY", "ward": "North", "reference": "R-9", "address_line_1": "1 Elm Rd"}


def merge(name: str, shown: str = "") -> object:
    return simple(f" MERGEFIELD {name} \\* MERGEFORMAT ", shown or f"«{name}»")


def test_fields_of_every_kind_in_every_part_keep_paragraph_order(tmp_path: Path) -> None:
    path = build(tmp_path / "reminder.docx", [
        ["Dear ", merge("Title"), " ",
         complex_field(' MERGEFIELD  "Last Name"  \\* MERGEFORMAT ', "«Last_Name»", split=5),
         ","],
        "Your reference is «Account Ref».",
        ["Page ", complex_field("PAGE", "1")],
        ["See box", textbox(["In the box ", merge("Postcode")], "Second box paragraph")],
        "",
        "Yours sincerely",
    ], header=["Fenmarsh District Council, «Ward» ward"],
        footer=[["Ref ", merge("reference")]],
        table=[["Name: ", merge("first_name")], "Amount"])
    template = load_template(path, LETTER)
    assert template.problem is None
    assert (template.name, template.syntax, template.channel) == ("reminder", "word", "letter")
    assert [(v.name, v.line) for v in template.variables] == [
        ("title", 1), ("last_name", 1), ("account_ref", 2), ("postcode", 5),
        ("first_name", 9), ("ward", 11), ("reference", 12)]
    assert render(template, ROW).text.split("\n") == [
        "Dear Ms Okafor,",                       # 1
        "Your reference is CT-1.",               # 2
        "Page 1",                                # 3: PAGE keeps what Word showed
        "See box",                               # 4
        "In the box PE39 1QY",                   # 5: text box, read once (not its Fallback)
        "Second box paragraph",                  # 6
        "",                                      # 7
        "Yours sincerely",                       # 8
        "Name: Ada",                             # 9: table cells
        "Amount",                                # 10
        "Fenmarsh District Council, North ward",  # 11: header
        "Ref R-9",                               # 12: footer
    ]


def test_footnotes_follow_headers_and_footers(tmp_path: Path) -> None:
    path = build(tmp_path / "t.docx", ["Body"], footer=["Footer"],
                 footnotes=[["Note about ", merge("first_name")], "Second note"])
    template = load_template(path, LETTER)
    assert render(template, ROW).text == "Body\nFooter\nNote about Ada\nSecond note"
    assert [(v.name, v.line) for v in template.variables] == [("first_name", 3)]


def test_merge_result_shown_in_word_is_replaced_not_kept(tmp_path: Path) -> None:
    """A document saved while previewing record 1 holds that person's data as the
    fields' shown result: the row's value replaces it."""
    path = build(tmp_path / "t.docx", [["Dear ", merge("last_name", shown="Previewed-Person")]])
    text = render(load_template(path, LETTER), ROW).text
    assert text == "Dear Okafor" and "Previewed" not in text
    assert "Previewed" not in load_template(path, LETTER).source


def test_mergefield_switches(tmp_path: Path) -> None:
    path = build(tmp_path / "t.docx", [
        [simple(' MERGEFIELD last_name \\* Upper \\b "Dear " \\f ", hello" ')],
        ["[", simple(' MERGEFIELD middle_name \\b "Mx " '), "]"],
        [simple(' MERGEFIELD "first name" \\* Lower ')],
    ])
    template = load_template(path, LETTER)
    assert template.variable_names == {"last_name", "middle_name", "first_name"}
    text = render(template, {"last_name": "Okafor", "middle_name": "", "first_name": "Ada"}).text
    assert text == "Dear OKAFOR, hello\n[]\nada"


def test_tracked_deletions_are_left_out_insertions_kept(tmp_path: Path) -> None:
    path = build(tmp_path / "t.docx", [[
        "Dear ",
        raw('<w:del w:id="1" w:author="a"><w:r><w:delText>old text </w:delText></w:r></w:del>'),
        raw('<w:ins w:id="2" w:author="a"><w:r><w:t xml:space="preserve">new </w:t></w:r></w:ins>'),
        merge("first_name"),
    ]])
    assert render(load_template(path, LETTER), ROW).text == "Dear new Ada"


def test_values_are_inserted_literally(tmp_path: Path) -> None:
    template = load_template(build(tmp_path / "t.docx", ["Hi «name»"]), LETTER)
    for value in ("«other»", "{{ 7*7 }}", "((x))"):
        assert render(template, {"name": value}).text == f"Hi {value}"


def test_missing_column_is_a_render_error(tmp_path: Path) -> None:
    template = load_template(build(tmp_path / "t.docx", [["Dear ", merge("Surname")]]), LETTER)
    with pytest.raises(RenderError) as caught:
        render(template, {"last_name": "Okafor"})
    assert caught.value.code == "undefined-field" and "'surname'" in str(caught.value)


def test_metadata_comes_from_the_policy_entry(tmp_path: Path) -> None:
    path = build(tmp_path / "letter-to-deputy.docx", ["---", "name: other", "---"])
    template = load_template(path, TemplateMeta(channel="letter", audience="third_party",
                                                scope="property_and_finance"))
    assert template.name == "letter-to-deputy"  # .docx has no front matter
    assert (template.audience, template.scope) == ("third_party", "property_and_finance")
    assert load_template(path).audience == "recipient"


def test_angle_brackets_typed_in_a_docx_are_text_not_fields(tmp_path: Path) -> None:
    """Only «» is Word's placeholder; <<x>> stays text and merge-integrity flags it."""
    template = load_template(build(tmp_path / "t.docx", ["Dear <<name>>"]), LETTER)
    assert template.problem is None and template.variable_names == frozenset()
    assert render(template, {}).text == "Dear <<name>>"


# --- template problems: paragraph numbers -------------------------------------------------


@pytest.mark.parametrize(("body", "paragraph", "words"), [
    (["ok", ["x ", complex_field(" MERGEFIELD Surname ", end=False)]], 2, "never ends"),
    (["ok", "ok", [raw('<w:r><w:fldChar w:fldCharType="end"/></w:r>')]], 3, "without its begin"),
    ([[simple(" MERGEFIELD ")]], 1, "without a field name"),
    ([[simple(" MERGEFIELD \\* MERGEFORMAT ")]], 1, "without a field name"),
    (["a", [simple(" NEXT ")]], 2, "another row"),
    ([[simple(' NEXTIF Postcode = "PE39 1QY" ')]], 1, "another row"),
    ([[simple(" ADDRESSBLOCK \\f \"<<_FIRST0_>>\" ")]], 1, "ADDRESSBLOCK"),
    (["a", "b", ["Dear ", complex_field(' IF "a" = "a" "x" "y" ', "x")]], 3, None),
    (["Dear «»"], 1, "no field name"),
    (["a", "Dear «Surname"], 2, "without its »"),
    (["Dear Surname»"], 1, "without its «"),
    (["a", "Dear { MERGEFIELD Surname }"], 2, "typed as text"),
    (["a", "b", "Dear {{ last_name }},"], 3, "is Jinja"),
    ([[simple(" MERGEFIELD Last_Name \\m ")]], 1, "mapped"),
])
def test_broken_fields_are_problems_with_their_paragraph(
        tmp_path: Path, body: list[object], paragraph: int, words: str | None) -> None:
    template = load_template(build(tmp_path / "t.docx", body), LETTER)  # type: ignore[arg-type]
    if words is None:  # an IF without merge fields keeps what Word showed
        assert template.problem is None and render(template, {}).text.endswith("Dear x")
        return
    assert template.problem is not None
    assert (template.problem.code, template.problem.line) == ("syntax", paragraph)
    assert template.problem.message.startswith(f"paragraph {paragraph}: ")
    assert words in template.problem.message


def _if_letter(tmp_path: Path) -> Path:
    greeting = field_xml(" IF ", merge_xml("Title"), ' = "" "Dear Sir or Madam" "Dear ',
                         merge_xml("Title"), " ", merge_xml("Last_Name"),
                         '" \\* MERGEFORMAT ', shown="Dear Mr Previewed")
    fee = field_xml(" IF ", merge_xml("late"), '="Y*" "A late fee applies." ""')
    size = field_xml(" IF ", merge_xml("amount"), " >= 100 \"large\" \"small\" ")
    return build(tmp_path / "t.docx", [[greeting, ","], [fee], ["A ", size, " sum."]])


@pytest.mark.parametrize(("row", "text"), [
    ({"title": "", "last_name": "Lee", "late": "Yes", "amount": "1,200"},
     "Dear Sir or Madam,\nA late fee applies.\nA large sum."),
    ({"title": "Ms", "last_name": "Lee", "late": "no", "amount": "99.50"},
     "Dear Ms Lee,\n\nA small sum."),
    ({"title": "Dr", "last_name": "O'Neil", "late": "y", "amount": "100"},
     "Dear Dr O'Neil,\n\nA large sum."),  # Word's text comparison is case-sensitive
])
def test_if_fields_are_evaluated_per_row_like_word(tmp_path: Path, row: dict[str, str],
                                                    text: str) -> None:
    template = load_template(_if_letter(tmp_path), LETTER)
    assert template.problem is None
    assert [(v.name, v.line) for v in template.variables] == [
        ("title", 1), ("title", 1), ("last_name", 1), ("late", 2), ("amount", 3)]
    assert render(template, row).text == text
    assert "Previewed" not in render(template, row).text


def test_if_notation_in_source_keeps_branch_text_for_the_rules(tmp_path: Path) -> None:
    source = load_template(_if_letter(tmp_path), LETTER).source.splitlines()
    assert source[0] == ('{% if title = "" %}Dear Sir or Madam{% else %}Dear {{title}} '
                         '{{last_name}}{% endif %},')


@pytest.mark.parametrize("code", [
    (" = ", "MERGE", " * 2 "),                             # a formula on a merge field
    (" QUOTE ", "MERGE", " "),
    (" IF ", "MERGE", ' = "x" '),                          # an IF without its texts
    (" IF ", "MERGE", ' = "x "then" "else" '),             # a quote that never closes
])
def test_merge_fields_in_fields_policylint_cannot_evaluate_are_problems(
        tmp_path: Path, code: tuple[str, ...]) -> None:
    pieces = [merge_xml("amount") if piece == "MERGE" else piece for piece in code]
    template = load_template(build(tmp_path / "t.docx", ["x", [field_xml(*pieces)]]), LETTER)
    assert template.problem is not None and template.problem.line == 2, template.problem
    assert template.problem.message.startswith("paragraph 2: ")


# --- files that are not Word documents ------------------------------------------------------


def test_a_text_file_named_docx_is_a_clear_input_error(tmp_path: Path) -> None:
    path = tmp_path / "letter.docx"
    path.write_bytes(b"Dear \x00 {{ name }}")
    with pytest.raises(InputError) as caught:
        load_template(path)
    assert "not a valid Word .docx document" in str(caught.value)
    assert "NUL" not in str(caught.value) and "letter.docx" in str(caught.value)


def test_a_zip_without_a_document_is_a_clear_input_error(tmp_path: Path) -> None:
    path = tmp_path / "letter.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(InputError, match=r"not a valid Word \.docx document"):
        load_template(path)


def test_old_doc_and_lock_files_say_what_to_do(tmp_path: Path) -> None:
    old = tmp_path / "letter.docx"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    with pytest.raises(InputError, match=r"save it as an unprotected \.docx"):
        load_template(old)
    lock = tmp_path / "~$letter.docx"
    lock.write_bytes(b"\x05user" + b"\x00" * 50)
    with pytest.raises(InputError, match="Word lock file"):
        load_template(lock)
    renamed = tmp_path / "letter.j2"
    renamed.write_bytes(old.read_bytes())
    with pytest.raises(InputError, match=r"only \.docx files"):
        load_template(renamed)


def test_missing_python_docx_names_the_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                             ) -> None:
    path = build(tmp_path / "letter.docx", ["Dear «name»"])
    (tmp_path / "policylint.yaml").write_text("version: 1\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setitem(sys.modules, "docx", None)  # import docx now raises ImportError
    result = CliRunner().invoke(cli, ["lint", path.name], catch_exceptions=False)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "pip install 'policylint[word]'" in lines[0]
    assert "letter.docx" in lines[0]


# --- through the command line ---------------------------------------------------------------


def _project(tmp_path: Path, audience: str) -> Path:
    (tmp_path / "word").mkdir()
    build(tmp_path / "word" / "about-child.docx", [
        ["Dear ", merge("Title"), " ", merge("Last_Name"), ","],
        "",
        "We are writing about «Child Name», who now lives at",
        ["the address ", merge("Address_Line_1"), "."],
    ])
    (tmp_path / "policylint.yaml").write_text(
        "version: 1\ntemplates:\n  - {path: word/*.docx, channel: letter, "
        f"audience: {audience}}}\n", encoding="utf-8")
    return tmp_path


def _lint(project: Path, *files: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "policylint", "lint", *files], cwd=project,
                          capture_output=True, text=True, env=env, timeout=120, check=False)


def test_lint_flags_address_mergefield_in_third_party_docx_with_its_paragraph(
        tmp_path: Path) -> None:
    done = _lint(_project(tmp_path, "third_party"), "word/about-child.docx")
    flagged = [line for line in done.stdout.splitlines() if "protected-address" in line]
    assert len(flagged) == 1, done.stdout + done.stderr
    assert flagged[0].startswith("word/about-child.docx:4:13: protected-address")
    assert "address_line_1" in flagged[0]


def test_lint_accepts_the_same_docx_for_the_recipient(tmp_path: Path) -> None:
    done = _lint(_project(tmp_path, "recipient"), "word/about-child.docx")
    assert done.returncode == 0 and "protected-address" not in done.stdout, done.stdout


def test_lint_reports_docx_problem_and_check_exits_2(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    project = _project(tmp_path, "recipient")
    build(project / "word" / "broken.docx", ["Dear", "", ["x ", complex_field(
        " MERGEFIELD Surname ", end=False)]])
    monkeypatch.chdir(project)
    result = CliRunner().invoke(cli, ["lint", "word/broken.docx"], catch_exceptions=False)
    assert result.exit_code == 1
    assert "word/broken.docx:3:1: template-syntax[syntax] [error] paragraph 3:" in result.output
    # A row that uses the broken document cannot be checked: exit 2 naming it.
    (project / "batch.csv").write_text("recipient_id,title,last_name,child_name,address_line_1,"
                                       "template\nP-1,Ms,Lee,Sam,1 Elm Rd,broken\n",
                                       encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", "batch.csv", "--select", "merge-integrity"],
                                catch_exceptions=False)
    assert result.exit_code == 2 and "broken.docx" in result.output


def test_check_reads_docx_templates_from_the_policy_glob(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = _project(tmp_path, "recipient")
    (project / "batch.csv").write_text(
        "recipient_id,title,last_name,child_name,address_line_1\n"
        "P-1,Ms,Lee,Sam,1 Elm Rd\nP-2,Mr,,Kim,2 Elm Rd\n", encoding="utf-8")
    monkeypatch.chdir(project)
    result = CliRunner().invoke(cli, ["check", "batch.csv", "--select", "merge-integrity",
                                      "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 1, result.output
    import json

    findings = json.loads(result.output)["findings"]
    assert {(f["row"], f["code"]) for f in findings} >= {(3, "empty-salutation")}
    assert all(f["row"] == 3 for f in findings)


def test_pre_commit_hook_passes_notify_and_docx_templates() -> None:
    import re

    import yaml

    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    lint = hooks["policylint"]
    for name in ("letter.docx", "templates/reminder.notify", "reminder.letter.j2"):
        assert re.search(lint["files"], name), name
    for name in ("letter.doc", "batch.csv", "letter.docx.bak", "notes.txt"):
        assert not re.search(lint["files"], name), name
    # pre-commit's `types: [text]` would drop binary .docx files before the pattern.
    assert "text" not in lint.get("types", []) + lint.get("types_or", [])
