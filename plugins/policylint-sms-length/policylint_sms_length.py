"""policylint-sms-length: a text message must not cost more fragments than the policy allows.

A separately installed policylint plugin, and the template for writing others:
one module with a ``@hookimpl`` ``policylint_rules`` hook, declared in the
package's ``pyproject.toml`` under the ``policylint`` entry-point group.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from policylint.engine.rule import Case, Example, Item, Need, Rule
from policylint.hookspecs import hookimpl
from policylint.model import Severity, Violation

__version__ = "0.1.0"

# GSM 03.38 default alphabet: one septet each (the ESC that leads into the
# extension table is left out: it is never a character a sender means to send).
GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# GSM 03.38 extension table: ESC plus the character, so each costs two septets.
GSM_EXTENSION = frozenset("^{}\\[~]|€\f")

# What GOV.UK Notify replaces before it sends a text (its SanitiseSMS table), so a
# curly apostrophe pasted from a word processor does not turn a text into Unicode.
NOTIFY_REPLACEMENTS: Mapping[str, str] = {
    "\u2011": "-",  # non-breaking hyphen
    "\u2013": "-",  # en dash
    "\u2014": "-",  # em dash
    "\u2212": "-",  # minus sign
    "\u2026": "...",  # horizontal ellipsis
    "\u2018": "'", "\u2019": "'", "\u201a": "'",  # single quotation marks
    "\u201c": '"', "\u201d": '"', "\u201e": '"',  # double quotation marks
    "\u180e": "", "\u200b": "", "\u200c": "", "\u2060": "", "\ufeff": "",  # invisible
    "\u2028": "", "\u2029": "",  # line and paragraph separators
    "\u00a0": " ", "\u202f": " ", "\t": " ",  # no-break spaces and tabs
}
_TRANSLATE = str.maketrans(dict(NOTIFY_REPLACEMENTS))

GSM_SINGLE, GSM_PART = 160, 153  # a one-fragment text; each fragment of a longer one
UNICODE_SINGLE, UNICODE_PART = 70, 67
NOTIFY_CHARACTER_LIMIT = 918  # GOV.UK Notify rejects longer texts (6 GSM fragments)


@dataclass(frozen=True)
class SmsCost:
    """What a text costs to send. ``characters`` is what Notify's length limit counts;
    ``units`` is what the fragments are counted in (septets, or UTF-16 units)."""

    characters: int
    units: int
    fragments: int
    unicode_character: str | None  # the first character that forced Unicode

    @property
    def is_unicode(self) -> bool:
        return self.unicode_character is not None


def notify_text(text: str) -> str:
    """The text as Notify sends it: replacements made, line endings and ends tidied."""
    return text.translate(_TRANSLATE).replace("\r\n", "\n").strip()


def sms_cost(text: str, prefix: str = "") -> SmsCost:
    """Fragments ``text`` costs, counted the way GOV.UK Notify bills them.

    ``prefix`` is the service name Notify puts in front ("Fenmarsh Council: ")
    when a service sends with its name: it costs fragments, but Notify's
    918-character limit is on the message alone.
    """
    body = notify_text(text)
    sent = f"{prefix}: {body}" if prefix else body
    unicode_character = next((c for c in sent if c not in GSM_BASIC and c not in GSM_EXTENSION),
                             None)
    if unicode_character is not None:
        units = len(sent.encode("utf-16-le")) // 2  # an emoji takes two units
        single, part = UNICODE_SINGLE, UNICODE_PART
    else:
        units = len(sent) + sum(1 for c in sent if c in GSM_EXTENSION)
        single, part = GSM_SINGLE, GSM_PART
    fragments = 0 if not sent else 1 if units <= single else math.ceil(units / part)
    return SmsCost(characters=len(body), units=units, fragments=fragments,
                   unicode_character=unicode_character)


def describe_character(char: str) -> str:
    """``'ł' (U+0142 LATIN SMALL LETTER L WITH STROKE)``; invisible ones by code and name only."""
    name = unicodedata.name(char, "unnamed character")
    code = f"U+{ord(char):04X} {name}"
    visible = char.isprintable() and unicodedata.category(char)[0] not in "CZM"
    return f"'{char}' ({code})" if visible else code


def _sms(body: str) -> str:
    return f"---\nchannel: sms\n---\n{body}\n"


_ROW = {"recipient_id": "P-1", "first_name": "Sian", "phone": "07700 900123"}
_LONG = (
    "Hello {{ first_name }}, this is Fenmarsh District Council. Your council tax payment of "
    "the instalment due on 1 November has not reached us. If you have already paid, thank "
    "you, and please ignore this message. If you have not, please pay today online at "
    "fenmarsh.gov.uk/pay or by phone on 01632 960000, quoting the account number on your "
    "bill. If you are finding it hard to pay, we can help: call us or visit the council "
    "offices on Market Street, Monday to Friday from 9am to 5pm, and ask about spreading "
    "the cost."
)
_SHORT = ("Hello {{ first_name }}, your council tax instalment due 1 November is unpaid. "
          "Pay at fenmarsh.gov.uk/pay or call 01632 960000.")


class SmsLength(Rule):
    """A text message costs more message fragments than the policy allows.

    A text longer than one fragment is split and billed per fragment: 160
    characters fit in one text, 153 in each part of a longer one. One
    character outside the GSM 03.38 alphabet (a Welsh ŵ, a Polish ł in a name,
    a bullet •, an emoji) sends the whole text as Unicode: 70 characters in one
    text, 67 a part, so a two-fragment reminder can become five. Characters
    of the GSM extension table (€ [ ] { } ^ ~ | \\) cost two each. Curly
    quotes, dashes and no-break spaces do not count against you: GOV.UK Notify
    replaces them before sending, and so does this count.

    Mass reminders are where the cost multiplies: a 40,000-row batch at four
    fragments instead of two is 80,000 extra billed texts, and long texts are
    also where merged personal detail tends to creep in.

    * **too-many-fragments** (warning): the rendered text costs more than
      ``max_fragments`` fragments. The finding gives the length, the count and
      the character that forced Unicode, if one did, and whether it came from
      the template wording or the merged data. The text itself is never
      quoted: it holds the recipient's details.
    * **too-long** (error): the text is over 918 characters, which GOV.UK
      Notify refuses to send at all.

    Options: ``max_fragments`` (default 3); ``prefix``, the service name
    Notify puts before each text when the service sends with its name (it
    costs characters too).

    **Anti-pattern**: one long text carrying the whole letter, with a bullet
    character pasted from a document that quietly makes every text Unicode.

    **Best practice**: say one thing in two fragments or fewer and link to the
    detail; keep to plain characters in the template wording.
    """

    name: ClassVar[str] = "sms-length"
    summary: ClassVar[str] = ("A text message costs more fragments than allowed, or is too long "
                              "for GOV.UK Notify to send")
    default_severity: ClassVar[Severity] = Severity.WARNING
    needs: ClassVar[frozenset[Need]] = frozenset({"row", "rendered"})
    channels: ClassVar[frozenset[str] | None] = frozenset({"sms"})
    row_independent: ClassVar[bool] = True
    options_schema: ClassVar[Mapping[str, Any]] = {
        "type": "object",
        "properties": {
            "max_fragments": {
                "type": "integer", "minimum": 1, "default": 3,
                "description": "Most message fragments one text may cost.",
            },
            "prefix": {
                "type": "string", "default": "",
                "description": "Service name Notify puts before each text ('Name: '), if on.",
            },
        },
        "additionalProperties": False,
    }
    examples: ClassVar[Sequence[Example]] = (
        Example(
            title="A reminder that runs to four fragments",
            bad=Case(rows=[_ROW], template=_sms(_LONG), expect=["too-many-fragments"]),
            good=Case(rows=[_ROW], template=_sms(_SHORT)),
        ),
        Example(
            title="A bullet character makes a one-fragment text Unicode",
            bad=Case(rows=[_ROW], template=_sms(_SHORT.replace(". Pay", " • Pay")),
                     options={"max_fragments": 1}, expect=["too-many-fragments"],
                     note="• is not in the GSM alphabet: the text is sent as Unicode"),
            good=Case(rows=[_ROW], template=_sms(_SHORT.replace(". Pay", " - Pay")),
                      options={"max_fragments": 1}),
        ),
    )

    def check_item(self, item: Item) -> Iterator[Violation]:
        if item.rendered is None:
            return
        prefix = str(self.options["prefix"])
        cost = sms_cost(item.rendered.text, prefix)
        if cost.characters > NOTIFY_CHARACTER_LIMIT:
            yield Violation(
                code="too-long", severity=Severity.ERROR,
                facts={"characters": cost.characters, "limit": NOTIFY_CHARACTER_LIMIT},
                message="This text message is {characters} characters long and GOV.UK Notify "
                        "refuses texts over {limit}: shorten the template wording, or send "
                        "a letter or an email instead")
            return
        max_fragments = int(self.options["max_fragments"])
        if cost.fragments <= max_fragments:
            return
        facts: dict[str, object] = {"fragments": cost.fragments, "max_fragments": max_fragments,
                                    "characters": cost.characters}
        message = ("This text message costs {fragments} fragments, more than the "
                   "{max_fragments} allowed ({characters} characters")
        if cost.unicode_character is None:
            message += "): shorten the template wording"
        else:
            char = cost.unicode_character
            source = item.template.source if item.template is not None else ""
            facts["character"] = describe_character(char)
            facts["where"] = ("in the template wording" if char in source
                              else "in the prefix option" if char in prefix
                              else "from the merged data")
            message += (", sent as Unicode at {unicode_single} a text instead of {gsm_single} "
                        "because of the character {character} {where}): shorten the wording, "
                        "or replace that character with a plain one if you can")
            facts["unicode_single"] = UNICODE_SINGLE
            facts["gsm_single"] = GSM_SINGLE
        yield Violation(code="too-many-fragments", message=message, facts=facts)


@hookimpl
def policylint_rules() -> Sequence[type[Rule]]:
    return (SmsLength,)
