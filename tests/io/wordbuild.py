"""Build Word mail-merge .docx files for tests with python-docx (no binary fixtures).

A paragraph is written as a list of pieces: plain text, ``simple("MERGEFIELD x")``
(a ``w:fldSimple``), ``complex_field("MERGEFIELD x", shown="«x»")`` (``w:fldChar`` begin,
``w:instrText`` runs, separate, result, end; ``split`` cuts the instruction over
several runs), ``textbox([...paragraphs])`` (a text box with the Fallback copy
Word writes too), ``raw(xml)`` (any run-level XML).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import docx
from docx.oxml import parse_xml

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = (f'xmlns:w="{W}" '
      'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
      'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
      'xmlns:v="urn:schemas-microsoft-com:vml" '
      'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
      'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"')


@dataclass(frozen=True)
class Simple:
    instr: str
    shown: str = ""


@dataclass(frozen=True)
class Complex:
    instr: str
    shown: str = ""
    split: int = 1  # how many w:instrText runs the instruction is cut into
    end: bool = True  # False: leave the field unclosed (a broken document)


@dataclass(frozen=True)
class Raw:
    xml: str  # run-level WordprocessingML, namespace prefix w:


@dataclass(frozen=True)
class TextBox:
    paragraphs: Sequence[Sequence[Any]]


def simple(instr: str, shown: str = "") -> Simple:
    return Simple(instr, shown)


def complex_field(instr: str, shown: str = "", split: int = 1, end: bool = True) -> Complex:
    return Complex(instr, shown, split, end)


def raw(xml: str) -> Raw:
    return Raw(xml)


def field_xml(*code: str, shown: str = "") -> Raw:
    """A complex field whose code mixes instruction text and nested fields (their XML,
    e.g. from :func:`merge_xml`): ``IF { MERGEFIELD Title } = "" ...``."""
    xml = ['<w:r><w:fldChar w:fldCharType="begin"/></w:r>']
    for piece in code:
        xml.append(piece.xml if isinstance(piece, Raw) else
                   f'<w:r><w:instrText xml:space="preserve">{escape(piece)}</w:instrText></w:r>')
    xml.append('<w:r><w:fldChar w:fldCharType="separate"/></w:r>')
    xml.append(_run(shown) if shown else "")
    xml.append('<w:r><w:fldChar w:fldCharType="end"/></w:r>')
    return Raw("".join(xml))


def merge_xml(name: str) -> Raw:
    return field_xml(f" MERGEFIELD {name} ", shown=f"«{name}»")


def textbox(*paragraphs: Sequence[Any]) -> TextBox:
    return TextBox(paragraphs)


def _run(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def _pieces_xml(pieces: Sequence[Any]) -> str:
    out: list[str] = []
    for piece in pieces:
        if isinstance(piece, str):
            out.append(_run(piece))
        elif isinstance(piece, Simple):
            out.append(f"<w:fldSimple w:instr={quoteattr(piece.instr)}>"
                       f"{_run(piece.shown or '«x»')}</w:fldSimple>")
        elif isinstance(piece, Complex):
            step = max(1, -(-len(piece.instr) // piece.split))
            chunks = [piece.instr[i:i + step] for i in range(0, len(piece.instr), step)]
            out.append('<w:r><w:fldChar w:fldCharType="begin"/></w:r>')
            out.extend(f'<w:r><w:instrText xml:space="preserve">{escape(c)}</w:instrText></w:r>'
                       for c in chunks)
            out.append('<w:r><w:fldChar w:fldCharType="separate"/></w:r>')
            out.append(_run(piece.shown or "«x»"))
            if piece.end:
                out.append('<w:r><w:fldChar w:fldCharType="end"/></w:r>')
        elif isinstance(piece, Raw):
            out.append(piece.xml)
        elif isinstance(piece, TextBox):
            inner = "".join(f"<w:p>{_pieces_xml(p)}</w:p>" for p in piece.paragraphs)
            out.append(
                "<w:r><mc:AlternateContent><mc:Choice Requires=\"wps\"><w:drawing>"
                "<wp:anchor><a:graphic><a:graphicData><wps:wsp><wps:txbx>"
                f"<w:txbxContent>{inner}</w:txbxContent>"
                "</wps:txbx></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing>"
                "</mc:Choice><mc:Fallback><w:pict><v:shape><v:textbox>"
                f"<w:txbxContent>{inner}</w:txbxContent>"
                "</v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r>")
        else:
            raise TypeError(piece)
    return "".join(out)


def add_paragraph(container: Any, pieces: Sequence[Any] | str) -> None:
    """Append a paragraph to a python-docx Document, header, footer or table cell."""
    paragraph = container.add_paragraph()
    for piece in ([pieces] if isinstance(pieces, str) else pieces):
        if isinstance(piece, str):
            paragraph.add_run(piece)
        else:
            for element in parse_xml(f"<w:wrap {NS}>{_pieces_xml([piece])}</w:wrap>"):
                paragraph._p.append(element)


def build(path: Path, body: Sequence[Sequence[Any] | str], *,
          header: Sequence[Sequence[Any] | str] = (),
          footer: Sequence[Sequence[Any] | str] = (),
          table: Sequence[Sequence[Sequence[Any] | str]] = (),
          footnotes: Sequence[Sequence[Any] | str] = ()) -> Path:
    """A .docx with ``body`` paragraphs, then a one-row table with ``table`` cells;
    each footnote is one paragraph (after Word's separator note)."""
    document = docx.Document()
    for pieces in body:
        add_paragraph(document, pieces)
    if table:
        grid = document.add_table(rows=1, cols=len(table))
        for cell, pieces in zip(grid.rows[0].cells, table, strict=True):
            cell.paragraphs[0]._p.getparent().remove(cell.paragraphs[0]._p)
            add_paragraph(cell, pieces)
    section = document.sections[0]
    if header:
        section.header.is_linked_to_previous = False
        first = section.header.paragraphs[0]._p
        first.getparent().remove(first)
        for pieces in header:
            add_paragraph(section.header, pieces)
    if footer:
        section.footer.is_linked_to_previous = False
        first = section.footer.paragraphs[0]._p
        first.getparent().remove(first)
        for pieces in footer:
            add_paragraph(section.footer, pieces)
    if footnotes:
        _add_footnotes(document, footnotes)
    document.save(str(path))
    return path


def _add_footnotes(document: Any, notes: Sequence[Sequence[Any] | str]) -> None:
    from docx.opc.constants import CONTENT_TYPE, RELATIONSHIP_TYPE
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    xml = [f"<w:footnotes {NS}>",
           '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p>'
           "</w:footnote>"]
    for index, pieces in enumerate(notes, start=1):
        xml.append(f'<w:footnote w:id="{index}"><w:p>'
                   f"{_pieces_xml([pieces] if isinstance(pieces, str) else pieces)}"
                   "</w:p></w:footnote>")
    xml.append("</w:footnotes>")
    part = Part(PackURI("/word/footnotes.xml"), CONTENT_TYPE.WML_FOOTNOTES,
                "".join(xml).encode("utf-8"), document.part.package)
    document.part.relate_to(part, RELATIONSHIP_TYPE.FOOTNOTES)


def from_text(path: Path, text: str, field: Any = None) -> Path:
    """A .docx of ``text``, one paragraph per line, with ``{{ name }}`` turned into a
    merge field: ``field(name)`` gives the piece (default a simple MERGEFIELD)."""
    import re

    make = field or (lambda name: simple(f" MERGEFIELD {name} \\* MERGEFORMAT ", f"«{name}»"))
    body: list[list[Any]] = []
    for line in text.splitlines():
        pieces: list[Any] = []
        cursor = 0
        for match in re.finditer(r"\{\{\s*(\w+)\s*\}\}", line):
            if match.start() > cursor:
                pieces.append(line[cursor:match.start()])
            pieces.append(make(match.group(1)))
            cursor = match.end()
        if cursor < len(line):
            pieces.append(line[cursor:])
        body.append(pieces)
    return build(path, body)
