"""Build the attachments the tests need (no binary blobs in the repository).

PDFs are drawn with reportlab: text, then optionally a filled black rectangle
over a line (the classic failed redaction); a proper redaction draws the box
and never the text. Word files are built with python-docx, with tracked changes
and black highlighting added as the XML Word itself writes.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

from docx import Document
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

LINE_HEIGHT = 20
TOP = 760
LEFT = 72


def _line_y(index: int) -> int:
    return TOP - index * LINE_HEIGHT


def pdf_bytes(pages: Sequence[Sequence[str]], *, boxed: Sequence[tuple[int, int]] = (),
              removed: Sequence[tuple[int, int]] = (), white_on_black: Sequence[
                  tuple[int, int]] = (), underline: Sequence[tuple[int, int]] = (),
              box_from: int = 0) -> bytes:
    """A PDF: ``pages`` of lines. ``boxed`` (page, line) pairs get a black box drawn
    over them after the text (text still in the text layer); ``removed`` pairs get
    the box but no text (a proper redaction). ``box_from`` starts the box that many
    characters into the line. ``white_on_black`` draws a black band, then the line
    in white on it (a heading). ``underline`` draws a thin black rule under a line."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    for page_index, lines in enumerate(pages):
        for line_index, line in enumerate(lines):
            key = (page_index, line_index)
            y = _line_y(line_index)
            if key in white_on_black:
                pdf.setFillColorRGB(0, 0, 0)
                pdf.rect(LEFT - 4, y - 4, 400, 18, fill=1, stroke=0)
                pdf.setFillColorRGB(1, 1, 1)
                pdf.setFont("Helvetica", 12)
                pdf.drawString(LEFT, y, line)
                pdf.setFillColorRGB(0, 0, 0)
                continue
            pdf.setFont("Helvetica", 12)
            if key not in removed:
                pdf.drawString(LEFT, y, line)
            if key in boxed or key in removed:
                pdf.setFillColorRGB(0, 0, 0)
                x = LEFT + pdf.stringWidth(line[:box_from], "Helvetica", 12)
                width = pdf.stringWidth(line[box_from:], "Helvetica", 12)
                pdf.rect(x - 1, y - 3, width + 2, 15, fill=1, stroke=0)
            if key in underline:
                pdf.setFillColorRGB(0, 0, 0)
                pdf.rect(LEFT, y - 2, pdf.stringWidth(line, "Helvetica", 12), 0.6,
                         fill=1, stroke=0)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def write_pdf(path: Path, pages: Sequence[Sequence[str]], *, password: str | None = None,
              **kwargs: object) -> Path:
    data = pdf_bytes(pages, **kwargs)  # type: ignore[arg-type]
    if password is not None:
        from pypdf import PdfReader, PdfWriter

        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
        writer.encrypt(user_password=password, owner_password=password + "-owner",
                       algorithm="AES-256")
        out = io.BytesIO()
        writer.write(out)
        data = out.getvalue()
    path.write_bytes(data)
    return path


def write_pdf_with_annotation(path: Path, lines: Sequence[str], *, subtype: str,
                              line: int = 0, contents: str = "") -> Path:
    """A PDF with an annotation over ``line``: a /Redact that was never applied, a
    black /Square, or a /Text note carrying ``contents``."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import (
        ArrayObject,
        DictionaryObject,
        FloatObject,
        NameObject,
        TextStringObject,
    )

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes([lines]))))
    y = _line_y(line)
    annot = DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"),
        NameObject("/Subtype"): NameObject(subtype),
        NameObject("/Rect"): ArrayObject([FloatObject(v) for v in
                                          (LEFT - 2, y - 4, LEFT + 300, y + 12)]),
    })
    if subtype == "/Square":
        annot[NameObject("/IC")] = ArrayObject([FloatObject(0), FloatObject(0),
                                                FloatObject(0)])
    if contents:
        annot[NameObject("/Contents")] = TextStringObject(contents)
    writer.add_annotation(0, annot)
    with path.open("wb") as handle:
        writer.write(handle)
    return path


def write_pdf_form(path: Path, field: str, value: str) -> Path:
    """A PDF whose form field ``field`` holds ``value`` (not drawn in the page text)."""
    from reportlab.lib.colors import white

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.drawString(LEFT, TOP, "Application form")
    pdf.acroForm.textfield(name=field, value=value, x=LEFT, y=TOP - 60, width=300,
                           height=20, fillColor=white)
    pdf.showPage()
    pdf.save()
    path.write_bytes(buffer.getvalue())
    return path


_W = nsdecls("w")


def write_docx(path: Path, paragraphs: Sequence[str] = (), *, table: Sequence[Sequence[str]] = (),
               header: str = "", footer: str = "", comment: str = "",
               inserted: str = "", deleted: str = "", black_highlight: str = "",
               auto_on_black: str = "", hidden: str = "", password: str | None = None
               ) -> Path:
    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, cells in enumerate(table):
            for c, text in enumerate(cells):
                grid.cell(r, c).text = text
    section = document.sections[0]
    if header:
        section.header.paragraphs[0].text = header
    if footer:
        section.footer.paragraphs[0].text = footer
    if comment:
        anchor = document.add_paragraph("See note")
        document.add_comment(anchor.runs, text=comment, author="Case worker")
    if inserted or deleted:
        p = document.add_paragraph("Tracked: ")
        if inserted:
            p._p.append(parse_xml(
                f'<w:ins {_W} w:id="1" w:author="x" w:date="2026-01-01T00:00:00Z">'
                f"<w:r><w:t xml:space=\"preserve\">{inserted}</w:t></w:r></w:ins>"))
        if deleted:
            p._p.append(parse_xml(
                f'<w:del {_W} w:id="2" w:author="x" w:date="2026-01-01T00:00:00Z">'
                f"<w:r><w:delText xml:space=\"preserve\">{deleted}</w:delText></w:r></w:del>"))
    for text, colour, props in ((black_highlight, "000000", ""), (auto_on_black, "", ""),
                                (hidden, "", "<w:vanish/>")):
        if not text:
            continue
        p = document.add_paragraph("Note: ")
        if props:
            rpr = props
        else:
            rpr = '<w:highlight w:val="black"/>' + (
                f'<w:color w:val="{colour}"/>' if colour else "")
        p._p.append(parse_xml(
            f"<w:r {_W}><w:rPr>{rpr}</w:rPr><w:t xml:space=\"preserve\">{text}</w:t></w:r>"))
    if password is None:
        document.save(str(path))
        return path
    plain = io.BytesIO()
    document.save(plain)
    plain.seek(0)
    from msoffcrypto.format.ooxml import OOXMLFile

    office = OOXMLFile(plain)
    with path.open("wb") as handle:
        office.encrypt(password, handle)
    return path


def write_raw_pdf(path: Path, content: bytes, *, xobject: bytes | None = None,
                  see_through: bool = False) -> Path:
    """A one-page PDF whose content stream is ``content`` (PDF operators, written out
    by hand as other producers write them: TJ arrays, paths, flipped axes); font /F1
    is Helvetica, ``xobject`` (if given) is a form drawn by ``/X1 Do``, and with
    ``see_through`` graphics states /Half (50% fill alpha) and /Mul (multiply blend)
    exist, as highlighters use."""
    from pypdf import PdfWriter
    from pypdf.generic import (
        ArrayObject,
        DecodedStreamObject,
        DictionaryObject,
        NameObject,
        NumberObject,
    )

    writer = PdfWriter()
    page = writer.add_blank_page(612, 792)
    font = DictionaryObject({NameObject("/Type"): NameObject("/Font"),
                             NameObject("/Subtype"): NameObject("/Type1"),
                             NameObject("/BaseFont"): NameObject("/Helvetica")})
    resources = DictionaryObject({NameObject("/Font"): DictionaryObject(
        {NameObject("/F1"): writer._add_object(font)})})
    if xobject is not None:
        form = DecodedStreamObject()
        form.set_data(xobject)
        form.update({NameObject("/Type"): NameObject("/XObject"),
                     NameObject("/Subtype"): NameObject("/Form"),
                     NameObject("/BBox"): ArrayObject([NumberObject(v) for v in
                                                       (0, 0, 612, 792)]),
                     NameObject("/Resources"): resources})
        resources[NameObject("/XObject")] = DictionaryObject(
            {NameObject("/X1"): writer._add_object(form)})
    if see_through:
        from pypdf.generic import FloatObject

        resources[NameObject("/ExtGState")] = DictionaryObject({
            NameObject("/Half"): DictionaryObject({NameObject("/ca"): FloatObject(0.5)}),
            NameObject("/Mul"): DictionaryObject({NameObject("/BM"): NameObject("/Multiply")}),
        })
    page[NameObject("/Resources")] = resources
    stream = DecodedStreamObject()
    stream.set_data(content)
    page[NameObject("/Contents")] = writer._add_object(stream)
    with path.open("wb") as handle:
        writer.write(handle)
    return path
