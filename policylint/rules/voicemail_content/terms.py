"""Sensitive-term detector: words that tell whoever hears a voicemail about the
person's health, beliefs, debts, benefits, safety or dealings with the courts.

One Aho-Corasick automaton, built once per run from the built-in list
(:mod:`policylint.rules._sensitive_terms`, English and Welsh), the policy's
``sensitive_terms`` and ``allowed_terms``, finds every term in one pass. Terms
match whole words only (``sex`` is not in ``Sussex``), in any case, with a plural
``s``/``es``; a hyphen and a space are the same (``non-molestation``). An allowed
phrase (``Kingsmead Court``, ``hearing from you``) excuses the words inside it; an
allowed single term is taken off the list.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import ahocorasick

from policylint.rules._sensitive_terms import (
    CATEGORY_ABOUT,
    DEFAULT_ALLOWED_PHRASES,
    POLICY_CATEGORY,
    default_terms,
)
from policylint.rules.voicemail_content.hits import Hit

# Text as the term automaton sees it: lower case, one kind of apostrophe and
# hyphen, whitespace as single spaces (length-preserving until collapsed).
_TERM_TABLE = str.maketrans({
    "\u2019": "'", "\u2018": "'", "`": "'", "\u02bc": "'",
    "\u2010": "-", "\u2011": "-", "\u2013": "-", "\u2014": "-",
    "\n": " ", "\r": " ", "\t": " ", "\u00a0": " ",
})
_TERM_TABLE_CHARS = "".join(map(chr, _TERM_TABLE))
_NEEDS_COLLAPSE_RE = re.compile(r"[^\S ]| {2}")

TERM_MESSAGE = (
    "The voicemail mentions \"{term}\" {where}, which tells whoever hears it about {about}."
    " Leave only a first name, who is calling and a number to call back; if the words are a"
    " name (your building's, say), add them to voicemail-content's allowed_terms.")


@dataclass(frozen=True)
class Term:
    term: str
    about: str
    allow: bool  # an allowed phrase: hits inside it are not reported


def term_view(text: str) -> tuple[str, list[int] | None]:
    """(text as the term automaton sees it, map from its offsets to ``text``'s, or None
    when the offsets are the same)."""
    # A translate costs far more than looking for the few characters it replaces.
    translated = text.translate(_TERM_TABLE) if any(
        c in text for c in _TERM_TABLE_CHARS) else text
    lowered = translated.lower()
    if len(lowered) != len(translated):
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in translated)
    if not _NEEDS_COLLAPSE_RE.search(lowered):
        return lowered, None
    out: list[str] = []
    index: list[int] = []
    previous_space = False
    for position, char in enumerate(lowered):
        if char.isspace():
            if previous_space:
                continue
            previous_space = True
            out.append(" ")
        else:
            previous_space = False
            out.append(char)
        index.append(position)
    return "".join(out), index


def _term_key(term: str) -> str:
    view, _ = term_view(term.strip())
    return view.strip()


def term_variants(term: str) -> set[str]:
    """Spellings of a term: hyphen or space, with or without an apostrophe."""
    key = _term_key(term)
    variants = {key, key.replace("-", " "), key.replace(" ", "-") if " " in key else key}
    variants |= {v.replace("'", "") for v in variants}
    return {v for v in variants if v}


class TermMatcher:
    """The built-in terms plus ``extra``, less ``allowed``; built once per run."""

    def __init__(self, extra: Sequence[str] = (), allowed: Sequence[str] = ()) -> None:
        terms: dict[str, Term] = {}
        for term, category in default_terms().items():
            for key in term_variants(term):
                terms[key] = Term(term, CATEGORY_ABOUT[category], allow=False)
        for term in extra:
            for key in term_variants(term):
                terms.setdefault(key, Term(term.strip(), POLICY_CATEGORY, allow=False))
        for phrase in allowed:
            variants = term_variants(phrase)
            if variants & set(terms):
                for key in variants:
                    terms.pop(key, None)  # a listed term: off the list everywhere
            else:
                for key in variants:
                    terms[key] = Term(key, "", allow=True)  # a phrase: excuses its words
        for phrase in DEFAULT_ALLOWED_PHRASES:
            for key in term_variants(phrase):
                terms.setdefault(key, Term(key, "", allow=True))
        self._automaton: Any = None
        if terms:
            automaton = ahocorasick.Automaton()
            for key, value in terms.items():
                automaton.add_word(key, (len(key), value))
            automaton.make_automaton()
            self._automaton = automaton

    def find(self, text: str) -> list[tuple[int, int, Term]]:
        """(start, end, term) for each sensitive term in ``text`` on word boundaries,
        a plural s/es allowed; hits inside an allowed phrase are dropped."""
        if self._automaton is None or not text:
            return []
        view, index = term_view(text)
        size = len(view)
        hits: list[tuple[int, int, Term]] = []
        allowed: list[tuple[int, int]] = []
        for last, (length, term) in self._automaton.iter(view):
            start, end = last - length + 1, last + 1
            if start > 0 and view[start - 1].isalnum():
                continue
            if end < size and view[end].isalnum():
                for suffix in ("s", "es"):
                    stop = end + len(suffix)
                    if view.startswith(suffix, end) and (stop == size or not view[stop].isalnum()):
                        end = stop
                        break
                else:
                    continue
            if index is not None:
                start, end = index[start], index[end - 1] + 1
            if term.allow:
                allowed.append((start, end))
            else:
                hits.append((start, end, term))
        hits.sort(key=lambda h: (h[0], h[0] - h[1]))
        kept: list[tuple[int, int, Term]] = []
        reach = -1
        for hit in hits:
            if hit[0] < reach or any(a <= hit[0] and hit[1] <= b for a, b in allowed):
                # inside or across a longer term ("arrears" of "rent arrears", "alcohol
                # service" of "drug and alcohol service") or inside an allowed phrase
                continue
            kept.append(hit)
            reach = hit[1]
        return kept

    def hits(self, text: str, first_names: frozenset[str] = frozenset()) -> list[Hit]:
        """The terms in ``text`` as hits, less a word that is the person's own first
        name ("Pip" the person, not PIP the benefit)."""
        return [
            Hit("sensitive-term", start, end, TERM_MESSAGE,
                facts={"term": " ".join(text[start:end].split()), "about": term.about})
            for start, end, term in self.find(text)
            if text[start:end] not in first_names
        ]
