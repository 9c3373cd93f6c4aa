"""GOV.UK Notify templates: ``((field))``, ``((field??text))``, Notify's conventions."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from policylint.cli import cli
from policylint.io.templates import (
    RenderError,
    TemplateMeta,
    load_template,
    parse_template,
    render,
)

ROOT = Path(__file__).resolve().parents[2]
NOTIFY = TemplateMeta(syntax="notify")


def notify(text: str, meta: TemplateMeta = NOTIFY, name: str = "t.txt"):  # type: ignore[no-untyped-def]
    template = parse_template(text, Path(name), meta)
    assert template.problem is None, template.problem
    return template


# --- fields and rendering --------------------------------------------------------------


def test_placeholders_are_case_and_space_insensitive_like_notify() -> None:
    template = notify("Dear ((Title)) ((last name)),\nRef ((ACCOUNT_REF)) ((account-ref))\n")
    assert template.syntax == "notify"
    assert [(v.name, v.line, v.col) for v in template.variables] == [
        ("title", 1, 8), ("last_name", 1, 18), ("account_ref", 2, 7), ("account_ref", 2, 23)]
    text = render(template, {"title": "Ms", "last_name": "Okafor", "account_ref": "CT-1"}).text
    assert text == "Dear Ms Okafor,\nRef CT-1 CT-1\n"


@pytest.mark.parametrize(("placeholder", "variable"), [
    ("((addressline1))", "address_line_1"),
    ("((Address Line 7))", "address_line_7"),
    ("((Post code))", "postcode"),
    ("((post-code))", "postcode"),
    ("((First Name))", "first_name"),
    ("((email address))", "email_address"),
    ("((Rent arrears))", "rent_arrears"),
])
def test_names_are_the_batch_column_notify_would_match(placeholder: str, variable: str) -> None:
    assert notify(placeholder).variable_names == {variable}


def test_a_loosely_named_column_is_found_at_render() -> None:
    template = notify("Ref ((AccountRef))")
    assert render(template, {"accountref": "CT-9"}).text == "Ref CT-9"


def test_line_numbers_count_front_matter() -> None:
    template = notify("---\nname: n\nsyntax: notify\n---\nHello ((first name))\n",
                      TemplateMeta())
    assert template.name == "n"
    assert [(v.line, v.col) for v in template.variables] == [(5, 9)]


@pytest.mark.parametrize("value", ["yes", "Yes", " YES ", "y", "true", "T", "1", "include",
                                   "show"])
def test_optional_content_shows_for_notify_yes_values(value: str) -> None:
    template = notify("Pay now.((late??  A late fee?? may apply.)) Thanks")
    assert render(template, {"late": value}).text == "Pay now.  A late fee?? may apply. Thanks"


@pytest.mark.parametrize("value", ["", "no", "N", "false", "0", "maybe", "yes please"])
def test_optional_content_hidden_otherwise(value: str) -> None:
    template = notify("Pay now.((late?? A late fee may apply.)) Thanks")
    assert render(template, {"late": value}).text == "Pay now. Thanks"


def test_missing_column_is_a_render_error_naming_the_field() -> None:
    template = notify("Dear ((first name)) ((surname))")
    with pytest.raises(RenderError) as caught:
        render(template, {"first_name": "Ann"})
    assert caught.value.code == "undefined-field"
    assert "'surname'" in str(caught.value) and "Ann" not in str(caught.value)
    with pytest.raises(RenderError):
        render(notify("((x??shown))"), {})


def test_values_are_inserted_literally() -> None:
    template = notify("Hi ((name)).")
    for value in ("((other))", "{{ 7*7 }}", "{% for x in y %}", "<b>&amp;</b>"):
        assert render(template, {"name": value}).text == f"Hi {value}."


def test_brackets_around_a_placeholder_stay_brackets() -> None:
    template = notify("Balance (((amount))) due; see (note (a)).")
    assert template.variable_names == {"amount"}
    assert render(template, {"amount": "£5"}).text == "Balance (£5) due; see (note (a))."


def test_letter_prints_notify_address_block_after_the_body() -> None:
    template = notify("Dear ((name)),\nLine two", TemplateMeta(syntax="notify", channel="letter"))
    assert template.variable_names == {"name"}  # the block is the letter's destination
    row = {"name": "Ann", "address_line_1": "Ann Lee ", "address_line_2": "  Flat 2,  10 High St,",
           "address_line_3": "", "address_line_4": "Fenmarsh", "postcode": "PE39 1QY"}
    assert render(template, row).text == (
        "Dear Ann,\nLine two\n\nAnn Lee\nFlat 2, 10 High St\nFenmarsh\nPE39 1QY")
    # Notify: address_line_7, when the batch has it, is the last line instead of postcode.
    row7 = {**row, "address_line_7": "PE40 2AB"}
    assert render(template, row7).text.endswith("Fenmarsh\nPE40 2AB")


def test_email_has_no_address_block() -> None:
    template = notify("Hi ((name))", TemplateMeta(syntax="notify", channel="email"))
    assert render(template, {"name": "A", "address_line_1": "1 X St"}).text == "Hi A"


# --- choosing the syntax -----------------------------------------------------------------


def test_syntax_from_front_matter_policy_or_extension() -> None:
    by_front = parse_template("---\nsyntax: notify\n---\n((a))", Path("t.j2"))
    by_policy = parse_template("((a))", Path("exported.txt"), NOTIFY)
    by_extension = parse_template("((a))", Path("letter.notify"))
    for template in (by_front, by_policy, by_extension):
        assert template.syntax == "notify" and template.variable_names == {"a"}
    front_wins = parse_template("---\nsyntax: jinja\n---\n{{ a }}", Path("t.notify"), NOTIFY)
    assert front_wins.syntax == "jinja" and front_wins.variable_names == {"a"}
    jinja = parse_template("((a)) {{ b }}", Path("t.txt"))
    assert jinja.syntax == "jinja" and jinja.variable_names == {"b"}


def test_source_seen_by_rules_is_jinja_notation_with_the_same_layout() -> None:
    text = "---\nsyntax: notify\n---\nA ((x)) B ((y??said)) C\n"
    template = parse_template(text, Path("t.txt"))
    assert template.source == "---\nsyntax: notify\n---\nA {{x}} B {{y}}said   C\n"
    assert len(template.source) == len(text)


def test_load_notify_file(tmp_path: Path) -> None:
    path = tmp_path / "reminder.notify"
    path.write_text("Hello ((first name))\n", encoding="utf-8")
    template = load_template(path)
    assert (template.name, template.syntax) == ("reminder", "notify")


# --- template problems (a finding in lint, exit 2 in check) -------------------------------


@pytest.mark.parametrize(("text", "line", "col", "words"), [
    ("Dear ((first name),\n", 1, 6, "never closed"),
    ("Hi\nDear ((first name\nthanks", 2, 6, "never closed"),
    ("Dear (first name)),", 1, 18, "closes no"),
    ("Dear (()),", 1, 6, "empty"),
    ("x\n  ((   )) y", 2, 3, "empty"),
    ("Dear ((??text)),", 1, 8, "no field name"),
    ("Dear ((!!)),", 1, 8, "no field name"),
    ("Dear ((first\nname)),", 1, 8, "two lines"),
    ("Hi ((a)),\nDear {{ first_name }},", 2, 6, "is Jinja"),
    ("{% if x %}Hi{% endif %}", 1, 1, "is Jinja"),
])
def test_broken_placeholders_are_problems_with_line_and_column(
        text: str, line: int, col: int, words: str) -> None:
    template = parse_template(text, Path("t.txt"), NOTIFY)
    assert template.problem is not None
    assert (template.problem.code, template.problem.line, template.problem.col) == (
        "syntax", line, col)
    assert words in template.problem.message
    with pytest.raises(RenderError):
        render(template, {})


@pytest.mark.parametrize("text", [
    "Call us (free) on 0300 123 4567.",
    "See the leaflet (section (b)).",
    "a) first item\nb) second item",
    "((a) and (b))",
    "Smile :)",
])
def test_ordinary_brackets_are_not_problems(text: str) -> None:
    assert parse_template(text, Path("t.txt"), NOTIFY).problem is None


# --- through the command line ---------------------------------------------------------------


def _project(tmp_path: Path, audience: str, body: str) -> Path:
    (tmp_path / "notify").mkdir()
    (tmp_path / "notify" / "about-child.txt").write_text(body, encoding="utf-8")
    (tmp_path / "policylint.yaml").write_text(
        "version: 1\ntemplates:\n  - {path: notify/*.txt, syntax: notify, channel: letter, "
        f"audience: {audience}}}\n", encoding="utf-8")
    return tmp_path


def _lint(project: Path, *files: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "policylint", "lint", *files], cwd=project,
                          capture_output=True, text=True, env=env, timeout=120, check=False)


BODY = ("Dear ((title)) ((last name)),\n\n((child name)) has moved to\n"
        "((Address line 1)), ((postcode)).\n")


def test_lint_flags_address_field_in_third_party_notify_template(tmp_path: Path) -> None:
    done = _lint(_project(tmp_path, "third_party", BODY), "notify/about-child.txt")
    lines = done.stdout.splitlines()
    assert any(line.startswith("notify/about-child.txt:4:3: protected-address")
               and "address_line_1" in line for line in lines), done.stdout
    assert any(line.startswith("notify/about-child.txt:4:23: protected-address")
               and "postcode" in line for line in lines), done.stdout


def test_lint_accepts_the_same_template_for_the_recipient(tmp_path: Path) -> None:
    done = _lint(_project(tmp_path, "recipient", BODY), "notify/about-child.txt")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "protected-address" not in done.stdout


def test_lint_reports_notify_syntax_and_foreign_placeholders(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = _project(tmp_path, "recipient", "Dear ((title) ((last name)),\n")
    (project / "notify" / "other.txt").write_text("Dear ((name)), ref <<ref>>\n",
                                                  encoding="utf-8")
    monkeypatch.chdir(project)
    result = CliRunner().invoke(cli, ["lint", "notify/about-child.txt", "notify/other.txt"],
                                catch_exceptions=False)
    assert result.exit_code == 1
    assert "notify/about-child.txt:1:6: template-syntax" in result.output
    assert "notify/other.txt:1:20: merge-integrity" in result.output
    assert "((name))" not in result.output  # Notify's own syntax is not a foreign placeholder


def test_check_with_a_broken_notify_template_exits_2(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = _project(tmp_path, "recipient", "Dear ((title) ((last name)),\n")
    (project / "batch.csv").write_text("recipient_id,title,last_name\nP-1,Ms,Lee\n",
                                       encoding="utf-8")
    monkeypatch.chdir(project)
    result = CliRunner().invoke(cli, ["check", "batch.csv", "--select", "merge-integrity"],
                                catch_exceptions=False)
    assert result.exit_code == 2
    assert "notify/about-child.txt, line 1: Notify placeholder" in result.output


def test_check_matches_columns_as_loosely_as_notify(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """((AccountRef)) is the batch's ``accountref`` column for Notify, so for policylint too:
    not a missing field, and the value is merged."""
    project = _project(tmp_path, "recipient", "Dear ((Last Name)), ref ((AccountRef)).\n")
    (project / "batch.csv").write_text("recipient_id,LASTNAME,accountref\nP-1,Lee,NA\n"
                                       "P-2,Kim,\n", encoding="utf-8")
    monkeypatch.chdir(project)
    result = CliRunner().invoke(cli, ["check", "batch.csv", "--select", "merge-integrity",
                                      "--format", "json"], catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    assert "missing-field" not in result.output and "render" not in result.output
    jinja = parse_template("Dear {{ last_name }}", Path("t.j2"))
    assert jinja.missing_fields({"lastname"}) == ["last_name"]  # Jinja names stay exact
    assert notify("Dear ((Last Name))").missing_fields({"lastname"}) == []
    assert notify("Dear ((Last Name))").missing_fields({"surname"}) == ["last_name"]


# --- any text at all ----------------------------------------------------------------------

_PIECES = st.lists(st.sampled_from(["((", "))", "(", ")", "??", "a", "B c", "\n", " ", "-",
                                    "{{", "}}", "«", "yes", "((name))", "((x??y))"]),
                   max_size=25).map("".join)


@settings(max_examples=200, deadline=None)
@given(_PIECES)
def test_any_text_parses_to_a_template_or_a_located_problem(text: str) -> None:
    template = parse_template(text, Path("t.txt"), NOTIFY)
    if template.problem is not None:
        assert template.problem.line is not None and template.problem.col is not None
        assert 1 <= template.problem.line <= text.count("\n") + 1
        return
    assert len(template.source) == len(text)
    assert template.source.count("\n") == text.count("\n")
    row = dict.fromkeys(template.variable_names, "yes")
    assert isinstance(render(template, row).text, str)  # every field it names, rendered


def test_voicemail_rules_see_notify_fields_and_optional_text_at_file_columns(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "vm.txt").write_text(
        "Hello ((first name)), this is the council.((late??  About your council tax "
        "arrears.)) Call 01632 960000.\n", encoding="utf-8")
    (tmp_path / "policylint.yaml").write_text(
        "version: 1\ntemplates:\n  - {path: vm.txt, syntax: notify, channel: voicemail}\n"
        "rules:\n  voicemail-content: {allowed_fields: [first_name], sensitive_terms: "
        "[arrears]}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["lint", "vm.txt"], catch_exceptions=False)
    found = [line.split("[")[0] for line in result.output.splitlines() if "[error]" in line]
    # The built-in sensitive phrase "council tax arrears" (column 64) covers "arrears".
    assert found == ["vm.txt:1:45: voicemail-content", "vm.txt:1:64: voicemail-content"]
    assert "'late'" in result.output and '"council tax arrears"' in result.output
    assert "first_name" not in result.output.split("may only say")[0]
