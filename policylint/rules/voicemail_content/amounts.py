"""Amount detector: money, however written (``£412.50``, ``£1,200``, ``GBP 40``,
``12.50 GBP``, ``412 pounds``, ``80 quid``, ``50p``), and not times (``5pm``), counts
(``10 days``) or codes (``B12p``)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from policylint.model import Personal, PersonalKind
from policylint.rules.voicemail_content.hits import Hit

# Each number is found first, then what is written before or after it.
_MONEY_NUMBER_RE = re.compile(
    r"(?<![0-9.,])(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]{1,2})?(?![0-9])")
_MONEY_BEFORE_RE = re.compile(r"(?:£|\$|€|\bGBP|\bEUR|\bUSD)[ \u00a0]?\Z", re.IGNORECASE)
_MONEY_AFTER_RE = re.compile(
    r"[ \u00a0]?(?:GBP|pounds?|quid|pence|sterling|punt|bunnoedd)\b|p\b(?!\.?m\b)",
    re.IGNORECASE)
_MONEY_SCALE_RE = re.compile(r"[ \u00a0]?(?:k|m|bn)\b", re.IGNORECASE)

AMOUNT_MESSAGE = ("The voicemail says an amount of money {value} {where}. Whoever hears it"
                  " learns about the person's finances: take the amount out of the script.")


def find_amounts(text: str) -> Iterator[Hit]:
    for match in _MONEY_NUMBER_RE.finditer(text):
        start, end = match.span()
        before = _MONEY_BEFORE_RE.search(text, max(0, start - 5), start)
        if before is not None:
            start = before.start()
            scale = _MONEY_SCALE_RE.match(text, end)
            end = scale.end() if scale is not None else end
        else:
            if start > 0 and (text[start - 1].isalpha() or text[start - 1] == "_"):
                continue  # "B12p" is a code, not money
            after = _MONEY_AFTER_RE.match(text, end)
            if after is None:
                continue
            end = after.end()
        yield Hit("amount", start, end, AMOUNT_MESSAGE,
                  Personal(PersonalKind.TEXT, text[start:end]))
