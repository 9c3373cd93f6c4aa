"""Say how a name differs from the register's, in words that hold no personal data.

Masked messages show names as initials, so ``"Mrs C. Bennett"`` and ``"Mrs C.
Okafor"`` both read ``"C. B."``/``"C. O."`` at best and ``"C."``/``"C."`` at worst.
:func:`describe_name_difference` adds what a case worker needs to act on without
the values: ``"the surname differs"``, ``"the first name is missing"``, ``"the
first name differs (initial matches)"``, ``"the title differs"``. The words are
fixed phrases, never parts of the names, so they are safe in any log.

Pure functions over :func:`policylint.normalise.names.name_tokens`; the
comparison itself stays :func:`policylint.normalise.names.names_match`'s.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from rapidfuzz import fuzz

from policylint.normalise.names import SUFFIXES, TITLES, name_tokens

_NON_WORD = re.compile(r"[^0-9a-z]+")
_APOSTROPHES = dict.fromkeys(map(ord, "'’‘`´ʼ"), None)

# Titles that say the same person may be meant: a register "Ms" written "Mrs" is a
# data-entry habit, not another person. Titles outside these groups (Dr, Revd, Cllr,
# ranks) say nothing about which of the groups a person is in.
_MALE = frozenset({"mr", "master", "sir", "lord"})
_FEMALE = frozenset({"mrs", "ms", "miss", "madam", "madame", "lady", "dame"})


@functools.lru_cache(maxsize=4096)
def _fold(text: str) -> tuple[str, ...]:
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    folded = stripped.casefold().translate(_APOSTROPHES)
    return tuple(_NON_WORD.sub(" ", folded).split())


def leading_titles(text: str) -> tuple[str, ...]:
    """The titles a name starts with, folded: ``("mrs",)`` for ``"Mrs. J Smith"``."""
    tokens = _fold(text.partition(",")[2] if "," in text and not _suffix_comma(text)
                   else text)
    titles: list[str] = []
    for token in tokens[:-1]:
        if token not in TITLES:
            break
        titles.append(token)
    return tuple(titles)


def _suffix_comma(text: str) -> bool:
    """``"John Smith, OBE"``: the comma introduces suffixes, not a given name."""
    after = _fold(text.partition(",")[2])
    return bool(after) and all(t in SUFFIXES for t in after)


def titles_compatible(a: str, b: str) -> bool:
    """Could titles ``a`` and ``b`` (folded, ``""`` for none) belong to one person?"""
    if not a or not b or a == b:
        return True
    if a in _MALE:
        return b not in _FEMALE
    if a in _FEMALE:
        return b not in _MALE
    return True


def _close(a: str, b: str, threshold: float) -> bool:
    return a == b or fuzz.ratio(a, b) >= threshold


def _split_family(batch: tuple[str, ...], family: tuple[str, ...], threshold: float
                  ) -> tuple[tuple[str, ...], tuple[str, ...], bool]:
    """(family part, given part, family matches) of the batch's name tokens.

    The register's family name is looked for at the end ("Sian Okafor") and at the
    start ("OKAFOR Sian"), whole or squashed ("Obrienhughes"); when it is in neither
    place, the batch's family name is taken to be its last words.
    """
    width = len(family)
    text = " ".join(family)
    squashed = text.replace(" ", "")
    for w in sorted({width, 1, 2, 3}):
        if w > len(batch):
            continue
        for part, rest in ((batch[-w:], batch[:-w]), (batch[:w], batch[w:])):
            joined = " ".join(part)
            if (w == width and _close(joined, text, threshold)) or "".join(part) == squashed:
                return part, rest, True
    w = min(width, len(batch))
    return batch[-w:], batch[:-w], False


def _given_phrase(batch_given: tuple[str, ...], given: tuple[str, ...], threshold: float
                  ) -> str | None:
    """How the batch's first given word compares with the register's given names
    (``None``: it fits)."""
    if not given:
        return None  # the register has no given name: nothing to contradict
    if not batch_given:
        return "the first name is missing"
    first = batch_given[0]
    initials = [g[0] for g in given]
    if len(first) == 1:
        return None if first in initials else "the first initial differs"
    if any(_close(first, g, threshold) for g in given):
        return None
    if len(first) <= 3 and first == "".join(initials)[: len(first)]:
        return None  # "JA Smith" for John Andrew
    if first[0] == given[0][0]:
        return "the first name differs (initial matches)"
    return "the first name differs"


def describe_name_difference(batch_name: str, given: str, family: str, title: str = "",
                             threshold: float = 90) -> str:
    """What differs between a name as a batch writes it and the register's name.

    Returns phrases joined by ``"; "`` (``"the surname differs; the first name is
    missing"``), or ``""`` when nothing this function can name differs. No phrase
    holds any part of either name.
    """
    batch = name_tokens(batch_name)
    register_family = name_tokens(family) or _fold(family)
    register_given = _fold(given)
    phrases: list[str] = []
    if not batch:
        return "the name is missing"
    if not register_family:
        return ""
    part, rest, family_same = _split_family(batch, register_family, threshold)
    if not family_same:
        if len(batch) == 1 and register_given and any(
                _close(batch[0], g, threshold) for g in register_given):
            phrases.append("the surname is missing")
            rest = batch
        else:
            same_initial = part and part[0][0] == register_family[0][0]
            phrases.append("the surname differs (initial matches)" if same_initial
                           else "the surname differs")
    given_phrase = _given_phrase(rest, register_given, threshold)
    if given_phrase is not None:
        phrases.append(given_phrase)
    batch_titles = leading_titles(batch_name)
    register_title = _fold(title)[0] if _fold(title) else ""
    if batch_titles and register_title and not titles_compatible(batch_titles[0],
                                                                 register_title):
        phrases.append("the title differs")
    return "; ".join(phrases)


def difference_clause(batch_name: str, given: str, family: str, title: str = "",
                      threshold: float = 90) -> str:
    """:func:`describe_name_difference` as a clause for a message: ``" (the surname
    differs)"``, or ``""``."""
    described = describe_name_difference(batch_name, given, family, title, threshold)
    return f" ({described})" if described else ""
