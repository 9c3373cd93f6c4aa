"""GOV.UK Notify templates: ``((field))`` and ``((field??text))``.

The rules are GOV.UK Notify's own (notifications-utils ``field.py``,
``insensitive_dict.py`` and ``postal_address.py``):

- a placeholder is ``((`` + one or more characters other than brackets + ``))``;
  ``(((name)))`` is a placeholder inside ordinary brackets;
- ``((name??text))`` prints ``text`` when the value, stripped and lower-cased, is
  one of yes, y, true, t, 1, include, show, and nothing otherwise (the text may
  itself contain ``??``: only the first one splits);
- names match columns case-, space-, ``_``- and ``-``-insensitively
  (``((First name))`` is the ``first_name`` column);
- a letter carries an address block made of address_line_1..6 and address_line_7,
  or postcode when there is no address_line_7, one line each, empty ones left out.

Rendering is plain substitution (values are inserted as they are). Notify prints
a broken placeholder as text; here ``((name)`` or an empty ``(())`` is a template
problem with its line and column, because it is almost always a typo that would
otherwise print brackets and a field name into every letter.
"""

from __future__ import annotations

import re

from policylint.io.templates.base import (
    JINJA_TAG_RE,
    AddressBlock,
    Conditional,
    Field,
    Literal,
    MergeProgram,
    Part,
    TemplateProblem,
    VariableRef,
    field_variable,
)

# notifications_utils.field.Field.placeholder_pattern
PLACEHOLDER_RE = re.compile(r"\(\(([^()]+)\)\)")
_EMPTY_RE = re.compile(r"\(\(\s*\)\)")


def parse_notify(body: str, offset: int, *, letter: bool,
                 ) -> tuple[str, tuple[VariableRef, ...], MergeProgram | None,
                            TemplateProblem | None]:
    """(body in Jinja notation, fields, program, problem) for a Notify body.

    ``offset`` is the number of lines before the body (front matter), so that
    lines and columns are the file's. The Jinja-notation body has the same length
    and line breaks: ``((name))`` becomes ``{{name}}`` and ``((name??text))``
    becomes ``{{name}}text`` and two spaces.
    """
    refs: list[VariableRef] = []
    parts: list[Part] = []
    source: list[str] = []
    masked: list[str] = []
    cursor = 0
    problem: TemplateProblem | None = None
    for match in PLACEHOLDER_RE.finditer(body):
        inner = match.group(1)
        raw_name, conditional, text = inner.partition("??")
        name_start = match.start(1) + len(raw_name) - len(raw_name.lstrip())
        line, col = _position(body, name_start, offset)
        variable = field_variable(raw_name) if "\n" not in raw_name.strip() else ""
        if not variable and problem is None:
            if not inner.strip():
                problem = TemplateProblem("syntax", "empty Notify placeholder (( ))",
                                          *_position(body, match.start(), offset))
            else:
                why = ("is split over two lines" if "\n" in raw_name.strip()
                       else "has no field name")
                problem = TemplateProblem(
                    "syntax", f"Notify placeholder (({_short(inner)})) {why}", line, col)
        literal = body[cursor:match.start()]
        if literal:
            parts.append(Literal(literal))
        source.append(literal)
        masked.append(literal)
        refs.append(VariableRef(variable, line, col))
        if conditional:
            parts.append(Conditional(variable, text))
            source.append("{{" + raw_name + "}}" + text + "  ")
        else:
            parts.append(Field(variable))
            source.append("{{" + raw_name + "}}")
        masked.append(re.sub(r"[^\n]", " ", match.group()))
        cursor = match.end()
    tail = body[cursor:]
    if tail:
        parts.append(Literal(tail))
    source.append(tail)
    masked.append(tail)
    if problem is None:
        problem = _bracket_problem("".join(masked), offset)
    if problem is None:
        jinja = JINJA_TAG_RE.search("".join(masked))
        if jinja is not None:
            problem = TemplateProblem(
                "syntax", f"{_short(jinja.group())} is Jinja, which a GOV.UK Notify template "
                          "prints as it is: write ((name))",
                *_position("".join(masked), jinja.start(), offset))
    if letter:
        # Notify prints the address block at the top of the letter. It goes after
        # the body here so the text's line numbers stay the template's.
        parts.extend((Literal("\n\n"), AddressBlock()))
    program = MergeProgram(tuple(parts)) if problem is None else None
    return "".join(source), tuple(refs) if problem is None else (), program, problem


def _bracket_problem(masked: str, offset: int) -> TemplateProblem | None:
    """A ``((`` that never closes or a ``))`` that closes nothing, in the text left
    once every placeholder is blanked. Ordinary brackets that balance, ``(see (a))``
    included, are prose."""
    empty = _EMPTY_RE.search(masked)
    if empty is not None:
        line, col = _position(masked, empty.start(), offset)
        return TemplateProblem("syntax", "empty Notify placeholder (( ))",
                               line, col)
    opened: list[int] = []
    stray: list[int] = []
    for index, char in enumerate(masked):
        if char == "(":
            opened.append(index)
        elif char == ")":
            if opened:
                opened.pop()
            else:
                stray.append(index)
    for index in sorted(opened + stray):
        pair = masked[max(index - 1, 0):index + 2]
        if "((" in pair and masked[index] == "(":
            line, col = _position(masked, index, offset)
            return TemplateProblem(
                "syntax", "Notify placeholder opened with (( is never closed with ))", line, col)
        if "))" in pair and masked[index] == ")":
            line, col = _position(masked, index, offset)
            return TemplateProblem(
                "syntax", ")) closes no Notify placeholder: (( is missing",
                line, col)
    return None


def _position(text: str, index: int, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    col = index - (text.rfind("\n", 0, index) + 1) + 1
    return line + offset, col


def _short(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= 40 else flat[:39] + "…"
