"""Personal names: normalise, tokenise, compare, abbreviate.

Only spelling is compared fuzzily: case, accents, punctuation, spacing, titles
(``Mrs``), honours and suffixes (``OBE``, ``Jr``), middle names and initials
for the given name are tolerated; a family name must still be close to the
register's.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from rapidfuzz import fuzz

TITLES = frozenset({
    "mr", "mrs", "ms", "miss", "mx", "dr", "doctor", "prof", "professor", "rev",
    "revd", "reverend", "sir", "dame", "lady", "lord", "master", "madam", "madame",
    "fr", "father", "sr", "sister", "cllr", "councillor", "capt", "captain", "col",
    "major", "maj", "lt", "sgt", "hon", "rt",
})
SUFFIXES = frozenset({
    "jr", "jnr", "junior", "sr", "snr", "senior", "ii", "iii", "iv", "esq", "esquire",
    "obe", "mbe", "cbe", "kbe", "dbe", "bem", "qc", "kc", "mp", "msp", "ms", "jp", "dl",
    "phd", "md", "frcp", "frcs",
})

_APOSTROPHES = dict.fromkeys(map(ord, "'’‘`´ʼ"), None)
_NON_WORD = re.compile(r"[^0-9a-z]+")


@functools.lru_cache(maxsize=65536)
def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    stripped = (stripped.replace("ß", "ss").replace("ø", "o").replace("Ø", "o")
                .replace("ł", "l").replace("Ł", "L"))
    folded = stripped.casefold().translate(_APOSTROPHES)
    return _NON_WORD.sub(" ", folded).strip()


@functools.lru_cache(maxsize=65536)
def name_tokens(text: str) -> tuple[str, ...]:
    """The words of a name, folded, without leading titles or trailing suffixes.

    ``"Mrs. Zoë O'Brien-Smith OBE"`` gives ``("zoe", "obrien", "smith")``.
    A "Surname, Given" spelling is turned round to "Given Surname".
    """
    if "," in text:
        family, _, rest = text.partition(",")
        rest_tokens = _fold(rest).split()
        # "Smith, John" but not "John Smith, OBE"
        if rest_tokens and _fold(family) and not all(t in SUFFIXES for t in rest_tokens):
            text = f"{rest} {family}"
    tokens = _fold(text).split()
    if len(tokens) == 1 and tokens[0] in TITLES and tokens[0] not in SUFFIXES:
        return ()  # "Mrs" on its own names nobody
    while len(tokens) > 1 and tokens[0] in TITLES:
        tokens = tokens[1:]
    while len(tokens) > 1 and tokens[-1] in SUFFIXES:
        tokens = tokens[:-1]
    return tuple(tokens)


def normalise_name(text: str) -> str:
    """One canonical spelling: ``"Dr  JOHN   Smith Jr."`` gives ``"john smith"``."""
    return " ".join(name_tokens(text))


def initials(text: str) -> str:
    """``"J. S."`` for ``"Mr John Smith"``; ``""`` when there is no name."""
    return " ".join(f"{token[0].upper()}." for token in name_tokens(text))


def _close(a: str, b: str, threshold: float) -> bool:
    return a == b or fuzz.ratio(a, b) >= threshold


def _given_matches(batch_given: tuple[str, ...], given: tuple[str, ...], threshold: float) -> bool:
    """The batch's first given word matches a register given name, or is its initial."""
    if not batch_given or not given:
        return True  # "Mr Smith": no given name to contradict
    first = batch_given[0]
    if len(first) == 1:
        return first == given[0][0] or any(first == g[0] for g in given[1:])
    return any(_close(first, g, threshold) for g in given) or (
        # initial(s) written without spaces: "JA Smith" for "John Andrew"
        len(first) <= 3 and first == "".join(g[0] for g in given)[: len(first)]
    )


def names_match(batch_name: str, given: str, family: str, threshold: float = 90) -> bool:
    """Does the name in a batch row name the register's person?

    Tolerates titles, suffixes, case, accents, spacing, middle names, a given
    name reduced to an initial (``"J Smith"``) or missing (``"Mrs Smith"``), a
    person going by their middle name, and "Surname, Given" order. The family
    name is compared with ``rapidfuzz`` and must reach ``threshold`` (0-100).
    """
    batch = name_tokens(batch_name)
    family_tokens = name_tokens(family) or tuple(_fold(family).split())
    given_tokens = tuple(_fold(given).split())
    if not batch or not family_tokens:
        return False
    family_text = " ".join(family_tokens)
    width = len(family_tokens)
    # Family name last ("John Smith"), hyphen or not ("Smith-Jones" / "Smith Jones").
    squashed_family = family_text.replace(" ", "")
    for w in sorted({width, 1, 2, 3}):
        if w > len(batch):
            continue
        for batch_family, batch_given in (
            (batch[-w:], batch[:-w]),  # "John Smith"
            (batch[:w], batch[w:]),    # "SMITH John"
        ):
            if w == width:
                same = _close(" ".join(batch_family), family_text, threshold)
            else:
                # "Smithjones" for "Smith-Jones", "Mac Donald" for "MacDonald"
                same = "".join(batch_family) == squashed_family
            if same and _given_matches(batch_given, given_tokens, threshold):
                return True
    return False
