"""sms-length: must-flag and must-not-flag cases side by side.

The module is imported from the plugin's source directory (see conftest.py), so
these tests run without installing the plugin.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import policylint_sms_length as plugin
import pytest
from policylint_sms_length import SmsLength, sms_cost

from policylint.engine.rule import Case, Example
from policylint.masking import render_message
from policylint.model import Severity, Violation
from policylint.testing import codes, run_case

ROW = {"recipient_id": "P-1", "first_name": "Sian", "phone": "07700 900123"}


def gsm(n: int) -> str:
    """``n`` characters of plain GSM text (no extension characters), ending in a full
    stop so that no trailing space is trimmed off."""
    words = "Your bin collection moves to Saturday this week. "
    return (words * (n // len(words) + 1))[:n - 1] + "."


def check(message: str, *, channel: str = "sms", template: str | None = None,
          **options: Any) -> list[Violation]:
    """Run the rule on one text: ``message`` is merged from the batch row,
    ``template`` (wording around it) is the template's own text."""
    body = (template or "{{ message }}")
    case = Case(rows=[{**ROW, "message": message}],
                template=f"---\nchannel: {channel}\n---\n{body}\n", options=options)
    return run_case(SmsLength, case)


def found(message: str, **kwargs: Any) -> list[str]:
    return codes(check(message, **kwargs))


# --- counting ------------------------------------------------------------------------


@pytest.mark.parametrize(("length", "fragments"), [
    (1, 1), (160, 1), (161, 2), (306, 2), (307, 3), (459, 3), (460, 4), (918, 6),
])
def test_gsm_fragment_boundaries(length: int, fragments: int) -> None:
    cost = sms_cost(gsm(length))
    assert (cost.characters, cost.fragments, cost.is_unicode) == (length, fragments, False)


@pytest.mark.parametrize(("length", "fragments"), [
    (70, 1), (71, 2), (134, 2), (135, 3), (201, 3), (202, 4),
])
def test_unicode_fragment_boundaries(length: int, fragments: int) -> None:
    cost = sms_cost("ł" + gsm(length - 1))
    assert (cost.units, cost.fragments, cost.unicode_character) == (length, fragments, "ł")


def test_e_acute_is_gsm_but_l_stroke_forces_unicode() -> None:
    # é is in the GSM 03.38 basic set; ł (a Polish name, say) is not.
    with_e = sms_cost("Café " + gsm(95))
    with_l = sms_cost("Michał " + gsm(93))
    assert (with_e.fragments, with_e.is_unicode) == (1, False)
    assert (with_l.fragments, with_l.unicode_character) == (2, "ł")


@pytest.mark.parametrize(("text", "units", "fragments"), [
    (gsm(158) + "€", 160, 1),   # € costs two septets: exactly full
    (gsm(159) + "€", 161, 2),   # 160 characters, but 161 septets
    (gsm(155) + "[ref]", 162, 2),  # [ and ] are extension characters too
    (gsm(160), 160, 1),
])
def test_extension_characters_count_double(text: str, units: int, fragments: int) -> None:
    cost = sms_cost(text)
    assert (cost.units, cost.fragments, cost.is_unicode) == (units, fragments, False)


def test_extension_characters_count_once_in_unicode() -> None:
    cost = sms_cost("ł€" + gsm(68))
    assert (cost.units, cost.fragments) == (70, 1)


def test_notify_replacements_do_not_force_unicode() -> None:
    # Curly quotes and dashes pasted from a word processor: Notify sends them as ' and -.
    cost = sms_cost("We’ve moved your collection – see “bins” online" + gsm(100))
    assert not cost.is_unicode
    assert sms_cost("…").characters == 3  # an ellipsis is sent as three full stops


def test_emoji_takes_two_utf16_units() -> None:
    cost = sms_cost("\N{WASTEBASKET}" + gsm(68))
    assert (cost.units, cost.fragments) == (70, 1)
    assert sms_cost("\N{WASTEBASKET}" + gsm(69)).fragments == 2


def test_surrounding_whitespace_is_not_counted() -> None:
    assert sms_cost("\n  " + gsm(160) + "\n\n").fragments == 1
    assert sms_cost("").fragments == 0


def test_prefix_counts_towards_fragments_but_not_the_length_limit() -> None:
    text = gsm(150)
    assert sms_cost(text).fragments == 1
    prefixed = sms_cost(text, prefix="Fenmarsh Council")  # "Fenmarsh Council: " + text
    assert (prefixed.units, prefixed.fragments, prefixed.characters) == (168, 2, 150)


# --- the rule ------------------------------------------------------------------------


def test_exactly_one_fragment_is_clean_and_one_more_character_is_flagged() -> None:
    assert found(gsm(160), max_fragments=1) == []
    assert found(gsm(161), max_fragments=1) == ["too-many-fragments"]


@pytest.mark.parametrize(("length", "expected"), [
    (459, []),  # three fragments: the default allows it
    (460, ["too-many-fragments"]),
    (918, ["too-many-fragments"]),  # the longest text Notify accepts
    (919, ["too-long"]),  # refused outright; not also reported as too many fragments
])
def test_default_limits(length: int, expected: list[str]) -> None:
    assert found(gsm(length)) == expected


def test_notify_length_limit_counts_characters_not_septets() -> None:
    # 918 characters, ten of them €: 928 septets, yet Notify's limit counts 918 characters.
    text = gsm(908) + "€" * 10
    assert (sms_cost(text).characters, sms_cost(text).units) == (918, 928)
    assert found(text) == ["too-many-fragments"]
    assert found(text + "!") == ["too-long"]


def test_too_long_is_an_error_and_too_many_fragments_keeps_the_rule_severity() -> None:
    [too_long] = check(gsm(1000))
    [fragments] = check(gsm(500))
    assert too_long.severity is Severity.ERROR
    assert too_long.facts["characters"] == 1000
    assert fragments.severity is None
    assert SmsLength.default_severity is Severity.WARNING


def test_one_non_gsm_character_in_the_data_tips_a_text_over() -> None:
    # 100 characters: one fragment as GSM, two as Unicode.
    assert found("Dear Michel, " + gsm(87), max_fragments=1) == []
    [violation] = check("Dear Michał, " + gsm(87), max_fragments=1)
    assert violation.code == "too-many-fragments"
    assert violation.facts["fragments"] == 2
    assert violation.facts["character"] == "'ł' (U+0142 LATIN SMALL LETTER L WITH STROKE)"
    assert violation.facts["where"] == "from the merged data"


def test_a_non_gsm_character_in_the_wording_is_blamed_on_the_template() -> None:
    template = "Hello {{ first_name }} • " + gsm(90)
    [violation] = check("", template=template, max_fragments=1)
    assert violation.facts["where"] == "in the template wording"
    assert "U+2022 BULLET" in str(violation.facts["character"])
    assert found("", template=template.replace("•", "-"), max_fragments=1) == []


def test_invisible_characters_are_named_not_printed() -> None:
    [violation] = check("\u200d" + gsm(100), max_fragments=1)  # zero-width joiner
    assert violation.facts["character"] == "U+200D ZERO WIDTH JOINER"


def test_message_never_quotes_the_text() -> None:
    secret = "Sian Okafor, 4 Mill Lane, PE30 4AB: your appointment"
    [violation] = check(secret + " " + gsm(500))
    for shown in (render_message(violation, show_values=False),
                  render_message(violation, show_values=True)):
        assert "Okafor" not in shown and "PE30" not in shown
        assert "costs 4 fragments, more than the 3 allowed" in shown
    assert violation.values == {}


def test_unicode_message_explains_why() -> None:
    [violation] = check("Michał " + gsm(200))
    shown = render_message(violation, show_values=False)
    assert "sent as Unicode at 70 a text instead of 160" in shown
    assert "'ł' (U+0142" in shown and "from the merged data" in shown


@pytest.mark.parametrize("channel", ["letter", "email", "voicemail"])
def test_other_channels_are_not_checked(channel: str) -> None:
    assert found(gsm(2000), channel=channel) == []


def test_the_prefix_option_is_applied() -> None:
    assert found(gsm(150), max_fragments=1) == []
    assert found(gsm(150), max_fragments=1, prefix="Fenmarsh Council") == [
        "too-many-fragments"]


def test_row_that_cannot_render_is_left_to_the_engine() -> None:
    case = Case(rows=[ROW], template="---\nchannel: sms\n---\n{{ missing_column }}\n")
    assert run_case(SmsLength, case) == []


# --- the plugin as policylint sees it ------------------------------------------------


def test_hook_returns_the_rule() -> None:
    assert list(plugin.policylint_rules()) == [SmsLength]
    assert SmsLength.name == "sms-length"
    assert SmsLength.channels == frozenset({"sms"})
    assert SmsLength.needs == frozenset({"row", "rendered"})
    assert SmsLength.default_options() == {"max_fragments": 3, "prefix": ""}
    assert "Anti-pattern" in SmsLength.doc() and "Best practice" in SmsLength.doc()


@pytest.mark.parametrize("example", SmsLength.examples, ids=lambda e: e.title)
def test_examples(example: Example) -> None:
    assert SmsLength.examples and len(SmsLength.examples) >= 2
    assert codes(run_case(SmsLength, example.bad)) == sorted(example.bad.expect)
    assert codes(run_case(SmsLength, example.good)) == []


def test_options_schema_rejects_nonsense() -> None:
    import jsonschema

    schema: Mapping[str, Any] = SmsLength.options_schema
    jsonschema.validate({"max_fragments": 2, "prefix": "Fenmarsh Council"}, schema)
    for bad in ({"max_fragments": 0}, {"max_fragments": "3"}, {"max_fragment": 3}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, schema)
