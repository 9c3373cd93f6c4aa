"""Identifier detectors: NHS numbers (modulus 11 check digit), National Insurance
numbers (HMRC's prefix rules), references and account numbers, and any other long
number that is not one the organisation gave out to be called back on.

References are found two ways: the values of the row's identifier columns
(``account_ref``, ``case_ref``, ``claim_number``...) wherever the script says them,
and by form, a code of letters and at least five digits (``HB/2024/0071``,
``CT-3308817``) that no column explains (a reference typed into a free-text note).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Sequence

from policylint.model import Personal, PersonalKind
from policylint.normalise.contact import phone_key
from policylint.rules.voicemail_content.hits import Hit
from policylint.rules.voicemail_content.text import NON_DIGIT_RE, ScriptText, compact

# National Insurance number: HMRC's prefix rules (first letter not D F I Q U V,
# second not D F I O Q U V, never BG GB KN NK NT TN ZZ), six digits, suffix A-D.
_NI_RE = re.compile(
    r"(?<![A-Za-z0-9])(?!BG|GB|KN|NK|NT|TN|ZZ)"
    r"[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z][ \u00a0]?"
    r"[0-9]{2}[ \u00a0]?[0-9]{2}[ \u00a0]?[0-9]{2}(?:[ \u00a0]?[A-D])?"
    r"(?![A-Za-z0-9])"
)
# The same written in lower case all run together ("jg103759a"): a spaced lower-case
# form would read "at 10 30 00" as one.
_NI_LOWER_RE = re.compile(
    r"(?<![A-Za-z0-9])(?!bg|gb|kn|nk|nt|tn|zz)"
    r"[a-ceghj-pr-tw-z][a-ceghj-npr-tw-z][0-9]{6}[a-d](?![A-Za-z0-9])"
)
# A run of digits, possibly broken by spaces, hyphens or brackets ("01632 960000",
# "943-476-5919", "+44 (0)1632 960000").
_DIGIT_RUN_RE = re.compile(r"[0-9]+(?:[ \u00a0\-\u2010\u2011\u2013\u2014()]{1,3}[0-9]+)*")
# Characters of a code of letters and digits in groups joined by - or / ("HB/2024/0071").
_CODE_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/-")
_DIGIT_RUN_ONLY_RE = re.compile(r"[0-9]+")
# A quick test before the lower-case NI pattern: two letters right before six digits.
_NI_LOWER_HINT_RE = re.compile(r"[a-z][0-9]{6}[a-d]")
# Dates are not long numbers (``2026-12-01`` is a date, not an eight-digit number).
DATE_RE = re.compile(
    r"(?<![0-9])(?:[0-9]{4}[-/.][0-9]{1,2}[-/.][0-9]{1,2}|[0-9]{1,2}[-/.][0-9]{1,2}[-/.]"
    r"(?:[0-9]{4}|[0-9]{2}))(?![0-9])"
)
# Opening hours ("0900-1700", "09:00 - 17:00"): two times, not a long number.
_TIME_RANGE_RE = re.compile(
    r"(?<![0-9])(?:[01][0-9]|2[0-3])[:.]?[0-5][0-9]\s?(?:-|–|to)\s?(?:[01][0-9]|2[0-3])[:.]?"
    r"[0-5][0-9](?![0-9])")
# An extension after a phone number ("01632 960000 ext 214").
_EXTENSION_RE = re.compile(r"\s*(?:ext\.?|extension|x)\s*[0-9]{1,6}\s*$", re.IGNORECASE)
# Columns whose values identify a person or their case (besides the policy's
# ``reference`` role): read out, they let whoever hears them act on the account.
_IDENTIFIER_HEADER_RE = re.compile(
    r"(?:^|_)(?:ref|refs|reference|account|acct|case|claim|tenancy|uprn|nhs|nino|ni|"
    r"mrn|crn|patient|hospital|id|number|no|num)(?:_|$)")
_PHONE_HEADER_RE = re.compile(r"phone|mobile|tel|callback|contact|fax|sms|whatsapp")

NHS_MESSAGE = ("The voicemail reads out an NHS number {value} {where}. Never leave an"
               " identifier on a voicemail: ask the person to call back and confirm who they"
               " are then.")
NI_MESSAGE = ("The voicemail reads out a National Insurance number {value} {where}. Never"
              " leave an identifier on a voicemail: ask the person to call back and confirm"
              " who they are then.")
REFERENCE_MESSAGE = ("The voicemail reads out the reference {value} from column {column_name}"
                     " {where}. A reference lets whoever hears it act on the person's account:"
                     " take it out of the script and ask the person to call back.")
CODE_MESSAGE = ("The voicemail reads out {value} {where}, which looks like a reference or"
                " account number. A reference lets whoever hears it act on the person's"
                " account: take it out of the script and ask the person to call back.")
LONG_NUMBER_MESSAGE = (
    "The voicemail reads out the number {value} {where}, which is not the callback number."
    " Take it out of the script; if it is one of your organisation's own phone numbers, add"
    " it to voicemail-content's allowed_numbers option.")


def nhs_number_valid(digits: str) -> bool:
    """True for ten digits whose last is the NHS modulus 11 check digit."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def find_ni_numbers(text: str) -> Iterator[Hit]:
    patterns = [_NI_RE]
    if _NI_LOWER_HINT_RE.search(text) is not None:
        patterns.append(_NI_LOWER_RE)
    for pattern in patterns:
        for match in pattern.finditer(text):
            yield Hit("ni-number", match.start(), match.end(), NI_MESSAGE,
                      Personal(PersonalKind.IDENTIFIER, match.group()))


@functools.lru_cache(maxsize=256)
def identifier_columns(headers: tuple[str, ...]) -> tuple[str, ...]:
    """The columns among ``headers`` (normalised names) that hold identifiers, phone
    numbers left out (the callback number is not a reference)."""
    return tuple(h for h in headers
                 if _IDENTIFIER_HEADER_RE.search(h) and not _PHONE_HEADER_RE.search(h))


def find_references(view: ScriptText, references: Iterable[tuple[str, str, str]]
                    ) -> Iterator[Hit]:
    """Each reference value said in ``view``: (column, column name as written, value)."""
    digits = view.digits
    for header, label, value in references:
        value_digits = NON_DIGIT_RE.sub("", value)
        if value_digits and value_digits not in digits:
            continue  # the cheap test: every spelling keeps the digits in order
        needle = compact(value)
        if len(needle) < 3:
            continue
        for start, end in view.find_compact(needle):
            yield Hit("reference", start, end, REFERENCE_MESSAGE,
                      Personal(PersonalKind.IDENTIFIER, view.text[start:end]),
                      {"column_name": label}, header)


def find_codes(text: str) -> Iterator[Hit]:
    """Codes that look like references by form: letters and digits (groups joined by
    ``-`` or ``/``), at least one letter and five digits."""
    size = len(text)
    reach = -1
    # Digits are rare in a script: grow each run of digits to the code around it.
    for match in _DIGIT_RUN_ONLY_RE.finditer(text):
        if match.start() < reach:
            continue
        start, end = match.span()
        if ((start == 0 or text[start - 1] not in _CODE_CHARS)
                and (end == size or text[end] not in _CODE_CHARS)):
            continue  # a number on its own ("2026", "01632"): no letter in it
        while start > 0 and text[start - 1] in _CODE_CHARS:
            start -= 1
        while end < size and text[end] in _CODE_CHARS:
            end += 1
        reach = end
        while start < end and text[start] in "/-":
            start += 1
        while end > start and text[end - 1] in "/-":
            end -= 1
        code = text[start:end]
        if sum(c.isdigit() for c in code) < 5 or not any(c.isalpha() for c in code):
            continue
        yield Hit("reference", start, end, CODE_MESSAGE,
                  Personal(PersonalKind.IDENTIFIER, code))


def find_long_numbers(text: str, taken: Sequence[tuple[int, int]],
                      allowed: frozenset[str]) -> Iterator[Hit]:
    """NHS numbers and other runs of six or more digits (spaces, hyphens and brackets
    inside do not matter), outside ``taken`` spans (what other detectors found), dates,
    and the digit strings in ``allowed`` (the organisation's numbers)."""
    runs = []
    for match in _DIGIT_RUN_RE.finditer(text):
        digits = NON_DIGIT_RE.sub("", match.group())
        # A run that is wholly one of the organisation's numbers (the callback number
        # in every script) holds nothing to report, whatever else is found around it.
        if len(digits) >= 6 and digits not in allowed:
            runs.append(match)
    if not runs:
        return
    used = bytearray(len(text))
    for start, end in taken:
        used[start:end] = b"\x01" * (end - start)
    for pattern in (DATE_RE, _TIME_RANGE_RE):
        for match in pattern.finditer(text):
            used[match.start():match.end()] = b"\x01" * (match.end() - match.start())
    for match in runs:
        positions = [match.start() + i for i, c in enumerate(match.group()) if c.isdigit()]
        segment: list[int] = []
        for position in [*positions, -1]:
            if position >= 0 and not used[position]:
                segment.append(position)
                continue
            if len(segment) >= 6:
                yield from _digit_segment(text, segment, allowed)
            segment = []


def _digit_segment(text: str, segment: list[int], allowed: frozenset[str]) -> Iterator[Hit]:
    digits = "".join(text[p] for p in segment)
    covered = bytearray(len(digits))
    for form in allowed:
        position = digits.find(form)
        while position >= 0:
            covered[position:position + len(form)] = b"\x01" * len(form)
            position = digits.find(form, position + 1)
    start = 0
    while start < len(digits):
        if covered[start]:
            start += 1
            continue
        stop = start
        while stop < len(digits) and not covered[stop]:
            stop += 1
        piece = digits[start:stop]
        if len(piece) >= 6:
            first, last = segment[start], segment[stop - 1] + 1
            value = Personal(PersonalKind.IDENTIFIER, text[first:last])
            if nhs_number_valid(piece):
                yield Hit("nhs-number", first, last, NHS_MESSAGE, value)
            else:
                yield Hit("long-number", first, last, LONG_NUMBER_MESSAGE, value)
        start = stop


@functools.lru_cache(maxsize=4096)
def number_forms(value: str) -> frozenset[str]:
    """Digit strings a phone number may be read out as: as written, national, +44."""
    forms = set()
    digits = NON_DIGIT_RE.sub("", value)
    if len(digits) >= 6:
        forms.add(digits)
    key = phone_key(value) if digits else ""
    if key.startswith("+44"):
        forms.update({"44" + key[3:], "0" + key[3:]})
    elif key:
        forms.add(key[1:])
    return frozenset(f for f in forms if len(f) >= 6)


_PHONE_CELL_RE = re.compile(r"\s*(?:\+|00)?[0-9(][0-9 \u00a0\-().]*[0-9]\s*")


def quick_uk(value: str) -> str:
    """A UK number as national digits ("07700900123") without the cost of a full parse,
    for the common spellings (07700 900123, +44 7700 900123, 0044..., +44 (0)7700...);
    "" when unsure."""
    digits = NON_DIGIT_RE.sub("", value)
    international = value.lstrip().startswith("+")
    if digits.startswith("00"):
        digits, international = digits[2:], True
    if international:
        if not digits.startswith("44"):
            return ""
        digits = digits[2:]
        digits = digits[1:] if digits.startswith("0") else digits
        digits = "0" + digits
    return digits if digits.startswith("0") and len(digits) in (10, 11) else ""


def without_extension(value: str) -> str:
    """A phone number without its extension ("01632 960000 ext 214" -> "01632 960000")."""
    return _EXTENSION_RE.sub("", value) if "x" in value.lower() else value


def phone_number_cell(value: str) -> str:
    """The UK phone number a cell holds and nothing else (``"01632 960000"``,
    ``"+44 (0)1632 960000"``) as national digits, or "" (a cell holding anything else: an
    NHS number, a note with a number in it, a number that is not a UK phone number)."""
    value = without_extension(value)
    if not _PHONE_CELL_RE.fullmatch(value):
        return ""
    # A UK number starts 0, +44 or 0044 (an NHS number never does).
    return quick_uk(value)
