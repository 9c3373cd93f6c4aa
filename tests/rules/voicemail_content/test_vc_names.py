"""The surname detector on its own: what it looks for, and what it finds in a script."""

from __future__ import annotations

import pytest

from policylint.io.register.base import Person
from policylint.rules.voicemail_content.names import find_surnames, name_sources, titled_name
from policylint.rules.voicemail_content.text import ScriptText

OKAFOR = Person("P-1", title="Mrs", given_name="Ngozi", family_name="Okafor")


def found(script: str, first: str = "", last: str = "", name: str = "",
          people: tuple[Person, ...] = ()) -> list[tuple[str, object]]:
    sources = name_sources(list(people), [("first_name", first)] if first else [],
                           ("last_name" if last else None, last), (None, name))
    return [(script[h.start:h.end], h.facts["what"])
            for h in find_surnames(ScriptText.of(script), sources)]


@pytest.mark.parametrize(("value", "expected"), [
    ("Mrs Okafor", ((), ("okafor",))),
    ("Mr J Smith", ((), ("smith",))),
    ("Mr. J. P. Smith", ((), ("smith",))),
    ("Dr Ngozi Okafor", (("ngozi",), ("okafor",))),
    ("Ngozi", ((), ())),
    ("Ngozi Okafor", ((), ())),
    ("Mrs", ((), ())),
    ("Mr J", ((), ())),
])
def test_titled_name(value: str, expected: object) -> None:
    assert titled_name(value) == expected


@pytest.mark.parametrize("first", ["Mrs Okafor", "MRS OKAFOR", "Mr J Okafor", "Ms. Okafor"])
def test_title_and_surname_in_first_name_is_a_surname_without_register_or_last_name(
        first: str) -> None:
    script = f"Hello {first}, this is the council."
    assert [w for _, w in found(script, first=first)] == ["the surname"]


def test_title_and_surname_in_first_name_with_the_register() -> None:
    script = "Hello Mrs Okafor, this is the council."
    assert [w for _, w in found(script, first="Mrs Okafor", people=(OKAFOR,))] == [
        "the surname"]


def test_first_name_cell_holding_the_register_surname_is_a_surname() -> None:
    assert found("Hello Okafor, call us.", first="Okafor", people=(OKAFOR,)) == [
        ("Okafor", "the surname")]


def test_first_name_alone_is_not_a_surname() -> None:
    assert found("Hello Ngozi, call us.", first="Ngozi", people=(OKAFOR,)) == []
    assert found("Hello Ngozi, call us.", first="Ngozi", last="Okafor") == []


def test_title_with_first_name_is_not_a_surname() -> None:
    assert found("Hello Dr Ngozi, call us.", first="Dr Ngozi", people=(OKAFOR,)) == []


def test_full_name_is_one_hit_and_surname_from_last_name_column() -> None:
    hits = found("For Ngozi Okafor.", first="Ngozi", last="Okafor")
    assert ("Ngozi Okafor", "the full name") in hits
    assert found("Note: okafor called.", first="Ngozi", last="Okafor") == [
        ("okafor", "the surname")]


def test_surname_that_is_also_the_first_name_is_only_the_full_name() -> None:
    assert found("Hello Thomas.", first="Thomas", last="Thomas") == []
    assert found("Hello Thomas Thomas.", first="Thomas", last="Thomas")


def test_part_of_a_double_barrelled_surname_and_particles() -> None:
    faith = Person("P-2", given_name="Faith", family_name="Mbeki-Carr")
    assert [t for t, _ in found("A note for Ms Carr.", first="Faith", people=(faith,))] == [
        "Carr"]
    cruz = Person("P-3", given_name="Ana", family_name="de la Cruz")
    assert found("Call de la Rosa.", first="Ana", people=(cruz,)) == []


def test_similar_words_are_not_the_surname() -> None:
    assert found("Hughesdon Park library.", first="Sian", last="Hughes") == []
