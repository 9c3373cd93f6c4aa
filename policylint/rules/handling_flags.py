"""handling-flags: the register's handling requests for a person are honoured."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

from policylint.engine.rule import Case, Example, Item, Need, Rule, RunContext
from policylint.io.templates import Template
from policylint.model import Personal, PersonalKind, Severity, Violation

_PEOPLE = [
    {"person_id": "P-1", "title": "Mrs", "given_name": "Sian", "family_name": "Okafor",
     "date_of_birth": "1980-02-03", "status": "active", "flags": "post_only"},
    {"person_id": "P-2", "title": "Mr", "given_name": "Jan", "family_name": "Nowak",
     "date_of_birth": "1948-07-21", "status": "active", "flags": "via_representative"},
    {"person_id": "P-3", "title": "Ms", "given_name": "Priya", "family_name": "Patel",
     "date_of_birth": "1990-11-30", "status": "active", "flags": ""},
    {"person_id": "P-4", "title": "Mr", "given_name": "Arthur", "family_name": "Bell",
     "date_of_birth": "1939-05-02", "status": "active", "flags": "large_print"},
]


def _large_print(template: Template | None) -> bool:
    if template is None:
        return False
    value = template.front_matter.get("large_print")
    fmt = template.front_matter.get("format")
    return value is True or (isinstance(fmt, str) and fmt.replace("-", "_") == "large_print")


class HandlingFlags(Rule):
    """Handling requests marked on a person's record are honoured by the item.

    ICO leaflet point 6: "Some individuals have specific requests about how
    their data is handled ... clearly mark instances like this on an individual's
    file and take extra care to comply with these requests." The register marks
    them in ``people.flags``; this rule checks each item against them.

    * **post-only**: the person asked for post only, and this item is an email,
      text or voicemail.
    * **via-representative**: the person's correspondence goes through their
      representative, and this item goes to the person directly.
    * **large-print**: the person needs large print, and the letter's template
      is not marked ``large_print: true`` (or ``format: large-print``) in its
      front matter. A warning by default.

    ``no_voicemail`` is honoured by voicemail-content, which also checks the
    voicemail's number and script.

    **Anti-pattern**: a text message reminder to someone whose record says
    ``post_only``.

    **Best practice**: send that person a letter; keep the flags on the record
    current, so the rule can see them.
    """

    name: ClassVar[str] = "handling-flags"
    summary: ClassVar[str] = ("Handling requests on the record (post only, via a "
                              "representative, large print) are honoured")
    default_severity: ClassVar[Severity] = Severity.ERROR
    needs: ClassVar[frozenset[Need]] = frozenset({"row", "template", "register"})
    row_independent: ClassVar[bool] = True
    options_schema: ClassVar[Mapping[str, Any]] = {
        "type": "object",
        "properties": {
            "large_print_severity": {
                "enum": ["error", "warning", "info"], "default": "warning",
                "description": "Severity of large-print findings.",
            },
        },
        "additionalProperties": False,
    }
    examples: ClassVar[tuple[Example, ...]] = (
        Example(
            title="A text to someone who asked for post only",
            bad=Case(rows=[{"recipient_id": "P-1", "phone": "07700 900123",
                            "channel": "sms"}],
                     register={"people": _PEOPLE}, expect=["post-only"]),
            good=Case(rows=[{"recipient_id": "P-1", "address_line_1": "4 Mill Lane",
                             "address_line_2": "Fenmarsh", "postcode": "PE30 4AB",
                             "channel": "letter"}],
                      register={"people": _PEOPLE}),
        ),
        Example(
            title="A letter straight to someone whose post goes via a representative",
            bad=Case(rows=[{"recipient_id": "P-2", "subject_id": "P-2", "channel": "letter"}],
                     register={"people": _PEOPLE}, expect=["via-representative"]),
            good=Case(rows=[{"recipient_id": "P-3", "subject_id": "P-2", "channel": "letter"}],
                      register={"people": _PEOPLE, "representatives": [
                          {"person_id": "P-2", "representative_id": "P-3",
                           "scope": "appointee", "valid_to": ""}]}),
        ),
        Example(
            title="Standard print for someone who needs large print",
            bad=Case(rows=[{"recipient_id": "P-4", "channel": "letter"}],
                     template="---\nchannel: letter\n---\nDear Mr Bell,\n",
                     register={"people": _PEOPLE}, expect=["large-print"]),
            good=Case(rows=[{"recipient_id": "P-4", "channel": "letter"}],
                      template="---\nchannel: letter\nlarge_print: true\n---\nDear Mr Bell,\n",
                      register={"people": _PEOPLE}),
        ),
    )

    def __init__(self, options: Mapping[str, Any], context: RunContext) -> None:
        super().__init__(options, context)
        self._large_print_severity = Severity.parse(str(self.options["large_print_severity"]))

    def check_item(self, item: Item) -> Iterator[Violation]:
        register = self.context.register
        if register is None or not item.recipient_id:
            return
        person = register.person(item.recipient_id)
        if person is None:
            return  # stale-address reports recipients the register does not know
        if not person.flags:
            return  # most people: nothing asked for
        name = {"name": Personal(PersonalKind.NAME, person.full_name)}
        if "post_only" in person.flags and item.channel in ("email", "sms", "voicemail"):
            yield Violation(
                code="post-only", values=name, facts={"channel": item.channel},
                message="{name} asked for post only, but this item is a {channel}: send a "
                        "letter instead")
        if "via_representative" in person.flags:
            yield Violation(
                code="via-representative", values=name,
                message="{name}'s correspondence goes through their representative, but this "
                        "item goes to them directly: address it to the representative")
        if ("large_print" in person.flags and item.channel in ("letter", None)
                and item.template is not None and not _large_print(item.template)):
            yield Violation(
                code="large-print", values=name, severity=self._large_print_severity,
                facts={"template": item.template.name},
                message="{name} needs large print, but template '{template}' is not marked "
                        "large_print: true")
