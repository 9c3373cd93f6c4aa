"""Templates: Jinja2 files with optional YAML front matter (DESIGN §1)."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class VariableRef:
    """A variable a template reads, with where it appears in the file (1-based)."""

    name: str
    line: int
    col: int


@dataclass(frozen=True)
class Template:
    name: str
    path: str
    channel: str | None
    audience: str
    source: str
    variables: tuple[VariableRef, ...] = ()
    front_matter: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Rendered:
    """A template rendered for one row. ``text`` is what the recipient gets."""

    template: Template
    text: str
