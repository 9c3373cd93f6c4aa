"""Jinja2 templates: parsed and rendered in a sandbox (DESIGN §1).

Rendering happens in a sandbox (no attribute access to Python internals, no
file or environment access, bounded output and arithmetic) with
StrictUndefined, so a field missing from a row fails loudly instead of
printing an empty string into someone's letter.
"""

from __future__ import annotations

import contextvars
import functools
import math
import operator
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

import jinja2
import jinja2.meta
from jinja2 import nodes
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.visitor import NodeTransformer

from policylint.io.templates.base import (
    MAX_OUTPUT_CHARS,
    RenderError,
    TemplateProblem,
    VariableRef,
)

MAX_RENDER_SECONDS = 2.0
MAX_SEQUENCE_PRODUCT = 100_000
MAX_INT_BITS = 16_384  # about 4,900 decimal digits: more than any letter prints


# When the render in progress must stop, in this thread's CPU time (time.thread_time()):
# a busy machine that pauses the process must not turn a good row into "not checked",
# while a template that loops still spends CPU and is stopped. Set by render().
_DEADLINE: contextvars.ContextVar[float] = contextvars.ContextVar(
    "policylint_render_deadline", default=math.inf)
# A width or precision in a format string that would build a string beyond
# MAX_OUTPUT_CHARS ('%1000000000s', '{:>1000000000}').
_DIGITS = len(str(MAX_OUTPUT_CHARS))
_HUGE_WIDTH_RE = re.compile(rf"%[^a-zA-Z%]*\d{{{_DIGITS},}}|\{{[^{{}}]*\d{{{_DIGITS},}}")
_LOOP_FILTER = "policylint_bounded_loop"
_CONCAT_FILTER = "policylint_concat"


def _check_deadline() -> None:
    if time.thread_time() > _DEADLINE.get():
        raise RenderError("render-timeout",
                          f"rendering took longer than {MAX_RENDER_SECONDS} seconds")


def _too_large(what: str) -> SecurityError:
    return SecurityError(f"{what} too large")


def _check_size(size: int, what: str = "text") -> None:
    if size > MAX_OUTPUT_CHARS:
        raise _too_large(what)


def _check_numbers(values: Iterable[object]) -> None:
    """Widths, counts and fill sizes: none may exceed what the output could hold."""
    for value in values:
        if isinstance(value, int) and not isinstance(value, bool) and value > MAX_OUTPUT_CHARS:
            raise _too_large("width or count")


def _check_format(fmt: object, args: Iterable[object]) -> None:
    if isinstance(fmt, str) and _HUGE_WIDTH_RE.search(fmt):
        raise _too_large("format width")
    _check_numbers(args)


def _replaced_size(s: str, old: str, new: str, count: int = -1) -> int:
    hits = s.count(old) if old else len(s) + 1
    if count is not None and count >= 0:
        hits = min(hits, count)
    return len(s) + hits * max(len(new) - len(old), 0)


def _join_size(sep: str, items: Sequence[object]) -> int:
    return len(sep) * max(len(items) - 1, 0) + sum(len(str(i)) for i in items)


def _bounded_loop(value: Iterable[Any]) -> Iterator[Any]:
    """Every ``{% for %}`` iterates through this: a loop that prints nothing
    still stops at the render deadline."""
    for index, item in enumerate(value):
        if not index & 0x3FF:
            _check_deadline()
        yield item


def _concat(parts: Sequence[object]) -> str:
    """``a ~ b``: like Jinja's own, but bounded (doubling a string with ~ in a loop)."""
    texts = [str(p) for p in parts]
    _check_size(sum(len(t) for t in texts))
    return "".join(texts)


def _guard_filter(name: str, original: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a built-in filter that can build a huge value from small inputs."""
    skip = 1 if getattr(original, "jinja_pass_arg", None) is not None else 0

    @functools.wraps(original)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        head, value, rest = args[:skip], args[skip] if len(args) > skip else None, \
            args[skip + 1:]
        if name == "join" and value is not None:
            items = list(value)
            sep = rest[0] if rest else kwargs.get("d", "")
            if "attribute" not in kwargs and len(rest) < 2:
                _check_size(_join_size(str(sep), items))
            else:
                _check_numbers([len(items)])
            args = (*head, items, *rest)
        elif name == "replace" and isinstance(value, str) and len(rest) >= 2:
            count = rest[2] if len(rest) > 2 else kwargs.get("count")
            _check_size(_replaced_size(value, str(rest[0]), str(rest[1]),
                                       -1 if count is None else int(count)))
        elif name == "indent" and isinstance(value, str):
            width = rest[0] if rest else kwargs.get("width", 4)
            pad = width if isinstance(width, int) else len(str(width))
            _check_size(len(value) + (value.count("\n") + 1) * pad)
        elif name == "format":
            _check_format(value, [*rest, *kwargs.values()])
        else:
            _check_numbers([*rest, *kwargs.values()])
        return original(*args, **kwargs)

    return guarded


_GUARDED_FILTERS = ("center", "indent", "replace", "join", "format", "batch", "slice",
                    "wordwrap", "truncate")


class LimitedSandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox plus limits on what can build huge values or run long.

    Arithmetic (``* ** + %``), string methods and filters that take a width or
    count, and ``~`` are refused when their result would exceed
    MAX_OUTPUT_CHARS characters, MAX_SEQUENCE_PRODUCT items or MAX_INT_BITS
    bits; every call and every loop iteration checks the render deadline, so
    a template that prints nothing still stops.
    """

    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        for name in _GUARDED_FILTERS:
            self.filters[name] = _guard_filter(name, self.filters[name])
        self.filters[_LOOP_FILTER] = _bounded_loop
        self.filters[_CONCAT_FILTER] = _concat

    def call_binop(self, context: Any, operator_name: str, left: Any, right: Any) -> Any:
        ints = (isinstance(left, int) and isinstance(right, int))
        if operator_name == "**":
            if isinstance(right, int) and abs(right) > 64:
                raise SecurityError("exponent too large")
            if ints and right > 0 and max(abs(left).bit_length(), 1) * right > MAX_INT_BITS:
                raise _too_large("number")
            return operator.pow(left, right)
        if operator_name == "+":
            if (isinstance(left, str | list | tuple) and isinstance(right, str | list | tuple)
                    and len(left) + len(right) > MAX_OUTPUT_CHARS):
                raise _too_large("value")
            return operator.add(left, right)
        if operator_name == "%":
            if isinstance(left, str):
                _check_format(left, right if isinstance(right, tuple) else
                              right.values() if isinstance(right, dict) else [right])
            return operator.mod(left, right)
        if ints and abs(left).bit_length() + abs(right).bit_length() > MAX_INT_BITS:
            raise _too_large("number")
        for seq, times in ((left, right), (right, left)):
            if (isinstance(seq, str | list | tuple) and isinstance(times, int)
                    and len(seq) * times > MAX_SEQUENCE_PRODUCT):
                raise SecurityError("repetition too large")
        return operator.mul(left, right)

    def call(__self, __context: Context, __obj: Any,
             *args: Any, **kwargs: Any) -> Any:
        _check_deadline()
        owner = getattr(__obj, "__self__", None)
        if isinstance(owner, str):
            method = getattr(__obj, "__name__", "")
            if method in ("center", "ljust", "rjust", "zfill"):
                _check_numbers([*args[:1], *kwargs.values()])
            elif method == "expandtabs":
                size = args[0] if args else kwargs.get("tabsize", 8)
                if isinstance(size, int):
                    _check_size(len(owner) + owner.count("\t") * size)
            elif method == "replace" and len(args) >= 2:
                count = args[2] if len(args) > 2 else kwargs.get("count", -1)
                _check_size(_replaced_size(owner, str(args[0]), str(args[1]), int(count)))
            elif method == "join" and args:
                items = list(args[0])
                _check_size(_join_size(owner, items))
                args = (items, *args[1:])
        return super().call(__context, __obj, *args, **kwargs)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        fmt = value.__self__

        def checked(*args: Any, **kwargs: Any) -> str:
            mapping = args[0] if len(args) == 1 and isinstance(args[0], dict) else {}
            _check_format(fmt, [*args, *kwargs.values(), *mapping.values()])
            return wrapped(*args, **kwargs)

        return checked


class _Harden(NodeTransformer):
    """Route every ``{% for %}`` iterable and every ``~`` through the bounded filters."""

    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)
        node.iter = nodes.Filter(node.iter, _LOOP_FILTER, [], [], None, None,
                                 lineno=node.lineno)
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        return nodes.Filter(nodes.Tuple(node.nodes, "load", lineno=node.lineno),
                            _CONCAT_FILTER, [], [], None, None, lineno=node.lineno)


def harden(ast: nodes.Template) -> nodes.Template:
    """The parsed template with loops and ``~`` bounded (see :class:`LimitedSandbox`)."""
    result = _Harden().visit(ast)
    assert isinstance(result, nodes.Template)
    return result


def make_environment() -> LimitedSandbox:
    env = LimitedSandbox(
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        loader=None,
    )
    # No template may include or import another: nothing on disk is reachable.
    env.globals.clear()
    return env


_ENV = make_environment()


def _variable_refs(env: jinja2.Environment, body: str, names: Iterable[str],
                   line_offset: int) -> tuple[VariableRef, ...]:
    """Locate each use of ``names`` in ``body`` by walking the token stream.

    Jinja's lexer gives token line numbers but no columns; tokens come in
    source order, so searching for each token's text from the previous
    token's end recovers the exact column.
    """
    wanted = set(names)
    refs: list[VariableRef] = []
    line_starts = [0]
    for index, char in enumerate(body):
        if char == "\n":
            line_starts.append(index + 1)
    cursor = 0
    previous = ""
    for lineno, kind, value in env.lex(body):
        text = str(value)
        start = max(cursor, line_starts[min(lineno, len(line_starts)) - 1])
        found = body.find(text, start) if text else -1
        if found >= 0:
            cursor = found + len(text)
        if kind == "name" and text in wanted and previous not in {"dot", "pipe"} and found >= 0:
            line = body.count("\n", 0, found) + 1
            col = found - line_starts[line - 1] + 1
            refs.append(VariableRef(text, line + line_offset, col))
        previous = kind
    return tuple(refs)


def _error_column(text: str, line: int) -> int:
    """Column of the first Jinja delimiter on the failing line (1 if none): the
    syntax error is almost always inside that tag."""
    lines = text.splitlines()
    if 0 < line <= len(lines):
        positions = [p for p in (lines[line - 1].find(d) for d in ("{{", "{%", "{#")) if p >= 0]
        if positions:
            return min(positions) + 1
    return 1


def parse_jinja(text: str, body: str, offset: int
                ) -> tuple[tuple[VariableRef, ...], jinja2.Template | None, TemplateProblem | None]:
    """Compile a Jinja body; ``text`` is the whole file (for the error column)."""
    try:
        ast = _ENV.parse(body)
        names = jinja2.meta.find_undeclared_variables(ast)
        variables = _variable_refs(_ENV, body, names, offset)
        return variables, _ENV.from_string(harden(ast)), None
    except jinja2.TemplateSyntaxError as exc:
        line = (exc.lineno or 1) + offset
        return (), None, TemplateProblem("syntax", f"template syntax error: {exc.message}",
                                         line, _error_column(text, line))
    except RecursionError:  # (((((... or {{ a[b[c[...: Jinja's parser recurses
        return (), None, TemplateProblem("syntax", "template syntax error: nesting too deep",
                                         offset + 1, 1)


def render_jinja(compiled: jinja2.Template, variables: Mapping[str, str]) -> str:
    """Render a compiled template; RenderError says why not.

    Output is streamed and stopped at MAX_OUTPUT_CHARS or MAX_RENDER_SECONDS,
    so a hostile or broken template cannot hang or exhaust the run.
    """
    parts: list[str] = []
    size = 0
    deadline = time.thread_time() + MAX_RENDER_SECONDS
    token = _DEADLINE.set(deadline)
    try:
        for count, chunk in enumerate(compiled.generate(variables), start=1):
            size += len(chunk)
            if size > MAX_OUTPUT_CHARS:
                raise RenderError("output-too-large",
                                  f"rendered text exceeds {MAX_OUTPUT_CHARS} characters")
            # The clock every 16th piece: asking it costs more than a piece of a letter,
            # and a loop that runs away still yields pieces by the thousand.
            if not count % 16 and time.thread_time() > deadline:
                raise RenderError("render-timeout",
                                  f"rendering took longer than {MAX_RENDER_SECONDS} seconds")
            parts.append(chunk)
    except jinja2.UndefinedError as exc:
        raise RenderError("undefined-field", _undefined_message(exc)) from None
    except SecurityError as exc:
        raise RenderError("sandbox", f"template tried something the sandbox forbids: {exc}") \
            from None
    except RenderError:
        raise
    except Exception as exc:  # a broken filter or expression on this row's data
        raise RenderError("render-failed", f"template failed on this row: {type(exc).__name__}") \
            from None
    finally:
        _DEADLINE.reset(token)
    return "".join(parts)


def _undefined_message(exc: jinja2.UndefinedError) -> str:
    # Jinja's message is "'last_nme' is undefined": a field name, never a value.
    return f"template field {exc.message} for this row" if exc.message else "undefined field"
