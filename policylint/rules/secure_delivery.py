"""secure-delivery: personal data sent by email is protected, and so is its password."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, ClassVar
from urllib.parse import urlsplit

from policylint.engine.rule import ADDRESS_ROLES, Case, Example, Item, Need, Rule, RunContext
from policylint.io.attachments import Attachment
from policylint.model import Personal, PersonalKind, Severity, Violation
from policylint.rules._text_search import Needle, needle_for, shared_view

# Personal webmail: fine for a resident's own letters, not for a partner agency's
# case papers when the policy asks for secure email.
WEBMAIL_DOMAINS = (
    "gmail.com", "googlemail.com", "hotmail.com", "hotmail.co.uk", "outlook.com",
    "outlook.co.uk", "live.com", "live.co.uk", "msn.com", "yahoo.com", "yahoo.co.uk",
    "ymail.com", "rocketmail.com", "icloud.com", "me.com", "mac.com", "aol.com", "aol.co.uk",
    "btinternet.com", "btopenworld.com", "sky.com", "talktalk.net", "virginmedia.com",
    "ntlworld.com", "blueyonder.co.uk", "tiscali.co.uk", "protonmail.com", "proton.me",
    "gmx.com", "gmx.co.uk", "mail.com", "zoho.com", "yandex.com",
)

# "Password: Blue42Sky", "the password is Fen-2026", "PIN = 4471", "passcode - x7Q!".
_SECRET_WORD = r"(?:pass\s?word|passcode|pass\s?phrase|pin(?:\s+(?:code|number))?)"
_PASSWORD_RE = re.compile(
    rf"\b{_SECRET_WORD}\b(?:\s+(?:for|to\s+open)\s+[\w\s'-]{{1,40}}?)?"
    r"(?P<sep>\s*[:=]\s*|\s+(?:is|will\s+be|:)\s*[:\-]?\s*)"
    r"[\"'“‘]?(?P<secret>[^\s\"'”’]{3,})",
    re.IGNORECASE)
# Words that follow "the password is" in instructions, not secrets.
_NOT_SECRETS = frozenset(str.split("""
    a an the your their his her its our this that these those being been sent send
    separately separate required needed needs case-sensitive sensitive below above
    attached included not in on by to from via with made set provided available
    printed shown given emailed texted posted phoned coming your-date usually always
    only also then still same different one two three four five six seven eight
    nine ten first last blank empty as of and or but if when what which
"""))


def _looks_secret(secret: str, after_colon: bool) -> bool:
    word = secret.strip(".,;:!?)(").lower()
    if not word or word in _NOT_SECRETS:
        return False
    if after_colon:
        return True
    # After "is": a secret has a digit, a symbol or mixed case; plain words are prose.
    return (any(c.isdigit() for c in word) or not secret.strip(".,;:!?").isalpha()
            or (secret[1:] != secret[1:].lower()))


_THIRD_PARTY_EMAIL = ("---\nname: referral\nchannel: email\naudience: third_party\n---\n"
                      "Please find attached the referral for our mutual client.\n"
                      "{{ password_line }}\n")
_PORTAL_EMAIL = ("---\nchannel: email\n---\nDear {{ name }},\nYour council tax bill is "
                 "ready to view on our secure portal.\n{{ password_line }}\n")


class SecureDelivery(Rule):
    """Personal data sent by email is protected, and the key is not in the same email.

    ICO leaflet point 4: "Consider password protecting any documents sent
    electronically ... you should send the password in a separate email or
    provide it to the recipient over the phone."

    * **unprotected-attachment**: an email's attachment holds personal data (the
      name, address, postcode, phone, email or references of the person it is to
      or about, a date of birth, an NHS or National Insurance number) and is not
      an encrypted PDF or Office file. Send it encrypted, or as a link to a portal
      the policy allows (``portal_domains``). ``protect_audiences`` (default both)
      says for which audiences: ``[third_party]`` allows plain attachments to the
      person themselves.
    * **unapproved-link**: a link in the attachments column goes somewhere other
      than an allowed portal (a file-sharing site, plain http).
    * **password-in-body**: the email itself gives a password ("Password:
      Blue42Sky", "the password is Fen-2026", or the attachment's password).
    * **insecure-destination**: where the policy requires secure email
      (``secure_domains``, for the ``secure_audiences``/``secure_templates`` it
      names, such as partner agencies), the email goes elsewhere; a personal
      webmail address (gmail.com, hotmail.co.uk...) is named as such.

    **Anti-pattern**: a referral with the client's NHS number emailed to a
    social worker's gmail address as a plain PDF, "password: Fen2026" below.

    **Best practice**: an encrypted PDF (or a portal link) to the agency's
    gcsx.gov.uk or nhs.net address; the password given by phone.
    """

    name: ClassVar[str] = "secure-delivery"
    summary: ClassVar[str] = ("Personal data emailed is encrypted or on a portal, its "
                              "password sent separately, to a secure address")
    default_severity: ClassVar[Severity] = Severity.ERROR
    # The register adds its details of the people the item is to and about to the
    # row's own values (a date of birth, a name the row does not spell out).
    needs: ClassVar[frozenset[Need]] = frozenset({"row", "rendered", "template", "register"})
    channels: ClassVar[frozenset[str] | None] = frozenset({"email"})
    row_independent: ClassVar[bool] = True
    options_schema: ClassVar[Mapping[str, Any]] = {
        "type": "object",
        "properties": {
            "portal_domains": {
                "type": "array", "items": {"type": "string", "minLength": 1}, "default": [],
                "description": "Domains (and their subdomains) of secure portals that "
                               "links may point to instead of attaching files.",
            },
            "secure_domains": {
                "type": "array", "items": {"type": "string", "minLength": 1}, "default": [],
                "description": "Email domains (and subdomains) that count as secure, e.g. "
                               "gov.uk, nhs.net, gcsx.gov.uk. Empty: not required.",
            },
            "secure_audiences": {
                "type": "array", "items": {"enum": ["recipient", "third_party"]},
                "default": ["third_party"],
                "description": "Audiences whose emails must go to a secure domain.",
            },
            "secure_templates": {
                "type": "array", "items": {"type": "string", "minLength": 1}, "default": [],
                "description": "Template names (globs) whose emails must go to a secure "
                               "domain, whatever their audience.",
            },
            "webmail_domains": {
                "type": "array", "items": {"type": "string", "minLength": 1}, "default": [],
                "description": "More personal webmail domains, added to the built-in list.",
            },
            "protect_audiences": {
                "type": "array", "items": {"enum": ["recipient", "third_party"]},
                "default": ["recipient", "third_party"],
                "description": "Audiences whose attachments holding personal data must be "
                               "encrypted or on a portal (a council may allow plain PDFs "
                               "to residents' own verified addresses: [third_party]).",
            },
            "check_password": {
                "type": "boolean", "default": True,
                "description": "Report a password given in the email body.",
            },
        },
        "additionalProperties": False,
    }
    examples: ClassVar[tuple[Example, ...]] = (
        Example(
            title="The password in the same email as what it protects",
            bad=Case(rows=[{"recipient_id": "P-1", "name": "Ms Patel",
                            "email": "priya.patel@example.org",
                            "password_line": "Your password is Fen-2026."}],
                     template=_PORTAL_EMAIL, expect=["password-in-body"]),
            good=Case(rows=[{"recipient_id": "P-1", "name": "Ms Patel",
                             "email": "priya.patel@example.org",
                             "password_line": "We will phone you with the password."}],
                      template=_PORTAL_EMAIL),
        ),
        Example(
            title="A partner agency's referral sent to a personal webmail address",
            bad=Case(rows=[{"recipient_id": "P-7", "email": "sw.jones@gmail.com",
                            "password_line": ""}],
                     template=_THIRD_PARTY_EMAIL,
                     options={"secure_domains": ["gov.uk", "nhs.net", "gcsx.gov.uk"]},
                     expect=["insecure-destination"]),
            good=Case(rows=[{"recipient_id": "P-7", "email": "s.jones@fenmarsh.gcsx.gov.uk",
                             "password_line": ""}],
                      template=_THIRD_PARTY_EMAIL,
                      options={"secure_domains": ["gov.uk", "nhs.net", "gcsx.gov.uk"]}),
        ),
    )

    def __init__(self, options: Mapping[str, Any], context: RunContext) -> None:
        super().__init__(options, context)
        self._portals = _domains(self.options["portal_domains"])
        self._secure = _domains(self.options["secure_domains"])
        self._webmail = frozenset(WEBMAIL_DOMAINS) | _domains(self.options["webmail_domains"])
        self._audiences = frozenset(self.options["secure_audiences"])
        self._templates = tuple(self.options["secure_templates"])
        self._protect = frozenset(self.options["protect_audiences"])

    def check_item(self, item: Item) -> Iterator[Violation]:
        yield from self._destination(item)
        needles: list[Needle] | None = None
        audience = item.template.audience if item.template is not None else "recipient"
        protect = audience in self._protect
        for attachment in item.attachments:
            if attachment.kind == "link":
                yield from self._link(attachment)
                continue
            if attachment.encrypted or not protect:
                continue
            if needles is None:
                needles = list(self._needles(item))
            found = _personal_data(attachment, needles)
            if found is not None:
                what, where, personal = found
                yield Violation(
                    code="unprotected-attachment",
                    message=("Attachment {index} holds personal data ({what}, {where}: "
                             "{value}) and is not encrypted: send it as an encrypted PDF or "
                             "Office file (password given separately) or as a portal link"),
                    values={"value": personal},
                    facts={"index": attachment.index, "what": what, "where": where},
                    fingerprint_extra=str(attachment.index))
        if self.options["check_password"] and item.rendered is not None:
            yield from self._password(item)

    def _destination(self, item: Item) -> Iterator[Violation]:
        if not self._secure or not self._requires_secure(item):
            return
        email = item.role("email")
        domain = email.rpartition("@")[2].strip().lower().rstrip(".")
        if not domain or _under(domain, self._secure):
            return
        webmail = domain in self._webmail
        yield Violation(
            code="insecure-destination",
            message=("This email must go to a secure address ({secure}) but goes to "
                     "{kind} {email}"),
            values={"email": Personal(PersonalKind.EMAIL, email)},
            facts={"secure": ", ".join(sorted(self._secure)),
                   "kind": "a personal webmail address" if webmail else "an address outside them"},
            column=item.fields.header("email"))

    def _requires_secure(self, item: Item) -> bool:
        template = item.template
        if template is None:
            return False
        if template.audience in self._audiences:
            return True
        return any(fnmatch.fnmatchcase(template.name, p) for p in self._templates)

    def _link(self, attachment: Attachment) -> Iterator[Violation]:
        parts = urlsplit(attachment.name)
        host = (parts.hostname or "").lower()
        if parts.scheme.lower() == "https" and _under(host, self._portals):
            return
        reason = ("is not encrypted in transit (http)" if parts.scheme.lower() != "https"
                  else "does not go to a portal the policy allows (portal_domains)")
        yield Violation(
            code="unapproved-link",
            message="Attachment {index} is a link that {reason}: {link}",
            values={"link": Personal(PersonalKind.IDENTIFIER, attachment.name)},
            facts={"index": attachment.index, "reason": reason},
            fingerprint_extra=str(attachment.index))

    def _password(self, item: Item) -> Iterator[Violation]:
        assert item.rendered is not None
        body = item.rendered.text
        password = item.role("attachment_password")
        if password and len(password) >= 3 and password in body:
            yield _password_violation(password)
            return
        for match in _PASSWORD_RE.finditer(body):
            secret = match.group("secret")
            after_colon = match.group("sep").strip().startswith((":", "=", "-")) or (
                match.group("sep").strip().endswith(":"))
            if _looks_secret(secret, after_colon):
                yield _password_violation(secret.rstrip(".,;!?)"))
                return

    def _needles(self, item: Item) -> Iterator[Needle]:
        """The personal values of the people this item is to and about."""
        for role, kind in (("name", PersonalKind.NAME), ("email", PersonalKind.EMAIL),
                           ("phone", PersonalKind.PHONE), ("postcode", PersonalKind.POSTCODE)):
            if needle := needle_for(f"their {role}", item.role(role), kind):
                yield needle
        first, last = item.role("first_name"), item.role("last_name")
        if first and last and (needle := needle_for("their name", f"{first} {last}",
                                                    PersonalKind.NAME)):
            yield needle
        for role in ADDRESS_ROLES:
            line = item.role(role)
            if any(c.isdigit() for c in line) and (
                    needle := needle_for("their address", line, PersonalKind.ADDRESS)):
                yield needle
        for _, value in item.references:
            if needle := needle_for("their reference", value, PersonalKind.IDENTIFIER):
                yield needle
        register = self.context.register
        if register is None:
            return
        for person_id in dict.fromkeys(p for p in (item.recipient_id, item.subject_id) if p):
            person = register.person(person_id)
            if person is None:
                continue
            if person.given_name and person.family_name and (needle := needle_for(
                    "a name", f"{person.given_name} {person.family_name}", PersonalKind.NAME)):
                yield needle
            if person.date_of_birth is not None and (needle := needle_for(
                    "a date of birth", person.date_of_birth.isoformat(), PersonalKind.DATE)):
                yield needle
            for address in register.addresses(person_id):
                if address.status == "current" and (needle := needle_for(
                        "a postcode", address.postcode, PersonalKind.POSTCODE)):
                    yield needle


def _password_violation(secret: str) -> Violation:
    return Violation(
        code="password-in-body",
        message=("The email gives a password ({secret}) in its own body: whoever can read "
                 "the email can open what it protects. Send the password separately (another "
                 "email, a text or a phone call)"),
        values={"secret": Personal(PersonalKind.IDENTIFIER, secret)})


def _personal_data(attachment: Attachment, needles: Sequence[Needle]
                   ) -> tuple[str, str, Personal] | None:
    for part in attachment.parts:
        view = shared_view(part.text)
        for needle in needles:
            if view.contains(needle):
                return needle.what, part.where, Personal(needle.kind, needle.value)
        for what, kind, value in view.kinds:
            return what, part.where, Personal(kind, value)
    return None


def _domains(values: Sequence[str]) -> frozenset[str]:
    return frozenset(v.strip().lower().lstrip("@.").rstrip(".") for v in values if v.strip())


def _under(domain: str, allowed: frozenset[str]) -> bool:
    """``domain`` is one of ``allowed`` or a subdomain of one (``x.gov.uk`` under ``gov.uk``)."""
    return any(domain == a or domain.endswith("." + a) for a in allowed)
