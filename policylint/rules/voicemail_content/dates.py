"""Date-of-birth detector.

The person's date of birth (from the register, or a row column such as
``date_of_birth``/``dob``) written any usual way (``03/02/1980``, ``3 February 1980``,
``3rd Feb 1980``, ``1980-02-03``, ``03021980``), and any full date said right after
words that say it is a date of birth ("DOB 12/05/1975", "born on 3 March 1961",
"dyddiad geni ..."), which a note typed into a free-text column often holds. Other
dates (an appointment, a deadline) are not personal data to keep off a voicemail.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterator, Sequence

from policylint.model import Personal, PersonalKind
from policylint.normalise import CACHE_SIZE
from policylint.rules.voicemail_content.hits import Hit
from policylint.rules.voicemail_content.text import ScriptText, compact

_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december")
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d %B %Y", "%d %b %Y",
                 "%B %d %Y", "%d/%m/%y", "%Y/%m/%d")
# Batch columns that may hold the person's date of birth.
DOB_COLUMNS = ("date_of_birth", "dob", "birth_date", "birthdate", "d_o_b", "dateofbirth")
# A full date written as numbers or with a month name.
_MONTH_NAMES = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*"
_ANY_DATE = (
    r"(?:[0-9]{1,2}[-/.][0-9]{1,2}[-/.](?:[0-9]{4}|[0-9]{2})|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"
    rf"|[0-9]{{1,2}}(?:st|nd|rd|th)?(?:\s+of)?\s+{_MONTH_NAMES},?\s+[0-9]{{4}}"
    rf"|{_MONTH_NAMES}\s+[0-9]{{1,2}}(?:st|nd|rd|th)?,?\s+[0-9]{{4}})"
)
# Words that say the next date is a date of birth.
_DOB_CONTEXT_RE = re.compile(
    r"\b(?:d\.?\s?o\.?\s?b\.?|date\s+of\s+birth|birth\s*date|birthday|born(?:\s+on)?"
    r"|dyddiad\s+geni|ganwyd(?:\s+ar)?|pen-?blwydd)"
    rf"\b[\s:.,\-–]*(?:is\s+|was\s+|of\s+|as\s+|on\s+|the\s+|yw\s+)*\(?({_ANY_DATE})(?![0-9])",
    re.IGNORECASE)

_DOB_HINTS = ("birth", "dob", "d.o.b", "d o b", "born", "geni", "ganwyd", "blwydd")

DOB_MESSAGE = ("The voicemail says the person's date of birth {value} {where}. Take it out of"
               " the script; confirm identity when they call back.")


def _ordinal(day: int) -> str:
    if 10 <= day % 100 <= 20:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


@functools.lru_cache(maxsize=CACHE_SIZE)
def dob_needles(day: dt.date) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(word sequences, single words) that spell ``day`` the ways people write a date."""
    days = (str(day.day), f"{day.day:02d}")
    spoken_days = (*days, f"{day.day}{_ordinal(day.day)}")
    months = (str(day.month), f"{day.month:02d}")
    month_name = _MONTHS[day.month - 1]
    names = {month_name, month_name[:3]} | ({"sept"} if day.month == 9 else set())
    year = f"{day.year:04d}"
    years = (year, year[2:])
    sequences: set[str] = set()
    for d in days:
        for m in months:
            for y in years:
                sequences.add(f"{d} {m} {y}")
            sequences.add(f"{year} {m} {d}")
    for d in spoken_days:
        for name in names:
            for y in years:
                sequences.update({f"{d} {name} {y}", f"{d} of {name} {y}", f"{name} {d} {y}",
                                  f"the {d} of {name} {y}"})
    singles = (f"{day.day:02d}{day.month:02d}{year}", f"{year}{day.month:02d}{day.day:02d}",
               f"{day.day:02d}{day.month:02d}{year[2:]}")
    return tuple(sorted(sequences, key=len, reverse=True)), singles


@functools.lru_cache(maxsize=CACHE_SIZE)
def parse_date(text: str) -> dt.date | None:
    cleaned = " ".join(text.replace(",", " ").split())
    cleaned = re.sub(r"(?<=\d)(?:st|nd|rd|th)\b", "", cleaned, flags=re.IGNORECASE)
    if not cleaned:
        return None
    iso = re.match(r"(\d{4}-\d{2}-\d{2})(?:[T ].*)?$", cleaned)
    if iso:
        cleaned = iso.group(1)
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(cleaned, fmt).date()
        except ValueError:
            continue
    return None


def find_dates_of_birth(view: ScriptText,
                        sources: Sequence[tuple[str | None, dt.date | None, str]]
                        ) -> Iterator[Hit]:
    """Each date of birth in ``sources`` (column or None for the register, the date if
    it could be read, the value as written) said in ``view``, and any date said as a
    date of birth."""
    found: set[tuple[int, int]] = set()
    for header, day, raw in sources:
        spans: list[tuple[int, int]] = []
        if day is not None:
            year = f"{day.year:04d}"
            # Every spelling holds the year, as a word or inside "03021980".
            if year not in view.compact and year[2:] not in view.numbers:
                continue
            sequences, singles = dob_needles(day)
            for needle in sequences:
                if needle in view.spaced:
                    spans.extend(view.find_words(needle))
            for single in singles:
                if single in view.numbers:
                    spans.extend(view.find_words(single))
        elif raw:
            spans.extend(view.find_compact(compact(raw)))
        for start, end in spans:
            if (start, end) in found:
                continue
            found.add((start, end))
            yield Hit("date-of-birth", start, end, DOB_MESSAGE,
                      Personal(PersonalKind.DATE, view.text[start:end]), column=header)
    text = view.text
    lowered = text.lower()
    if not any(hint in lowered for hint in _DOB_HINTS):
        return  # the cheap test: most scripts never say "birth"
    for match in _DOB_CONTEXT_RE.finditer(text):
        start, end = match.span(1)
        if (start, end) not in found:
            found.add((start, end))
            yield Hit("date-of-birth", start, end, DOB_MESSAGE,
                      Personal(PersonalKind.DATE, text[start:end]))
