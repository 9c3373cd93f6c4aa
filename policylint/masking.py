"""Masking personal values in finding messages (DESIGN §4).

Every output masks by default, so that a CI log never becomes the breach:
names become initials, postcodes their district, emails ``j***@e***.gov.uk``,
phones their last three digits. ``--show-values`` lifts it.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from typing import Any

from policylint.model import Personal, PersonalKind, Violation
from policylint.normalise.names import initials
from policylint.normalise.postcode import find_postcodes, normalise_postcode, postcode_district

EMPTY = "(empty)"
STARS = "***"

# Registrable suffixes with two labels that are kept whole (``leeds.gov.uk`` ->
# ``l***.gov.uk``). A short list is enough: anything else keeps its last label.
_SECOND_LEVEL_SUFFIXES = frozenset({
    "gov.uk", "co.uk", "org.uk", "ac.uk", "nhs.uk", "nhs.net", "police.uk", "sch.uk",
    "ltd.uk", "plc.uk", "me.uk", "net.uk", "mod.uk", "parliament.uk", "gov.scot",
    "gov.wales", "llyw.cymru", "judiciary.uk", "gsi.gov.uk", "pnn.police.uk",
    "com.au", "gov.au", "co.nz", "govt.nz", "co.za", "gov.ie", "co.in", "gov.in",
    "com.br", "co.jp", "org.au", "net.au",
})
_OUTWARD_RE = re.compile(r"[A-Z]{1,2}[0-9][0-9A-Z]?")


def _mask_name(value: str) -> str:
    return initials(value) or STARS


def _mask_postcode(value: str) -> str:
    district = postcode_district(value)
    if district:
        return f"{district} {STARS}"
    first = value.split()[0].upper() if value.split() else ""
    if len(value.split()) > 1 and _OUTWARD_RE.fullmatch(first):
        return f"{first} {STARS}"
    return STARS


def _domain_suffix(labels: list[str]) -> tuple[str, str]:
    """(first label, kept suffix) of a domain's labels."""
    for size in (3, 2):
        if len(labels) > size and ".".join(labels[-size:]) in _SECOND_LEVEL_SUFFIXES:
            return labels[0], "." + ".".join(labels[-size:])
    if len(labels) > 1:
        return labels[0], "." + labels[-1]
    return labels[0], ""


def _mask_email(value: str) -> str:
    local, at, domain = value.strip().rpartition("@")
    if not at:
        return f"{value.strip()[:1]}{STARS}"
    labels = [label for label in domain.lower().split(".") if label]
    if not labels:
        return f"{local[:1]}{STARS}@{STARS}"
    first, suffix = _domain_suffix(labels)
    return f"{local[:1]}{STARS}@{first[:1]}{STARS}{suffix}"


def _mask_phone(value: str) -> str:
    digits = [c for c in value if c.isdigit()]
    if len(digits) <= 4:
        return "*" * max(len(digits), 3)
    return "*" * (len(digits) - 3) + "".join(digits[-3:])


def _mask_address(value: str) -> str:
    codes = find_postcodes(value)
    if not codes:
        lines = [line for line in re.split(r"[\n,]", value) if line.strip()]
        codes = [c for c in (normalise_postcode(lines[-1]),) if c] if lines else []
    if codes:
        return f"[address in {postcode_district(codes[-1])}]"
    return "[address]"


def mask_identifier(value: str) -> str:
    """An id or reference shown by its last two characters (``*****45``)."""
    text = value.strip()
    if len(text) <= 2:
        return "**"
    return "*" * (len(text) - 2) + text[-2:]


def mask(value: Personal) -> str:
    """The masked form of one personal value, safe to print in a CI log."""
    text = value.value
    if not text or not text.strip():
        return EMPTY
    kind = value.kind
    if kind is PersonalKind.NAME:
        return _mask_name(text)
    if kind is PersonalKind.POSTCODE:
        return _mask_postcode(text)
    if kind is PersonalKind.EMAIL:
        return _mask_email(text)
    if kind is PersonalKind.PHONE:
        return _mask_phone(text)
    if kind is PersonalKind.ADDRESS:
        return _mask_address(text)
    if kind is PersonalKind.IDENTIFIER:
        return mask_identifier(text)
    if kind is PersonalKind.DATE:
        return "**/**/****"
    return f"[{len(text)} characters hidden]"


class _LenientFormatter(string.Formatter):
    """``str.format`` that leaves an unknown ``{field}`` in place instead of raising."""

    def get_field(self, field_name: str, args: Any, kwargs: Mapping[str, Any]) -> Any:
        # Only plain names: no attribute or index look-ups into the values.
        if field_name in kwargs:
            return kwargs[field_name], field_name
        return f"{{{field_name}}}", field_name


_FIELD_RE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def render_message(v: Violation, show_values: bool) -> str:
    """A violation's message with its placeholders filled.

    ``values`` are masked unless ``show_values``; ``facts`` go in as they are
    (a :class:`Personal` given as a fact is masked all the same). A message with
    stray braces or unknown fields is rendered as well as it can be rather than
    raising.
    """
    fields: dict[str, object] = {}
    for key, fact in v.facts.items():
        fields[key] = mask(fact) if isinstance(fact, Personal) and not show_values else (
            fact.value if isinstance(fact, Personal) else fact)
    for key, personal in v.values.items():
        fields[key] = personal.value if show_values else mask(personal)
    try:
        if "{}" not in v.message.replace("{{", "").replace("}}", ""):
            return _LenientFormatter().vformat(v.message, (), fields)
    except (ValueError, IndexError, KeyError, TypeError, AttributeError):
        pass
    return _FIELD_RE.sub(
        lambda m: str(fields[m.group(1)]) if m.group(1) in fields else m.group(0),
        v.message,
    )
