"""written_form / written_as: the exact-text shortcut stale-address takes before keying.

The shortcut may only ever answer "the same address" when comparing keys would:
the property below checks that the two keys are equal whenever it says so, over
lines that are and are not printed exactly as the register holds them.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policylint.normalise.address import address_key, written_as, written_form

HOME = ("Flat 2", "10 High Street", "Kings Lynn")
FORM = (*HOME, "PE30 1AB")


# --- must take the shortcut ------------------------------------------------------------

@pytest.mark.parametrize("lines", [
    FORM,                                  # printed as held
    ("Mr T Nowak", *FORM),                 # after a titled addressee line
    ("Dr. A. N. Other", *FORM),            # titles with full stops
    ("The Occupier", *FORM),
    ("  Mr T Nowak ", " Flat 2", *FORM[1:]),  # spaces around cells
])
def test_printed_as_held(lines: tuple[str, ...]) -> None:
    form = written_form(HOME, "PE30 1AB")
    assert form == FORM
    assert written_as(lines, form, ("Tomasz Nowak",))
    assert address_key(lines, "", ("Tomasz Nowak",)) == address_key(HOME, "PE30 1AB")


# --- must not take it (the full comparison decides) ----------------------------------

@pytest.mark.parametrize("lines", [
    FORM[1:],                              # the flat left out
    ("Flat 3", *FORM[1:]),                 # another flat
    ("Flat 2", *FORM),                     # a line before it that addresses nobody
    ("Tomasz Nowak", *FORM),               # a name line without a title: names decide
    (*HOME, "PE30 1AD"),                   # another postcode
    (*HOME, "pe30 1ab"),                   # the same postcode written otherwise
    ("flat 2", *FORM[1:]),                 # any difference of case
    ("Mr T Nowak", "Mrs A Nowak", *FORM),  # two lines before it
    (*HOME[:2], "PE30 1AB"),               # the town left out
])
def test_anything_else_goes_the_long_way(lines: tuple[str, ...]) -> None:
    assert not written_as(lines, FORM, ("Tomasz Nowak",))


def test_an_untitled_first_line_naming_the_addressee_is_not_the_address() -> None:
    """The register's first line is kept; a batch's identical first line that names
    the recipient would be dropped, so the keys would differ: no shortcut."""
    form = written_form(("Jan Nowak", "3 High Street"), "PE30 1AB")
    assert form is not None
    lines = ("Jan Nowak", "3 High Street", "PE30 1AB")
    assert written_as(lines, form, ("Sian Okafor",))
    assert not written_as(lines, form, ("Jan Nowak",))
    assert address_key(lines, "", ("Jan Nowak",)) != address_key(form[:-1], "PE30 1AB")


@pytest.mark.parametrize(("lines", "postcode"), [
    (HOME, ""),                            # no postcode to be exact about
    (HOME, "not a postcode"),
    (HOME, "PE30 1AB Norfolk"),            # a postcode line that also carries words
    (("Mr T Nowak", *HOME), "PE30 1AB"),   # a register first line that reads as a name
    (("The Occupier", *HOME), "PE30 1AB"),
    ((), "PE30 1AB"),
    (("", "  "), "PE30 1AB"),
])
def test_register_addresses_without_a_written_form(lines: tuple[str, ...],
                                                   postcode: str) -> None:
    assert written_form(lines, postcode) is None


# --- the property: the shortcut never says "same" when the keys differ ---------------

_LINES = st.sampled_from([
    "Flat 2", "Flat 3", "2", "10 High Street", "10 High St", "10A High Street",
    "Rose Cottage", "Nowak House", "Church Lane", "Kings Lynn", "KINGS LYNN", "Norfolk",
    "Mr T Nowak", "Mrs A Okafor", "The Occupier", "Tomasz Nowak", "T Nowak",
    "Ground Floor Flat", "The Annexe", "Rear of", "Kings Lynn PE30 1AB", "PE30 1AB",
    "pe30 1ab", "PE301AB", "SW1A 1AA", "", "  ", "Dr Who Road",
])
_POSTCODES = st.sampled_from(["PE30 1AB", "pe30 1ab", "PE301AB", "SW1A 1AA", "", "XX1 1XX",
                              "PE30 1AB Norfolk"])
_NAMES = st.lists(st.sampled_from(["Tomasz Nowak", "T Nowak", "Sian Okafor", "Rose"]),
                  max_size=2)


@settings(max_examples=400, deadline=None)
@given(register=st.lists(_LINES, max_size=4), postcode=_POSTCODES,
       before=st.lists(_LINES, max_size=2), mutate=st.booleans(),
       names=_NAMES, data=st.data())
def test_the_shortcut_only_says_what_the_keys_say(
        register: list[str], postcode: str, before: list[str], mutate: bool,
        names: list[str], data: st.DataObject) -> None:
    form = written_form(register, postcode)
    if form is None:
        return
    # Mostly the register's address printed after 0-2 lines; sometimes a line swapped.
    lines = [*before, *form]
    if mutate:
        index = data.draw(st.integers(min_value=0, max_value=len(lines) - 1))
        lines[index] = data.draw(_LINES)
    if written_as(lines, form, names):
        assert address_key(lines, "", names) == address_key(register, postcode)


def test_the_property_is_not_vacuous() -> None:
    """The generator above does reach the shortcut (here, by hand, each way it can)."""
    form = written_form(["10 High Street", "Kings Lynn"], "PE30 1AB")
    assert form is not None
    assert written_as(["Mr T Nowak", *form], form, ["Tomasz Nowak"])
    assert written_as(list(form), form, ["Tomasz Nowak"])
