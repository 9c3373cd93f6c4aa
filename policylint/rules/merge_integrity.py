"""merge-integrity: the merge itself went wrong."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any, ClassVar, cast

from policylint.engine.rule import Case, Example, FieldMap, Item, Need, Rule, RunContext
from policylint.io.templates import Template
from policylint.model import Severity, Violation
from policylint.rules._first_seen import FirstSeen

# What a spreadsheet or a dataframe writes into a cell that had no value.
DEFAULT_NULL_TOKENS = ("nan", "NaN", "None", "NULL", "null", "#N/A", "N/A", "NaT",
                       "undefined", "#VALUE!", "#REF!", "#NAME?", "#DIV/0!", "#NULL!")
# Spreadsheet errors are never legitimate words, so they are searched in the text too.
_SPREADSHEET_ERRORS = re.compile(r"#(?:N/A|VALUE!|REF!|NAME\?|DIV/0!|NULL!|NUM!)")

# Placeholders another merge tool left unresolved: Jinja/Handlebars, Word
# MERGEFIELD chevrons, angle brackets, GOV.UK Notify, bracketed capitals.
_PLACEHOLDERS = re.compile(
    r"\{\{[^{}\n]{0,80}\}\}"
    r"|\{%[^\n]{0,80}%\}"
    r"|«[^«»\n]{1,80}»"
    r"|<<[^<>\n]{1,80}>>"
    r"|\(\([^()\n]{1,80}\)\)"
    r"|\[[A-Z][A-Z0-9_ ]{1,40}\]"
)

_TITLES = r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof)\.?"
# "Dear ," and "Dear Mrs ," lost their name; "Hello," is a greeting, "Hello ," lost one.
_SALUTATION = re.compile(
    rf"\bDear\b[ \t]*(?:{_TITLES}[ \t]*)?,"
    rf"|\b(?:Hello|Hi)\b(?:[ \t]+{_TITLES})?[ \t]+,"
)
# Where a greeting can start. _SALUTATION begins with a word boundary, which re cannot
# skip ahead to, so it is only tried where one of its words is (found by str.find: a
# regex alternation of them scans a letter several times slower). None of the words
# overlaps itself or another, so every place found is where a scan would find one.
_GREETING_WORDS = ("Dear", "Hello", "Hi")
# Characters each pattern needs: text without any cannot match it.
_PLACEHOLDER_STARTS = ("{", "«", "<<", "((", "[")


def _salutations(text: str) -> Iterator[re.Match[str]]:
    """What ``_SALUTATION.finditer(text)`` finds, without trying every position."""
    starts: list[int] = []
    for word in _GREETING_WORDS:
        at = text.find(word)
        while at >= 0:
            starts.append(at)
            at = text.find(word, at + len(word))
    end = 0
    for start in sorted(starts):
        if start < end:
            continue
        match = _SALUTATION.match(text, start)
        if match is not None:
            end = match.end()
            yield match

class MergeIntegrity(Rule):
    """The merge itself went wrong: the item would go out visibly broken, or to the wrong
    person twice.

    A mail merge that slips, loses a column or meets an empty cell produces letters
    that start "Dear Mrs ,", print "nan" as a balance, leave "«First_Name»" in the
    text or send one person two letters. Each is a sign that the data under the
    merge cannot be trusted (ICO leaflet point 8: make sure your systems are up to
    date and correct).

    Checks, per row:

    * **empty-field**: a required value is empty: recipient_id always, plus the
      columns in the ``required_fields`` option. (A missing email, phone or
      address for the item's channel is contact-validity's to report.)
    * **null-value**: a cell holds what a spreadsheet or a dataframe writes for
      "no value" (``nan``, ``None``, ``NULL``, ``#N/A``...) in a column the
      template prints or a role column.
    * **unresolved-placeholder**: the rendered text still has ``{{ }}``,
      ``« »``, ``<< >>``, ``(( ))`` or ``[FIELD]`` placeholders, or a
      spreadsheet error such as ``#REF!``.
    * **empty-salutation**: "Dear ,", "Dear Mrs ," and the like.
    * **duplicate-recipient**: the same recipient gets the same template twice.
    * **duplicate-reference**: two rows carry the same reference (account or
      case reference), which should be unique per item.

    Template fields with no column in the batch are reported by the engine's
    ``render-error`` check, which cannot be switched off: those items cannot be
    rendered, so they cannot be checked.

    **Anti-pattern**: a row whose ``last_name`` is empty, merged into
    ``Dear {{ title }} {{ last_name }},``.

    **Best practice**: every printed field filled, every row's reference unique.
    """

    name: ClassVar[str] = "merge-integrity"
    summary: ClassVar[str] = ("Broken merges: empty or null values, unresolved placeholders, "
                              "'Dear ,', duplicate recipients")
    default_severity: ClassVar[Severity] = Severity.ERROR
    # "batch": a first pass notes where each recipient and reference is first seen, so
    # a duplicate is found wherever the rows are split (DESIGN §5).
    needs: ClassVar[frozenset[Need]] = frozenset({"row", "rendered", "template", "batch"})
    chunked: ClassVar[bool] = True
    options_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "properties": {
            "required_fields": {
                "type": "array", "items": {"type": "string"}, "default": [],
                "description": "Columns (normalised names) that must not be empty.",
            },
            "null_tokens": {
                "type": "array", "items": {"type": "string"},
                "default": list(DEFAULT_NULL_TOKENS),
                "description": "Cell values that mean the source had no value.",
            },
            "allow_duplicate_recipients": {"type": "boolean", "default": False},
        },
        "additionalProperties": False,
    }
    examples: ClassVar[tuple[Example, ...]] = (
        Example(
            title="An empty surname in the salutation",
            bad=Case(
                rows=[{"recipient_id": "P-1", "title": "Mrs", "last_name": "",
                       "address_line_1": "Mrs S Okafor", "address_line_2": "4 Mill Lane",
                       "address_line_3": "PE30 4AB", "channel": "letter"}],
                template="Dear {{ title }} {{ last_name }},\nYour bill is ready.\n",
                expect=["empty-salutation"],
            ),
            good=Case(
                rows=[{"recipient_id": "P-1", "title": "Mrs", "last_name": "Okafor",
                       "address_line_1": "Mrs S Okafor", "address_line_2": "4 Mill Lane",
                       "address_line_3": "PE30 4AB", "channel": "letter"}],
                template="Dear {{ title }} {{ last_name }},\nYour bill is ready.\n",
            ),
        ),
        Example(
            title="A dataframe's 'nan' printed as an amount",
            bad=Case(
                rows=[{"recipient_id": "P-2", "email": "a.patel@example.org",
                       "amount_due": "nan", "channel": "email"}],
                template="You owe {{ amount_due }}.\n",
                expect=["null-value"],
            ),
            good=Case(
                rows=[{"recipient_id": "P-2", "email": "a.patel@example.org",
                       "amount_due": "£412.50", "channel": "email"}],
                template="You owe {{ amount_due }}.\n",
            ),
        ),
        Example(
            title="A placeholder another tool left behind",
            bad=Case(
                rows=[{"recipient_id": "P-3", "email": "j.nowak@example.org",
                       "channel": "email"}],
                template="Dear «First_Name», your account is up to date.\n",
                expect=["unresolved-placeholder"],
            ),
            good=Case(
                rows=[{"recipient_id": "P-3", "email": "j.nowak@example.org",
                       "first_name": "Jan", "channel": "email"}],
                template="Dear {{ first_name }}, your account is up to date.\n",
            ),
        ),
        Example(
            title="The same person twice",
            bad=Case(
                rows=[{"recipient_id": "P-4", "email": "k@example.org", "channel": "email",
                       "account_ref": "CT-1"},
                      {"recipient_id": "P-4", "email": "k@example.org", "channel": "email",
                       "account_ref": "CT-2"}],
                expect=["duplicate-recipient"],
            ),
            good=Case(
                rows=[{"recipient_id": "P-4", "email": "k@example.org", "channel": "email",
                       "account_ref": "CT-1"},
                      {"recipient_id": "P-5", "email": "m@example.org", "channel": "email",
                       "account_ref": "CT-2"}],
            ),
        ),
    )

    def __init__(self, options: dict[str, Any], context: RunContext) -> None:
        super().__init__(options, context)
        self._null_tokens = frozenset(self.options["null_tokens"])
        self._required = tuple(self.options["required_fields"])
        # Where each recipient (per kind of item) and each reference is first seen:
        # compact arrays while the batch is read, a dict of the repeated ones after.
        self._seen_recipients = FirstSeen()
        self._seen_references = FirstSeen()
        self._printed_cache: dict[tuple[int, int],
                                  tuple[FieldMap, Template | None, tuple[str, ...]]] = {}

    # --- first pass: where each recipient and reference is first seen ----------------

    def observe(self, item: Item) -> None:
        number = item.row.number
        recipient = item.recipient_id
        if recipient:
            self._seen_recipients.add(_key(_item_kind(item), recipient), number)
        for header, value in item.references:
            self._seen_references.add(_key(header, value), number)

    def observed(self) -> object:
        return (self._seen_recipients.part(), self._seen_references.part())

    def absorb_observed(self, parts: Sequence[object]) -> None:
        # In row order: the first row seen stays first.
        chunks = cast(Sequence[tuple[object, object]], parts)
        self._seen_recipients.absorb([recipients for recipients, _ in chunks])
        self._seen_references.absorb([references for _, references in chunks])

    def prepare(self) -> None:
        # Before workers fork: each inherits the repeated keys instead of finding them.
        self._seen_recipients.settle()
        self._seen_references.settle()

    def check_item(self, item: Item) -> Iterator[Violation]:
        yield from self._empty_fields(item)
        yield from self._null_values(item)
        yield from self._duplicates(item)
        if item.rendered is not None:
            yield from self._rendered_text(item)

    def check_template(self, template: Template) -> Iterator[Violation]:
        """Placeholders from another merge tool, written into the template itself."""
        for line_number, line in enumerate(template.source.splitlines(), start=1):
            if line_number <= template.body_offset:
                continue
            for match in _PLACEHOLDERS.finditer(line):
                if match.group().startswith(("{{", "{%")):
                    continue  # Jinja's own syntax is the template language here
                yield Violation(
                    code="foreign-placeholder",
                    message="Placeholder {placeholder} is not a Jinja field and will be "
                            "printed as it is",
                    facts={"placeholder": match.group()[:60]},
                    line=line_number, col=match.start() + 1)

    def _empty_fields(self, item: Item) -> Iterator[Violation]:
        required: list[str] = []
        if item.fields.header("recipient_id"):
            required.append(item.fields.roles["recipient_id"])
        required.extend(h for h in self._required if h in item.row.values)
        for header in dict.fromkeys(required):
            if not item.row.values.get(header, "").strip():
                yield Violation(
                    code="empty-field", column=header,
                    message="Required column {column} is empty",
                    facts={"column": item.row.headers.get(header, header)})

    def _printed(self, item: Item) -> tuple[str, ...]:
        """The columns an item prints: every role's, and its template's fields (sorted).
        The same for every row of a batch with the same template, so kept per
        (field map, template); the key holds the objects, so their ids stay theirs."""
        key = (id(item.fields), id(item.template))
        cached = self._printed_cache.get(key)
        if cached is None or cached[0] is not item.fields or cached[1] is not item.template:
            printed = set(item.fields.roles.values())
            if item.template is not None:
                printed |= item.template.variable_names
            cached = (item.fields, item.template, tuple(sorted(printed)))
            if len(self._printed_cache) > 256:
                self._printed_cache.clear()
            self._printed_cache[key] = cached
        return cached[2]

    def _null_values(self, item: Item) -> Iterator[Violation]:
        values = item.row.values
        printed = self._printed(item)
        joined = "\x00".join([values.get(header, "") for header in printed])
        if not any(token in joined for token in self._null_tokens):
            return  # no cell can be a token: the usual row, found by a few str searches
        for header in printed:
            value = values.get(header, "").strip()
            if value and value in self._null_tokens:
                yield Violation(
                    code="null-value", column=header,
                    message="Column {column} holds '{token}', which a spreadsheet or "
                            "dataframe writes for a missing value",
                    facts={"column": item.row.headers.get(header, header), "token": value})

    def _duplicates(self, item: Item) -> Iterator[Violation]:
        template = _item_kind(item)
        recipient = item.recipient_id
        number = item.row.number
        if recipient and not self.options["allow_duplicate_recipients"]:
            first = self._seen_recipients.first(_key(template, recipient), number)
            if first != number:
                yield Violation(
                    code="duplicate-recipient",
                    message="Recipient {recipient} already gets this item at row {first}",
                    facts={"recipient": recipient, "first": first},
                    column=item.fields.header("recipient_id"),
                    severity=Severity.WARNING if template == "" else None,
                    fingerprint_extra=template)
        for header, value in item.references:
            first = self._seen_references.first(_key(header, value), number)
            if first != number:
                yield Violation(
                    code="duplicate-reference", column=header,
                    message="The reference in column {column} repeats row {first}'s: references "
                            "should be unique per item",
                    facts={"column": item.row.headers.get(header, header), "first": first},
                    fingerprint_extra=value)

    def _rendered_text(self, item: Item) -> Iterator[Violation]:
        assert item.rendered is not None
        text = item.rendered.text
        if any(start in text for start in _PLACEHOLDER_STARTS):
            for match in _PLACEHOLDERS.finditer(text):
                yield self._text_violation(
                    "unresolved-placeholder",
                    "The text still contains the placeholder {placeholder}", text,
                    match.start(), {"placeholder": match.group()[:60]})
        if "#" in text:
            for match in _SPREADSHEET_ERRORS.finditer(text):
                yield self._text_violation(
                    "unresolved-placeholder",
                    "The text contains the spreadsheet error {placeholder}", text,
                    match.start(), {"placeholder": match.group()})
        for match in _salutations(text):
            yield self._text_violation(
                "empty-salutation", "The greeting has no name: '{greeting}'", text,
                match.start(), {"greeting": match.group().strip()})

    @staticmethod
    def _text_violation(code: str, message: str, text: str, offset: int,
                        facts: dict[str, object]) -> Violation:
        line = text.count("\n", 0, offset) + 1
        col = offset - (text.rfind("\n", 0, offset) + 1) + 1
        return Violation(code=code, message=message + " (line {text_line} of the text as sent)",
                         facts={**facts, "text_line": line},
                         fingerprint_extra=f"{line}:{col}")


def _key(scope: str, value: str) -> str:
    """One text for (scope, value): a template or column name never holds NUL, so
    the first NUL splits it back exactly."""
    return f"{scope}\x00{value}"


def _item_kind(item: Item) -> str:
    """What a duplicate is counted per: the template, else the channel."""
    return item.template.name if item.template else (item.channel or "")
