"""Word mail-merge templates (.docx): MERGEFIELD fields and «field» placeholders.

What is read, in this order, one line per paragraph (so a line number is a
paragraph number, counted from 1):

1. the body in document order: paragraphs, table cells row by row, and a text box
   right after the paragraph it is anchored in;
2. then each header and footer, in the order the sections name them;
3. then footnotes and endnotes.

A field is either simple (``w:fldSimple w:instr="MERGEFIELD Surname"``) or complex
(``w:fldChar`` begin, ``w:instrText`` runs, possibly split over several runs,
separate, the shown result, end). A MERGEFIELD prints the row's value in place of
its shown result (which is usually «Surname», or a previewed person's data); any
other field (PAGE, DATE) keeps the result Word last showed. An IF field
(``IF { MERGEFIELD Title } = "" "Dear Sir or Madam" "Dear { MERGEFIELD Title }"``)
is evaluated per row as Word does. ``«Surname»`` typed as text is a field too.
Deleted text (tracked changes) is left out.

What policylint cannot check is a template problem, never a guess: a merge field
inside the code of any other field (``= { MERGEFIELD amount } * 2``, QUOTE, an IF
it cannot read), fields that print another row (NEXT, NEXTIF, SKIPIF),
ADDRESSBLOCK and GREETINGLINE (what they print lives in Word's settings),
unbalanced fields and unbalanced or empty «».
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from policylint.errors import InputError
from policylint.io.templates.base import (
    JINJA_TAG_RE,
    Field,
    IfField,
    Literal,
    MergeProgram,
    Part,
    TemplateProblem,
    VariableRef,
    field_variable,
)

MAX_DOCX_BYTES = 25_000_000  # letterheads carry images
MAX_UNZIPPED_BYTES = 200_000_000  # a zip bomb stops here, before python-docx reads it
MAX_PARTS = 5_000

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _w(tag: str) -> str:
    return f"{{{_W}}}{tag}"


P, R, T, TAB, PTAB, BR, CR = (_w(t) for t in ("p", "r", "t", "tab", "ptab", "br", "cr"))
NO_BREAK_HYPHEN = _w("noBreakHyphen")
FLD_CHAR, INSTR_TEXT, FLD_SIMPLE = _w("fldChar"), _w("instrText"), _w("fldSimple")
TXBX = _w("txbxContent")
SECT_PR = _w("sectPr")
_SKIPPED = frozenset({_w("del"), _w("moveFrom"), _w("pPr"), _w("rPr"), _w("sectPr"),
                      f"{{{_MC}}}Fallback"})
_HEADER_FOOTER = frozenset({_w("headerReference"), _w("footerReference")})
_NOTES = (f"{_R}/footnotes", f"{_R}/endnotes")
_NOTE_SEPARATORS = frozenset({"separator", "continuationSeparator", "continuationNotice"})

_TOKEN_RE = re.compile(r'"((?:[^"\\]|\\.)*)"|(\S+)')
_GUILLEMET_RE = re.compile(r"«([^«»\n]*)»")
_TYPED_FIELD_RE = re.compile(r"\{\s*MERGEFIELD\b", re.IGNORECASE)
_CASES = frozenset({"upper", "lower", "caps", "firstcap"})  # Word's \* text formats
# Fields that step to another row of the data source inside one document.
_OTHER_ROW = frozenset({"NEXT", "NEXTIF", "SKIPIF"})
# Fields whose text comes from Word's own settings, not from the document.
_COMPOSED = frozenset({"ADDRESSBLOCK", "GREETINGLINE"})


class _Problem(Exception):
    def __init__(self, problem: TemplateProblem) -> None:
        self.problem = problem
        super().__init__(problem.message)


def _problem(paragraph: int, message: str) -> _Problem:
    return _Problem(TemplateProblem("syntax", f"paragraph {paragraph}: {message}",
                                    paragraph, 1))


@dataclass
class _Open:
    """A complex field between its begin and its end."""

    paragraph: int
    # Its code: instruction text, and what fields nested in the code give (a merge
    # field, an IF, or the text another field last showed).
    code: list[str | Part] = field(default_factory=list)
    in_result: bool = False
    replaced: bool = False  # MERGEFIELD or IF: the shown result is replaced by the part
    resolved: bool = False


@dataclass
class _Reader:
    """Walks one story (body, header, footer); fields may span paragraphs."""

    number: int  # paragraphs read so far, over every story
    lines: list[list[Part]] = field(default_factory=list)
    current: list[Part] = field(default_factory=list)
    stack: list[_Open] = field(default_factory=list)

    def story(self, element: Any) -> None:
        self._blocks(element)
        if self.stack:
            raise _problem(self.stack[-1].paragraph,
                           "a Word field begins here but never ends")

    def _blocks(self, element: Any) -> None:
        for child in element:
            tag = child.tag
            if tag == P:
                self._paragraph(child)
            elif tag not in _SKIPPED and isinstance(tag, str):
                self._blocks(child)

    def _paragraph(self, element: Any) -> None:
        self.number += 1
        self.current = []
        boxes: list[Any] = []
        self._inline(element, boxes)
        self.lines.append(self.current)
        for box in boxes:  # a text box's paragraphs follow the one it is anchored in
            self._blocks(box)

    def _deliver(self, item: str | Part, stack: list[_Open]) -> None:
        """Send text or a part where it belongs: the code of the innermost field still
        in its code, nowhere inside a result being replaced, else the paragraph."""
        for open_field in reversed(stack):
            if not open_field.in_result:
                open_field.code.append(item)
                return
            if open_field.replaced:
                return
        if isinstance(item, str):
            if item:
                self.current.append(Literal(item))
        else:
            self.current.append(item)

    def _text(self, text: str) -> None:
        self._deliver(text, self.stack)

    def _inline(self, element: Any, boxes: list[Any]) -> None:
        for child in element:
            tag = child.tag
            if not isinstance(tag, str) or tag in _SKIPPED:
                continue
            if tag == T:
                self._text(child.text or "")
            elif tag in (TAB, PTAB):
                self._text("\t")
            elif tag in (BR, CR):
                self._text(" ")  # a line break inside a paragraph: one line per paragraph
            elif tag == NO_BREAK_HYPHEN:
                self._text("-")
            elif tag == FLD_CHAR:
                self._fld_char(child.get(_w("fldCharType")))
            elif tag == INSTR_TEXT:
                if self.stack and not self.stack[-1].in_result:
                    self.stack[-1].code.append(child.text or "")
            elif tag == FLD_SIMPLE:
                self._fld_char("begin")
                self.stack[-1].code.append(child.get(_w("instr")) or "")
                self._fld_char("separate")
                self._inline(child, boxes)
                self._fld_char("end")
            elif tag == TXBX:
                boxes.append(child)
            else:
                self._inline(child, boxes)

    def _fld_char(self, kind: str | None) -> None:
        if kind == "begin":
            self.stack.append(_Open(self.number))
            return
        if not self.stack:
            raise _problem(self.number, f"a Word field {kind or 'mark'} without its begin")
        top = self.stack[-1]
        if kind == "separate":
            self._resolve(top)
            top.in_result = True
        elif kind == "end":
            self._resolve(top)
            self.stack.pop()

    def _resolve(self, top: _Open) -> None:
        """Decide what the field prints, once its code is complete."""
        if top.resolved:
            return
        top.resolved = True
        part = _interpret(top.code, top.paragraph)
        if part is not None:
            top.replaced = True
            self._deliver(part, self.stack[:-1])


def _interpret(code: list[str | Part], paragraph: int) -> Part | None:
    """What a field's code prints: a merge field, an IF, or None to keep what Word
    last showed (PAGE, DATE and the like)."""
    words = "".join(item for item in code if isinstance(item, str)).split()
    kind = words[0].upper() if words else ""
    nested = any(not isinstance(item, str) for item in code)
    if kind in _OTHER_ROW:
        raise _problem(paragraph, f"the Word field {kind} puts another row's data "
                                  "into this document; policylint checks one row per item")
    if kind in _COMPOSED:
        raise _problem(paragraph, f"the Word field {kind} prints text composed from "
                                  "Word's own settings, which policylint cannot check: "
                                  "write it with MERGEFIELDs")
    if kind == "MERGEFIELD" and not nested:
        text = "".join(item for item in code if isinstance(item, str))
        tokens = [m.group(1) if m.group(1) is not None else m.group(2)
                  for m in _TOKEN_RE.finditer(text)]
        return _merge_field(tokens, paragraph)
    if kind == "IF":
        test = _parse_if(code)
        if test is not None:
            return test
        if nested:
            raise _problem(paragraph, "policylint cannot read this Word IF field with merge "
                                      "fields inside: write it as IF left = \"text\" "
                                      "\"then\" \"else\"")
        return None
    if nested:
        raise _problem(paragraph, "a merge field inside the code of a Word "
                                  f"{kind or 'unnamed'} field: policylint cannot check "
                                  "what it prints")
    return None


_OPERATORS = frozenset({"=", "<>", "<", "<=", ">", ">="})
_Token = tuple[str, tuple[Part, ...]]  # ("word" | "quoted" | "op", parts)


def _if_tokens(code: list[str | Part]) -> list[_Token] | None:
    """Split an IF field's code into words, quoted texts and operators; nested fields
    are part of the word or quoted text they sit in. None: a quote never closes."""
    tokens: list[_Token] = []
    current: list[Part] = []
    kind: str | None = None
    quoted = False

    def flush() -> None:
        nonlocal current, kind
        if kind is not None:
            tokens.append((kind, tuple(current)))
        current, kind = [], None

    def add(char: str) -> None:
        if current and isinstance(current[-1], Literal):
            current[-1] = Literal(current[-1].text + char)
        else:
            current.append(Literal(char))

    for item in code:
        if not isinstance(item, str):
            if kind in (None, "op"):
                flush()
                kind = "word"
            current.append(item)
            continue
        index = 0
        while index < len(item):
            char = item[index]
            if quoted:
                if char == "\\" and item[index + 1:index + 2] in ('"', "\\"):
                    add(item[index + 1])
                    index += 1
                elif char == '"':
                    quoted = False
                    flush()
                else:
                    add(char)
            elif char == '"':
                flush()
                kind, quoted = "quoted", True
            elif char.isspace():
                flush()
            elif char in "<>=":
                if kind != "op":
                    flush()
                    kind = "op"
                add(char)
            else:
                if kind in (None, "op"):
                    flush()
                    kind = "word"
                add(char)
            index += 1
    if quoted:
        return None
    flush()
    return tokens


def _plain(parts: tuple[Part, ...]) -> str | None:
    """The text of parts that are all literal, else None."""
    if all(isinstance(p, Literal) for p in parts):
        return "".join(p.text for p in parts if isinstance(p, Literal))
    return None


def _parse_if(code: list[str | Part]) -> IfField | None:
    """``IF left op right then [else] [switches]``, or None if it is not that."""
    tokens = _if_tokens(code)
    if not tokens or _plain(tokens[0][1]) is None or \
            (_plain(tokens[0][1]) or "").upper() != "IF":
        return None
    args: list[_Token] = []
    for token in tokens[1:]:
        text = _plain(token[1])
        if token[0] == "word" and text is not None and text.startswith("\\"):
            break  # \* MERGEFORMAT and the like
        args.append(token)
    if len(args) not in (4, 5) or args[1][0] != "op" or _plain(args[1][1]) not in _OPERATORS:
        return None
    if any(kind == "op" for kind, _ in (args[0], *args[2:])):
        return None
    right = _plain(args[2][1])
    wildcards = args[2][0] == "quoted" and right is not None and ("*" in right or "?" in right)
    return IfField(args[0][1], _plain(args[1][1]) or "=", args[2][1], args[3][1],
                   args[4][1] if len(args) == 5 else (), wildcards)


def _merge_field(tokens: list[str], paragraph: int) -> Field:
    if len(tokens) < 2 or tokens[1].startswith("\\"):
        raise _problem(paragraph, "a MERGEFIELD without a field name")
    name = field_variable(tokens[1])
    if not name:
        raise _problem(paragraph, f"the MERGEFIELD name '{tokens[1][:40]}' has no letter "
                                  "or digit")
    before = after = case = ""
    rest = iter(tokens[2:])
    for switch in rest:
        value = next(rest, "") if switch in ("\\b", "\\f", "\\*", "\\@", "\\#") else ""
        if switch == "\\b":
            before = value
        elif switch == "\\f":
            after = value
        elif switch == "\\*":
            case = value.lower() if value.lower() in _CASES else case
        elif switch.lower() == "\\m":
            raise _problem(paragraph, f"the MERGEFIELD {tokens[1][:40]} is mapped (\\m): "
                                      "which column it prints is set in Word's Match Fields, "
                                      "which policylint cannot see; insert the column itself")
    return Field(name, before, after, case)


def _placeholders(parts: list[Part], paragraph: int) -> list[Part]:
    """Join a paragraph's text runs and turn «name» typed as text into fields."""
    joined: list[Part] = []
    for part in parts:
        if isinstance(part, Literal) and joined and isinstance(joined[-1], Literal):
            joined[-1] = Literal(joined[-1].text + part.text)
        else:
            joined.append(part)
    out: list[Part] = []
    for part in joined:
        if not isinstance(part, Literal):
            out.append(part)
            continue
        text = part.text
        if _TYPED_FIELD_RE.search(text):
            raise _problem(paragraph, "'{ MERGEFIELD' is typed as text, not a Word field "
                                      "(insert fields with Insert Merge Field or Ctrl+F9)")
        jinja = JINJA_TAG_RE.search(text)
        if jinja is not None:
            raise _problem(paragraph, f"{jinja.group()[:40]} is Jinja, which a Word mail "
                                      "merge prints as it is: insert a merge field")
        cursor = 0
        for match in _GUILLEMET_RE.finditer(text):
            name = field_variable(match.group(1))
            if not name:
                raise _problem(paragraph, f"the placeholder «{match.group(1)[:40]}» has no "
                                          "field name")
            if match.start() > cursor:
                out.append(Literal(text[cursor:match.start()]))
            out.append(Field(name))
            cursor = match.end()
        tail = text[cursor:]
        stray = _GUILLEMET_RE.sub("", text)
        if "«" in stray or "»" in stray:
            mark = "«" if "«" in stray else "»"
            raise _problem(paragraph, f"a placeholder {mark} without its "
                                      f"{'»' if mark == '«' else '«'} in the same paragraph")
        if tail:
            out.append(Literal(tail))
    return out


def _stories(document: Any) -> Iterator[Any]:
    """The body, then every header and footer the sections name (each once), then
    footnotes and endnotes."""
    from docx.oxml import parse_xml  # python-docx's parser: entities are not resolved

    body = document.element.body
    yield body
    seen: set[str] = set()
    related = document.part.related_parts
    for sect_pr in body.iter(SECT_PR):
        for reference in sect_pr:
            if reference.tag not in _HEADER_FOOTER:
                continue
            rid = reference.get(f"{{{_R}}}id")
            part = related.get(rid) if rid else None
            if part is None or str(part.partname) in seen:
                continue
            seen.add(str(part.partname))
            yield part.element
    for reltype in _NOTES:
        for rel in document.part.rels.values():
            if rel.reltype != reltype or rel.is_external:
                continue
            part = rel.target_part
            element = getattr(part, "element", None)
            for note in (element if element is not None else parse_xml(part.blob)):
                if note.get(_w("type")) not in _NOTE_SEPARATORS:
                    yield note


def parse_word_document(document: Any
                        ) -> tuple[str, tuple[VariableRef, ...], MergeProgram | None,
                                   TemplateProblem | None]:
    """(text in Jinja notation, fields, program, problem) for an opened python-docx
    Document. Lines of the text are paragraphs."""
    number = 0
    lines: list[list[Part]] = []
    try:
        for story in _stories(document):
            reader = _Reader(number)
            reader.story(story)
            number = reader.number
            lines.extend(_placeholders(parts, index)
                         for index, parts in enumerate(reader.lines, start=len(lines) + 1))
    except _Problem as exc:
        return "", (), None, exc.problem
    except RecursionError:
        return "", (), None, TemplateProblem("syntax", "the document is nested too deeply "
                                                       "to read", 1, 1)
    source: list[str] = []
    refs: list[VariableRef] = []
    program: list[Part] = []
    for number, parts in enumerate(lines, start=1):
        if number > 1:
            program.append(Literal("\n"))
        line: list[str] = []
        for part in parts:
            _notation(part, line, refs, number)
            program.append(part)
        source.append("".join(line))
    return "\n".join(source), tuple(refs), MergeProgram(tuple(program)), None


def _notation(part: Part, line: list[str], refs: list[VariableRef], number: int, *,
              condition: bool = False) -> None:
    """Write ``part`` in Jinja notation onto ``line``, noting where its fields are:
    ``{{name}}``, and an IF as ``{% if name = "text" %}then{% else %}else{% endif %}``."""
    def at() -> int:
        return sum(len(piece) for piece in line) + 1

    if isinstance(part, Field):
        refs.append(VariableRef(part.name, number, at()))
        line.append(part.name if condition else "{{" + part.name + "}}")
    elif isinstance(part, Literal):
        line.append(f'"{part.text}"' if condition else part.text)
    elif isinstance(part, IfField):
        line.append("{% if ")
        for side in (part.left, part.right):
            for index, piece in enumerate(side or (Literal(""),)):
                if index:
                    line.append(" ~ ")
                _notation(piece, line, refs, number, condition=True)
            line.append(f" {part.op} " if side is part.left else " %}")
        for piece in part.then:
            _notation(piece, line, refs, number)
        line.append("{% else %}")
        for piece in part.otherwise:
            _notation(piece, line, refs, number)
        line.append("{% endif %}")


def open_word(path: Path, shown: str) -> Any:
    """Open a .docx with python-docx; anything that is not one is an InputError."""
    try:
        import docx
    except ImportError:
        raise InputError("reading Word .docx templates needs python-docx: "
                         "pip install 'policylint[word]'", file=shown) from None
    hint = (" (a Word lock file: close the document in Word, or keep ~$ files out of the "
            "policy's templates glob)" if path.name.startswith("~$") else "")
    try:
        size = path.stat().st_size
        if size > MAX_DOCX_BYTES:
            raise InputError(f"Word template larger than {MAX_DOCX_BYTES} bytes", file=shown)
        with path.open("rb") as handle:
            magic = handle.read(8)
        if magic.startswith(b"\xd0\xcf\x11\xe0"):
            raise InputError("not a .docx document: a Word 97-2003 .doc or a password-"
                             "protected file; save it as an unprotected .docx", file=shown)
        if not zipfile.is_zipfile(path):
            raise InputError(f"not a valid Word .docx document (not a zip package){hint}",
                             file=shown)
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
        if len(entries) > MAX_PARTS or sum(e.file_size for e in entries) > MAX_UNZIPPED_BYTES:
            raise InputError("Word template unpacks to more than "
                             f"{MAX_UNZIPPED_BYTES} bytes or {MAX_PARTS} parts", file=shown)
    except FileNotFoundError:
        raise InputError("template file not found", file=shown) from None
    except IsADirectoryError:
        raise InputError("template path is a directory", file=shown) from None
    except InputError:
        raise
    except (OSError, zipfile.BadZipFile, ValueError) as exc:
        raise InputError(f"not a valid Word .docx document ({type(exc).__name__}){hint}",
                         file=shown) from None
    try:
        return docx.Document(str(path))
    except Exception as exc:  # python-docx raises many kinds for a broken package
        raise InputError(f"not a valid Word .docx document ({type(exc).__name__}){hint}",
                         file=shown) from None
