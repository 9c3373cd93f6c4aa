"""Built-in rules: registered through the same hook as a third-party plugin's."""

from __future__ import annotations

from collections.abc import Sequence

from policylint.engine.rule import Rule
from policylint.hookspecs import hookimpl
from policylint.rules.contact_validity import ContactValidity
from policylint.rules.handling_flags import HandlingFlags
from policylint.rules.merge_integrity import MergeIntegrity
from policylint.rules.protected_address import ProtectedAddress
from policylint.rules.recipient_mismatch import RecipientMismatch
from policylint.rules.redaction_residue import RedactionResidue
from policylint.rules.secure_delivery import SecureDelivery
from policylint.rules.stale_address import StaleAddress
from policylint.rules.stale_contact import StaleContact
from policylint.rules.voicemail_content import VoicemailContent

BUILTIN_RULES: tuple[type[Rule], ...] = (
    ContactValidity,
    HandlingFlags,
    MergeIntegrity,
    ProtectedAddress,
    RecipientMismatch,
    RedactionResidue,
    SecureDelivery,
    StaleAddress,
    StaleContact,
    VoicemailContent,
)


@hookimpl
def policylint_rules() -> Sequence[type[Rule]]:
    return BUILTIN_RULES
