"""Batch headers as rules and templates see them.

A header is written however a spreadsheet user wrote it (``Address Line 1``,
``AddressLine1``, ``address_line1``); policylint uses one normalised form,
:func:`variable_name`, as the key of :attr:`policylint.model.Row.values` and as
the template variable, and a looser form, :func:`header_key`, to match a
policy's or a default role's header against the batch (DESIGN §1: case-,
space-, ``_``- and ``-``-insensitive).

Pure functions: no I/O, no state, safe to cache.
"""

from __future__ import annotations

import functools
import unicodedata

# Character classes used to find word boundaries.
_UPPER = "U"
_LOWER = "L"  # lower-case, caseless letters (and combining marks)
_DIGIT = "D"
_SEP = " "


def _char_class(char: str) -> str:
    if char.isdecimal():
        return _DIGIT
    if char.isupper():
        return _UPPER
    if char != "_" and ("a" + char).isidentifier():
        return _LOWER
    return _SEP


def _words(text: str) -> list[str]:
    """Split ``text`` into words at separators, camelCase and letter/digit boundaries."""
    classes = [_char_class(c) for c in text]
    words: list[str] = []
    current: list[str] = []
    for i, char in enumerate(text):
        cls = classes[i]
        if cls == _SEP:
            if current:
                words.append("".join(current))
                current = []
            continue
        if current:
            prev = classes[i - 1]
            nxt = classes[i + 1] if i + 1 < len(text) else _SEP
            boundary = (
                # letter <-> digit: Line1 -> Line 1, 2nd -> 2 nd
                (prev == _DIGIT) != (cls == _DIGIT)
                # camelCase: addressLine -> address Line
                or (prev == _LOWER and cls == _UPPER)
                # acronym then word: NHSNumber -> NHS Number (but not IDs -> I Ds)
                or (
                    prev == _UPPER
                    and cls == _UPPER
                    and nxt == _LOWER
                    and not _is_plural_s(text, i + 1, classes)
                )
            )
            if boundary:
                words.append("".join(current))
                current = []
        current.append(char)
    if current:
        words.append("".join(current))
    return words


def _is_plural_s(text: str, index: int, classes: list[str]) -> bool:
    """True when ``text[index]`` is a lone lower-case ``s`` ending an acronym (``IDs``)."""
    after = classes[index + 1] if index + 1 < len(text) else _SEP
    return text[index] == "s" and after != _LOWER


@functools.lru_cache(maxsize=4096)
def variable_name(header: str) -> str:
    """The normalised header: a dict key and template variable.

    >>> variable_name("AddressLine1"), variable_name("E-mail"), variable_name("Post Code")
    ('address_line_1', 'e_mail', 'post_code')

    Always a valid Python identifier, or ``""`` when the header holds no letter
    or digit. A name that would start with a digit gets a leading ``_``.
    """
    text = unicodedata.normalize("NFKC", header).strip()
    name = "_".join(word.lower() for word in _words(text))
    # Lower-casing can (rarely) produce characters that are not identifier
    # characters on their own (e.g. a combining dot); keep only valid ones.
    if name and not ("_" + name).isidentifier():
        name = "".join(c if ("_" + c).isidentifier() else "_" for c in name)
        name = "_".join(part for part in name.split("_") if part)
    if name and not name.isidentifier():
        name = "_" + name
    return name


@functools.lru_cache(maxsize=4096)
def header_key(header: str) -> str:
    """The key two headers must share to be "the same column".

    Case-, space-, ``_``- and ``-``-insensitive: ``Email``, ``E-mail`` and
    ``e_mail`` all give ``email``; ``AddressLine1`` and ``Address Line 1``
    both give ``addressline1``.
    """
    return variable_name(header).replace("_", "")
