"""The columnar CSV register answers exactly as the row-by-row one, or steps aside.

:func:`read_columnar` reads clean files in C; for anything it cannot vouch for
it returns ``None`` and the register is read row by row, which gives the exact
error or the same records. Each case below is written byte for byte and
loaded both ways: where the reference fails, the columnar reader must decline
(and ``open_csv_register`` must fail with the same line); where the reference
loads, every answer a rule can ask for must be equal, and the cases marked
``fast`` must really have been read in C.
"""

from __future__ import annotations

import csv
import gc
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policylint.errors import PolicylintError
from policylint.io.register.base import ALL_COLUMNS, Register
from policylint.io.register.columnar import PYTHON_WHITESPACE, ColumnarRegister, read_columnar
from policylint.io.register.csvdir import open_csv_register, table_files
from policylint.io.register.memory import MemoryRegister
from policylint.normalise.contact import contact_key

PEOPLE = "person_id,title,given_name,family_name,date_of_birth,status,flags\n"
ADDRESSES = "person_id,line_1,line_2,line_3,postcode,status,valid_from,valid_to,verified_on\n"
CONTACTS = "person_id,kind,value,status,verified_on\n"


@pytest.fixture(autouse=True)
def _unfreeze() -> Iterator[None]:
    yield
    gc.unfreeze()


def _answers(register: Register | MemoryRegister | ColumnarRegister) -> dict[str, object]:
    """Everything a rule (or the register check) can ask, as comparable values."""
    people = list(register.people())
    addresses = list(register.all_addresses())  # type: ignore[union-attr]
    contacts = list(register.all_contacts())  # type: ignore[union-attr]
    representatives = list(register.all_representatives())  # type: ignore[union-attr]
    out: dict[str, object] = {
        "people": people, "restrictions": list(register.restrictions()),
        "addresses": addresses, "contacts": contacts, "representatives": representatives,
    }
    ids = {p.person_id for p in people} | {a.person_id for a in addresses} | {
        c.person_id for c in contacts} | {r.person_id for r in representatives} | {"P-NOBODY"}
    for pid in sorted(ids):
        out[pid] = (register.person(pid), register.addresses(pid), register.contacts(pid),
                    register.restrictions_for(pid), register.representatives(pid))
    for contact in contacts:
        key = contact_key(contact.kind, contact.value)
        out[f"{contact.kind}:{key}"] = register.contact_owners(contact.kind, key)
    out["unknown owner"] = register.contact_owners("phone", "+447700900999")
    return out


def _write(directory: Path, files: dict[str, bytes | str]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        data = content if isinstance(content, bytes) else content.encode()
        (directory / f"{name}.csv").write_bytes(data)
    return directory


def _outcome(directory: Path) -> tuple[str, object, ColumnarRegister | None]:
    """("ok", answers) or ("error", its one line) the reference way, and what the
    columnar reader made of the same files."""
    try:
        reference = open_csv_register(directory, columnar=False)
    except PolicylintError as exc:
        expected = str(exc)
        try:  # a header it cannot read fails here already, the same way
            columnar = read_columnar(table_files(directory), str(directory))
        except PolicylintError as same:
            assert str(same) == expected
            columnar = None
        return "error", expected, columnar
    return "ok", _answers(reference), read_columnar(table_files(directory), str(directory))


def _agree(directory: Path) -> ColumnarRegister | None:
    kind, expected, columnar = _outcome(directory)
    if kind == "error":
        assert columnar is None, "the columnar reader accepted a register the reference rejects"
        with pytest.raises(PolicylintError) as raised:
            open_csv_register(directory)
        assert str(raised.value) == expected
        return None
    if columnar is not None:
        assert _answers(columnar) == expected
    assert _answers(open_csv_register(directory)) == expected
    return columnar


GOOD = PEOPLE + (
    "P-1,Mr,Sam,Lee,1970-01-02,active,No_Voicemail; post_only\n"
    "P-2,,Zoë,O'Neill,,Deceased,\n"
    "P-3,Dr,Ann,\"Smith, Jones\",1980-02-29T00:00:00,ACTIVE,\n"
)


def _case(people: str = GOOD, addresses: str | None = None, contacts: str | None = None,
          **others: str) -> dict[str, bytes | str]:
    files: dict[str, bytes | str] = {"people": people}
    if addresses is not None:
        files["addresses"] = addresses
    if contacts is not None:
        files["contacts"] = contacts
    files.update(others)
    return files


# Read in C and equal to the reference.
FAST: dict[str, dict[str, bytes | str]] = {
    "people only": _case(),
    "quoted commas, doubled quotes and newlines": _case(addresses=ADDRESSES + (
        'P-1,"Flat 1, ""The Maltings""","2 High St\nRear",Leeds,LS1 1AA,current,2020-01-01,,\n'
        "P-2,3 Low Rd,,,LS2 2BB,Previous,2001-01-01,2019-05-05,2019-01-01 10:00:00\n")),
    "rows not grouped by person, and an address of nobody in people": _case(
        addresses=ADDRESSES + (
            "P-2,1 A St,,,AA1 1AA,previous,,,\n"
            "P-1,2 B St,,,BB1 1BB,current,,,\n"
            "P-9,9 Gone St,,,CC1 1CC,gone_away,,,\n"
            "P-2,3 C St,,,DD1 1DD,current,,,\n"
            "P-1,4 D St,,,EE1 1EE,previous,,,\n")),
    "padding Python strips (tab, no-break space, ideographic space) and upper case": _case(
        people=PEOPLE + "\u00a0P-1\t,Mr, Sam ,Lee\u3000, 1970-01-02 , ACTIVE ,\n",
        addresses=ADDRESSES + "P-1 , 1 A St ,,,\u2009AA1 1AA , CURRENT ,,,\n"),
    "contact spellings": _case(contacts=CONTACTS + (
        "P-1,phone,+44 (0)7700 900123,current,\n"
        "P-1,phone,0044 7700 900124,previous,\n"
        "P-2,phone,07700-900-123,current,\n"  # the same number as P-1's first
        "P-2,Phone,(01632) 960 001,current,2024-01-01\n"
        "P-3,phone,+1 202 555 0100,current,\n"
        "P-3,phone,not a number,invalid,\n"
        "P-3,email,Sam.Lee@Example.ORG,current,\n"
        "P-1,email,sam.lee@example.org,previous,\n"
        "P-2,email,zoë@example.org,current,\n"
        "P-2,email,\u200bzoe@example.org,current,\n"
        "P-2,email,+447700900123,invalid,\n")),
    "CRLF and a BOM": {"people": ("\ufeff" + GOOD).replace("\n", "\r\n").encode()},
    "cp1252": {"people": GOOD.replace("Zoë", "Renée").encode("cp1252")},
    "UTF-16": {"people": GOOD.encode("utf-16")},
    "semicolons": {"people": GOOD.replace('"Smith, Jones"', "Smith").replace("; ", " ").replace(
        ",", ";")},
    "every table, restrictions and representatives": _case(
        restrictions="person_id,kind,other_person_id,note\n"
                     "P-1,confidential_address,,\nP-2, Do_Not_Disclose_To ,P-1,ex-partner\n",
        representatives="person_id,representative_id,scope,valid_to\n"
                        "P-3,P-1,council_tax,2027-01-01\nP-3,P-2,,\n"),
    "header only": _case(people=PEOPLE, addresses=ADDRESSES, contacts=CONTACTS),
    "unknown columns are ignored": {"people": "notes,person_id,status,family_name,given_name\n"
                                              "private,P-1,active,Lee,A\n,P-2,active,Ng,B\n"},
}

# Declined by the columnar reader: the reference decides (an error, or the same records).
DECLINED: dict[str, dict[str, bytes | str]] = {
    "text after a closing quote": _case(addresses=ADDRESSES + (
        'P-1,"Flat 1,"2 High St,,,LS1 1AA,current,,,\n')),
    "a closing quote then a space": _case(people=GOOD + '"P-4" ,,A,B,,active,\n'),
    "stray trailing delimiters": _case(people=GOOD + "P-4,,A,B,,active,,,\n"),
    "a row of empty cells": _case(people=GOOD + ",,,,,,\n"),
    "an impossible date": _case(people=GOOD + "P-4,,A,B,2025-02-29,active,\n"),
    "year zero": _case(people=GOOD + "P-4,,A,B,0000-01-01,active,\n"),
    "digits of another script": _case(people=GOOD + "P-4,,A,B,٢٠٢٤-٠١-٠٢,active,\n"),
    "a repeated person": _case(people=GOOD + "P-1,,A,B,,active,\n"),
    "an unknown status": _case(people=GOOD + "P-4,,A,B,,ACTIVE (moved),\n"),
    "full-width letters": _case(people=GOOD + "P-4,,A,B,,ＡＣＴＩＶＥ,\n"),
    "do_not_disclose_to nobody": _case(
        restrictions="person_id,kind,other_person_id,note\nP-1,do_not_disclose_to,,\n"),
    "a missing required column": {"people": "person_id,family_name\nP-1,Lee\n"},
    "a NUL byte": _case(people=GOOD + "P-4,,A\x00,B,,active,\n"),
    "a blank line before the header": {"people": "\n" + GOOD},
    "a quoted header": {"people": '"person_id",status\nP-1,active\n'},
    "a cell holding the separator": _case(people=GOOD + "P-4,,A\x1fB,C,,active,\n"),
    "a short row": _case(people=GOOD + "P-4,,A\n"),
    "an unterminated quote": _case(people=GOOD + 'P-4,,"A,B,,active,\n'),
}


@pytest.mark.parametrize("name", list(FAST))
def test_clean_files_are_read_in_c_with_the_same_answers(name: str, tmp_path: Path) -> None:
    columnar = _agree(_write(tmp_path / "reg", FAST[name]))
    assert columnar is not None, "expected the columnar reader to take this register"


@pytest.mark.parametrize("name", list(DECLINED))
def test_what_the_columnar_reader_cannot_vouch_for_goes_the_reference_way(
        name: str, tmp_path: Path) -> None:
    directory = _write(tmp_path / "reg", DECLINED[name])
    assert read_columnar(table_files(directory), str(directory)) is None
    _agree(directory)


def test_the_generated_register_is_read_in_c(tmp_path: Path, kit: Any) -> None:
    directory = kit.write_register(tmp_path / "reg", kit.make_tables(300))
    register = _agree(directory)
    assert isinstance(register, ColumnarRegister)
    assert isinstance(open_csv_register(directory), ColumnarRegister)


def test_records_are_built_when_asked_and_cached(tmp_path: Path, kit: Any) -> None:
    register = open_csv_register(kit.write_register(tmp_path / "reg", kit.make_tables(50)))
    assert isinstance(register, ColumnarRegister)
    first = next(register.people())
    assert register.person(first.person_id) is register.person(first.person_id)
    assert register.person(first.person_id) == first


def test_rows_remembered_for_a_few_people_answer_as_the_hashes_do(
        tmp_path: Path, kit: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """A person's row is remembered for their next question; the memory is emptied when
    full (two people here) and every answer stays that of the reference register."""
    import policylint.io.register.columnar as columnar

    monkeypatch.setattr(columnar, "_CACHE_LIMIT", 2)
    directory = kit.write_register(tmp_path / "reg", kit.make_tables(40))
    register = open_csv_register(directory)
    reference = open_csv_register(directory, columnar=False)
    assert isinstance(register, ColumnarRegister)
    ids = [p.person_id for p in reference.people()] + ["P-NOBODY"]
    for person_id in ids + ids[::-1]:
        assert register.person(person_id) == reference.person(person_id)
        assert register.addresses(person_id) == reference.addresses(person_id)
        assert register.contacts(person_id) == reference.contacts(person_id)
        assert len(register._recent_rows) <= 2
    # Contact owners likewise: asked again (the cache), after it was emptied, and apart.
    keys = [(c.kind, contact_key(c.kind, c.value)) for c in reference.all_contacts()]
    for kind, key in keys + keys[::-1] + [("phone", "+447700900999")]:
        assert register.contact_owners(kind, key) == reference.contact_owners(kind, key)
        assert len(register._owner_cache) <= 2


def test_python_whitespace_is_what_str_strip_removes() -> None:
    assert set(PYTHON_WHITESPACE) == {chr(c) for c in range(0x110000) if chr(c).isspace()}


# -- property: any table text, written the way a spreadsheet would, or broken ----------

_CELL = st.one_of(st.text(alphabet=st.sampled_from(list('aZ0-9 ,;"\n\r\t\u00a0é\u3000P')),
                          max_size=8), st.sampled_from(["active", "2024-01-02", "Smith"]))
# Mostly what loads (so that the columnar reader's answers are compared), now and
# then what does not.
_STATUS = st.sampled_from(["active", "deceased", " Active ", "DECEASED"] * 8 + ["gone", ""])
_DATE = st.sampled_from(["", "2024-01-02", " 1999-12-31T10:00 "] * 6
                        + ["2024-02-30", "1999-1-1"])


@st.composite
def _people_file(draw: st.DrawFn) -> bytes:
    rows = []
    for index in range(draw(st.integers(0, 6))):
        rows.append([draw(st.sampled_from([f"P-{index}", f" P-{index} "] * 8 + ["P-0", ""])),
                     draw(_CELL), draw(_CELL), draw(_CELL), draw(_DATE), draw(_STATUS),
                     draw(st.sampled_from(["", "post_only", "A;b; a"]))])
    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator=draw(st.sampled_from(["\n", "\r\n"])))
    writer.writerow(ALL_COLUMNS["people"])
    writer.writerows(rows)
    text = stream.getvalue()
    if draw(st.integers(0, 3)) == 0:  # damage: a character inserted somewhere
        where = draw(st.integers(0, len(text)))
        text = text[:where] + draw(st.sampled_from(['"', ",", "\n", "x"])) + text[where:]
    return text.encode(draw(st.sampled_from(["utf-8", "utf-8-sig"])))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
          HealthCheck.function_scoped_fixture])
@given(people=_people_file())
def test_any_people_file_loads_alike_or_fails_alike(people: bytes, tmp_path: Path) -> None:
    directory = tmp_path / "reg"
    for old in directory.glob("*.csv") if directory.exists() else []:
        old.unlink()
    _agree(_write(directory, {"people": people}))


def test_the_people_sequence_builds_each_person_when_indexed(tmp_path: Path, kit: Any) -> None:
    register = open_csv_register(kit.write_register(tmp_path / "reg", kit.make_tables(40)))
    assert isinstance(register, ColumnarRegister)
    everyone = list(register.people())
    view = register.people_sequence()
    assert len(view) == len(everyone) == 40
    assert list(view) == everyone
    assert [view[i] for i in range(40)] == everyone
    assert view[-1] == everyone[-1]
    assert list(view[3:7]) == everyone[3:7]
    with pytest.raises(IndexError):
        view[40]


def test_a_scan_gives_the_records_fields_without_building_them(tmp_path: Path,
                                                               kit: Any) -> None:
    register = open_csv_register(kit.write_register(tmp_path / "reg", kit.make_tables(60)))
    assert isinstance(register, ColumnarRegister)
    addresses = list(register.all_addresses())
    assert list(register.scan("addresses", ("person_id", "lines", "postcode", "status"))) == [
        (a.person_id, a.lines, a.postcode, a.status) for a in addresses]
    assert list(register.scan("addresses", ("lines",))) == [(a.lines,) for a in addresses]
    people = list(register.people())
    assert list(register.scan("people", ("person_id", "family_name"))) == [
        (p.person_id, p.family_name) for p in people]
    assert list(register.scan("people", ("status",))) == [(p.status,) for p in people]
    assert list(register.scan("contacts", ("value", "kind"))) == [
        (c.value, c.kind) for c in register.all_contacts()]


# --- a scan narrowed to the rows that may hold a piece of folded text ------------------

_NARROW_ADDRESSES = ADDRESSES + (
    "P-1,14 Station Road,Leeds,,LS1 1AA,current,,,\n"
    "P-1,\"14, Station-Rd\",,,LS1 1AA,previous,,,\n"       # spelled otherwise: still there
    "P-2,Rose Cottage,Church Ln,,PE41 2BB,current,,,\n"
    "P-2,1 Café Row,,,LS2 2BB,previous,,,\n"                  # not ASCII: always kept
    "P-3,140 Station Road,,,LS1 1AA,current,,,\n"
    "P-3,Flat 2,9 Mill Lane,,PE30 4AB,current,,,\n")


def _folded(text: str) -> str:
    return "".join(c for c in text.lower() if c.isascii() and c.isalnum())


@pytest.mark.parametrize("pieces", [
    {"14station"}, {"stationr"}, {"pe41"}, {"rosecottagechurch"}, {"9mill", "14station"},
    {"nowhere"}, {"leeds"},
])
def test_a_narrowed_scan_keeps_every_row_that_may_hold_a_piece(
        tmp_path: Path, pieces: set[str]) -> None:
    """Exactly the plain-ASCII rows whose folded text holds a piece, and every row that
    is not plain ASCII; in table order, fields as a full scan gives them."""
    register = _agree(_write(tmp_path / "reg", _case(addresses=_NARROW_ADDRESSES)))
    assert isinstance(register, ColumnarRegister)
    columns = ("person_id", "lines", "postcode", "status")
    every = list(register.scan("addresses", columns))
    expected = [row for row in every
                if not all(str(v).isascii() for v in row)
                or any(piece in _folded("".join(row[0:1]) + "".join(row[1]) + row[2] + row[3])
                       for piece in pieces)]
    narrowed = list(register.scan("addresses", columns, folded_holds=pieces))
    assert narrowed == expected
    assert [row for row in narrowed if row[1] == ("1 Café Row",)]  # kept, not judged


def test_many_pieces_are_searched_in_groups_with_the_same_answer(tmp_path: Path) -> None:
    """More pieces than one regex holds (RE2 slows a hundredfold past its DFA budget):
    searched group by group, a piece in any group keeps its row, the first or the last."""
    from policylint.io.register.columnar import _PATTERN_CHARACTERS, _pattern_groups

    register = _agree(_write(tmp_path / "reg", _case(addresses=_NARROW_ADDRESSES)))
    assert isinstance(register, ColumnarRegister)
    filler = [f"nowhere{n:04d}" for n in range(300)]  # 3,300 characters, nowhere
    everything = sorted({*filler, "14station", "rosecottage"})
    groups = list(_pattern_groups(everything))
    assert len(groups) >= 4
    assert all(sum(map(len, g)) <= _PATTERN_CHARACTERS for g in groups)
    assert [p for g in groups for p in g] == everything
    assert "14station" in groups[0] and "rosecottage" in groups[-1]
    columns = ("person_id", "lines")
    for found in ({"14station"}, {"rosecottage"}, {"14station", "rosecottage"}):
        few = list(register.scan("addresses", columns, folded_holds=found))
        many = list(register.scan("addresses", columns, folded_holds={*filler, *found}))
        assert many == few
        assert any(row[0] == "P-1" for row in many) == ("14station" in found)
        assert any(row[1] == ("Rose Cottage", "Church Ln") for row in many) == (
            "rosecottage" in found)


def test_a_scan_narrowed_by_what_it_cannot_search_for_keeps_everything(
        tmp_path: Path) -> None:
    register = _agree(_write(tmp_path / "reg", _case(addresses=_NARROW_ADDRESSES)))
    assert isinstance(register, ColumnarRegister)
    every = list(register.scan("addresses", ("lines",)))
    assert list(register.scan("addresses", ("lines",), folded_holds={""})) == every
    assert list(register.scan("addresses", ("lines",), folded_holds={"st-r"})) == every
    assert list(register.scan("addresses", ("lines",), folded_holds=set())) == []


def test_whole_register_indexes_are_the_same_from_either_register(tmp_path: Path,
                                                                   kit: Any) -> None:
    from policylint.io.register.base import ColumnScans
    from policylint.rules._destinations import scan_addresses
    from policylint.rules._register_people import RegisterPeople, person_id_key

    directory = kit.write_register(tmp_path / "reg", kit.make_tables(120))
    columnar = open_csv_register(directory)
    memory = open_csv_register(directory, columnar=False)
    assert isinstance(columnar, ColumnScans)
    assert not isinstance(memory, ColumnScans)
    fast, slow = RegisterPeople.build(columnar), RegisterPeople.build(memory)
    assert len(fast.by_id) == len(slow.by_id) == 120
    for person in slow.people:
        key = person_id_key(person.person_id)
        assert fast.by_id.get(key) == slow.by_id.get(key) is not None
    assert fast._by_family == slow._by_family
    assert list(fast.people) == list(slow.people)
    assert [(a.person_id, a.lines, a.postcode, a.status) for a in scan_addresses(columnar)] == [
        (a.person_id, a.lines, a.postcode, a.status) for a in scan_addresses(memory)]


def test_a_cell_or_row_that_may_pass_a_limit_goes_the_reference_way() -> None:
    from policylint.arrow import arrow
    from policylint.io.register import columnar

    pa = arrow()
    table = pa.table({"a": ["x" * 50, "y"], "b": ["z", "w" * 10]})
    columnar._within_limits(table, max_cell_chars=50, max_row_chars=200)  # within both
    with pytest.raises(columnar._NotExact):
        columnar._within_limits(table, max_cell_chars=49, max_row_chars=10_000)
    with pytest.raises(columnar._NotExact):  # 51 characters, counted doubled: 102 + 6
        columnar._within_limits(table, max_cell_chars=100, max_row_chars=107)


@pytest.mark.parametrize("collide", [False, True])
def test_people_are_found_by_id_whatever_their_hashes_share(tmp_path: Path,
                                                            collide: bool) -> None:
    """person_id -> row is kept as sorted hashes, each hit confirmed against the row's
    own id: with every id of a length hashing alike, the answers are still the
    reference's (a person found, an unknown or differently cased id not)."""
    from unittest.mock import patch

    from policylint.io.register import hashed

    people = PEOPLE + "".join(f"P-{n},,Ann,Lee{n},,active,\n" for n in range(1, 60))
    with patch.object(hashed, "_hash", len if collide else hash):
        register = _agree(_write(tmp_path / "reg", _case(people=people)))
        assert isinstance(register, ColumnarRegister)
        for n in (1, 9, 10, 59):
            person = register.person(f"P-{n}")
            assert person is not None and person.family_name == f"Lee{n}"
        assert register.person("P-60") is None and register.person("p-1") is None


def test_a_person_id_twice_goes_the_reference_way(tmp_path: Path) -> None:
    files = _case(people=GOOD + "P-1,Ms,Sam,Other,,active,\n")
    assert read_columnar(table_files(_write(tmp_path / "reg", files)),
                         str(tmp_path / "reg")) is None


@pytest.mark.parametrize("name", sorted(FAST))
def test_every_case_answers_the_same_when_hashes_collide(tmp_path: Path, name: str) -> None:
    """person_id -> row and contact key -> owners are found by sorted hashes and
    confirmed against the keys themselves: with every key of a length hashing alike,
    each read-in-C case still answers as the reference does (every person, address,
    contact and contact owner; ``_agree``)."""
    from unittest.mock import patch

    from policylint.io.register import hashed

    with patch.object(hashed, "_hash", len):
        assert _agree(_write(tmp_path / "reg", FAST[name])) is not None
