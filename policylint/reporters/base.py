"""The Reporter interface: findings and a summary in, text out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from policylint.model import Finding, Summary


class Reporter:
    """Base class for output formats. ``render`` returns the whole document as text.

    Findings arrive sorted and already masked (unless ``--show-values``);
    reporters must not add personal data of their own.
    """

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""

    def __init__(self, *, color: bool = False, tool_version: str = "") -> None:
        self.color = color
        self.tool_version = tool_version

    def render(self, findings: Sequence[Finding], summary: Summary) -> str:
        raise NotImplementedError
