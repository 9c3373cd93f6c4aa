"""Fuzz template parsing and sandboxed rendering.

Parsing must never raise (problems are kept on the Template); rendering may
only raise RenderError and must stay within MAX_OUTPUT_CHARS; the rendered
text must never contain the process environment (a planted secret).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _common import run_atheris

from policylint.io.templates import (
    MAX_OUTPUT_CHARS,
    RenderError,
    parse_template,
    render,
)

SECRET = "hunter2-fuzz"
os.environ.setdefault("POLICYLINT_SECRET", SECRET)
ROW = {"title": "Mrs", "last_name": "Okafor", "x": "9", "account_ref": "CT-1"}


def TestOneInput(data: bytes) -> None:
    text = data.decode("utf-8", errors="replace")
    template = parse_template(text, Path("fuzz.j2"))
    if template.problem is not None:
        assert "\n" not in template.problem.message
        return
    try:
        rendered = render(template, ROW)
    except RenderError:
        return
    assert len(rendered.text) <= MAX_OUTPUT_CHARS
    assert SECRET not in rendered.text


def main() -> None:
    run_atheris(TestOneInput)


if __name__ == "__main__":
    main()
