"""voicemail-content: a voicemail script saying more than the policy allows, or left on a
number that may no longer be the person's.

The detectors (one module per kind of personal data) find things in the whole rendered
script; this module decides where to look (which register people, which cells) and
what the policy excuses.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from policylint.engine.rule import ADDRESS_ROLES, Example, Item, Need, Rule, RunContext
from policylint.io.register.base import Person, Register
from policylint.io.templates import Template, split_front_matter
from policylint.model import Severity, Violation
from policylint.normalise.contact import contact_key
from policylint.normalise.postcode import normalise_postcode, postcode_spans
from policylint.rules.voicemail_content.address import (
    AddressSource,
    find_addresses,
    find_postcodes,
)
from policylint.rules.voicemail_content.amounts import find_amounts
from policylint.rules.voicemail_content.dates import (
    DOB_COLUMNS,
    find_dates_of_birth,
    parse_date,
)
from policylint.rules.voicemail_content.examples import EXAMPLES
from policylint.rules.voicemail_content.hits import PERSONAL_KINDS, Hit, outermost
from policylint.rules.voicemail_content.identifiers import (
    find_codes,
    find_long_numbers,
    find_ni_numbers,
    find_references,
    identifier_columns,
    number_forms,
    phone_number_cell,
    quick_uk,
    without_extension,
)
from policylint.rules.voicemail_content.names import (
    GIVEN_NAME_FIELDS,
    find_surnames,
    name_sources,
)
from policylint.rules.voicemail_content.phone import check_number
from policylint.rules.voicemail_content.terms import TermMatcher
from policylint.rules.voicemail_content.text import (
    WORD_RE,
    ScriptText,
    compact,
    fold,
    line_col,
    where,
)

DEFAULT_ALLOWED_FIELDS = ("first_name", "organisation", "callback_number")

# Template tags: comments are dropped; in {{ }} and {% %} only string literals are text.
_TAG_RE = re.compile(r"\{#.*?#\}|\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)
_STRING_RE = re.compile(r"\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'", re.DOTALL)
_NOT_IDENTIFIER_HEADER_RE = re.compile(
    r"date|dob|birth|amount|balance|due|total|count|name|address|line|postcode|email|house"
    r"|flat|building|street|room")
# Words that make a cell an organisation's name ("Fenmarsh Town Hall"): a surname that
# is also a word of it (Hall, Marsh, Church) is the organisation's, not the person's.
_ORGANISATION_WORDS = frozenset({
    "council", "borough", "district", "county", "city", "town", "hall", "trust", "nhs",
    "hospital", "surgery", "practice", "health", "centre", "center", "housing",
    "association", "services", "service", "team", "office", "department", "clinic",
    "school", "college", "university", "group", "ltd", "limited", "plc", "partnership",
    "authority", "board", "agency", "foundation", "charity", "cyngor", "bwrdd", "iechyd",
    "canolfan", "gwasanaeth", "gwasanaethau", "ysgol", "meddygfa", "tim",
})
_ADDRESS_HEADERS = frozenset({*ADDRESS_ROLES, "postcode"})


def _literal_text(template: Template) -> str:
    """The template body with every tag blanked (same length, same line breaks), keeping
    string literals inside tags: the words every recipient hears."""
    _, body, _ = split_front_matter(template.source)

    def blank(match: re.Match[str]) -> str:
        tag = match.group()
        out = ["\n" if c == "\n" else " " for c in tag]
        if not tag.startswith("{#"):
            for literal in _STRING_RE.finditer(tag):
                inner = literal.group()[1:-1]
                out[literal.start() + 1:literal.end() - 1] = list(inner)
        return "".join(out)

    return _TAG_RE.sub(blank, body)


@dataclass(frozen=True)
class _Layout:
    """Which of a batch's columns hold what this rule looks for (one per batch)."""

    given: tuple[str, ...]  # first-name columns besides the first_name role's
    dates_of_birth: tuple[str, ...]
    identifiers: tuple[str, ...]  # identifier columns besides the reference role's

    @classmethod
    def of(cls, headers: tuple[str, ...], first_name: str | None,
           references: tuple[str, ...]) -> _Layout:
        return cls(
            given=tuple(h for h in headers if h in GIVEN_NAME_FIELDS and h != first_name),
            dates_of_birth=tuple(h for h in headers if h in DOB_COLUMNS or "birth" in h),
            identifiers=tuple(h for h in identifier_columns(headers)
                              if h not in references
                              and not _NOT_IDENTIFIER_HEADER_RE.search(h)),
        )


# The script's words, and its NI numbers, amounts and codes: they depend on nothing else.
_TextOnly = tuple[ScriptText, tuple[Hit, ...], tuple[Hit, ...], tuple[Hit, ...]]
_TEXT_CACHE = 4096  # distinct scripts remembered per run

class VoicemailContent(Rule):
    """A voicemail that says more than the policy allows, or is left on a number that may
    no longer be the person's.

    A voicemail is heard by whoever has the phone: a partner, a parent, a
    colleague, or a stranger who now has the number. ICO leaflet point 10
    names "leaving a voicemail containing personal data on someone's old
    number" as a breach to prevent, and point 5 (treat data in confidence)
    applies to everyone else who hears the message. So a voicemail script may
    use only the fields the policy allows (by default the first name, the
    organisation and the callback number), it may not say personal data of any
    kind whichever field it came from, and it is only left on a number the
    register holds as the person's current one, recently verified.

    ``allowed_fields`` says which fields a script may *use*, not that anything
    in them may be said: a callback_number cell holding an NHS number, an
    organisation cell holding the person's street, or a free-text note holding
    the surname, a reference, the postcode or a date of birth is still a
    finding. What to look for comes from the register (the recipient's and the
    subject's names, addresses and date of birth), from the row's own cells
    (surname, address lines, references and other identifier columns, date of
    birth) and from the form of the data (postcodes, NHS and NI numbers,
    amounts, reference-like codes, long numbers, dates said as a date of birth).

    Codes found in the rendered script (``line``/``col`` is where in the
    script; the message repeats it, since a batch finding is shown by row):

    * **surname**: the row's ``last_name``, the register's family name, the
      surname in a first-name cell written with a title (``Mrs Okafor``,
      ``Mr J Smith``), or the full name, as a word (any case; ``O'Brien`` =
      ``OBrien``).
    * **address**: a house number with its street, a house name, an address
      line of the row or the register, the street with the town, the street
      when a cell holding exactly it is said, or any UK postcode.
    * **nhs-number**: ten digits (``943 476 5919``) with a valid NHS check
      digit. Ten digits that fail the check are a **long-number**.
    * **ni-number**: a National Insurance number (``JG 10 37 59 A``; HMRC's
      prefix rules).
    * **reference**: the value of one of the row's reference or identifier
      columns (``account_ref``, ``claim_number``...), or a code of letters and
      at least five digits (``HB/2024/0071``).
    * **long-number**: any other run of 6 or more digits (spaces and hyphens
      inside do not matter), unless it is the organisation's callback number (an
      allowed field holding a UK phone number and nothing else, which is not a
      phone number the register holds for anyone, nor the number called) or one
      of ``allowed_numbers``.
    * **amount**: money: ``£412.50``, ``£1,200``, ``12.50 GBP``, ``412 pounds``.
    * **date-of-birth**: the register's date of birth or the row's
      ``date_of_birth``/``dob``, written any usual way (``03/02/1980``,
      ``3 February 1980``, ``1980-02-03``), or any full date said after "DOB",
      "date of birth", "born".
    * **sensitive-term**: a word that reveals health (mental and sexual
      health, drug and alcohol services, memory clinics, maternity, HIV...),
      racial or ethnic origin, political opinions, religious beliefs, trade
      union membership, genetic or biometric data, sex life or sexual
      orientation, gender identity, criminal offences (probation, youth
      offending), safeguarding, domestic abuse, debts, benefits or housing
      trouble, in English or Welsh (the built-in list, plus
      ``sensitive_terms``, less ``allowed_terms``). Reported once per template
      for words written in a voicemail template, and per row for words that
      come from the row.

    Codes about the number and the person (needs the register):

    * **not-current-number** (error): the register holds the phone number as
      ``previous`` or ``invalid``, or not at all: a voicemail on an old number
      is exactly the incident in the ICO leaflet.
    * **unverified-number** (error): the number is current but was last
      verified more than ``max_age_days`` ago, or never.
    * **no-voicemail** (error): the person is flagged ``no_voicemail``.
    * **unknown-recipient** (warning): the recipient_id is not in the register.

    An empty recipient_id is merge-integrity's to report, an empty or
    unreadable phone number contact-validity's; a row that cannot be
    rendered is reported by the engine, and its script cannot be checked.
    A voicemail to someone recorded as deceased is stale-contact's.

    Codes in voicemail templates (``policylint lint``; ``line``/``col`` in
    the template file):

    * **field-not-allowed**: the template uses a field that is not in
      ``allowed_fields``.
    * **sensitive-term**: the template's own text contains a sensitive term.

    What is not reported: text that is the same for every recipient because
    it is written in the template (a surname that is also an everyday word,
    your office's phone number) is not the recipient's personal data; the
    person's first name (a greeting), even when it is also a street word; a
    street or town on its own (the council's name); times, counts and
    "press 1"; other dates (an appointment); a sensitive word that is the
    person's own first name ("Pip"). Sensitive terms are never excused by an
    allowed field: an organisation called "Fenmarsh Magistrates' Court" does
    tell the listener about a court case. When a building's name contains
    such a word, list the phrase in ``allowed_terms`` (``allowed_terms:
    ["Kingsmead Court"]``): a phrase excuses only the words inside it, while a
    single listed term (``court``) is taken off the list everywhere. Everyday
    phrases ("hearing from you", "diogelu data") are excused by default.

    ``allowed_personal`` lets a policy allow a kind of personal data by name
    (``surname``, ``address``, ``postcode``, ``nhs-number``, ``ni-number``,
    ``reference``, ``long-number``, ``amount``, ``date-of-birth``). That is
    rarely wise: a voicemail is heard by whoever has the phone, and the number
    may no longer be the person's. Even an amount with no name tells a
    household member that the person owes money; ask the person to call back
    instead.

    Options: ``allowed_fields`` (default first_name, organisation,
    callback_number), ``allowed_personal`` (default none), ``allowed_numbers``
    (your organisation's phone numbers), ``sensitive_terms`` (added to the
    built-in list), ``allowed_terms``, ``max_age_days`` (default 90).

    **Anti-pattern**: a script that tells whoever picks up the phone who the
    person is, where they live and what they owe::

        Hello, this is a message for Sian Hughes of 14 Mill Lane about rent
        arrears of £412.50 on account HRA-0012345. Please call 01632 960000.

    **Best practice**: a first name, who is calling and a callback number,
    left on a number verified in the last three months::

        Hello, this is a message for Sian from Fenmarsh District Council.
        Please call us back on 01632 960000. Thank you.
    """

    name: ClassVar[str] = "voicemail-content"
    summary: ClassVar[str] = (
        "Voicemails saying more than the policy allows (surname, address, identifiers,"
        " amounts, dates of birth, sensitive terms) or left on a number that is not the"
        " person's current, recently verified one."
    )
    default_severity: ClassVar[Severity] = Severity.ERROR
    options_schema: ClassVar[Mapping[str, Any]] = {
        "type": "object",
        "properties": {
            "allowed_fields": {
                "type": "array", "items": {"type": "string"},
                "default": list(DEFAULT_ALLOWED_FIELDS),
                "description": "The only template fields a voicemail may use (personal"
                               " data in them is still reported).",
            },
            "allowed_personal": {
                "type": "array",
                "items": {"type": "string", "enum": list(PERSONAL_KINDS)},
                "default": [],
                "description": "Kinds of personal data a voicemail may say (rarely wise):"
                               " " + ", ".join(PERSONAL_KINDS) + ".",
            },
            "allowed_numbers": {
                "type": "array", "items": {"type": "string"}, "default": [],
                "description": "Your organisation's phone numbers, which a script may read out.",
            },
            "sensitive_terms": {
                "type": "array", "items": {"type": "string"}, "default": [],
                "description": "Words and phrases added to the built-in sensitive terms.",
            },
            "allowed_terms": {
                "type": "array", "items": {"type": "string"}, "default": [],
                "description": "A built-in term taken off the list, or a phrase (a building's"
                               " name) whose words are not reported.",
            },
            "max_age_days": {
                "type": "integer", "minimum": 1, "default": 90,
                "description": "A current number last verified longer ago than this is"
                               " reported as unverified.",
            },
        },
        "additionalProperties": False,
    }
    needs: ClassVar[frozenset[Need]] = frozenset({"row", "rendered", "template", "register"})
    row_independent: ClassVar[bool] = True
    channels: ClassVar[frozenset[str] | None] = frozenset({"voicemail"})
    examples: ClassVar[Sequence[Example]] = EXAMPLES

    def __init__(self, options: Mapping[str, Any], context: RunContext) -> None:
        super().__init__(options, context)
        self._allowed_fields: tuple[str, ...] = tuple(
            str(f) for f in self.options.get("allowed_fields") or ())
        self._number_fields = tuple(f for f in self._allowed_fields
                                    if f not in GIVEN_NAME_FIELDS)
        self._allowed_personal = frozenset(
            str(k) for k in self.options.get("allowed_personal") or ())
        self._allowed_label = ", ".join(self._allowed_fields) or "(nothing)"
        self._max_age = int(self.options.get("max_age_days") or 90)
        self._allowed_number_forms: frozenset[str] = frozenset(
            form for number in self.options.get("allowed_numbers") or ()
            for form in number_forms(str(number)))
        self._by_text: dict[str, _TextOnly] = {}
        self._terms_by_text: dict[tuple[str, frozenset[str]], tuple[Hit, ...]] = {}
        self._terms = TermMatcher(
            [str(t) for t in self.options.get("sensitive_terms") or ()],
            [str(t) for t in self.options.get("allowed_terms") or ()])
        self._literal_cache: dict[tuple[str, str], tuple[str, ScriptText]] = {}
        self._layouts: dict[int, tuple[Mapping[str, str], Any, _Layout]] = {}
        self._callback_cache: dict[tuple[str, ...], tuple[tuple[str, frozenset[str]], ...]] = {}

    def _layout(self, item: Item) -> _Layout:
        """The batch's layout, worked out once per batch: rows of one batch share one
        ``headers`` mapping and one field map."""
        headers = item.row.headers
        cached = self._layouts.get(id(headers))
        if cached is None or cached[0] is not headers or cached[1] is not item.fields:
            layout = _Layout.of(tuple(item.row.values), item.fields.header("first_name"),
                                item.fields.references)
            if len(self._layouts) > 64:
                self._layouts.clear()
            self._layouts[id(headers)] = (headers, item.fields, layout)
            return layout
        return cached[2]

    # --- templates --------------------------------------------------------------------

    def _literal(self, template: Template) -> tuple[str, ScriptText]:
        key = (template.path, template.source)
        cached = self._literal_cache.get(key)
        if cached is None:
            text = _literal_text(template)
            cached = (text, ScriptText.of(text))
            if len(self._literal_cache) > 256:
                self._literal_cache.clear()
            self._literal_cache[key] = cached
        return cached

    def check_template(self, template: Template) -> Iterable[Violation]:
        if template.channel != "voicemail":
            return []
        out: list[Violation] = []
        seen: dict[str, int] = {}
        for ref in template.variables:
            if ref.name in self._allowed_fields:
                continue
            seen[ref.name] = seen.get(ref.name, 0) + 1
            out.append(Violation(
                code="field-not-allowed",
                message=("The voicemail template says the field '{field}' (line {line}, column"
                         " {col}), but a voicemail may only say: {allowed}. Whoever hears a"
                         " voicemail may not be the person: take the field out of the script,"
                         " or add it to voicemail-content's allowed_fields if the policy"
                         " really allows it."),
                facts={"field": ref.name, "line": ref.line, "col": ref.col,
                       "allowed": self._allowed_label},
                line=ref.line, col=ref.col,
                fingerprint_extra=f"{ref.name}#{seen[ref.name]}",
            ))
        literal, _ = self._literal(template)
        for start, end, term in self._terms.find(literal):
            line, col = line_col(literal, start)
            line += template.body_offset
            out.append(Violation(
                code="sensitive-term",
                message=("The voicemail template says \"{term}\" (line {line}, column {col}),"
                         " which tells whoever hears the message about {about}. Leave only a"
                         " first name, who is calling and a number to call back; if the words"
                         " are a name (your building's, say), add them to voicemail-content's"
                         " allowed_terms."),
                facts={"term": " ".join(literal[start:end].split()), "about": term.about,
                       "line": line, "col": col},
                line=line, col=col,
                fingerprint_extra=f"sensitive-term:{start}",
            ))
        return out

    # --- rows ---------------------------------------------------------------------------

    def check_item(self, item: Item) -> Iterable[Violation]:
        register = self.context.register
        person: Person | None = None
        out: list[Violation] = []
        if register is not None and item.recipient_id:
            person = register.person(item.recipient_id)
            out.extend(check_number(register, item, person, self.context.today,
                                    self._max_age))
        if item.rendered is not None and item.rendered.text.strip():
            out.extend(self._check_script(item, item.rendered.text, person, register))
        return out

    # --- the script ---------------------------------------------------------------------

    def _check_script(self, item: Item, text: str, person: Person | None,
                      register: Register | None) -> list[Violation]:
        view, ni_numbers, amounts, codes = self._text_only(text)
        people = [person] if person is not None else []
        if register is not None and item.subject_id and item.subject_id != item.recipient_id:
            subject = register.person(item.subject_id)
            if subject is not None:
                people.append(subject)
        values = item.row.values
        layout = self._layout(item)
        first_header = item.fields.header("first_name")
        first_names = [(first_header, item.role("first_name"))] if first_header else []
        first_names += [(f, values.get(f, "").strip()) for f in layout.given]
        names = name_sources(
            people, first_names,
            (item.fields.header("last_name"), item.role("last_name")),
            (item.fields.header("name"), item.role("name")))
        addresses = self._address_sources(item, people, register)

        def own_postcodes() -> set[str]:
            own = {canonical for source in addresses for line in source.lines
                   for _, _, canonical in postcode_spans(line)}
            own |= {normalise_postcode(s.postcode) or "" for s in addresses if s.postcode}
            return own

        hits: list[Hit] = []
        hits.extend(find_references(view, self._references(item, layout)))
        hits.extend(ni_numbers)
        hits.extend(find_dates_of_birth(view, self._dates_of_birth(item, people, layout)))
        hits.extend(amounts)
        hits.extend(find_postcodes(text, own_postcodes))
        hits.extend(h for h in find_addresses(text, view, addresses, values, _ADDRESS_HEADERS)
                    # "Hello Holly" is the greeting, not Holly Cottage
                    if not set(view.words_in(h.start, h.end).split()) <= names.given)
        hits.extend(self._not_organisation(find_surnames(view, names), item, view))
        # A code that is not already a reference, an NI number, a postcode...
        hits.extend(c for c in codes
                    if not any(h.start < c.end and c.start < h.end for h in hits))
        hits.extend(find_long_numbers(text, [(h.start, h.end) for h in hits],
                                      self._allowed_numbers(item, register)))
        if self._allowed_personal:
            hits = [h for h in hits if h.personal_kind not in self._allowed_personal]
        given_values = frozenset(v for _, v in first_names if v)
        terms = self._term_hits(text, given_values)

        literal: ScriptText | None = None
        if item.template is not None and item.template.compiled is not None:
            literal = self._literal(item.template)[1]
        candidates = outermost(hits + terms)
        if literal is None:
            return [self._violation(text, h) for h in candidates]
        voicemail_template = item.template is not None and item.template.channel == "voicemail"

        def explained(hit: Hit) -> bool:
            """Said as often in the template's own text as in this script, outside other
            findings: the words come from the template, not from this person's data."""
            assert literal is not None
            words = view.words_in(hit.start, hit.end)
            if not words:
                return False
            said = sum(1 for a, b in view.find_words(words)
                       if not any(o is not hit and o.start <= a and b <= o.end
                                  for o in candidates))
            return said <= literal.count_words(words)

        return [self._violation(text, h) for h in candidates
                if not ((h.code != "sensitive-term" or voicemail_template) and explained(h))]

    def _violation(self, text: str, hit: Hit) -> Violation:
        line, col, said = where(text, hit.start, hit.end)
        return Violation(
            code=hit.code,
            message=hit.message,
            values={"value": hit.value} if hit.value is not None else {},
            facts={**hit.facts, "where": said},
            column=hit.column,
            line=line, col=col,
            fingerprint_extra=f"{hit.code}:{hit.start}",
        )

    def _not_organisation(self, hits: Iterable[Hit], item: Item, view: ScriptText
                          ) -> Iterator[Hit]:
        """Surname hits, less a surname that is a word of an allowed field's organisation
        name (Ms Hall and "Fenmarsh Town Hall")."""
        regions: list[tuple[int, int, frozenset[str]]] | None = None
        for hit in hits:
            if hit.facts.get("what") == "the surname":
                if regions is None:
                    regions = []
                    for name in self._number_fields:
                        value = item.row.values.get(name, "")
                        words = frozenset(fold(m.group()) for m in WORD_RE.finditer(value))
                        if len(words) > 1 and not words.isdisjoint(_ORGANISATION_WORDS):
                            regions.extend((a, b, words)
                                           for a, b in view.find_compact(compact(value)))
                surname = set(view.words_in(hit.start, hit.end).split())
                if any(a <= hit.start and hit.end <= b
                       and not (words - surname).isdisjoint(_ORGANISATION_WORDS)
                       for a, b, words in regions):
                    continue
            yield hit

    def _text_only(self, text: str) -> _TextOnly:
        """What depends on the script's words alone, worked out once per distinct script:
        a generic script ("a message for {{ first_name }}") repeats across a batch."""
        found = self._by_text.get(text)
        if found is None:
            if len(self._by_text) >= _TEXT_CACHE:
                self._by_text.clear()
            found = self._by_text[text] = (ScriptText.of(text), tuple(find_ni_numbers(text)),
                                           tuple(find_amounts(text)), tuple(find_codes(text)))
        return found

    def _term_hits(self, text: str, given: frozenset[str]) -> list[Hit]:
        """The sensitive terms said, once per distinct script and given names."""
        key = (text, given)
        found = self._terms_by_text.get(key)
        if found is None:
            if len(self._terms_by_text) >= _TEXT_CACHE:
                self._terms_by_text.clear()
            found = self._terms_by_text[key] = tuple(self._terms.hits(text, given))
        return list(found)

    # --- what to look for ----------------------------------------------------------------

    @staticmethod
    def _address_sources(item: Item, people: Sequence[Person],
                         register: Register | None) -> list[AddressSource]:
        sources = []
        lines = item.address_lines
        if lines:
            names = tuple(n for n in (item.role("name"),
                                      f"{item.role('first_name')} {item.role('last_name')}"
                                      .strip(), *(p.full_name for p in people)) if n)
            sources.append(AddressSource(lines, "", names, from_row=True))
        if register is not None:
            for person in people:
                sources.extend(AddressSource(a.lines, a.postcode)
                               for a in register.addresses(person.person_id))
        return sources

    @staticmethod
    def _references(item: Item, layout: _Layout) -> list[tuple[str, str, str]]:
        """(column, column as written, value) of the row's references and identifier
        columns (a value with a digit in it: "yes" in a ``case`` column is no reference)."""
        headers = item.row.headers
        out = [(h, headers.get(h, h), v) for h, v in item.references]
        seen = {v for _, _, v in out}
        for header in layout.identifiers:
            value = item.row.values.get(header, "").strip()
            if len(value) >= 4 and value not in seen and any(c.isdigit() for c in value):
                seen.add(value)  # subject_id is most often the recipient_id again
                out.append((header, headers.get(header, header), value))
        return out

    @staticmethod
    def _dates_of_birth(item: Item, people: Sequence[Person], layout: _Layout
                        ) -> list[tuple[str | None, Any, str]]:
        sources: list[tuple[str | None, Any, str]] = [
            (None, p.date_of_birth, "") for p in people if p.date_of_birth is not None]
        for column in layout.dates_of_birth:
            value = item.row.values.get(column, "").strip()
            if value:
                sources.append((column, parse_date(value), value))
        return sources

    def _allowed_numbers(self, item: Item, register: Register | None) -> frozenset[str]:
        """Digit strings the script may read out: ``allowed_numbers``, and the callback
        number: an allowed field holding a UK phone number and nothing else, which is not
        a number the register holds for anyone nor the number the voicemail is left on."""
        values = tuple(item.row.values.get(name, "") for name in self._number_fields)
        usable = self._callback_cache.get(values)
        if usable is None:
            found: list[tuple[str, frozenset[str]]] = []
            for value in values:
                national = phone_number_cell(value)
                if not national:
                    continue
                if register is not None and register.contact_owners(
                        "phone", contact_key("phone", value)):
                    continue  # someone's own number, not the organisation's
                found.append((national, number_forms(without_extension(value))))
            usable = tuple(found)
            if len(self._callback_cache) > 4096:
                self._callback_cache.clear()
            self._callback_cache[values] = usable
        if not usable:
            return self._allowed_number_forms
        called = quick_uk(item.role("phone"))
        forms = set(self._allowed_number_forms)
        for national, national_forms in usable:
            if national != called:
                forms |= national_forms
        return frozenset(forms)
