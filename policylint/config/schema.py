"""The JSON Schema (draft 2020-12) of a policy file, and human error messages for it.

Only the shape of the file is checked here. Each rule's own options are
validated later, against the rule's ``options_schema``, by
:func:`policylint.config.policy.validate_rule_settings`; here a rule's mapping
may hold any keys besides ``severity``.

Errors become one-line :class:`~policylint.errors.PolicyError` s naming the
file, the line (from the key-line map of :mod:`policylint.config.yamlsafe`,
falling back to the nearest key above) and the dotted key.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Mapping, Sequence
from typing import Any

import jsonschema
from jsonschema.exceptions import ValidationError, best_match

from policylint.config.yamlsafe import KeyLines, dotted
from policylint.errors import PolicyError
from policylint.io.register.base import ALL_COLUMNS
from policylint.model import AUDIENCES, CHANNELS, SYNTAXES

__all__ = [
    "POLICY_SCHEMA",
    "ROLES",
    "SEVERITY_VALUES",
    "check",
    "describe",
    "first_error",
    "jsonable",
    "line_for",
    "suggest",
    "validate_policy_data",
]

#: Batch roles the ``fields:`` section may map (DESIGN §1).
ROLES: tuple[str, ...] = (
    "recipient_id",
    "subject_id",
    "name",
    "title",
    "first_name",
    "last_name",
    *(f"address_line_{i}" for i in range(1, 8)),
    "postcode",
    "email",
    "phone",
    "channel",
    "template",
    "reference",
    "attachments",
    "attachment_password",
)

SEVERITY_VALUES = ("error", "warning", "info")

_NON_EMPTY_STRING = {"type": "string", "minLength": 1}
_STRING_OR_LIST = {
    "description": "a string or a list of strings",
    "anyOf": [
        _NON_EMPTY_STRING,
        {"type": "array", "items": _NON_EMPTY_STRING, "minItems": 1},
    ],
}

POLICY_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://policylint.invalid/schema/policy-1.json",
    "title": "policylint policy",
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "version": {"const": 1},
        "extends": {
            "description": "a pack name, a file path, or a list of them",
            "anyOf": [_NON_EMPTY_STRING, {"type": "array", "items": _NON_EMPTY_STRING}],
        },
        "register": {
            "description": "a directory, an SQLite file or a database URL, or a mapping "
            "of url, tables and columns",
            "anyOf": [
                _NON_EMPTY_STRING,
                {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        # Omitted: the POLICYLINT_REGISTER_URL environment variable.
                        "url": _NON_EMPTY_STRING,
                        # DESIGN table -> the database's table or view (schema.name allowed).
                        "tables": {
                            "type": "object",
                            "additionalProperties": False,
                            "properties": {table: _NON_EMPTY_STRING for table in ALL_COLUMNS},
                        },
                        # DESIGN table -> {DESIGN column -> the database's column}.
                        "columns": {
                            "type": "object",
                            "additionalProperties": False,
                            "properties": {
                                table: {
                                    "type": "object",
                                    "additionalProperties": False,
                                    "properties": {c: _NON_EMPTY_STRING for c in columns},
                                }
                                for table, columns in ALL_COLUMNS.items()
                            },
                        },
                    },
                },
            ],
        },
        "fields": {
            "type": "object",
            "additionalProperties": False,
            "properties": {role: _STRING_OR_LIST for role in ROLES},
        },
        "templates": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["path"],
                "properties": {
                    "path": _NON_EMPTY_STRING,
                    "channel": {"enum": list(CHANNELS)},
                    "audience": {"enum": list(AUDIENCES)},
                    "name": _NON_EMPTY_STRING,
                    "scope": _NON_EMPTY_STRING,
                    "syntax": {"enum": list(SYNTAXES)},
                },
            },
        },
        "rules": {
            "type": "object",
            "additionalProperties": {
                # "off" (YAML reads a bare `off` as false), "on"/true, a severity,
                # or a mapping of severity plus the rule's own options.
                "description": "off, a severity (error, warning, info) "
                "or a mapping of severity and options",
                "anyOf": [
                    {"enum": ["off", *SEVERITY_VALUES]},
                    {"type": "boolean"},
                    {
                        "type": "object",
                        "properties": {"severity": {"enum": [*SEVERITY_VALUES, "off", False]}},
                    },
                ],
            },
        },
        "suppressions": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["rule", "reason", "expires"],
                "properties": {
                    "rule": _NON_EMPTY_STRING,
                    "code": _NON_EMPTY_STRING,
                    "recipient_id": _NON_EMPTY_STRING,
                    "template": _NON_EMPTY_STRING,
                    "reason": {"type": "string", "pattern": r"\S"},
                    "expires": {"type": "string", "format": "date"},
                },
            },
        },
        "fingerprint_key": _NON_EMPTY_STRING,
        "record": {
            "description": "append one line per checked item to this dispatch record "
                           "(JSON Lines of keyed hashes, never personal data)",
            **_NON_EMPTY_STRING,
        },
        "record_key_file": {
            "description": "file holding the dispatch record's HMAC key (default: the "
                           "record's name + .key, created on first use)",
            **_NON_EMPTY_STRING,
        },
        "output": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "show_ids": {
                    "description": "print opaque internal recipient and subject ids in full "
                                   "(ids that are NHS or NI numbers, emails or phones stay "
                                   "masked)",
                    "type": "boolean",
                },
            },
        },
    },
}

_VALIDATOR_CLS = jsonschema.Draft202012Validator
# The schema itself is checked against the meta-schema by tests/config/test_schema.py,
# not at import: that check alone cost about 50 ms of every command's start-up.
_POLICY_VALIDATOR = _VALIDATOR_CLS(POLICY_SCHEMA, format_checker=_VALIDATOR_CLS.FORMAT_CHECKER)

_TYPE_NAMES = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list",
    "object": "a mapping",
    "null": "null",
}


def jsonable(value: object) -> object:
    """A copy of ``value`` with YAML/TOML dates and times turned into ISO strings.

    ``expires: 2027-01-31`` loads as a :class:`datetime.date`; JSON Schema only
    knows strings, so dates become ``"2027-01-31"`` and datetimes
    ``"2027-01-31T10:00:00"`` (which then fails ``format: date``).
    """
    if isinstance(value, Mapping):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dt.date | dt.time):  # datetime is a date subclass
        return value.isoformat()
    return value


def describe(value: object) -> str:
    """A short description of a value for 'got ...' messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        text = " ".join(value.split())
        return repr(text if len(text) <= 40 else text[:39] + "…")
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    return type(value).__name__


def suggest(word: str, choices: Sequence[str] | Any) -> str:
    """``"; did you mean 'rules'?"`` or ``""``."""
    matches = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean {matches[0]!r}?" if matches else ""


def line_for(path: Sequence[str | int], lines: KeyLines | None) -> int | None:
    """The line of ``path`` or of its nearest ancestor present in ``lines``."""
    if not lines:
        return None
    parts = tuple(str(p) for p in path)
    for end in range(len(parts), -1, -1):
        line = lines.get(parts[:end])
        if line is not None:
            return line
    return None


def _expected(schema: Mapping[str, Any]) -> str | None:
    kind = schema.get("type")
    if isinstance(kind, str):
        return _TYPE_NAMES.get(kind) or kind
    if isinstance(kind, list):
        return " or ".join(_TYPE_NAMES.get(str(k), str(k)) for k in kind)
    return None


def _expected_any(schema: Mapping[str, Any]) -> str:
    """What an anyOf/oneOf accepts, e.g. 'a string or a list'."""
    parts: list[str] = []
    for branch in schema.get("anyOf", schema.get("oneOf", [])):
        if "enum" in branch:
            parts.append("one of " + ", ".join(_show(v) for v in branch["enum"]))
        elif "const" in branch:
            parts.append(_show(branch["const"]))
        else:
            parts.append(_expected(branch) or "another value")
    return " or ".join(parts) if parts else "another value"


def _show(value: object) -> str:
    return repr(value) if isinstance(value, str) else describe(value)


def _type_matches(branch: Mapping[str, Any], instance: object) -> bool:
    checker = _VALIDATOR_CLS.TYPE_CHECKER
    kind = branch.get("type")
    if kind is None:
        if "enum" in branch:
            return any(type(v) is type(instance) for v in branch["enum"])
        return True
    kinds = [kind] if isinstance(kind, str) else list(kind)
    return any(checker.is_type(instance, k) for k in kinds)


def _pick(error: ValidationError) -> ValidationError:
    """Descend into anyOf/oneOf: prefer the branch whose type fits the value."""
    while error.validator in ("anyOf", "oneOf") and error.context:
        branches: Any = error.validator_value
        fitting = [
            e
            for e in error.context
            if isinstance(e.schema_path[0], int)
            and _type_matches(branches[e.schema_path[0]], error.instance)
        ]
        if not fitting:
            return error
        error = best_match(fitting)
    return error


def _message(error: ValidationError) -> tuple[str, list[str | int]]:
    """A human message for ``error`` and the key path it is about."""
    path: list[str | int] = list(error.absolute_path)
    kw = error.validator
    value = error.instance
    expected_value: Any = error.validator_value
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    if kw == "additionalProperties" and isinstance(value, Mapping):
        known = list(schema.get("properties", {}))
        extra = sorted(k for k in value if k not in known)
        key = extra[0] if extra else "?"
        where = "at top level" if not path else f"in {dotted(path)}"
        hint = suggest(key, known) if known else ""
        valid = f" (valid keys: {', '.join(known)})" if known and not hint else ""
        return f"unknown key {key!r} {where}{hint}{valid}", [*path, key]
    if kw == "required":
        missing = str(expected_value[0]) if expected_value else "?"
        if isinstance(value, Mapping):
            missing = next((k for k in expected_value if k not in value), missing)
        return f"missing required key {missing!r}", [*path, missing]
    if kw == "type":
        expected = _expected(schema) or str(expected_value)
        hint = ""
        if schema.get("type") == "string" and isinstance(value, int | float | bool):
            hint = " (quote the value)"
        return f"expected {expected}, got {describe(value)}{hint}", path
    if kw == "enum":
        options = ", ".join(_show(v) for v in expected_value if v is not False)
        return f"expected one of {options}, got {describe(value)}", path
    if kw == "const":
        return f"expected {_show(expected_value)}, got {describe(value)}", path
    if kw in ("anyOf", "oneOf"):
        wanted = schema.get("description") or _expected_any(schema)
        return f"expected {wanted}, got {describe(value)}", path
    if kw == "format" and expected_value == "date":
        return f"expected a date (YYYY-MM-DD), got {describe(value)}", path
    if kw == "format":
        return f"expected {expected_value}, got {describe(value)}", path
    if kw in ("minLength", "pattern") and isinstance(value, str) and not value.strip():
        return "must not be empty", path
    if kw == "minItems":
        return f"needs at least {expected_value} item(s)", path
    if kw == "maxItems":
        return f"allows at most {expected_value} item(s)", path
    if kw == "minimum":
        return f"must be at least {expected_value}, got {describe(value)}", path
    if kw == "maximum":
        return f"must be at most {expected_value}, got {describe(value)}", path
    if kw == "exclusiveMinimum":
        return f"must be more than {expected_value}, got {describe(value)}", path
    if kw == "exclusiveMaximum":
        return f"must be less than {expected_value}, got {describe(value)}", path
    if kw == "uniqueItems":
        return "items must be unique", path
    if kw == "pattern":
        return (
            f"{describe(value)} does not match the pattern {expected_value!r}",
            path,
        )
    return " ".join(error.message.split()), path


def first_error(
    validator: jsonschema.protocols.Validator, data: object
) -> tuple[str, list[str | int]] | None:
    """The best error for ``data`` as ``(message, key path)``, or None when valid."""
    error = best_match(validator.iter_errors(jsonable(data)))  # type: ignore[arg-type]
    if error is None:
        return None
    return _message(_pick(error))


def check(
    validator: jsonschema.protocols.Validator,
    data: object,
    *,
    file: str,
    lines: KeyLines | None,
    prefix: Sequence[str | int] = (),
) -> None:
    """Validate ``data``; raise the best error as a one-line PolicyError.

    ``prefix`` is the key path of ``data`` inside its file (e.g.
    ``("tool", "policylint")`` for a pyproject table); ``lines`` are relative to ``data``.
    """
    found = first_error(validator, data)
    if found is None:
        return
    message, path = found
    full = [*prefix, *path]
    raise PolicyError(message, file=file, line=line_for(path, lines), key=dotted(full) or None)


def validate_policy_data(data: object, file: str, lines: KeyLines | None) -> None:
    """Check one policy document (already loaded) against :data:`POLICY_SCHEMA`."""
    if not isinstance(data, Mapping):
        raise PolicyError(
            "a policy must be a mapping of keys (version, extends, rules...), "
            f"got {describe(data)}",
            file=file,
            line=line_for((), lines),
        )
    check(_POLICY_VALIDATOR, data, file=file, lines=lines)
