"""clean_text escapes exactly the characters that could break, colour, rewrite or hide
a report line: Unicode's controls (Cc), lone surrogates (Cs), U+FFFE/U+FFFF and the
bidirectional and line-separator format characters. Held, code point by code point,
to that definition by category (it is searched as one regular expression)."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from policylint.reporters.base import _DANGEROUS, _INVISIBLE, clean_text


def _dangerous_by_category(ch: str) -> bool:
    return (ch in _INVISIBLE or unicodedata.category(ch) in ("Cc", "Cs")
            or ch in ("\ufffe", "\uffff"))


def _reference(text: str, keep: str = "") -> str:
    """clean_text as it was written first: a character at a time."""
    named = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
    out = []
    for ch in text:
        if ch in keep or not _dangerous_by_category(ch):
            out.append(ch)
        elif ch in named:
            out.append(named[ch])
        elif ord(ch) <= 0xFF:
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(f"\\u{ord(ch):04x}")
    return "".join(out)


def test_every_code_point_is_judged_as_its_category_says() -> None:
    everything = "".join(map(chr, range(0x110000)))
    matched = {ord(ch) for ch in _DANGEROUS.findall(everything)}
    expected = {code for code in range(0x110000) if _dangerous_by_category(chr(code))}
    assert matched == expected
    assert len(expected) == 65 + 2048 + 2 + len(_INVISIBLE)


def test_escapes() -> None:
    assert clean_text("red \x1b[31mtext\x1b[0m") == "red \\x1b[31mtext\\x1b[0m"
    assert clean_text("a\nb\tc\rd") == "a\\nb\\tc\\rd"
    assert clean_text("abc\u202egfed") == "abc\\u202egfed"
    assert clean_text("lone \ud800 surrogate") == "lone \\ud800 surrogate"
    assert clean_text("kept\nnewline", keep="\n") == "kept\nnewline"
    assert clean_text("Mrs Siân Öztürk, £12.50 — 17 Mill Lane") == (
        "Mrs Siân Öztürk, £12.50 — 17 Mill Lane")
    assert clean_text(None) == ""
    assert clean_text(42) == "42"


@given(st.text(alphabet=st.characters(codec=None, exclude_categories=())),
       st.sampled_from(["", "\n", "\n\t"]))
def test_the_same_as_a_character_at_a_time(text: str, keep: str) -> None:
    assert clean_text(text, keep=keep) == _reference(text, keep)
