"""Which batch column plays which role (DESIGN §1, "Batch columns")."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from policylint.errors import InputError
from policylint.io.headers import header_key
from policylint.roles import ADDRESS_ROLES, FieldMap

DEFAULT_ROLE_HEADERS: dict[str, tuple[str, ...]] = {
    "recipient_id": ("recipient_id", "person_id", "customer_id"),
    "subject_id": ("subject_id",),
    "name": ("name", "full_name"),
    "title": ("title",),
    "first_name": ("first_name",),
    "last_name": ("last_name",),
    **{role: (role,) for role in ADDRESS_ROLES},
    "postcode": ("postcode",),
    "email": ("email", "email_address"),
    "phone": ("phone", "phone_number", "mobile"),
    "channel": ("channel",),
    "template": ("template",),
    "reference": ("reference", "ref", "account_ref", "case_ref"),
    # Files sent with the item (';'-separated, relative to the batch file), and the
    # password that opens them when they are encrypted (so they can still be checked).
    "attachments": ("attachments", "attachment"),
    "attachment_password": ("attachment_password", "attachments_password"),
}
ROLES = tuple(DEFAULT_ROLE_HEADERS)


def resolve_fields(
    names: Sequence[str],
    policy_fields: Mapping[str, Sequence[str]],
    *,
    file: str,
) -> FieldMap:
    """Map roles to normalised batch headers.

    A role the policy maps explicitly must exist in the batch (a typo in the
    policy would otherwise silently switch a check off): one of its alternatives
    for most roles, every listed column for ``reference``. Default headers are
    used only when present.
    """
    by_key = {header_key(name): name for name in names}
    roles: dict[str, str] = {}
    references: list[str] = []
    for role, defaults in DEFAULT_ROLE_HEADERS.items():
        mapped = policy_fields.get(role)
        candidates = tuple(mapped) if mapped else defaults
        found = [by_key[header_key(c)] for c in candidates if header_key(c) in by_key]
        if mapped:
            # Other roles list alternatives (one column plays the role); every listed
            # reference column is a reference, so each must be there.
            missing = [c for c in candidates if header_key(c) not in by_key]
            if missing and (role == "reference" or not found):
                raise InputError(
                    f"the policy maps role '{role}' to column '{missing[0]}', "
                    "which this batch does not have",
                    file=file, key=f"fields.{role}")
        if role == "reference":
            references.extend(dict.fromkeys(found))
        elif found:
            roles[role] = found[0]
    return FieldMap(roles=roles, references=tuple(references))
