"""Surname detector: the person's surname or full name, wherever in the script it is.

What to look for comes from the register (the recipient's and the subject's family
names) and the row (``last_name``, the last word of ``name``, and a first-name cell
that holds a title and a surname: ``Mrs Okafor``, ``Mr J Smith``). The person's
first name may be said; a surname that is also their first name (Thomas Thomas) is
reported only as the full name.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from policylint.io.register.base import Person
from policylint.model import Personal, PersonalKind
from policylint.normalise import CACHE_SIZE
from policylint.normalise.names import TITLES, name_tokens
from policylint.rules.voicemail_content.hits import Hit
from policylint.rules.voicemail_content.text import WORD_RE, ScriptText, fold

# Allowed fields that hold a first name: the script may say them, but a surname
# inside one (a full name, or "Mrs Okafor", merged into first_name) is still reported.
GIVEN_NAME_FIELDS = frozenset({
    "first_name", "given_name", "forename", "forenames", "first_names", "preferred_name",
    "known_as",
})
# Surname particles never searched for on their own ("de" of "de la Cruz").
NAME_PARTICLES = frozenset({
    "de", "la", "le", "du", "da", "di", "del", "della", "van", "von", "der", "den", "ten",
    "ter", "st", "san", "bin", "binti", "al", "el", "mac", "mc", "ap", "ab",
})

SURNAME_MESSAGE = (
    "The voicemail says {what} {value} {where}. Whoever hears the message learns who it is"
    " for: say the first name only, and take the surname out of the script.")


@functools.lru_cache(maxsize=CACHE_SIZE)
def titled_name(value: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(given words, surname words) of a value written as a title and a name.

    ``"Mrs Okafor"`` is a surname (``((), ("okafor",))``), ``"Mr J Smith"`` a surname
    after an initial, ``"Dr Ngozi Okafor"`` a given name and a surname. A value that
    does not start with a title gives ``((), ())``.
    """
    words = [fold(m.group()) for m in WORD_RE.finditer(value)]
    words = [w for w in words if w]
    if len(words) < 2 or words[0] not in TITLES:
        return (), ()
    rest = words[1:]
    while len(rest) > 1 and rest[0] in TITLES:  # "Rt Hon", "Flt Lt"
        rest = rest[1:]
    named = [w for w in rest if len(w) > 1]  # initials name nobody
    if not named or rest[-1] != named[-1]:
        return (), ()  # "Mr Smith J"? too unsure to call either part a surname
    return tuple(named[:-1]), (named[-1],)


@dataclass(frozen=True)
class NameSources:
    """What the surname detector looks for: compact needle -> the column it came from
    (None: the register)."""

    surnames: Mapping[str, str | None]
    full_names: Mapping[str, str | None]
    given: frozenset[str] = frozenset()  # the person's given names, folded: may be said


def name_sources(people: Sequence[Person], first_names: Sequence[tuple[str | None, str]],
                 last_name: tuple[str | None, str], name: tuple[str | None, str]
                 ) -> NameSources:
    """Build the needles from the register's ``people`` (recipient, subject) and the row's
    given-name cells, ``last_name`` and ``name`` cells, each as (column, value)."""
    register_given: set[str] = set()
    register_family: set[str] = set()
    for person in people:
        register_given.update(name_tokens(person.given_name))
        register_family.update(name_tokens(person.family_name))
    given = set(register_given)
    sources: list[tuple[str, str | None]] = []
    for column, value in first_names:
        titled_given, titled_surname = titled_name(value)
        if titled_surname:
            given.update(titled_given)
            if not (titled_surname[0] in register_given and not titled_given):
                sources.append((titled_surname[0], column))
            continue
        for token in name_tokens(value):
            # A first-name cell holding the register's family name (and not the given
            # name) is a surname merged into the wrong column.
            if token in register_family and token not in register_given:
                sources.append((token, column))
            else:
                given.add(token)
    surnames: dict[str, str | None] = {}
    full: dict[str, str | None] = {}
    last_column, last = last_name
    name_column, full_value = name
    sources.append((last, last_column))
    sources += [(p.family_name, None) for p in people]
    name_words = name_tokens(full_value)
    if len(name_words) >= 2:
        sources.append((name_words[-1], name_column))
        full["".join(name_words)] = name_column
    first_value = next((v for c, v in first_names if c is not None), "")
    first_last = name_tokens(f"{first_value} {last}")
    if len(first_last) >= 2 and last:
        full.setdefault("".join(first_last), last_column)
    for person in people:
        words = name_tokens(person.full_name)
        if len(words) >= 2:
            full.setdefault("".join(words), None)
    for surname, column in sources:
        words = name_tokens(surname)
        if not words:
            continue
        whole = "".join(words)
        if len(whole) >= 2 and not (len(words) == 1 and whole in given):
            surnames.setdefault(whole, column)
        if len(words) > 1:
            for word in words:
                if len(word) >= 3 and word not in NAME_PARTICLES and word not in given:
                    surnames.setdefault(word, column)
    return NameSources(surnames=surnames, full_names=full, given=frozenset(given))


def find_surnames(view: ScriptText, sources: NameSources) -> Iterator[Hit]:
    """Every full name and surname of ``sources`` said in ``view`` (any case, any
    apostrophe or spacing: ``O'Brien`` = ``OBrien``)."""
    for needle, column in sources.full_names.items():
        for start, end in view.find_compact(needle):
            yield Hit("surname", start, end, SURNAME_MESSAGE,
                      Personal(PersonalKind.NAME, view.text[start:end]),
                      {"what": "the full name"}, column)
    for needle, column in sources.surnames.items():
        for start, end in view.find_compact(needle):
            yield Hit("surname", start, end, SURNAME_MESSAGE,
                      Personal(PersonalKind.NAME, view.text[start:end]),
                      {"what": "the surname"}, column)
