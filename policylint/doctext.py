"""The light reST-style markup of rule docstrings, read once and written two ways.

Rule docstrings are written for Python readers: ````literal````, ``**bold**``,
``*emphasis*``, ``* `` bullets, and a paragraph ending in ``::`` before an
indented literal block (a CSV, a template). :func:`parse` turns a docstring
into :class:`Block` s; :func:`to_text` renders them for a terminal
(``policylint explain``) and :func:`to_markdown` for the documentation site, so
both show the same words without the markup.

Only the subset the rules use is understood; anything else passes through as
text, which is the safe failure for documentation.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

BlockKind = Literal["para", "bullets", "literal"]

WIDTH = 79

_BULLET = re.compile(r"^([*-])\s+")
# ``:role:`target``` (Sphinx), with an optional ``~`` that keeps only the last part.
_ROLE = re.compile(r":[a-z]+:`(~?)([^`]+)`")
_LITERAL = re.compile(r"``(.+?)``")
_STRONG = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_EMPHASIS = re.compile(r"(?<![\w*\\])\*(?=[^\s*])([^*]+?)(?<=[^\s*])\*(?![\w*])")
_INTERPRETED = re.compile(r"(?<![`\w])`([^`]+)`(?![`\w])")


@dataclass(frozen=True)
class Block:
    """A paragraph (text joined into one line), a bullet list, or a literal block."""

    kind: BlockKind
    text: str = ""
    items: tuple[str, ...] = ()


def _indent_of(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _close_paragraph(text: str) -> tuple[str, bool]:
    """reST's ``::``: "text::" -> "text:", "text ::" -> "text", "::" -> nothing.
    Returns the text and whether an indented literal block may follow."""
    if not text.endswith("::"):
        return text, False
    if text == "::":
        return "", True
    if text.endswith(" ::"):
        return text[:-3].rstrip(), True
    return text[:-1], True


def parse(doc: str) -> list[Block]:
    """The blocks of a (``inspect.cleandoc``-ed) docstring, in order."""
    lines = doc.expandtabs().splitlines()
    blocks: list[Block] = []
    literal_may_follow = False
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        indent = _indent_of(line)
        if literal_may_follow and indent > 0:
            start = i
            while i < len(lines) and (not lines[i].strip() or _indent_of(lines[i]) >= indent):
                i += 1
            body = textwrap.dedent("\n".join(lines[start:i])).strip("\n")
            blocks.append(Block("literal", text=body))
            literal_may_follow = False
            continue
        literal_may_follow = False
        if _BULLET.match(line.lstrip(" ")):
            items: list[str] = []
            while i < len(lines):
                current = lines[i]
                if not current.strip():
                    # A blank line ends the list unless another bullet follows.
                    j = i
                    while j < len(lines) and not lines[j].strip():
                        j += 1
                    if (j < len(lines) and _indent_of(lines[j]) == indent
                            and _BULLET.match(lines[j].lstrip(" "))):
                        i = j
                        continue
                    break
                stripped = current.lstrip(" ")
                if _indent_of(current) == indent and _BULLET.match(stripped):
                    items.append(_BULLET.sub("", stripped, count=1).strip())
                elif _indent_of(current) > indent and items:
                    items[-1] += " " + stripped.strip()
                else:
                    break
                i += 1
            last, literal_may_follow = _close_paragraph(items[-1])
            items[-1] = last
            blocks.append(Block("bullets", items=tuple(items)))
            continue
        start = i
        while i < len(lines) and lines[i].strip():
            if i > start and _BULLET.match(lines[i].lstrip(" ")) and _indent_of(lines[i]) <= indent:
                break
            i += 1
        text = " ".join(part.strip() for part in lines[start:i])
        text, literal_may_follow = _close_paragraph(text)
        if text:
            blocks.append(Block("para", text=text))
    return blocks


# --- inline markup ------------------------------------------------------------------


def _split_literals(text: str) -> Iterable[tuple[bool, str]]:
    """(is_literal, piece) in order: ````x```` pieces are never touched by other rules."""
    end = 0
    for match in _LITERAL.finditer(text):
        if match.start() > end:
            yield False, text[end:match.start()]
        yield True, match.group(1)
        end = match.end()
    if end < len(text):
        yield False, text[end:]


def _role_target(match: re.Match[str]) -> str:
    """``:class:`~a.b.C``` -> ``C``; without the ``~``, the whole target."""
    target = match.group(2)
    return target.rsplit(".", 1)[-1] if match.group(1) else target


def _quote(literal: str) -> str:
    """A literal that is one word stays bare (``max_age_days``); one with spaces or
    symbols is quoted, so "'10 High St' is not 'Flat 2, 10 High St'" stays clear."""
    if re.fullmatch(r"[\w./@£+=-]+", literal):
        return literal
    mark = '"' if "'" in literal else "'"
    return f"{mark}{literal}{mark}"


def inline_text(text: str) -> str:
    """Inline markup removed for a terminal: the words stay, the asterisks and
    backticks go."""
    out: list[str] = []
    for literal, piece in _split_literals(text):
        if literal:
            out.append(_quote(piece))
            continue
        piece = _ROLE.sub(_role_target, piece)
        piece = _STRONG.sub(r"\1", piece)
        piece = _EMPHASIS.sub(r"\1", piece)
        piece = _INTERPRETED.sub(r"\1", piece)
        out.append(piece)
    return "".join(out)


def _code_span(text: str) -> str:
    fence = "``" if "`" in text else "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _escape_markdown(text: str) -> str:
    """Plain words made safe for Markdown: no raw HTML, no stray escapes."""
    text = text.replace("\\", "\\\\").replace("<", "&lt;")
    return text


def inline_markdown(text: str) -> str:
    """Inline markup in Markdown: ````x```` -> `` `x` ``; bold and emphasis kept."""
    out: list[str] = []
    for literal, piece in _split_literals(text):
        if literal:
            out.append(_code_span(piece))
            continue
        piece = _escape_markdown(piece)
        piece = _ROLE.sub(lambda m: _code_span(_role_target(m)), piece)
        piece = _INTERPRETED.sub(lambda m: _code_span(m.group(1)), piece)
        out.append(piece)
    return "".join(out)


# --- whole documents ----------------------------------------------------------------


def to_text(blocks: Sequence[Block], width: int = WIDTH) -> str:
    """Plain text for a terminal: paragraphs wrapped, bullets as ``-``, literal
    blocks indented by four spaces and otherwise verbatim."""
    parts: list[str] = []
    for block in blocks:
        if block.kind == "para":
            parts.append(textwrap.fill(inline_text(block.text), width=width,
                                       break_on_hyphens=False, break_long_words=False))
        elif block.kind == "bullets":
            parts.append("\n".join(
                textwrap.fill(inline_text(item), width=width, initial_indent="  - ",
                              subsequent_indent="    ", break_on_hyphens=False,
                              break_long_words=False)
                for item in block.items))
        else:
            parts.append(textwrap.indent(block.text, "    ", lambda line: bool(line.strip())))
    return "\n\n".join(parts)


def fence(body: str, info: str = "text") -> str:
    """A fenced code block that no backtick run inside ``body`` can close."""
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    marks = "`" * max(3, longest + 1)
    return f"{marks}{info}\n{body.rstrip()}\n{marks}"


def to_markdown(blocks: Sequence[Block],
                anchor: Callable[[str], str | None] | None = None) -> str:
    """Markdown for the documentation site: literal blocks as fenced code.
    ``anchor`` may name an HTML id for a bullet item (its raw markup is passed)."""
    parts: list[str] = []
    for block in blocks:
        if block.kind == "para":
            text = inline_markdown(block.text)
            # A paragraph must not turn into a heading, a quote or a numbered list.
            if text.startswith(("#", ">")):
                text = "\\" + text
            text = re.sub(r"^(\d+)([.)]\s)", r"\1\\\2", text)
            parts.append(text)
        elif block.kind == "bullets":
            lines = []
            for item in block.items:
                name = anchor(item) if anchor else None
                target = f'<a id="{name}"></a>' if name else ""
                lines.append(f"- {target}{inline_markdown(item)}")
            parts.append("\n".join(lines))
        else:
            parts.append(fence(block.text, _guess_language(block.text)))
    return "\n\n".join(parts)


def _guess_language(body: str) -> str:
    """``csv`` for comma-separated rows of one width, else plain ``text``."""
    lines = [line for line in body.splitlines() if line.strip()]
    if len(lines) >= 2 and all("," in line for line in lines) and not body.startswith(" "):
        return "csv"
    return "text"
