"""redaction-residue: what the policy says must be redacted is not in the item."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from policylint.engine.rule import Case, Example, Item, Need, Rule, RunContext
from policylint.errors import InputError, PolicylintError
from policylint.io.headers import variable_name
from policylint.io.register.base import Register
from policylint.model import Personal, PersonalKind, Severity, Violation
from policylint.rules._text_search import (
    Needle,
    TextView,
    find_needles,
    needle_for,
    shared_view,
)

DETAILS = ("name", "address", "phone", "email", "date_of_birth")
_DETAIL_LIST = {"type": "array", "items": {"enum": list(DETAILS)}, "uniqueItems": True}
_STRINGS = {"type": "array", "items": {"type": "string", "minLength": 1}}

_HIDDEN_MESSAGES = {
    "under-box": (
        "text-under-box",
        "Attachment {index} has text on page {page} hidden under a box drawn over it but "
        "still in the PDF's text layer: anyone can copy it out. Redact with a tool that "
        "removes the text"),
    "redact-annotation": (
        "unapplied-redaction",
        "Attachment {index} has a redaction marked on page {page} but never applied: the "
        "text under it is still in the file. Apply the redactions before sending"),
    "tracked-deletion": (
        "tracked-deletion",
        "Attachment {index} still holds deleted text as a tracked change ({where}): accept "
        "all changes (and remove comments) before sending"),
    "highlighted-black": (
        "blacked-out-text",
        "Attachment {index} has text blacked out with highlighting ({where}): the text is "
        "still in the file. Delete it, or redact with a tool that removes it"),
    "hidden-formatting": (
        "hidden-text",
        "Attachment {index} has text formatted as hidden ({where}): it is still in the "
        "file. Delete it before sending"),
    "review-comment": (
        "review-comments",
        "Attachment {index} still has reviewers' comments ({where}): whoever receives it "
        "can read them. Delete the comments before sending"),
}
# Comments are seen by anyone who opens the file, so they are a warning, not a
# failed redaction; one finding per attachment.
_WARNINGS = frozenset({"review-comments"})

_PEOPLE = [
    {"person_id": "P-1", "title": "Ms", "given_name": "Dana", "family_name": "Whitlock",
     "date_of_birth": "1988-04-12", "status": "active", "flags": ""},
    {"person_id": "P-2", "title": "Mr", "given_name": "Carl", "family_name": "Whitlock",
     "date_of_birth": "1985-09-30", "status": "active", "flags": ""},
]
_ADDRESSES = [
    {"person_id": "P-1", "line_1": "9 Elm Road", "line_2": "Fenmarsh", "postcode": "PE31 6XY",
     "status": "current", "valid_from": "2026-03-01", "valid_to": "", "verified_on": ""},
    {"person_id": "P-2", "line_1": "4 Mill Lane", "line_2": "Fenmarsh", "postcode": "PE30 4AB",
     "status": "current", "valid_from": "2019-01-01", "valid_to": "", "verified_on": ""},
]
_REGISTER = {"people": _PEOPLE, "addresses": _ADDRESSES}
_REDACT_SUBJECT = {"redact": [{"audience": "third_party",
                               "subject": ["address", "phone", "email", "date_of_birth"]}]}
_TO_FATHER = ("---\nchannel: letter\naudience: third_party\n---\n"
              "Dear Mr Whitlock,\nThe child arrangements review for your daughter is on "
              "4 March. {{ case_notes }}\n")
_CTRL_F = {"redact": [{"templates": ["sar-*", "example"],
                       "terms": ["Women's Aid", "MARAC", "refuge"]}]}
_SAR = ("---\nchannel: letter\n---\nDear {{ name }},\nHere is the information we hold "
        "about you.\n{{ extract }}\n")


@dataclass(frozen=True)
class _Scope:
    """One entry of the ``redact`` list, parsed."""

    templates: tuple[str, ...]
    audience: str | None
    subject: tuple[str, ...]
    third_parties: tuple[str, ...]
    third_party_columns: tuple[str, ...]
    columns: tuple[str, ...]
    terms: tuple[str, ...]

    def applies(self, item: Item) -> bool:
        template = item.template
        if self.templates and (template is None or not any(
                fnmatch.fnmatchcase(template.name, p) for p in self.templates)):
            return False
        return self.audience is None or (template is not None
                                         and template.audience == self.audience)


class RedactionResidue(Rule):
    """What must be redacted is gone from the item and its attachments.

    ICO leaflet point 7: "Before sending, you should always go back to double
    check all redactions have been made. Try using the Ctrl-F keys to search for
    any key words or phrases." This rule is that search, done on every item.

    The policy's ``redact`` list says, for some templates (``templates``, globs
    of template names) or an ``audience`` (``third_party``), or every item when
    neither is given, what must not appear:

    * ``subject``: the register's details of the person the item is about
      (``name``, ``address``, ``phone``, ``email``, ``date_of_birth``);
    * ``third_parties`` of the people whose register ids are in the
      ``third_party_columns`` (``;``-separated ids);
    * ``columns``: the values of these batch columns;
    * ``terms``: the Ctrl-F list, words and phrases that must never appear.

    A column the policy names that the batch lacks stops the run (a misspelt
    column must not switch the check off); a third party id the register does
    not know is an ``unknown-third-party`` finding (their details cannot be
    looked for).

    Values are found however they are written: case, extra spaces, a line break
    inside a name, ``pe316xy`` for ``PE31 6XY``, ``+44 7700 900 123`` for
    ``07700900123``, ``12th April 1988`` for ``12/04/1988``.

    Whatever the policy lists, text a reader cannot see but the file still holds
    is an error in any attachment: the classic failed redaction, a black box
    drawn over text that is still in a PDF's text layer (the finding names the
    page), and the same with a white-out box or black text on black; a
    redaction marked but never applied; Word text "blacked out" with
    highlighting, hidden text, or deletions kept as tracked changes. Reviewers'
    comments left in a Word file or as PDF sticky notes are a warning.

    Codes for text a reader cannot see:

    * **text-under-box**: text under a box drawn over it, still in the PDF's text
      layer (the finding names the page);
    * **unapplied-redaction**: a redaction marked in the PDF but never applied;
    * **blacked-out-text**: Word text blacked out with highlighting;
    * **hidden-text**: Word text formatted as hidden;
    * **tracked-deletion**: deleted text kept as a tracked change;
    * **review-comments**: reviewers' comments left in the file (a warning).

    **Anti-pattern**: a PDF where the subject's new address was covered with a
    black rectangle in a drawing tool; copying the page gives the address.

    **Best practice**: redact with a tool that removes the text (Acrobat's
    Redact + Apply, or print to an image); then the box is drawn and the text is
    gone, and this rule passes. List the terms you would Ctrl-F for in the policy.
    """

    name: ClassVar[str] = "redaction-residue"
    summary: ClassVar[str] = ("Values marked for redaction, and text hidden under black "
                              "boxes, are not in the item or its attachments")
    default_severity: ClassVar[Severity] = Severity.ERROR
    # The register holds the subject's and third parties' details to look for.
    needs: ClassVar[frozenset[Need]] = frozenset({"row", "rendered", "template", "register"})
    row_independent: ClassVar[bool] = True
    options_schema: ClassVar[Mapping[str, Any]] = {
        "type": "object",
        "properties": {
            "redact": {
                "type": "array",
                "default": [],
                "description": "What must be redacted, per template or audience.",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "templates": _STRINGS,
                        "audience": {"enum": ["recipient", "third_party"]},
                        "subject": _DETAIL_LIST,
                        "third_parties": _DETAIL_LIST,
                        "third_party_columns": _STRINGS,
                        "columns": _STRINGS,
                        "terms": _STRINGS,
                    },
                },
            },
            "hidden_text": {
                "type": "boolean", "default": True,
                "description": "Report text under black boxes, unapplied redactions, "
                               "blacked-out, hidden and tracked-deleted text in attachments.",
            },
        },
        "additionalProperties": False,
    }
    examples: ClassVar[tuple[Example, ...]] = (
        Example(
            title="The subject's new postcode left in a letter to the other parent",
            bad=Case(rows=[{"recipient_id": "P-2", "subject_id": "P-1",
                            "case_notes": "Mother has moved to pe316xy."}],
                     template=_TO_FATHER, register=_REGISTER, options=_REDACT_SUBJECT,
                     expect=["redaction-residue"]),
            good=Case(rows=[{"recipient_id": "P-2", "subject_id": "P-1",
                             "case_notes": "Mother has moved to [redacted]."}],
                      template=_TO_FATHER, register=_REGISTER, options=_REDACT_SUBJECT),
        ),
        Example(
            title="A phrase on the Ctrl-F list left in a subject access response",
            bad=Case(rows=[{"name": "Ms Whitlock",
                            "extract": "2026-02-11 referred to Women's\nAid by duty officer"}],
                     template=_SAR, options=_CTRL_F, expect=["redaction-residue"]),
            good=Case(rows=[{"name": "Ms Whitlock",
                             "extract": "2026-02-11 referred to [redacted] by duty officer"}],
                      template=_SAR, options=_CTRL_F),
        ),
    )

    def __init__(self, options: Mapping[str, Any], context: RunContext) -> None:
        super().__init__(options, context)
        self._scopes = tuple(_scope(entry) for entry in self.options["redact"])
        self._hidden = bool(self.options["hidden_text"])

    def check_item(self, item: Item) -> Iterator[Violation]:
        scopes = [s for s in self._scopes if s.applies(item)]
        if scopes:
            problems: list[Violation] = []
            needles = list(self._needles(item, scopes, problems))
            yield from problems
            if needles:
                views = [("in the text", TextView(item.rendered.text))] if item.rendered else []
                views += [(where, shared_view(text)) for where, text in item.attachment_texts()]
                for needle, where, count in find_needles(needles, views):
                    yield Violation(
                        code="redaction-residue",
                        message=("{what} is marked for redaction but is still {where}"
                                 "{more}: {value}"),
                        values={"value": Personal(needle.kind, needle.value)},
                        facts={"what": needle.what[:1].upper() + needle.what[1:],
                               "where": where,
                               "more": f" (and {count - 1} more place(s))" if count > 1 else ""},
                        fingerprint_extra=f"{needle.what}|{needle.key}")
        if self._hidden:
            yield from self._hidden_text(item)

    def _hidden_text(self, item: Item) -> Iterator[Violation]:
        for attachment in item.attachments:
            seen: set[tuple[str, str]] = set()
            for hidden in attachment.hidden:
                code, message = _HIDDEN_MESSAGES[hidden.how]
                place = ("comments" if code in _WARNINGS else
                         str(hidden.page) if hidden.page is not None else hidden.where)
                if (code, place) in seen:
                    continue  # one finding per page (or paragraph), however many boxes
                seen.add((code, place))
                yield Violation(
                    code=code, message=message,
                    severity=Severity.WARNING if code in _WARNINGS else None,
                    facts={"index": attachment.index, "page": hidden.page or "?",
                           "where": hidden.where},
                    fingerprint_extra=f"{attachment.index}|{place}")

    def _needles(self, item: Item, scopes: Sequence[_Scope],
                 problems: list[Violation]) -> Iterator[Needle]:
        register = self.context.register
        for scope in scopes:
            for column in (*scope.columns, *scope.third_party_columns):
                if _key(column) not in item.row.values:
                    # A misspelt column would switch the check off without a word.
                    raise InputError(
                        f"redaction-residue: the policy names column '{column}', which this "
                        "batch does not have, so what must be redacted cannot be checked",
                        file=item.row.file, row=item.row.number)
            if (scope.subject or scope.third_parties) and register is None:
                raise PolicylintError(
                    "redaction-residue: the policy lists register details to redact "
                    "(subject/third_parties) but no register is configured: set `register:` "
                    "or pass --register")
            if scope.subject and register is not None and item.subject_id:
                yield from _person_needles(register, item.subject_id, scope.subject,
                                           "the subject's")
            if scope.third_parties and register is not None:
                for column in scope.third_party_columns:
                    for person_id in item.row.get(_key(column)).split(";"):
                        person_id = person_id.strip()
                        if not person_id:
                            continue
                        if register.person(person_id) is None:
                            problems.append(Violation(
                                code="unknown-third-party", column=_key(column),
                                message=("Column {column} names {person}, who is not in the "
                                         "register: their details cannot be checked for "
                                         "redaction"),
                                values={"person": Personal(PersonalKind.IDENTIFIER,
                                                           person_id)},
                                facts={"column": column}, fingerprint_extra=person_id))
                            continue
                        yield from _person_needles(register, person_id, scope.third_parties,
                                                   "a third party's")
            for column in scope.columns:
                value = item.row.get(_key(column))
                needle = needle_for(f"column '{column}'", value)
                if needle is not None:
                    yield needle
            for term in scope.terms:
                needle = needle_for("a term on the redaction list", term, PersonalKind.TEXT)
                if needle is not None:
                    yield needle


def _key(column: str) -> str:
    return variable_name(column)


def _scope(entry: Mapping[str, Any]) -> _Scope:
    return _Scope(
        templates=tuple(entry.get("templates", ())),
        audience=entry.get("audience"),
        subject=tuple(entry.get("subject", ())),
        third_parties=tuple(entry.get("third_parties", ())),
        third_party_columns=tuple(entry.get("third_party_columns", ())),
        columns=tuple(entry.get("columns", ())),
        terms=tuple(entry.get("terms", ())),
    )


def _person_needles(register: Register, person_id: str, details: Sequence[str],
                    whose: str) -> Iterator[Needle]:
    person = register.person(person_id)
    if person is None:
        return
    candidates: list[tuple[str, str, PersonalKind]] = []
    if "name" in details and person.given_name and person.family_name:
        given, family = person.given_name, person.family_name
        candidates.append(("name", f"{given} {family}", PersonalKind.NAME))
        candidates.append(("name", f"{family}, {given}", PersonalKind.NAME))
        if person.title:
            candidates.append(("name", f"{person.title} {family}", PersonalKind.NAME))
    if "address" in details:
        for address in register.addresses(person_id):
            if address.status != "current":
                continue  # previous addresses are not what a redaction protects
            if address.postcode:
                candidates.append(("postcode", address.postcode, PersonalKind.POSTCODE))
            for line in address.lines:
                # A house number with a street locates the home (in any order of the
                # line's parts: "22 Quay St, flat 3"); a town alone is in every letter.
                candidates.extend(("address", part, PersonalKind.ADDRESS)
                                  for part in _locating_parts(line))
    for kind in ("phone", "email"):
        if kind in details:
            for contact in register.contacts(person_id):
                if contact.kind == kind and contact.status == "current":
                    candidates.append((kind, contact.value,
                                       PersonalKind.PHONE if kind == "phone"
                                       else PersonalKind.EMAIL))
    if "date_of_birth" in details and person.date_of_birth is not None:
        candidates.append(("date of birth", person.date_of_birth.isoformat(), PersonalKind.DATE))
    for detail, value, kind in candidates:
        needle = needle_for(f"{whose} {detail}", value, kind)
        if needle is not None:
            yield needle


_UNIT_WORDS = frozenset({"flat", "apartment", "apt", "unit", "room", "floor", "suite", "no"})


def _locating_parts(line: str) -> list[str]:
    """The comma-separated parts of an address line that hold a number and a street
    or building word ("22 Quay Street", not "Flat 3" or "Fenmarsh")."""
    found = []
    for part in (p.strip() for p in line.split(",")):
        words = [w for w in re.findall(r"[^\W\d_]{3,}", part.lower()) if w not in _UNIT_WORDS]
        if words and any(c.isdigit() for c in part):
            found.append(part)
    return found
