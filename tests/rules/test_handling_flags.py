"""handling-flags: must-flag and must-not-flag cases side by side."""

from __future__ import annotations

import pytest

from policylint.engine.rule import Case
from policylint.rules.handling_flags import HandlingFlags
from policylint.testing import codes, run_case

PERSON = {"person_id": "P-1", "title": "Mrs", "given_name": "Sian", "family_name": "Okafor",
          "date_of_birth": "1980-02-03", "status": "active"}


def register(flags: str) -> dict[str, list[dict[str, str]]]:
    return {"people": [{**PERSON, "flags": flags}]}


@pytest.mark.parametrize(("flags", "channel", "expected"), [
    ("post_only", "email", ["post-only"]),
    ("post_only", "sms", ["post-only"]),
    ("post_only", "voicemail", ["post-only"]),
    ("post_only", "letter", []),
    ("POST_ONLY", "email", ["post-only"]),  # flags are read case-insensitively
    ("large_print;post_only", "email", ["post-only"]),
    ("via_representative", "letter", ["via-representative"]),
    ("via_representative", "email", ["via-representative"]),
    ("no_voicemail", "voicemail", []),  # voicemail-content's to report
    ("", "email", []),
])
def test_flags_against_channels(flags: str, channel: str, expected: list[str]) -> None:
    case = Case(rows=[{"recipient_id": "P-1", "channel": channel}], register=register(flags))
    assert codes(run_case(HandlingFlags, case)) == expected


def test_unknown_recipient_is_left_to_stale_address() -> None:
    case = Case(rows=[{"recipient_id": "P-404", "channel": "sms"}], register=register("post_only"))
    assert codes(run_case(HandlingFlags, case)) == []


def test_large_print_is_a_warning_unless_configured() -> None:
    case = Case(rows=[{"recipient_id": "P-1", "channel": "letter"}],
                template="---\nchannel: letter\n---\nDear Mrs Okafor,\n",
                register=register("large_print"))
    [warning] = run_case(HandlingFlags, case)
    assert warning.code == "large-print"
    assert warning.severity is not None and warning.severity.value == "warning"
    [error] = run_case(HandlingFlags, case, options={"large_print_severity": "error"})
    assert error.severity is not None and error.severity.value == "error"


def test_large_print_template_marked_by_format() -> None:
    case = Case(rows=[{"recipient_id": "P-1", "channel": "letter"}],
                template="---\nchannel: letter\nformat: large-print\n---\nDear Mrs Okafor,\n",
                register=register("large_print"))
    assert codes(run_case(HandlingFlags, case)) == []


def test_message_masks_the_name() -> None:
    case = Case(rows=[{"recipient_id": "P-1", "channel": "sms"}], register=register("post_only"))
    [violation] = run_case(HandlingFlags, case)
    from policylint.masking import render_message

    masked = render_message(violation, show_values=False)
    assert "Okafor" not in masked and "Sian" not in masked
    assert "Sian Okafor" in render_message(violation, show_values=True)
