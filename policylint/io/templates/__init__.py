"""Templates: what each row is merged into (DESIGN §1).

Three syntaxes give the same :class:`Template` and :class:`Rendered`, so every
rule works on all of them:

- Jinja2 (default), with optional YAML front matter, rendered in a sandbox
  (:mod:`.jinja`);
- GOV.UK Notify ``((field))``, chosen by front matter ``syntax: notify``, by the
  policy's template entry (files exported from Notify have no front matter) or by
  the ``.notify`` extension (:mod:`.notify`);
- Word mail-merge ``.docx``, by its extension; its metadata comes from the
  policy's template entry, its name is the file stem, its line numbers are
  paragraph numbers (:mod:`.word`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import jinja2
import yaml

from policylint.errors import InputError
from policylint.io.templates.base import (
    JINJA,
    MAX_OUTPUT_CHARS,
    NOTIFY,
    WORD,
    MergeProgram,
    Rendered,
    RenderError,
    Template,
    TemplateMeta,
    TemplateProblem,
    VariableRef,
    field_variable,
    run_program,
)
from policylint.io.templates.jinja import (
    MAX_INT_BITS,
    MAX_RENDER_SECONDS,
    MAX_SEQUENCE_PRODUCT,
    LimitedSandbox,
    harden,
    make_environment,
    parse_jinja,
    render_jinja,
)
from policylint.io.templates.notify import parse_notify
from policylint.io.templates.word import open_word, parse_word_document
from policylint.model import AUDIENCES, CHANNELS, SYNTAXES

__all__ = [
    "MAX_INT_BITS", "MAX_OUTPUT_CHARS", "MAX_RENDER_SECONDS", "MAX_SEQUENCE_PRODUCT",
    "MAX_TEMPLATE_BYTES", "LimitedSandbox", "MergeProgram", "RenderError", "Rendered",
    "Template", "TemplateMeta", "TemplateProblem", "VariableRef", "field_variable", "harden",
    "load_template", "load_templates", "make_environment", "parse_template", "parse_word",
    "render", "select_template", "split_front_matter", "template_name",
]

FRONT_MATTER_FENCE = "---"
MAX_TEMPLATE_BYTES = 2_000_000
WORD_SUFFIXES = frozenset({".docx"})
NOTIFY_SUFFIXES = frozenset({".notify"})


def split_front_matter(text: str) -> tuple[str, str, int]:
    """Return (front matter YAML, body, number of lines the front matter takes)."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != FRONT_MATTER_FENCE:
        return "", text, 0
    for index in range(1, len(lines)):
        if lines[index].strip() == FRONT_MATTER_FENCE:
            return "".join(lines[1:index]), "".join(lines[index + 1 :]), index + 1
    return "", text, 0  # an unclosed fence is template text, not front matter


def template_name(path: Path, front: Mapping[str, object]) -> str:
    """Front-matter ``name``, else the file stem up to its first dot."""
    name = front.get("name")
    if isinstance(name, str) and name.strip():
        return name.strip()
    return path.name.split(".", 1)[0]


def _front_str(front: Mapping[str, object], key: str) -> str | None:
    value = front.get(key)
    return value.strip() if isinstance(value, str) and value.strip() else None


def _front_line(text: str, key: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith(f"{key}:"):
            return number
    return 1


def _read_front_matter(front_text: str) -> tuple[dict[str, object], TemplateProblem | None]:
    if not front_text:
        return {}, None
    problem: TemplateProblem | None = None
    try:
        loaded = yaml.safe_load(front_text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        return {}, TemplateProblem("front-matter", "front matter is not valid YAML", line, 1)
    if isinstance(loaded, dict):
        return {str(k): v for k, v in loaded.items()}, None
    if loaded is not None:
        problem = TemplateProblem("front-matter", "front matter must be a mapping", 2, 1)
    return {}, problem


def _metadata_problem(text: str, channel: str | None, audience: str,
                      syntax: str | None) -> TemplateProblem | None:
    if channel is not None and channel not in CHANNELS:
        return TemplateProblem(
            "front-matter", f"channel '{channel}' is not one of {', '.join(CHANNELS)}",
            _front_line(text, "channel"), 1)
    if audience not in AUDIENCES:
        return TemplateProblem(
            "front-matter", f"audience '{audience}' is not one of {', '.join(AUDIENCES)}",
            _front_line(text, "audience"), 1)
    if syntax is not None and syntax not in SYNTAXES:
        return TemplateProblem(
            "front-matter", f"syntax '{syntax}' is not one of {', '.join(SYNTAXES)}",
            _front_line(text, "syntax"), 1)
    return None


def parse_template(text: str, path: Path, meta: TemplateMeta | None = None) -> Template:
    """Parse one Jinja or Notify template. Problems are kept on the Template, not raised.

    The syntax is front matter's ``syntax``, else the policy entry's, else
    ``notify`` for a ``.notify`` file, else Jinja.
    """
    front_text, body, offset = split_front_matter(text)
    front, problem = _read_front_matter(front_text)
    meta = meta or TemplateMeta()
    channel = _front_str(front, "channel") or meta.channel
    audience = _front_str(front, "audience") or meta.audience or "recipient"
    scope = _front_str(front, "scope") or meta.scope
    syntax = (_front_str(front, "syntax") or meta.syntax
              or (NOTIFY if path.suffix.lower() in NOTIFY_SUFFIXES else JINJA))
    problem = problem or _metadata_problem(text, channel, audience, syntax)
    compiled: jinja2.Template | MergeProgram | None = None
    variables: tuple[VariableRef, ...] = ()
    source = text
    if problem is None and syntax == NOTIFY:
        jinja_body, variables, compiled, problem = parse_notify(
            body, offset, letter=channel == "letter")
        source = text[: len(text) - len(body)] + jinja_body
    elif problem is None:
        variables, compiled, problem = parse_jinja(text, body, offset)
    return Template(
        name=template_name(path, front),
        path=str(path),
        channel=channel if channel in CHANNELS else None,
        audience=audience,
        source=source,
        body_offset=offset,
        variables=variables,
        front_matter=front,
        problem=problem,
        compiled=compiled,
        scope=scope,
        syntax=syntax if syntax in SYNTAXES else JINJA,
    )


def parse_word(document: Any, path: Path, meta: TemplateMeta | None = None) -> Template:
    """A Word template from an opened python-docx Document (see :mod:`.word`)."""
    meta = meta or TemplateMeta()
    audience = meta.audience or "recipient"
    source, variables, program, problem = parse_word_document(document)
    problem = problem or _metadata_problem("", meta.channel, audience, None)
    return Template(
        name=template_name(path, {}),
        path=str(path),
        channel=meta.channel if meta.channel in CHANNELS else None,
        audience=audience,
        source=source,
        variables=variables if problem is None else (),
        problem=problem,
        compiled=program if problem is None else None,
        scope=meta.scope,
        syntax=WORD,
    )


def load_template(path: Path, meta: TemplateMeta | None = None, *,
                  display: str | None = None) -> Template:
    """Read and parse a template file; unreadable files raise InputError."""
    shown = display or str(path)
    if path.suffix.lower() in WORD_SUFFIXES:
        return parse_word(open_word(path, shown), Path(shown), meta)
    try:
        size = path.stat().st_size
        if size > MAX_TEMPLATE_BYTES:
            raise InputError(f"template larger than {MAX_TEMPLATE_BYTES} bytes", file=shown)
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError("template file not found", file=shown) from None
    except IsADirectoryError:
        raise InputError("template path is a directory", file=shown) from None
    except OSError as exc:
        raise InputError(f"cannot read template: {exc.strerror}", file=shown) from None
    if raw.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise InputError("template is a Word or other Office file but not named .docx "
                         "(only .docx files are read as Word templates)", file=shown)
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise InputError("NUL byte in template", file=shown, line=line)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError("template is not UTF-8", file=shown, line=line) from None
    return parse_template(text, Path(shown), meta)


def render(template: Template, variables: Mapping[str, str]) -> Rendered:
    """Render ``template`` with a row's ``variables``; RenderError says why not."""
    compiled = template.compiled
    if compiled is None:
        raise RenderError("template-unusable", "template could not be parsed")
    if isinstance(compiled, MergeProgram):
        return Rendered(template=template, text=run_program(compiled, variables))
    return Rendered(template=template, text=render_jinja(compiled, variables))


def select_template(templates: Mapping[str, Template], name: str) -> Template | None:
    return templates.get(name)


def load_templates(paths: Sequence[tuple[Path, TemplateMeta]]) -> dict[str, Template]:
    """Load templates (path, policy metadata) keyed by name; a duplicate name is an error."""
    loaded: dict[str, Template] = {}
    for path, meta in paths:
        template = load_template(path, meta)
        other = loaded.get(template.name)
        if other is not None and other.path != template.path:
            raise InputError(
                f"template name '{template.name}' is also used by {other.path}", file=template.path)
        loaded[template.name] = template
    return loaded
