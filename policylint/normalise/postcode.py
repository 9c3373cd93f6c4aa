"""UK postcodes: recognise, canonicalise and key them (exactly, never fuzzily).

The accepted formats are the ones GOV.UK Notify accepts on the last line of a
letter address: the standard ``A9 9AA`` … ``AA9A 9AA`` shapes, ``GIR 0AA``
(Girobank) and British Forces Post Office numbers (``BFPO 1234``,
``BFPO C/O 1234``). The format is checked, not whether Royal Mail has issued the
postcode.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from policylint.normalise import CACHE_SIZE

# Outward code: area (1-2 letters), district (digit + optional digit/letter).
# Inward code: sector digit + unit (two letters, never C I K M O V).
_STANDARD = r"(?P<out>[A-Z]{1,2}[0-9][0-9A-Z]?)(?P<in>[0-9][ABD-HJLNP-UW-Z]{2})"
_BFPO = r"BFPO?(?P<co>C/O)?(?P<bfpo>[0-9]{1,4})"
_GIRO = r"GIR0AA"
_POSTCODE_RE = re.compile(rf"{_STANDARD}|{_BFPO}|{_GIRO}")

# For finding a postcode inside free text ("Leeds LS1 4AP", "sw1a1aa").
_IN_TEXT_RE = re.compile(
    r"(?<![A-Za-z0-9])("
    r"[A-Za-z]{1,2}[0-9][0-9A-Za-z]?\s*[0-9][ABD-HJLNP-UW-Zabd-hjlnp-uw-z]{2}"
    r"|[Bb][Ff][Pp][Oo]?\s*(?:[Cc]/[Oo]\s*)?[0-9]{1,4}"
    r"|[Gg][Ii][Rr]\s*0[Aa][Aa]"
    r")(?![A-Za-z0-9])"
)

# What every match of _IN_TEXT_RE ends with (a GIR 0AA too), or starts with (BFPO):
# searched first, since they are found much faster than _IN_TEXT_RE.
_INWARD_HINT_RE = re.compile(r"[0-9][ABD-HJLNP-UW-Zabd-hjlnp-uw-z]{2}(?![A-Za-z0-9])")

_WHITESPACE_RE = re.compile(r"\s+")
# Characters that are whitespace to a reader but not to ``str.split``.
_INVISIBLE_CHARS = "\u200b\u200c\u200d\u2060\ufeff"
_INVISIBLE = dict.fromkeys(map(ord, _INVISIBLE_CHARS), None)
_INVISIBLE_RE = re.compile(f"[{_INVISIBLE_CHARS}]")


def _visible(text: str) -> str:
    """``text`` without zero-width characters; text without any is returned as it is
    (a translate costs far more than looking for the few characters it deletes)."""
    if text.isascii() or _INVISIBLE_RE.search(text) is None:
        return text
    return text.translate(_INVISIBLE)


def _squash(text: str) -> str:
    return _WHITESPACE_RE.sub("", _visible(text)).upper()


@functools.lru_cache(maxsize=CACHE_SIZE)
def normalise_postcode(text: str) -> str | None:
    """Canonical form (``"SW1A 1AA"``, ``"BFPO 1234"``, ``"GIR 0AA"``) or None if not a UK postcode.

    Case and whitespace do not matter: ``"sw1a1aa"`` and ``" SW1A   1AA "`` both
    give ``"SW1A 1AA"``.
    """
    squashed = _squash(text)
    match = _POSTCODE_RE.fullmatch(squashed)
    if match is None:
        return None
    if match.group("out"):
        return f"{match.group('out')} {match.group('in')}"
    if match.group("bfpo"):
        prefix = "BFPO C/O" if match.group("co") else "BFPO"
        return f"{prefix} {match.group('bfpo')}"
    return "GIR 0AA"


def is_uk_postcode(text: str) -> bool:
    """True when ``text`` is a UK postcode in any case or spacing."""
    return normalise_postcode(text) is not None


def postcode_district(canonical: str) -> str:
    """The outward code (``"SW1A"`` from ``"SW1A 1AA"``; ``"BFPO"`` for forces post).

    Accepts any spelling of a postcode; returns ``""`` for text that is not one.
    """
    normal = normalise_postcode(canonical)
    if normal is None:
        return ""
    return normal.split(" ", 1)[0]


@functools.lru_cache(maxsize=CACHE_SIZE)
def postcode_key(text: str) -> str:
    """Upper case, no spaces: the key two postcodes are compared by (``"SW1A1AA"``).

    Text that is not a valid postcode is keyed the same way, so that an invalid
    postcode still only equals itself.
    """
    normal = normalise_postcode(text)
    return _squash(normal if normal is not None else text)


# The most characters an outward code has before its spaces ("SW1A", "GIR").
_OUTWARD_MAX = 4


def _postcode_matches(text: str) -> Iterator[re.Match[str]]:
    """The matches of ``_IN_TEXT_RE.finditer(text)``, found faster.

    Every match but a BFPO number ends with an inward code ("1AA"), which the
    cheaper ``_INWARD_HINT_RE`` finds; the full pattern is then only tried just
    before each one (back over its spaces, then at most an outward code's
    length). Matches come out in order and never overlap, as ``finditer``'s do.
    """
    # (Lower-casing, then a substring search, beats the regex's [Bb][Ff][Pp] by far.)
    if "bfp" in text.lower():
        yield from _IN_TEXT_RE.finditer(text)  # a BFPO number has no inward code
        return
    last_end = 0
    for hint in _INWARD_HINT_RE.finditer(text):
        start = hint.start()
        while start > last_end and text[start - 1].isspace():  # what \s* matches
            start -= 1
        position = max(start - _OUTWARD_MAX, last_end)
        while (match := _IN_TEXT_RE.search(text, position, hint.end())) is not None:
            yield match
            position = last_end = match.end()


def squashed_text(text: str) -> str | None:
    """``text`` upper-cased without whitespace or zero-width characters, where every
    postcode :func:`find_postcodes` finds in ``text`` is its canonical form squashed
    (``"PE39 1FA"`` as ``"PE391FA"``): searching it for squashed postcodes finds at
    least those (and perhaps more: it ignores word boundaries). None when the text
    may hold a BFPO number, whose spellings ("BFP 12") squash to other text."""
    if not text.isascii():
        # "£" is in most council letters; it is never part of a postcode, and dropping
        # it (or any character) can only add matches, never lose one.
        text = text.replace("£", "")
    if text.isascii():  # bytes.translate deletes the whitespace at C speed
        squashed = text.encode("ascii").translate(None, _ASCII_WHITESPACE).upper().decode()
    else:
        squashed = "".join(_visible(text).split()).upper()
    return None if "BFP" in squashed else squashed


# What str.split() splits ASCII text at (str.isspace): the \s of _IN_TEXT_RE.
_ASCII_WHITESPACE = bytes(c for c in range(128) if chr(c).isspace())


def find_postcodes(text: str) -> list[str]:
    """Every valid postcode in free text, canonical, in the order they appear."""
    found: list[str] = []
    for match in _postcode_matches(_visible(text)):
        normal = normalise_postcode(match.group(1))
        if normal is not None:
            found.append(normal)
    return found


def postcode_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, canonical) for each valid postcode in ``text`` (offsets into ``text``)."""
    spans: list[tuple[int, int, str]] = []
    for match in _postcode_matches(text):
        normal = normalise_postcode(match.group(1))
        if normal is not None:
            spans.append((match.start(1), match.end(1), normal))
    return spans
