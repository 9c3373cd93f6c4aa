"""Cell values as a person sees them in Excel (the part of number formats batches use).

A workbook stores numbers and dates, not the text on screen: an account number
``00012345`` is the number 12345 with the format ``00000000``, a phone number
``07700 900123`` may be 7700900123 with ``00000 000000``, a date is a serial
number with ``dd/mm/yyyy``. A letter merged from the workbook shows the text
on screen, so that is what policylint checks. Formats beyond what mail-merge
data uses (fractions, scientific, conditions) fall back to Excel's "General".
"""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import ROUND_HALF_UP, Decimal

# Excel's built-in short date (numFmtId 14) and date-time (22) follow the
# machine's locale; openpyxl names them in US order. A UK council sees them
# day first.
_LOCALE_FORMATS = {"mm-dd-yy": "dd/mm/yyyy", "m/d/yy h:mm": "dd/mm/yyyy hh:mm"}
DEFAULT_DATE = "dd/mm/yyyy"

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _sections(fmt: str) -> list[str]:
    """The ``;``-separated sections of a format (not splitting inside quotes)."""
    sections: list[str] = []
    current: list[str] = []
    quoted = False
    for char in fmt:
        if char == '"':
            quoted = not quoted
        if char == ";" and not quoted:
            sections.append("".join(current))
            current = []
        else:
            current.append(char)
    sections.append("".join(current))
    return sections


_TOKEN = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]|_.|\*.|.', re.DOTALL)


def _tokens(section: str) -> list[tuple[str, bool]]:
    """``(text, literal)`` pieces: quoted text, escapes and ``[$£-809]`` are literal."""
    pieces: list[tuple[str, bool]] = []
    for match in _TOKEN.finditer(section):
        token = match.group()
        if token.startswith('"'):
            pieces.append((token[1:-1], True))
        elif token.startswith("\\"):
            pieces.append((token[1:], True))
        elif token.startswith("["):
            # [$£-809] is a currency symbol; [Red], [>100], [h] are not shown.
            if token.startswith("[$"):
                pieces.append((token[2:-1].split("-")[0], True))
        elif token.startswith("_"):
            pieces.append((" ", True))  # padding the width of a character
        elif token.startswith("*"):
            continue  # repeat-to-fill: nothing in a merge
        else:
            pieces.append((token, False))
    return pieces


def general(value: float) -> str:
    """A number as Excel's "General" format shows it (integers without ``.0``)."""
    if isinstance(value, int):
        return str(value)
    if math.isfinite(value) and value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return format(value, ".15g")  # drops binary noise: 0.1 + 0.2 shows 0.3


def format_number(value: float, fmt: str) -> str:
    """``value`` as the number format ``fmt`` shows it."""
    if not fmt or fmt.lower() in ("general", "@"):
        return general(value)
    sections = _sections(fmt)
    section = sections[0]
    negative = value < 0
    if negative and len(sections) > 1 and sections[1]:
        section = sections[1]  # its own sign or brackets
        value, negative = -value, False
    pieces = _tokens(section)
    codes = "".join(text for text, literal in pieces if not literal)
    if any(c in codes for c in "Ee/?") or not any(c in codes for c in "0#"):
        return general(value)
    if "%" in codes:
        value *= 100
    # The digit pattern runs from the first placeholder to the last one.
    places = [i for i, (text, literal) in enumerate(pieces) if not literal and text in "0#"]
    first, last = places[0], places[-1]
    prefix = "".join(t for t, lit in pieces[:first] if lit or t not in ",.")
    suffix = "".join(t for t, lit in pieces[last + 1:] if lit or t not in ",.")
    pattern = pieces[first:last + 1]
    point = next((i for i, (t, lit) in enumerate(pattern) if not lit and t == "."), None)
    whole = pattern if point is None else pattern[:point]
    fraction = [] if point is None else pattern[point + 1:]
    decimals = sum(1 for t, lit in fraction if not lit and t in "0#")
    grouped = any(not lit and t == "," for t, lit in whole)
    # Excel rounds halves away from zero (2.5 shows as 3), Python's format to even.
    rounded = Decimal(repr(abs(value))).quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)
    text = f"{rounded:f}"
    digits, _, tail = text.partition(".")
    shown_whole = _fill_whole(digits, whole, grouped)
    shown_tail = _fill_fraction(tail, fraction)
    sign = "-" if negative and (set(digits + tail) - {"0"}) else ""
    return f"{sign}{prefix}{shown_whole}{shown_tail}{suffix}"


def _fill_whole(digits: str, pattern: list[tuple[str, bool]], grouped: bool) -> str:
    zeros = sum(1 for t, lit in pattern if not lit and t == "0")
    if digits == "0" and zeros == 0:
        digits = ""  # "#.00" shows 0.5 as ".50"
    if grouped:  # "#,##0": thousands separators
        return f"{int(digits):,}".rjust(zeros, "0") if digits else "0" * zeros
    # Fill placeholders right to left; literals (spaces, dashes) stay in place
    # ("00000 000000" shows 7700900123 as 07700 900123).
    out: list[str] = []
    remaining = list(digits)
    for text, literal in reversed(pattern):
        if literal or text not in "0#":
            out.append(text)
        elif remaining:
            out.append(remaining.pop())
        elif text == "0":
            out.append("0")
    return ("".join(remaining) + "".join(reversed(out))).lstrip(" ")


def _fill_fraction(tail: str, pattern: list[tuple[str, bool]]) -> str:
    if not pattern:
        return ""
    # Trailing "#" placeholders drop trailing zeros.
    optional = 0
    for text, literal in reversed(pattern):
        if literal or text not in "0#":
            continue
        if text != "#":
            break
        optional += 1
    trimmed = tail
    while optional and trimmed.endswith("0"):
        trimmed, optional = trimmed[:-1], optional - 1
    out, index = [], 0
    for text, literal in pattern:
        if not literal and text in "0#":
            if index < len(trimmed):
                out.append(trimmed[index])
            index += 1
        elif literal or text != ",":
            out.append(text)
    return "." + "".join(out)


_DATE_TOKEN = re.compile(r"(?i)am/pm|a/p|y+|m+|d+|h+|s+|\.0+")


def format_date(value: dt.datetime | dt.date | dt.time, fmt: str) -> str:
    """A date or time as the number format ``fmt`` shows it (UK order for locale dates)."""
    fmt = _LOCALE_FORMATS.get(fmt, fmt)
    section = _sections(fmt)[0]
    pieces = _tokens(section)
    code = "".join(t if not lit else "\0" for t, lit in pieces)
    if not re.search(r"(?i)[ymdhs]", code):
        code, pieces = DEFAULT_DATE, [(DEFAULT_DATE, False)]
    if isinstance(value, dt.datetime):
        date: dt.date | None = value.date()
        time: dt.time | None = value.time()
    elif isinstance(value, dt.date):
        date, time = value, None
    else:
        date, time = None, value
    literals = [t for t, lit in pieces if lit]
    tokens = list(_DATE_TOKEN.finditer(code))
    twelve = any(m.group().lower() in ("am/pm", "a/p") for m in tokens)
    out: list[str] = []
    position = 0
    literal_index = 0

    def emit_literal(text: str) -> None:
        nonlocal literal_index
        for char in text:
            if char == "\0":
                out.append(literals[literal_index])
                literal_index += 1
            else:
                out.append(char)

    for index, match in enumerate(tokens):
        emit_literal(code[position:match.start()])
        position = match.end()
        token = match.group()
        kind = token[0].lower()
        if kind == "m" and len(token) <= 2 and _is_minutes(tokens, index):
            kind = "n"
        out.append(_date_part(kind, token, date, time, twelve))
    emit_literal(code[position:])
    return "".join(out)


def _is_minutes(tokens: list[re.Match[str]], index: int) -> bool:
    before = next((m.group()[0].lower() for m in reversed(tokens[:index])
                   if m.group()[0].lower() in "ymdhs"), "")
    after = next((m.group()[0].lower() for m in tokens[index + 1:]
                  if m.group()[0].lower() in "ymdhs"), "")
    return before == "h" or after == "s"


def _date_part(kind: str, token: str, date: dt.date | None, time: dt.time | None,
               twelve: bool) -> str:
    size = len(token)
    if kind in "ymd" and date is None:
        return ""
    if kind in "hns." and time is None:
        time = dt.time()
    if kind == "y" and date is not None:
        return f"{date.year % 100:02d}" if size <= 2 else f"{date.year:04d}"
    if kind == "m" and date is not None:
        name = _MONTHS[date.month - 1]
        return ({1: str(date.month), 2: f"{date.month:02d}", 3: name[:3]}.get(size)
                or (name if size == 4 else name[0]))
    if kind == "d" and date is not None:
        day = _DAYS[date.weekday()]
        return {1: str(date.day), 2: f"{date.day:02d}", 3: day[:3]}.get(size) or day
    assert time is not None
    if kind == "h":
        hour = time.hour % 12 or 12 if twelve else time.hour
        return f"{hour:02d}" if size >= 2 else str(hour)
    if kind == "n":
        return f"{time.minute:02d}" if size >= 2 else str(time.minute)
    if kind == "s":
        return f"{time.second:02d}" if size >= 2 else str(time.second)
    if kind == ".":
        return "." + f"{time.microsecond:06d}"[:size - 1]
    lowered = token.lower()
    if lowered == "am/pm":
        return "AM" if time.hour < 12 else "PM"
    return "A" if time.hour < 12 else "P"


def format_timedelta(value: dt.timedelta) -> str:
    seconds = int(value.total_seconds())
    sign = "-" if seconds < 0 else ""
    hours, rest = divmod(abs(seconds), 3600)
    return f"{sign}{hours}:{rest // 60:02d}:{rest % 60:02d}"
