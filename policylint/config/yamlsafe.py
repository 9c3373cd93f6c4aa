"""Safe YAML loading that remembers where every key was written.

Policies are read through a :class:`yaml.SafeLoader` subclass only. On top of
what ``SafeLoader`` already refuses (Python object tags), this loader:

* rejects anchors and aliases, so an alias bomb ("billion laughs") fails on
  its first ``&anchor`` instead of expanding;
* rejects merge keys (``<<``) and tags outside the JSON-like core
  (``!!set``, ``!!binary``, ``!!omap``...);
* limits nesting depth (:data:`MAX_DEPTH`) and document size (:data:`MAX_BYTES`);
* rejects duplicate keys in one mapping (naming the key and both lines) and
  keys that are not strings (``1:``, ``yes:``, ``null:``).

:func:`load_yaml` returns the data together with a map from key path to the
1-based line where that key (or list item) starts, so that later errors
(schema, rule options) can name the line.

YAML dates (``expires: 2027-01-31``) load as :class:`datetime.date`, as the
YAML spec says; the schema layer turns them into ISO strings before validation.
"""

from __future__ import annotations

from typing import Any, NoReturn

import yaml
from yaml.events import AliasEvent, Event
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from policylint.errors import PolicyError

__all__ = ["MAX_BYTES", "MAX_DEPTH", "KeyLines", "KeyPath", "dotted", "load_yaml", "printable"]

#: Largest policy document accepted, in bytes (UTF-8).
MAX_BYTES = 1024 * 1024
#: Deepest nesting of mappings and lists accepted (the top-level mapping is depth 1).
MAX_DEPTH = 32

KeyPath = tuple[str, ...]
KeyLines = dict[KeyPath, int]

_CORE = "tag:yaml.org,2002:"
_ALLOWED_TAGS = frozenset(
    _CORE + t for t in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp")
)


def dotted(path: tuple[str | int, ...] | list[str | int]) -> str:
    """Render a key path for humans: ``rules.stale-address.max_age``, ``suppressions[0].reason``.

    Integers (and strings of digits that came from list positions) are shown as ``[i]``.
    Characters that are not printable (a key may be ``"\\n"``) are shown escaped, so
    the path never breaks the one-line error it appears in.
    """
    out = ""
    for part in path:
        if isinstance(part, int) or (isinstance(part, str) and part.isdigit() and out):
            out += f"[{part}]"
        else:
            text = printable(str(part))
            out += f".{text}" if out else text
    return out


def printable(text: str) -> str:
    """``text`` with every non-printable character (line breaks, controls) escaped."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


class _Error(Exception):
    """Raised inside the loader; turned into a PolicyError by :func:`load_yaml`."""

    def __init__(self, message: str, line: int | None, key: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.key = key


def _line(event: Event) -> int | None:
    mark = event.start_mark
    return mark.line + 1 if mark is not None else None


class _Loader(yaml.SafeLoader):
    """SafeLoader that refuses anchors/aliases and over-deep nesting."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        event: Event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, AliasEvent) or getattr(event, "anchor", None) is not None:
            raise _Error(
                "anchors and aliases are not supported; write the value out in full",
                _line(event),
            )
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _Error(f"nesting is deeper than {MAX_DEPTH} levels", _line(event))
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _timestamp(loader: yaml.SafeLoader, node: ScalarNode) -> object:
    """A date/datetime, or the text as written when it is not a real date (2027-02-30)."""
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError:
        return str(node.value)


_Loader.add_constructor(_CORE + "timestamp", _timestamp)


def _fail(message: str, node: Node, path: tuple[str, ...] = ()) -> NoReturn:
    raise _Error(message, node.start_mark.line + 1, dotted(path) if path else None)


def _short(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _walk(node: Node, path: KeyPath, lines: KeyLines) -> None:
    """Check tags, keys and duplicates; record the line of every key and list item."""
    if node.tag not in _ALLOWED_TAGS:
        tag = node.tag.replace(_CORE, "!!")
        _fail(f"tag {tag} is not supported", node, path)
    if isinstance(node, MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if key_node.tag == _CORE + "merge":
                _fail("merge keys (<<) are not supported", key_node, path)
            if not isinstance(key_node, ScalarNode):
                _fail("keys must be strings, not lists or mappings", key_node, path)
            if key_node.tag != _CORE + "str":
                kind = key_node.tag.replace(_CORE, "")
                _fail(
                    f"key {key_node.value!r} is read as {kind}, not a string; quote it",
                    key_node,
                    path,
                )
            key = str(key_node.value)
            if key in seen:
                _fail(
                    f"duplicate key {_short(key)!r} "
                    f"(first on line {seen[key]}, again on line {line})",
                    key_node,
                    (*path, key),
                )
            seen[key] = line
            child = (*path, key)
            lines[child] = line
            _walk(value_node, child, lines)
    elif isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            child = (*path, str(index))
            lines[child] = item.start_mark.line + 1
            _walk(item, child, lines)


def _one_line(text: object) -> str:
    return " ".join(str(text).split())


def load_yaml(text: str, file: str) -> tuple[object, KeyLines]:
    """Parse one YAML document safely.

    Returns ``(data, lines)`` where ``lines`` maps each key path (list positions
    as strings of digits, e.g. ``("suppressions", "0", "reason")``) to the
    1-based line it starts on; ``()`` maps to the line where the document's
    content starts. An empty document loads as ``None``.

    Raises :class:`~policylint.errors.PolicyError` naming ``file`` and the line
    for syntax errors, anchors/aliases, oversize or over-deep documents,
    duplicate or non-string keys and unsupported tags.
    """
    size = len(text) if len(text) * 4 <= MAX_BYTES else len(text.encode("utf-8", "replace"))
    if size > MAX_BYTES:
        raise PolicyError(
            f"policy is {size} bytes; the limit is {MAX_BYTES} bytes (1 MiB)", file=file
        )
    loader: _Loader | None = None
    try:
        loader = _Loader(text)
        node = loader.get_single_node()
        lines: KeyLines = {}
        if node is None:
            return None, lines
        lines[()] = node.start_mark.line + 1
        _walk(node, (), lines)
        data: Any = loader.construct_document(node)
    except _Error as err:
        raise PolicyError(err.message, file=file, line=err.line, key=err.key) from None
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        problem = _one_line(err.problem or err.context or "syntax error")
        if err.context and err.problem:
            context = _one_line(err.context)
            if problem.startswith("but "):
                problem = f"{context}, {problem}"
            else:
                problem = f"{problem} ({context})"
        raise PolicyError(
            f"invalid YAML: {problem}",
            file=file,
            line=mark.line + 1 if mark is not None else None,
        ) from None
    except yaml.reader.ReaderError as err:
        char = err.character
        code = ord(char) if isinstance(char, str) else int(char)
        raise PolicyError(
            f"invalid YAML: character #x{code:04x} is not allowed",
            file=file,
            line=text.count("\n", 0, err.position) + 1,
        ) from None
    except yaml.YAMLError as err:
        raise PolicyError(f"invalid YAML: {_one_line(err)}", file=file) from None
    except (ValueError, TypeError, OverflowError) as err:
        raise PolicyError(f"invalid YAML value: {_one_line(err)}", file=file) from None
    except RecursionError:  # pragma: no cover - depth limit should make this unreachable
        raise PolicyError(f"nesting is deeper than {MAX_DEPTH} levels", file=file) from None
    finally:
        if loader is not None:
            loader.dispose()
    return data, lines
