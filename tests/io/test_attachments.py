"""Reading attachments: every place text hides in a PDF or a Word file is read,
and anything that cannot be read fails (never an empty, "clean" attachment)."""

from __future__ import annotations

from pathlib import Path

import pytest

from policylint.io.attachments import (
    AttachmentCache,
    AttachmentError,
    read_attachment,
    resolve,
    split_names,
)
from tests.io.attachment_files import (
    write_docx,
    write_pdf,
    write_pdf_form,
    write_pdf_with_annotation,
    write_raw_pdf,
)

ADDRESS = "Address: 14 Acacia Avenue, Fenmarsh PE30 4AB"


def hows(path: Path, password: str = "") -> list[tuple[str, int | None]]:
    return [(h.how, h.page) for h in read_attachment(path, password=password).hidden]


def test_pdf_text_is_read_page_by_page(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "a.pdf", [["Dear Ms Patel"], ["Page two", ADDRESS]])
    attachment = read_attachment(path)
    assert attachment.kind == "pdf" and not attachment.encrypted
    assert [p.where for p in attachment.parts] == ["page 1", "page 2"]
    assert "PE30 4AB" in attachment.parts[1].text and attachment.parts[1].page == 2
    assert attachment.hidden == ()


def test_black_box_over_text_layer_is_hidden_text_naming_the_page(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "a.pdf", [["Cover"], ["Dear Sir", ADDRESS]], boxed=[(1, 1)])
    attachment = read_attachment(path)
    assert [(h.how, h.page) for h in attachment.hidden] == [("under-box", 2)]
    assert "Acacia" in attachment.hidden[0].text
    assert "PE30 4AB" in attachment.parts[1].text  # still in the text layer


def test_box_over_part_of_a_line_is_found(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "a.pdf", [[ADDRESS]], boxed=[(0, 0)], box_from=9)
    hidden = read_attachment(path).hidden
    assert len(hidden) == 1 and "Acacia" in hidden[0].text


@pytest.mark.parametrize("kwargs", [
    {"removed": [(0, 1)]},  # a proper redaction: box drawn, text never in the file
    {"white_on_black": [(0, 0)]},  # a white heading on a black band is seen
    {"underline": [(0, 1)]},  # a thin rule under a line hides nothing
])
def test_no_hidden_text_when_nothing_is_hidden(tmp_path: Path, kwargs: dict[str, object]
                                               ) -> None:
    path = write_pdf(tmp_path / "a.pdf", [["Heading", ADDRESS]], **kwargs)
    attachment = read_attachment(path)
    assert attachment.hidden == ()


def test_removed_text_is_not_in_the_text_layer(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "a.pdf", [["Heading", ADDRESS]], removed=[(0, 1)])
    assert "Acacia" not in read_attachment(path).text


def test_unapplied_redact_annotation_and_black_square(tmp_path: Path) -> None:
    redact = write_pdf_with_annotation(tmp_path / "r.pdf", [ADDRESS], subtype="/Redact")
    square = write_pdf_with_annotation(tmp_path / "s.pdf", [ADDRESS], subtype="/Square")
    assert hows(redact) == [("redact-annotation", 1)]
    assert hows(square) == [("under-box", 1)]


def test_annotation_contents_and_form_fields_are_read(tmp_path: Path) -> None:
    note = write_pdf_with_annotation(tmp_path / "n.pdf", ["Letter"], subtype="/Text",
                                     contents="moved to 9 Elm Road")
    form = write_pdf_form(tmp_path / "f.pdf", "new_address", "9 Elm Road, PE31 6XY")
    assert "9 Elm Road" in read_attachment(note).text
    assert [h.how for h in read_attachment(note).hidden] == ["review-comment"]
    parts = read_attachment(form).parts
    assert any(p.where.startswith("form field") and "PE31 6XY" in p.text for p in parts)


def test_encrypted_pdf_is_read_with_its_password_and_refused_without(tmp_path: Path
                                                                      ) -> None:
    path = write_pdf(tmp_path / "e.pdf", [[ADDRESS]], password="Fen-2026")
    with pytest.raises(AttachmentError) as failed:
        read_attachment(path)
    assert failed.value.code == "encrypted-attachment"
    attachment = read_attachment(path, password="Fen-2026")
    assert attachment.encrypted and "PE30 4AB" in attachment.text


def test_docx_every_part_is_read(tmp_path: Path) -> None:
    path = write_docx(tmp_path / "a.docx", ["Dear Ms Patel", "Line two"],
                      table=[["Name", "Jo Bloggs"]], header="Ref HB-4471",
                      footer="Fenmarsh Council", comment="her new number 07700 900123",
                      inserted="inserted words")
    attachment = read_attachment(path)
    text = attachment.text
    for expected in ("Dear Ms Patel", "Jo Bloggs", "HB-4471", "Fenmarsh Council",
                     "07700 900123", "inserted words"):
        assert expected in text, expected
    assert any(p.where == "paragraph 1" for p in attachment.parts)
    assert any(p.where.startswith("comment") for p in attachment.parts)
    assert [h.how for h in attachment.hidden] == ["review-comment"]


@pytest.mark.parametrize(("kwargs", "how"), [
    ({"deleted": "14 Acacia Avenue"}, "tracked-deletion"),
    ({"black_highlight": "14 Acacia Avenue"}, "highlighted-black"),
    ({"hidden": "14 Acacia Avenue"}, "hidden-formatting"),
])
def test_docx_text_a_reader_does_not_see(tmp_path: Path, kwargs: dict[str, str],
                                         how: str) -> None:
    attachment = read_attachment(write_docx(tmp_path / "a.docx", ["Letter"], **kwargs))
    assert [(h.how, h.text) for h in attachment.hidden] == [(how, "14 Acacia Avenue")]


def test_docx_automatic_text_on_black_is_seen_not_hidden(tmp_path: Path) -> None:
    # Word shows "automatic" coloured text white on a black highlight.
    path = write_docx(tmp_path / "a.docx", ["Letter"], auto_on_black="Heading")
    assert read_attachment(path).hidden == ()


def test_encrypted_docx(tmp_path: Path) -> None:
    path = write_docx(tmp_path / "e.docx", ["Dear Ms Patel", ADDRESS], password="Fen-2026")
    with pytest.raises(AttachmentError) as failed:
        read_attachment(path)
    assert failed.value.code == "encrypted-attachment"
    with pytest.raises(AttachmentError):
        read_attachment(path, password="wrong")
    attachment = read_attachment(path, password="Fen-2026")
    assert attachment.encrypted and "PE30 4AB" in attachment.text


@pytest.mark.parametrize(("name", "content", "code"), [
    ("broken.pdf", b"%PDF-1.7\nthis is not a pdf", "unreadable-attachment"),
    ("broken.docx", b"PK\x03\x04 not really a zip", "unreadable-attachment"),
    ("letter.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "unsupported-attachment"),
    ("sheet.xlsx", b"PK\x03\x04", "unsupported-attachment"),
    ("notes.txt", b"hello", "unsupported-attachment"),
])
def test_unreadable_files_fail(tmp_path: Path, name: str, content: bytes, code: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(AttachmentError) as failed:
        read_attachment(path)
    assert failed.value.code == code


def test_cache_reads_each_file_once_and_remembers_failures(tmp_path: Path) -> None:
    write_pdf(tmp_path / "leaflet.pdf", [["Recycling leaflet"]])
    batch = str(tmp_path / "batch.csv")
    cache = AttachmentCache()
    for index in range(50):
        attachment = cache.load("leaflet.pdf", 1 + index % 2, batch)
        assert attachment.index == 1 + index % 2
    for _ in range(3):
        with pytest.raises(AttachmentError):
            cache.load("missing.pdf", 1, batch)
    assert cache.reads == 1  # missing files are stat'ed, never opened


def test_cache_stays_within_budget(tmp_path: Path) -> None:
    batch = str(tmp_path / "batch.csv")
    cache = AttachmentCache(budget=10)
    for n in range(3):
        write_pdf(tmp_path / f"{n}.pdf", [[f"letter number {n} with text"]])
        cache.load(f"{n}.pdf", 1, batch)
    assert len(cache._entries) == 1


def test_names_and_paths() -> None:
    assert split_names(" a.pdf ; sub/b.docx;; ") == ["a.pdf", "sub/b.docx"]
    assert resolve("a.pdf", "mail/batch.csv") == Path("mail/a.pdf")
    assert resolve("/abs/a.pdf", "mail/batch.csv") == Path("/abs/a.pdf")
    assert resolve("letters\\P-1.pdf", "mail/batch.csv") == Path("mail/letters/P-1.pdf")


def test_item_searchable_texts_name_positions_not_files(tmp_path: Path) -> None:
    from policylint.engine.rule import FieldMap, Item
    from policylint.model import Row

    write_pdf(tmp_path / "jo-bloggs.pdf", [["one"], ["two"]])
    attachment = AttachmentCache().load("jo-bloggs.pdf", 1, str(tmp_path / "b.csv"))
    row = Row(number=2, line=2, values={}, headers={}, file="b.csv")
    item = Item(row=row, fields=FieldMap(), channel="email", attachments=(attachment,))
    assert [w for w, _ in item.searchable_texts()] == [
        "in attachment 1 (page 1)", "in attachment 1 (page 2)"]
    assert list(item.attachment_texts()) == list(item.searchable_texts())
    # Sent as one text: every part, in order (the rendered text first, when there is one).
    assert item.sent_text() == "\n".join(part for _, part in item.searchable_texts())
    assert "one" in item.sent_text() and "two" in item.sent_text()
    alone = Item(row=row, fields=FieldMap(), channel="email")
    assert alone.sent_text() == ""


def test_scanned_page_without_text_layer_cannot_pass(tmp_path: Path) -> None:
    import io

    # A 2x2 black-and-white "scan" (a PNG made by hand: no image library needed).
    import struct
    import zlib

    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 0, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(b"\x00\x00\xff\x00\xff\x00")) + chunk(b"IEND", b""))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.drawString(72, 760, "Covering page")
    pdf.showPage()
    pdf.drawImage(ImageReader(io.BytesIO(png)), 72, 72, 400, 600)
    pdf.showPage()
    pdf.save()
    path = tmp_path / "scan.pdf"
    path.write_bytes(buffer.getvalue())
    with pytest.raises(AttachmentError) as failed:
        read_attachment(path)
    assert failed.value.code == "unreadable-attachment" and "page 2" in failed.value.reason


def test_blank_page_is_not_a_scan(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "a.pdf", [["Bundle"], [], ["End"]])
    assert [p.where for p in read_attachment(path).parts] == ["page 1", "page 2", "page 3"]


def test_owner_password_only_pdf_is_read_but_not_protected(tmp_path: Path) -> None:
    # Print/copy restrictions without a password to open: anyone can read it.
    path = write_pdf(tmp_path / "o.pdf", [[ADDRESS]], password="")
    attachment = read_attachment(path)
    assert not attachment.encrypted and "PE30 4AB" in attachment.text


TEXT = b"BT /F1 12 Tf 72 700 Td (14 Acacia Avenue PE30 4AB) Tj ET "


@pytest.mark.parametrize("content", [
    # kerned text as word processors write it
    b"BT /F1 12 Tf 72 700 Td [(14 Aca) -20 (cia Avenue PE30 4AB)] TJ ET 0 g 70 695 250 15 re f",
    # the box drawn as a path, in CMYK black
    TEXT + b"0 0 0 1 k 70 695 m 320 695 l 320 710 l 70 710 l h f",
    # white-out: an opaque white box painted over the text
    TEXT + b"1 1 1 rg 70 695 250 15 re f",
    # black text on a black box painted first (black on black)
    b"0 g 70 695 250 15 re f BT /F1 12 Tf 72 700 Td (14 Acacia Avenue PE30 4AB) Tj ET",
    # a y-flipped page, as some converters write
    b"q 1 0 0 -1 0 792 cm BT /F1 12 Tf 1 0 0 -1 72 92 Tm (14 Acacia Avenue PE30 4AB) Tj ET "
    b"0 g 70 82 250 15 re f Q",
])
def test_boxes_over_text_however_the_pdf_was_written(tmp_path: Path, content: bytes) -> None:
    path = write_raw_pdf(tmp_path / "a.pdf", content)
    attachment = read_attachment(path)
    assert "Acacia" in attachment.text and [h.how for h in attachment.hidden] == ["under-box"]


def test_text_in_a_form_xobject_under_a_box(tmp_path: Path) -> None:
    path = write_raw_pdf(tmp_path / "a.pdf", b"q /X1 Do Q 0 g 70 695 250 15 re f",
                         xobject=TEXT)
    assert [h.how for h in read_attachment(path).hidden] == ["under-box"]


@pytest.mark.parametrize("content", [
    TEXT + b"0 g 70 600 250 15 re f",  # a box elsewhere on the page
    b"0.8 g 70 695 250 15 re f " + TEXT,  # table shading painted before its text
    b"0 g 70 695 250 15 re f BT 1 g /F1 12 Tf 72 700 Td (Heading) Tj ET",  # white on black
    TEXT + b"0 g 70 695 m 320 695 l 320 710 l 70 710 l S",  # an outline, not filled
    TEXT + b"0 g 70 695 m 120 710 l 320 695 l h f",  # a triangle
])
def test_no_box_over_text(tmp_path: Path, content: bytes) -> None:
    assert read_attachment(write_raw_pdf(tmp_path / "a.pdf", content)).hidden == ()


@pytest.mark.parametrize("state", [b"/Half", b"/Mul"])
def test_see_through_highlight_over_text_hides_nothing(tmp_path: Path, state: bytes) -> None:
    content = TEXT + b"q " + state + b" gs 1 1 0 rg 70 695 250 15 re f Q"
    path = write_raw_pdf(tmp_path / "a.pdf", content, see_through=True)
    assert read_attachment(path).hidden == ()
    opaque = write_raw_pdf(tmp_path / "b.pdf", TEXT + b"q " + state + b" gs Q 0 g 70 695 250 15 "
                           b"re f", see_through=True)
    assert [h.how for h in read_attachment(opaque).hidden] == ["under-box"]


def test_document_properties_are_read(tmp_path: Path) -> None:
    import io

    from docx import Document
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(write_pdf(tmp_path / "a.pdf", [["Letter"]])))
    writer.add_metadata({"/Title": "Letter re Dana Whitlock"})
    with (tmp_path / "b.pdf").open("wb") as handle:
        writer.write(handle)
    parts = read_attachment(tmp_path / "b.pdf").parts
    assert [p.text for p in parts if p.where == "document properties"] == [
        "Letter re Dana Whitlock"]
    document = Document()
    document.add_paragraph("Letter")
    document.core_properties.subject = "Whitlock family"
    buffer = io.BytesIO()
    document.save(buffer)
    (tmp_path / "c.docx").write_bytes(buffer.getvalue())
    assert "Whitlock family" in read_attachment(tmp_path / "c.docx").text


def test_files_embedded_in_a_pdf_cannot_pass(tmp_path: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(write_pdf(tmp_path / "a.pdf", [["Letter"]])))
    writer.add_attachment("everyone.csv", b"name,address\n")
    with (tmp_path / "b.pdf").open("wb") as handle:
        writer.write(handle)
    with pytest.raises(AttachmentError, match="embedded"):
        read_attachment(tmp_path / "b.pdf")
