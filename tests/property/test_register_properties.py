"""Property tests: registers whose people/addresses/contacts hold random cells.

Invariants: opening a register, asking it questions and checking it raise
nothing but PolicylintError (one line, never quoting a cell); a CSV register
that opens builds into an SQLite register that answers the same questions the
same way; through the CLI a rule that asks the register every question keeps
the exit-code contract, and a register that cannot be read is never exit 0.
"""

from __future__ import annotations

import datetime as dt
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from policylint.errors import PolicylintError
from policylint.io.register import open_register
from policylint.io.register.base import ALL_COLUMNS
from policylint.io.register.build import build_sqlite
from policylint.io.register.check import check_register
from tests.property.support import (
    HEADER,
    REGISTER,
    Project,
    RegisterProbe,
    assert_cli_contract,
    csv_text,
    good_row,
    invoke,
    make_project,
    plugin_rules,
)

SETTINGS = settings(max_examples=60, deadline=timedelta(seconds=3),
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])
TODAY = dt.date(2026, 11, 26)
MARKER = "Zq7Secret"  # planted in random cells: must never appear in an error line

cells = st.one_of(
    st.text(max_size=15).filter(lambda s: "\0" not in s),
    st.sampled_from(["", "active", "deceased", "current", "previous", "gone_away", "email",
                     "phone", "invalid", "2026-01-01", "2026-02-30", "1/1/2020", "P-10001",
                     "P-10002", "07700 900123", "a@b.example", "no_voicemail;post_only",
                     f"{MARKER}", f"=HYPERLINK(\"{MARKER}\")", "\ufeff", " ", "NULL"]))


@st.composite
def table(draw: st.DrawFn, name: str) -> str:
    columns = list(ALL_COLUMNS[name])
    if draw(st.booleans()):
        columns = draw(st.permutations(columns))
    if draw(st.integers(0, 9)) == 0:
        columns = columns[:-1]  # sometimes a required column goes missing
    rows = draw(st.lists(st.lists(cells, min_size=len(columns), max_size=len(columns)),
                         max_size=6))
    return csv_text([columns, *rows])


registers = st.fixed_dictionaries({
    "people.csv": table("people"),
    "addresses.csv": table("addresses"),
    "contacts.csv": table("contacts"),
})


def _write(directory: Path, files: dict[str, str]) -> None:
    directory.mkdir(exist_ok=True)
    for name, text in files.items():
        (directory / name).write_text(text, encoding="utf-8")


def _ask_everything(register: object, ids: list[str]) -> list[object]:
    answers: list[object] = []
    for pid in ids:
        answers.append(register.person(pid))  # type: ignore[attr-defined]
        answers.append(tuple(register.addresses(pid)))  # type: ignore[attr-defined]
        answers.append(tuple(register.contacts(pid)))  # type: ignore[attr-defined]
        answers.append(tuple(register.representatives(pid)))  # type: ignore[attr-defined]
    return answers


@SETTINGS
@given(files=registers)
def test_random_register_only_raises_policylint_errors(tmp_path: Path,
                                                       files: dict[str, str]) -> None:
    directory = tmp_path / "reg"
    _write(directory, files)
    try:
        register = open_register(str(directory))
    except PolicylintError as err:
        event("register refused")
        assert "\n" not in str(err) and MARKER not in str(err)
        return
    event("register opened")
    ids = sorted({p.person_id for p in register.people()} | {"P-10001", ""})
    csv_answers = _ask_everything(register, ids)
    try:
        check_register(register, TODAY)
    except PolicylintError as err:
        assert MARKER not in str(err)
    register.close()
    # The same tables in SQLite answer the same questions the same way.
    db = tmp_path / "reg.sqlite"
    build_sqlite(directory, db, force=True)
    sqlite_register = open_register(str(db))
    try:
        assert _ask_everything(sqlite_register, ids) == csv_answers
    finally:
        sqlite_register.close()


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    proj = make_project(tmp_path_factory.mktemp("regprop"))
    rows = [good_row(n) for n in range(1, 4)]
    (proj.root / "batch.csv").write_text(HEADER + "".join(rows), encoding="utf-8")
    return proj


@settings(max_examples=30, deadline=timedelta(seconds=5),
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(files=registers)
def test_cli_with_a_random_register(project: Project, files: dict[str, str]) -> None:
    directory = project.root / "random-register"
    _write(directory, {**REGISTER, **files})
    try:
        reg = open_register(str(directory))
        readable = True
        reg.close()
    except PolicylintError:
        readable = False
    with plugin_rules(RegisterProbe):
        args = project.check_args(project.root / "batch.csv", select=RegisterProbe.name)
        args[args.index("--register") + 1] = str(directory)
        result = invoke(args)
    assert_cli_contract(result)
    assert MARKER not in result.output
    if not readable:
        assert result.exit_code == 2, result.output
