"""What a detector finds in a script, before the rule turns it into a Violation."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from policylint.model import Personal

# The kinds of personal data a policy may allow by name (``allowed_personal``). A kind
# is finer than a finding code: a postcode is reported as an ``address`` finding, but a
# policy may allow postcodes without allowing house numbers and streets.
PERSONAL_KINDS: tuple[str, ...] = (
    "surname", "address", "postcode", "nhs-number", "ni-number", "reference",
    "long-number", "amount", "date-of-birth",
)

# Order in which overlapping findings win (lower first): an NHS number inside a
# reference is reported as the reference; a sensitive word inside an address as
# the address.
PRIORITY = {
    "reference": 0, "nhs-number": 1, "ni-number": 2, "date-of-birth": 3, "address": 4,
    "surname": 5, "amount": 6, "long-number": 7, "sensitive-term": 8,
}


@dataclass(frozen=True)
class Hit:
    """Something in the script the policy does not allow.

    ``code`` is the finding's code, ``kind`` what ``allowed_personal`` calls it (the
    code unless finer), ``start``/``end`` the span in the script, ``message`` the
    finding's message template, ``column`` the batch column the value came from when
    a detector knows it.
    """

    code: str
    start: int
    end: int
    message: str
    value: Personal | None = None
    facts: Mapping[str, object] = field(default_factory=dict)
    column: str | None = None
    kind: str = ""

    @property
    def personal_kind(self) -> str:
        return self.kind or self.code


def outermost(hits: list[Hit]) -> list[Hit]:
    """Drop hits inside another (a surname inside the full name, "court" inside an
    address); of two with the same span, the higher-priority code wins."""
    ordered = sorted(hits, key=lambda h: (h.start, -(h.end - h.start), PRIORITY[h.code]))
    kept: list[Hit] = []
    reach = -1
    for hit in ordered:
        if hit.end <= reach:
            continue
        kept.append(hit)
        reach = max(reach, hit.end)
    return kept


def inside(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(a <= start and end <= b for a, b in spans)
