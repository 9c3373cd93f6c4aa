"""Attachments: the PDF and Word files that go with an item (DESIGN §1).

A batch's ``attachments`` column names files (``;``-separated, relative to the
batch file). Each is read into :class:`Attachment`: its text in parts with
positions (``page 3``, ``paragraph 12``, ``header``, ``comment 1``), whether it
is encrypted, and the text a reader cannot see but a copy-and-paste can (text
under a black box, a redaction marked but never applied, a tracked deletion,
text blacked out with highlighting).

Reading fails closed: a file that is missing, of a kind we cannot read, corrupt,
or encrypted with a password we were not given raises :class:`AttachmentError`,
and the engine reports the item as not checked. Each file is read once per run
(:class:`AttachmentCache`), however many rows name it; PDFs are read page by page
from the open file rather than loaded whole.

pypdf (extra ``pdf``), python-docx (extra ``word``) and msoffcrypto-tool (extra
``word``, for encrypted Office files) are imported only when a file of that kind
turns up; a missing one is one clear line naming the extra.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, ClassVar

from policylint.errors import PolicylintError

# A file beyond this is refused (not skipped): a 200 MB PDF is not a letter.
MAX_ATTACHMENT_BYTES = 200 * 1024 * 1024
# Extracted text kept in the per-run cache, in characters, before the least
# recently used files are dropped (and read again if a later row names them).
CACHE_BUDGET_CHARS = 64 * 1024 * 1024

PDF_SUFFIXES = (".pdf",)
WORD_SUFFIXES = (".docx", ".docm")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class AttachmentError(Exception):
    """An attachment that cannot be read completely; ``reason`` never quotes its content."""

    def __init__(self, code: str, reason: str) -> None:
        self.code = code
        self.reason = reason
        super().__init__(reason)


class MissingExtra(PolicylintError):
    """A library for reading attachments is not installed: exit 2 naming the extra."""


@dataclass(frozen=True)
class Part:
    """Some text of an attachment and where it is (``page 2``, ``paragraph 14``...)."""

    where: str
    text: str
    page: int | None = None


@dataclass(frozen=True)
class Hidden:
    """Text a reader does not see but the file still holds.

    ``how``: ``under-box`` (a filled dark rectangle drawn over text in a PDF's
    text layer), ``redact-annotation`` (a redaction marked but not applied),
    ``tracked-deletion`` (Word), ``highlighted-black`` (Word text blacked out
    with highlighting or shading), ``hidden-formatting`` (Word's hidden text),
    ``review-comment`` (a Word comment or a PDF sticky note, sent with the file).
    """

    how: str
    where: str
    text: str
    page: int | None = None


@dataclass(frozen=True)
class Attachment:
    """One attachment as the rules see it."""

    name: str  # as written in the batch
    index: int  # 1-based position in the row's attachments column
    kind: str  # pdf | docx | link (a URL: not read)
    encrypted: bool
    parts: tuple[Part, ...] = ()
    hidden: tuple[Hidden, ...] = ()
    size: int = 0

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.parts)

    def chars(self) -> int:
        return sum(len(p.text) for p in self.parts) + sum(len(h.text) for h in self.hidden)


def split_names(cell: str) -> list[str]:
    """The file names in an ``attachments`` cell (``;``-separated, blanks ignored)."""
    return [name.strip() for name in cell.split(";") if name.strip()]


def is_link(name: str) -> bool:
    """An attachments entry that is a link (``https://portal.example.gov.uk/d/123``)."""
    return bool(_LINK_RE.match(name))


_LINK_RE = re.compile(r"^https?://", re.IGNORECASE)
_SCHEME_RE = re.compile(r"^[a-z][a-z0-9+.-]+:(?://)?", re.IGNORECASE)


def resolve(name: str, batch_file: str) -> Path:
    """A batch's attachment path: relative names resolve against the batch's folder.
    Backslashes (a batch written on Windows: ``letters\\P-1.pdf``) are separators."""
    if os.sep == "/" and "\\" in name:
        name = name.replace("\\", "/")
    path = Path(os.path.expanduser(name))
    if path.is_absolute():
        return path
    return Path(batch_file).parent / path


# --- the per-run cache ------------------------------------------------------------


@dataclass
class _Entry:
    attachment: Attachment | None
    error: AttachmentError | None
    chars: int = 0


@dataclass
class AttachmentCache:
    """Reads each file once per run; keyed by real path, size, mtime and password.

    Failures are cached too, so a missing leaflet named by 20,000 rows is looked
    for once (and reported for every row). Least recently used text is dropped
    beyond ``budget`` characters so memory stays bounded.
    """

    budget: int = CACHE_BUDGET_CHARS
    reads: int = 0  # files actually opened (for tests: once per file per run)
    _entries: OrderedDict[tuple[str, int, int, str], _Entry] = field(
        default_factory=OrderedDict)
    _chars: int = 0

    def load(self, name: str, index: int, batch_file: str, password: str = "") -> Attachment:
        """The attachment ``name`` of a row in ``batch_file``; raises AttachmentError."""
        if is_link(name):
            # A link to a portal is not read: what it serves is behind a login
            # (secure-delivery checks that it is a portal the policy allows).
            return Attachment(name=name, index=index, kind="link", encrypted=False)
        if _SCHEME_RE.match(name):
            raise AttachmentError("unsupported-attachment",
                                  "only files and http(s) links can be attachments")
        path = resolve(name, batch_file)
        try:
            stat = path.stat()
            real = str(path.resolve())
        except FileNotFoundError:
            raise AttachmentError("missing-attachment", "the file does not exist") from None
        except OSError as exc:
            raise AttachmentError("unreadable-attachment",
                                  f"cannot open it ({exc.strerror or type(exc).__name__})"
                                  ) from None
        if not path.is_file():
            raise AttachmentError("unreadable-attachment", "it is not a regular file")
        key = (real, stat.st_size, stat.st_mtime_ns, password)
        entry = self._entries.get(key)
        if entry is None:
            self.reads += 1
            try:
                attachment = read_attachment(path, name=name, index=1, password=password,
                                             size=stat.st_size)
                entry = _Entry(attachment, None, attachment.chars())
            except AttachmentError as exc:
                entry = _Entry(None, exc)
            self._entries[key] = entry
            self._chars += entry.chars
            self._evict()
        else:
            self._entries.move_to_end(key)
        if entry.error is not None:
            raise entry.error
        assert entry.attachment is not None
        found = entry.attachment
        if found.name != name or found.index != index:
            found = Attachment(name=name, index=index, kind=found.kind,
                               encrypted=found.encrypted, parts=found.parts,
                               hidden=found.hidden, size=found.size)
        return found

    def _evict(self) -> None:
        while self._chars > self.budget and len(self._entries) > 1:
            _, old = self._entries.popitem(last=False)
            self._chars -= old.chars


def read_attachment(path: Path, *, name: str = "", index: int = 1, password: str = "",
                    size: int | None = None) -> Attachment:
    """Read one file (PDF or Word) into an :class:`Attachment`; raises AttachmentError."""
    size = path.stat().st_size if size is None else size
    if size > MAX_ATTACHMENT_BYTES:
        raise AttachmentError("unreadable-attachment",
                              f"it is larger than {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB")
    suffix = path.suffix.lower()
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
            handle.seek(0)
            if suffix in PDF_SUFFIXES or head.startswith(b"%PDF"):
                return _read_pdf(handle, name or path.name, index, password, size)
            if suffix in WORD_SUFFIXES:
                return _read_word(handle, head, name or path.name, index, password, size)
    except OSError as exc:
        raise AttachmentError("unreadable-attachment",
                              f"cannot read it ({exc.strerror or type(exc).__name__})") from None
    raise AttachmentError(
        "unsupported-attachment",
        f"'{suffix or 'no extension'}' files cannot be checked (PDF and .docx can)")


# --- PDF --------------------------------------------------------------------------


def _pypdf() -> Any:
    try:
        import pypdf
    except ImportError:
        raise MissingExtra("reading PDF attachments needs the 'pdf' extra: "
                           "pip install 'policylint[pdf]'") from None
    return pypdf


def _read_pdf(handle: IO[bytes], name: str, index: int, password: str,
              size: int) -> Attachment:
    pypdf = _pypdf()
    try:
        reader = pypdf.PdfReader(handle, strict=False)
        # "Encrypted" here means what protects the content: a password is needed to
        # open it. A file with only an owner password (print/copy restrictions)
        # opens for anyone, so it is not protected.
        encrypted = False
        if reader.is_encrypted and not _pdf_decrypt(reader, ""):
            if not password or not _pdf_decrypt(reader, password):
                raise AttachmentError(
                    "encrypted-attachment",
                    "it is encrypted and could not be opened to check its content: give "
                    "its password in the batch's attachment_password column")
            encrypted = True
        parts: list[Part] = []
        hidden: list[Hidden] = []
        for number, page in enumerate(reader.pages, start=1):
            page_parts, page_hidden = _pdf_page(page, number)
            if not any(p.text.strip() for p in page_parts) and _has_images(page):
                # A scanned page: what it says cannot be searched, so it cannot pass.
                raise AttachmentError(
                    "unreadable-attachment",
                    f"page {number} is an image with no text layer (a scan), so its "
                    "content cannot be checked: run OCR on it or send it as text")
            parts.extend(page_parts)
            hidden.extend(page_hidden)
        for field_name, value in _pdf_fields(reader):
            parts.append(Part(where=f"form field '{field_name[:40]}'", text=value))
        properties = _pdf_properties(reader)
        if properties:
            parts.append(Part(where="document properties", text=properties))
        embedded = len(reader.attachments)
        if embedded:
            # Files inside the PDF (a spreadsheet, another letter) are not read.
            raise AttachmentError(
                "unreadable-attachment",
                f"it carries {embedded} embedded file(s), which cannot be checked: "
                "remove them or send them as attachments of their own")
    except AttachmentError:
        raise
    except Exception as exc:  # any parser failure: the file is not readable
        raise AttachmentError(
            "unreadable-attachment",
            f"it is not a readable PDF ({type(exc).__name__})") from None
    return Attachment(name=name, index=index, kind="pdf", encrypted=encrypted,
                      parts=tuple(parts), hidden=tuple(hidden), size=size)


def _pdf_decrypt(reader: Any, password: str) -> bool:
    try:
        return bool(reader.decrypt(password))
    except Exception as exc:  # a cipher pypdf cannot handle without an extra library
        raise AttachmentError(
            "encrypted-attachment",
            f"it is encrypted in a way that cannot be opened here ({type(exc).__name__}); "
            "install policylint[pdf] with its cryptography dependency") from None


def _pdf_properties(reader: Any) -> str:
    """Title, subject and keywords: a title such as "Letter re <name>" travels with
    the file and shows in every PDF viewer's window."""
    info = reader.metadata or {}
    values = (str(info.get(k) or "").strip() for k in ("/Title", "/Subject", "/Keywords"))
    return "\n".join(v for v in values if v and v.lower() not in _PLACEHOLDER_PROPERTIES)


# What PDF producers write when nobody set a title (reportlab, Word, scanners).
_PLACEHOLDER_PROPERTIES = frozenset({"untitled", "unspecified", "anonymous", "(anonymous)",
                                     "none", "unknown"})


def _pdf_fields(reader: Any) -> Iterator[tuple[str, str]]:
    fields = reader.get_fields() or {}
    for field_name, spec in fields.items():
        value = spec.get("/V") if hasattr(spec, "get") else None
        if value is None:
            continue
        text = value if isinstance(value, str) else str(value)
        if text.strip():
            yield str(field_name), text


def _luminance(colour: Sequence[float], space: str) -> float:
    """0 (black) .. 1 (white) for a fill colour in DeviceGray, RGB or CMYK."""
    try:
        values = [float(v) for v in colour]
    except (TypeError, ValueError):
        return 1.0
    if space == "gray" and len(values) == 1:
        return values[0]
    if space == "rgb" and len(values) == 3:
        r, g, b = values
        return 0.299 * r + 0.587 * g + 0.114 * b
    if space == "cmyk" and len(values) == 4:
        c, m, y, k = values
        return (1 - min(1.0, c + k)) * 0.299 + (1 - min(1.0, m + k)) * 0.587 + (
            1 - min(1.0, y + k)) * 0.114
    return 1.0


_DARK = 0.25
# Height bands (points) text is indexed by; a box looks one band below it too, since
# it may cover text whose baseline is a little lower than its bottom edge.
_BAND = 24.0
# A rectangle must cover the body of the glyphs (not just an underline or a rule).
_MIN_COVER = 0.6


@dataclass
class _Chunk:
    text: str
    x: float
    y: float
    size: float
    dark: bool
    seq: int
    hidden: str = ""  # the part of the text a box hides
    advance: float = 0.5  # average glyph width, in font sizes

    @property
    def width(self) -> float:
        return max(1, len(self.text.strip())) * self.size * self.advance


@dataclass
class _Box:
    x0: float
    y0: float
    x1: float
    y1: float
    seq: int


def _apply(matrix: Sequence[float], x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = (float(v) for v in matrix[:6])
    return a * x + c * y + e, b * x + d * y + f


def _mult(m: Sequence[float], n: Sequence[float]) -> list[float]:
    a, b, c, d, e, f = (float(v) for v in m[:6])
    g, h, i, j, k, l_ = (float(v) for v in n[:6])
    return [a * g + b * i, a * h + b * j, c * g + d * i, c * h + d * j,
            e * g + f * i + k, e * h + f * j + l_]


def _advance(font: Any, text: str) -> float:
    """The text's average glyph width in font sizes, from the font's /Widths when it
    has them (simple fonts, as word processors embed); else half the font size."""
    try:
        widths = font["/Widths"]
        widths = widths.get_object() if hasattr(widths, "get_object") else widths
        first = int(font["/FirstChar"])
        missing = float(font.get("/FontDescriptor", {}).get("/MissingWidth", 500))
        stripped = text.strip()
        total = 0.0
        for char in stripped:
            code = ord(char) - first
            total += float(widths[code]) if 0 <= code < len(widths) else missing
        return max(0.2, min(1.2, total / 1000 / max(1, len(stripped))))
    except Exception:  # no widths (standard fonts, CID fonts): an average
        return 0.5


def _covers(box: _Box, chunk: _Chunk) -> str:
    """The part of ``chunk``'s text that ``box`` covers ("" when it does not cover the
    body of at least about two characters: an underline or a rule hides nothing)."""
    size = chunk.size
    if box.y0 > chunk.y + 0.15 * size or box.y1 < chunk.y + _MIN_COVER * size:
        return ""
    width = chunk.width
    overlap = min(box.x1, chunk.x + width) - max(box.x0, chunk.x)
    if overlap < min(width, size):
        return ""
    stripped = chunk.text.strip()
    step = size * chunk.advance
    start = max(0, int((box.x0 - chunk.x) / step))
    end = int((box.x1 - chunk.x) / step) + 1
    return stripped[start:end] or stripped


class _PageScan:
    """Walks a page's drawing operations in order and finds text that a box hides.

    Hidden: text with an opaque filled box painted over it afterwards (a black
    redaction box, or white-out), and dark text on a dark box painted before it
    (black on black). A white heading on a black band, table shading painted
    before its text, an underline, and see-through highlighting are not hidden.
    """

    _FILL_OPS: ClassVar[frozenset[bytes]] = frozenset(
        {b"f", b"F", b"f*", b"B", b"B*", b"b", b"b*"})

    def __init__(self, ext_states: Any = None) -> None:
        self.chunks: list[_Chunk] = []
        self.bands: dict[int, list[_Chunk]] = {}  # chunks by baseline height band
        self.dark_boxes: list[_Box] = []
        self.seq = 0
        # (colour space, components, opaque): the non-stroking fill state.
        self.fill: tuple[str, list[float], bool] = ("gray", [0.0], True)
        self.stack: list[tuple[str, list[float], bool]] = []
        self.rects: list[tuple[float, float, float, float]] = []
        self.text_dark = True
        self.path: list[tuple[float, float]] | None = None
        self.ext_states = ext_states

    def _close_path(self) -> None:
        """An axis-aligned four-cornered path becomes a rectangle."""
        path, self.path = self.path, None
        if path is None or not 4 <= len(path) <= 5:
            return
        xs = sorted({round(p[0], 1) for p in path})
        ys = sorted({round(p[1], 1) for p in path})
        if len(xs) == 2 and len(ys) == 2:
            self.rects.append((xs[0], ys[0], xs[1], ys[1]))

    def _opaque(self, name: Any) -> bool:
        """False when graphics state ``name`` makes fills see-through (alpha, blend)."""
        try:
            states = self.ext_states.get_object() if hasattr(
                self.ext_states, "get_object") else self.ext_states
            state = states[name].get_object()
            alpha = float(state.get("/ca", 1))
            blend = state.get("/BM")
            blend = blend[0] if isinstance(blend, list) and blend else blend
            return alpha >= 0.99 and str(blend or "/Normal") in ("/Normal", "/Compatible")
        except Exception:  # no such state: as drawn so far
            return self.fill[2]

    def before(self, op: bytes, args: list[Any], cm: list[float], tm: list[float]) -> None:
        self.seq += 1
        if op == b"q":
            self.stack.append(self.fill)
        elif op == b"Q":
            if self.stack:
                self.fill = self.stack.pop()
        elif op in (b"g", b"rg", b"k"):
            space = {b"g": "gray", b"rg": "rgb", b"k": "cmyk"}[op]
            self.fill = (space, [float(a) for a in args if isinstance(a, (int, float))],
                         self.fill[2])
        elif op in (b"sc", b"scn"):
            numbers = [float(a) for a in args if isinstance(a, (int, float))]
            space = {1: "gray", 3: "rgb", 4: "cmyk"}.get(len(numbers), "")
            self.fill = (space, numbers, self.fill[2])
        elif op == b"gs" and args:
            self.fill = (self.fill[0], self.fill[1], self._opaque(args[0]))
        elif op == b"re" and len(args) == 4:
            x, y, w, h = (float(a) for a in args)
            corners = [_apply(cm, x, y), _apply(cm, x + w, y + h)]
            xs = [p[0] for p in corners]
            ys = [p[1] for p in corners]
            self.rects.append((min(xs), min(ys), max(xs), max(ys)))
        elif op == b"m" and len(args) == 2:
            # A box drawn as a path (move, three lines, close) is a box too.
            self.path = [_apply(cm, float(args[0]), float(args[1]))]
        elif op == b"l" and len(args) == 2 and self.path is not None:
            self.path.append(_apply(cm, float(args[0]), float(args[1])))
        elif op in (b"c", b"v", b"y"):
            self.path = None  # curves: not a box
        elif op == b"h":
            self._close_path()
        elif op in self._FILL_OPS:
            self._close_path()
            self._filled()
        elif op in (b"n", b"S", b"s"):
            self.rects = []
            self.path = None
        elif op in (b"Tj", b"TJ", b"'", b'"'):
            self.text_dark = _luminance(self.fill[1], self.fill[0]) < _DARK

    def _filled(self) -> None:
        rects, self.rects = self.rects, []
        space, colour, opaque = self.fill
        if not opaque:
            return
        dark = _luminance(colour, space) < _DARK
        for x0, y0, x1, y1 in rects:
            box = _Box(x0, y0, x1, y1, self.seq)
            # Painted over text drawn before it: that text is hidden, whatever the colour.
            # Only text whose baseline is near the box's height can be under it: looked
            # up by height band, so a dense table is not every box against every word.
            low = int((y0 - _BAND) // _BAND)
            high = int(y1 // _BAND)
            bands = (range(low, high + 1) if high - low < len(self.bands)
                     else list(self.bands))
            for band in bands:
                for chunk in self.bands.get(band, ()):
                    if not chunk.hidden:
                        chunk.hidden = _covers(box, chunk)
            if dark:
                self.dark_boxes.append(box)

    def text(self, text: str, cm: list[float], tm: list[float], font: Any,
             size: float) -> None:
        if not text.strip():
            return
        matrix = _mult(tm, cm)
        scale = (matrix[2] ** 2 + matrix[3] ** 2) ** 0.5 or 1.0
        chunk = _Chunk(text, matrix[4], matrix[5], float(size or 1.0) * scale,
                       self.text_dark, self.seq, advance=_advance(font, text))
        if chunk.dark:  # dark text on a dark box painted earlier: black on black
            for box in self.dark_boxes:
                chunk.hidden = _covers(box, chunk)
                if chunk.hidden:
                    break
        self.chunks.append(chunk)
        self.bands.setdefault(int(chunk.y // _BAND), []).append(chunk)

    def covered(self) -> list[str]:
        return [chunk.hidden for chunk in self.chunks if chunk.hidden]


def _has_images(page: Any, depth: int = 0) -> bool:
    """Does the page draw an image (directly or inside a form XObject)?"""
    resources: Any = page.get("/Resources") if hasattr(page, "get") else None
    resources = resources.get_object() if hasattr(resources, "get_object") else resources
    if not resources or depth > 3:
        return False
    xobjects = resources.get("/XObject")
    xobjects = xobjects.get_object() if hasattr(xobjects, "get_object") else xobjects
    for ref in (xobjects or {}).values():
        xobject = ref.get_object() if hasattr(ref, "get_object") else ref
        subtype = xobject.get("/Subtype")
        if subtype == "/Image" or (subtype == "/Form" and _has_images(xobject, depth + 1)):
            return True
    return False


def _annotations(page: Any) -> Iterator[dict[str, Any]]:
    annots = page.get("/Annots")
    if annots is None:
        return
    for ref in annots.get_object() if hasattr(annots, "get_object") else annots:
        annot = ref.get_object() if hasattr(ref, "get_object") else ref
        if hasattr(annot, "get"):
            yield annot


def _inside(rect: Sequence[float], x: float, y: float, size: float) -> bool:
    x0, y0, x1, y1 = (float(v) for v in rect[:4])
    x0, x1 = min(x0, x1), max(x0, x1)
    y0, y1 = min(y0, y1), max(y0, y1)
    return x0 - size <= x <= x1 and y0 - 0.3 * size <= y <= y1


def _pdf_page(page: Any, number: int) -> tuple[list[Part], list[Hidden]]:
    resources = page.get("/Resources")
    resources = resources.get_object() if hasattr(resources, "get_object") else resources
    scan = _PageScan(resources.get("/ExtGState") if resources else None)
    text = page.extract_text(visitor_operand_before=scan.before, visitor_text=scan.text) or ""
    where = f"page {number}"
    parts = [Part(where=where, text=text, page=number)]
    hidden = [Hidden("under-box", where, t, number) for t in scan.covered()]
    for annot in _annotations(page):
        subtype = str(annot.get("/Subtype", ""))
        contents = annot.get("/Contents")
        if contents and str(contents).strip():
            parts.append(Part(where=f"an annotation on page {number}", text=str(contents),
                              page=number))
            if subtype == "/Text":  # a sticky note: a reviewer's comment
                hidden.append(Hidden("review-comment", where, str(contents), number))
        rect = annot.get("/Rect")
        if rect is None:
            continue
        if subtype == "/Redact":
            under = [c.text.strip() for c in scan.chunks if _inside(rect, c.x, c.y, c.size)]
            overlay = annot.get("/OverlayText")
            hidden.append(Hidden("redact-annotation", where,
                                 " ".join(under) or str(overlay or ""), number))
        elif subtype == "/Square":
            colour = annot.get("/IC")
            if colour is not None and len(colour) in (1, 3, 4):
                space = {1: "gray", 3: "rgb", 4: "cmyk"}[len(colour)]
                if _luminance(list(colour), space) < _DARK:
                    under = [c.text.strip() for c in scan.chunks
                             if _inside(rect, c.x, c.y, c.size)]
                    if under:
                        hidden.append(Hidden("under-box", where, " ".join(under), number))
    return parts, hidden


# --- Word -------------------------------------------------------------------------

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_PART_KINDS = (
    ("/word/document", "body"),
    ("/word/header", "header"),
    ("/word/footer", "footer"),
    ("/word/comments", "comment"),
    ("/word/footnotes", "footnote"),
    ("/word/endnotes", "endnote"),
)
_DARK_HEX = re.compile(r"^(?:[0-3][0-9A-F]){3}$", re.IGNORECASE)


def _docx() -> Any:
    try:
        import docx
    except ImportError:
        raise MissingExtra("reading Word attachments needs the 'word' extra: "
                           "pip install 'policylint[word]'") from None
    return docx


def _decrypt_office(handle: IO[bytes], password: str) -> IO[bytes]:
    try:
        import msoffcrypto
    except ImportError:
        raise MissingExtra("reading encrypted Office attachments needs the 'word' extra: "
                           "pip install 'policylint[word]'") from None
    try:
        office = msoffcrypto.OfficeFile(handle)
        encrypted = office.is_encrypted()
    except Exception:  # an OLE file that is not an Office document
        raise AttachmentError("unreadable-attachment",
                              "it is not a readable Word document (an old .doc or a "
                              "damaged file)") from None
    if not encrypted:
        raise AttachmentError("unsupported-attachment",
                              "it is an old binary Word file (.doc): save it as .docx")
    if not password:
        raise AttachmentError(
            "encrypted-attachment",
            "it is encrypted and could not be opened to check its content: give its "
            "password in the batch's attachment_password column")
    out = io.BytesIO()
    try:
        office.load_key(password=password)
        office.decrypt(out)
    except Exception:  # wrong password or unsupported encryption
        raise AttachmentError("encrypted-attachment",
                              "it is encrypted and the password given does not open it"
                              ) from None
    out.seek(0)
    return out


def is_encrypted_office(path: Path) -> bool:
    """True for an Office file protected with a password (msoffcrypto-tool)."""
    with path.open("rb") as handle:
        if handle.read(8) != _OLE_MAGIC:
            return False
        handle.seek(0)
        try:
            import msoffcrypto
        except ImportError:
            raise MissingExtra("checking Office encryption needs the 'word' extra: "
                               "pip install 'policylint[word]'") from None
        try:
            return bool(msoffcrypto.OfficeFile(handle).is_encrypted())
        except Exception:
            return False


def _read_word(handle: IO[bytes], head: bytes, name: str, index: int, password: str,
               size: int) -> Attachment:
    docx = _docx()
    encrypted = head == _OLE_MAGIC
    source: IO[bytes] = _decrypt_office(handle, password) if encrypted else handle
    try:
        if not zipfile.is_zipfile(source):
            raise AttachmentError("unreadable-attachment", "it is not a readable .docx file")
        source.seek(0)
        document = docx.Document(source)
        parts: list[Part] = []
        hidden: list[Hidden] = []
        core = document.core_properties
        properties = "\n".join(v for v in (core.title, core.subject, core.keywords,
                                            core.comments) if v and v.strip())
        if properties:
            parts.append(Part(where="document properties", text=properties))
        embedded = [p for p in document.part.package.iter_parts()
                    if str(p.partname).startswith("/word/embeddings/")]
        if embedded:
            raise AttachmentError(
                "unreadable-attachment",
                f"it carries {len(embedded)} embedded object(s) (a spreadsheet, another "
                "document), which cannot be checked: remove them")
        for part in document.part.package.iter_parts():
            partname = str(part.partname)
            kind = next((k for prefix, k in _PART_KINDS if partname.startswith(prefix)), None)
            if kind is None or not partname.endswith(".xml"):
                continue
            element = getattr(part, "element", None)
            if element is None:
                from lxml import etree

                element = etree.fromstring(part.blob)
            part_parts, part_hidden = _word_part(element, kind)
            parts.extend(part_parts)
            hidden.extend(part_hidden)
            if kind == "comment":
                # Reviewers' comments travel with the file to whoever receives it.
                hidden.extend(Hidden("review-comment", p.where, p.text) for p in part_parts)
    except AttachmentError:
        raise
    except Exception as exc:  # any parser failure: the file is not readable
        raise AttachmentError("unreadable-attachment",
                              f"it is not a readable .docx file ({type(exc).__name__})"
                              ) from None
    return Attachment(name=name, index=index, kind="docx", encrypted=encrypted,
                      parts=tuple(parts), hidden=tuple(hidden), size=size)


def _run_hidden(run: Any) -> str | None:
    """Why a run's text is not seen by a reader, or None."""
    props = run.find(f"{_W}rPr")
    if props is None:
        return None
    if props.find(f"{_W}vanish") is not None:
        vanish = props.find(f"{_W}vanish")
        if vanish.get(f"{_W}val", "true") not in ("0", "false"):
            return "hidden-formatting"
    highlight = props.find(f"{_W}highlight")
    shading = props.find(f"{_W}shd")
    blacked = (highlight is not None and highlight.get(f"{_W}val") in ("black", "darkGray")) or (
        shading is not None and bool(_DARK_HEX.match(shading.get(f"{_W}fill", ""))))
    if blacked:
        # Word shows "automatic" text white on a dark highlight: only text set to a
        # dark colour is blacked out.
        colour = props.find(f"{_W}color")
        value = colour.get(f"{_W}val", "auto") if colour is not None else "auto"
        if value != "auto" and _DARK_HEX.match(value):
            return "highlighted-black"
    return None


def _word_part(root: Any, kind: str) -> tuple[list[Part], list[Hidden]]:
    parts: list[Part] = []
    hidden: list[Hidden] = []
    count = 0
    for paragraph in root.iter(f"{_W}p"):
        count += 1
        where = f"paragraph {count}" if kind == "body" else f"{kind} paragraph {count}"
        pieces: list[str] = []
        for node in paragraph.iter(f"{_W}t", f"{_W}delText", f"{_W}tab", f"{_W}br",
                                   f"{_W}cr"):
            if _paragraph_of(node) is not paragraph:
                continue  # a paragraph nested in this one (a text box) has its own turn
            tag = node.tag
            if tag in (f"{_W}tab",):
                pieces.append("\t")
                continue
            if tag in (f"{_W}br", f"{_W}cr"):
                pieces.append("\n")
                continue
            text = node.text or ""
            if tag == f"{_W}delText":
                hidden.append(Hidden("tracked-deletion", where, text))
                pieces.append(" ")  # deleted text is not part of the shown text
                continue
            run = node.getparent()
            why = _run_hidden(run) if run is not None else None
            if why is not None:
                hidden.append(Hidden(why, where, text))
            pieces.append(text)
        joined = "".join(pieces)
        if joined.strip():
            parts.append(Part(where=where, text=joined))
    return parts, hidden


def _paragraph_of(node: Any) -> Any:
    parent = node.getparent()
    while parent is not None and parent.tag != f"{_W}p":
        parent = parent.getparent()
    return parent


def searchable(attachments: Iterable[Attachment]) -> Iterator[tuple[Attachment, Part]]:
    """Every part of every attachment, in order."""
    for attachment in attachments:
        for part in attachment.parts:
            yield attachment, part
