"""Policies: loading, ``extends:`` resolution, merging, and rule-option validation.

A policy file is YAML (or the ``[tool.policylint]`` table of a pyproject.toml)
validated against :data:`policylint.config.schema.POLICY_SCHEMA`. ``extends:``
names built-in packs (``uk-local-gov``) or files (``../base.yaml``); they are
merged in order, the extending file last:

* ``rules`` merge per rule, key by key: a pack's ``stale-address: {severity:
  error, max_age_days: 365}`` overridden by ``stale-address: {max_age_days: 180}``
  keeps severity ``error``. ``off`` disables a rule; a severity (or a mapping
  with ``severity``) enables it again. A mapping without ``severity`` keeps the
  inherited on/off state (a rule first configured that way is on).
* ``fields`` merge per role; ``templates`` and ``suppressions`` are concatenated;
  ``register`` and ``fingerprint_key`` are replaced.
* A file reached twice (a diamond of ``extends:``) is merged once, at its first place.

Relative paths (``register``, template globs, ``extends`` files) resolve against
the directory of the file that wrote them. ``register`` may also be a mapping
(``url``, ``tables``, ``columns``: a database whose tables have other names);
it then becomes a :class:`~policylint.io.register.location.RegisterLocation`,
still a ``str``, that carries the mapping to the register backend.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import jsonschema

from policylint.config.schema import first_error, suggest, validate_policy_data
from policylint.config.yamlsafe import MAX_BYTES, KeyLines, dotted, load_yaml
from policylint.errors import PolicyError
from policylint.io.register.location import ENV_URL, RegisterLocation, RegisterMapping
from policylint.model import NOT_CHECKED_RULES, Severity

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib  # type: ignore[import-not-found,no-redef,unused-ignore]

__all__ = [
    "Policy",
    "RuleSetting",
    "Suppression",
    "TemplateSpec",
    "available_packs",
    "builtin_pack_dir",
    "empty_policy",
    "load_policy",
    "read_pyproject_table",
    "validate_rule_settings",
]

_EMPTY: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True)
class RuleSetting:
    """How one rule is configured after merging every file.

    ``severity`` None means the rule's default severity. ``file``/``line`` name
    the last file that configured the rule (the line of its key under
    ``rules:``). ``option_origins`` maps each option to the file and line that
    set it, so option errors point at the right place.
    """

    enabled: bool
    severity: Severity | None
    options: Mapping[str, Any]
    file: str
    line: int | None
    option_origins: Mapping[str, tuple[str, int | None]] = field(
        default_factory=lambda: _EMPTY, compare=False, repr=False
    )


@dataclass(frozen=True)
class Suppression:
    """A finding the policy accepts, for one rule (optionally one recipient/template), until a date.

    ``expires`` is the last day the suppression applies.
    """

    rule: str
    reason: str
    expires: dt.date
    recipient_id: str | None
    template: str | None
    file: str
    line: int | None
    # Only this code of the rule (``code:``, or ``rule: stale-address[previous-address]``).
    code: str | None = None

    def expired(self, today: dt.date) -> bool:
        """True once ``today`` is after :attr:`expires`."""
        return today > self.expires


@dataclass(frozen=True)
class TemplateSpec:
    """A ``templates:`` entry. ``pattern`` is an absolute glob.

    ``file``/``line`` name where the entry was written (for "no file matches" errors).
    """

    pattern: str
    channel: str | None
    audience: str | None
    name: str | None
    file: str | None = None
    line: int | None = None
    scope: str | None = None
    syntax: str | None = None


@dataclass(frozen=True)
class Policy:
    """A fully merged policy. ``files`` lists every file merged, in merge order."""

    source: str | None
    register: str | None
    fields: Mapping[str, tuple[str, ...]]
    templates: tuple[TemplateSpec, ...]
    rules: Mapping[str, RuleSetting]
    suppressions: tuple[Suppression, ...]
    fingerprint_key: str | None
    files: tuple[str, ...]
    # output.show_ids: print opaque internal recipient/subject ids in full. Off by
    # default; ids that are NHS or NI numbers, emails or phones stay masked anyway.
    show_ids: bool = False
    # The dispatch record (`record:`) and its key file, resolved against the policy file.
    record: str | None = None
    record_key_file: str | None = None

    def setting(self, rule_name: str) -> RuleSetting | None:
        """The merged setting of ``rule_name``, or None when no file configures it."""
        return self.rules.get(rule_name)


def empty_policy() -> Policy:
    """The policy used when no policy file is found: nothing configured."""
    return Policy(
        source=None,
        register=None,
        fields=MappingProxyType({}),
        templates=(),
        rules=MappingProxyType({}),
        suppressions=(),
        fingerprint_key=None,
        files=(),
    )


# --- packs -----------------------------------------------------------------------


def builtin_pack_dir() -> Path:
    """Directory of the built-in policy packs.

    An installed wheel ships the repository's ``policies/`` as
    ``policylint/_packs``; a source or editable checkout uses ``<repo>/policies``.
    """
    package = Path(__file__).resolve().parent.parent
    shipped = package / "_packs"
    if shipped.is_dir():
        return shipped
    return package.parent / "policies"


def available_packs(pack_dirs: Sequence[Path] = ()) -> list[str]:
    """Names of every pack in ``pack_dirs`` and the built-in directory, sorted."""
    names: set[str] = set()
    for directory in [*pack_dirs, builtin_pack_dir()]:
        if directory.is_dir():
            names.update(p.stem for p in directory.glob("*.yaml") if p.is_file())
    return sorted(names)


def _find_pack(name: str, pack_dirs: Sequence[Path]) -> Path | None:
    for directory in [*pack_dirs, builtin_pack_dir()]:
        candidate = directory / f"{name}.yaml"
        if candidate.is_file():
            return candidate
    return None


# --- reading files ---------------------------------------------------------------


def _read_text(path: Path, display: str) -> str:
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise PolicyError(
                f"policy is {size} bytes; the limit is {MAX_BYTES} bytes (1 MiB)", file=display
            )
        raw = path.read_bytes()
    except FileNotFoundError:
        raise PolicyError("policy file not found", file=display) from None
    except IsADirectoryError:
        raise PolicyError("policy path is a directory, not a file", file=display) from None
    except OSError as err:
        reason = err.strerror or type(err).__name__
        raise PolicyError(f"cannot read policy file: {reason}", file=display) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise PolicyError("policy file is not UTF-8 text", file=display, line=line) from None


_TOML_AT = re.compile(r"\(at line (\d+), column \d+\)")
_TOML_PART_RE = r"""(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')"""
_TOML_KEY = re.compile(rf"^\s*({_TOML_PART_RE}(?:\s*\.\s*{_TOML_PART_RE})*)\s*=")
_TOML_PART = re.compile(_TOML_PART_RE)
_TOML_HEADER = re.compile(
    rf"^\s*(\[\[?)\s*({_TOML_PART_RE}(?:\s*\.\s*{_TOML_PART_RE})*)\s*\]\]?\s*(#.*)?$"
)


def _toml_parts(dotted_key: str) -> tuple[str, ...]:
    return tuple(p.strip("\"'") for p in _TOML_PART.findall(dotted_key))


def _toml_lines(text: str, table: tuple[str, ...]) -> KeyLines:
    """Best-effort key lines for the ``[tool.policylint]`` table of a TOML file.

    Covers table headers, arrays of tables and ``key = value`` lines; anything
    it cannot place falls back (via the nearest-parent lookup) to a line above.
    """
    lines: KeyLines = {}
    current: tuple[str, ...] = ()
    counters: dict[tuple[str, ...], int] = {}
    in_multiline: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if in_multiline:
            if line.count(in_multiline) % 2 == 1:
                in_multiline = None
            continue
        header = _TOML_HEADER.match(line)
        if header:
            parts = _toml_parts(header.group(2))
            if header.group(1) == "[[":
                index = counters.get(parts, -1) + 1
                counters[parts] = index
                current = (*parts, str(index))
            else:
                current = parts
            parts = current
        else:
            key = _TOML_KEY.match(line)
            if not key:
                continue
            parts = (*current, *_toml_parts(key.group(1)))
            for quote in ('"""', "'''"):
                if line.count(quote) % 2 == 1:
                    in_multiline = quote
        if parts[: len(table)] == table:
            rel = parts[len(table) :]
            if rel and rel[-1].isdigit() and rel[:-1] not in lines:
                lines[rel[:-1]] = number
            lines.setdefault(rel, number)
    return lines


def read_pyproject_table(path: Path, display: str | None = None) -> tuple[object, KeyLines] | None:
    """The ``[tool.policylint]`` table of a pyproject.toml and its key lines, or None if absent."""
    shown = display or str(path)
    text = _read_text(path, shown)
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        message = " ".join(str(err).split())
        at = _TOML_AT.search(message)
        message = _TOML_AT.sub("", message).strip()
        raise PolicyError(
            f"invalid TOML: {message}", file=shown, line=int(at.group(1)) if at else None
        ) from None
    tool = doc.get("tool")
    if not isinstance(tool, dict) or "policylint" not in tool:
        return None
    return tool["policylint"], _toml_lines(text, ("tool", "policylint"))


def _read_policy_file(path: Path, display: str) -> tuple[object, KeyLines]:
    if path.suffix.lower() == ".toml":
        found = read_pyproject_table(path, display)
        if found is None:
            raise PolicyError("no [tool.policylint] table in this file", file=display)
        return found
    text = _read_text(path, display)
    data, lines = load_yaml(text, display)
    return ({} if data is None else data), lines


# --- extends -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Layer:
    display: str
    data: Mapping[str, Any]
    lines: KeyLines


def _is_path_ref(ref: str) -> bool:
    return (
        "/" in ref
        or "\\" in ref
        or ref.lower().endswith((".yaml", ".yml", ".toml"))
        or ref.startswith("~")
    )


def _display_join(base_display: str, ref: str) -> str:
    ref = os.path.expanduser(ref)
    if os.path.isabs(ref):
        return os.path.normpath(ref)
    return os.path.normpath(os.path.join(os.path.dirname(base_display), ref))


class _Collector:
    def __init__(self, pack_dirs: Sequence[Path]) -> None:
        self.pack_dirs = list(pack_dirs)
        self.layers: list[_Layer] = []
        self.done: set[Path] = set()
        self.stack: list[tuple[Path, str]] = []

    def visit(self, path: Path, display: str, origin: tuple[str, int | None, str] | None) -> None:
        real = path.resolve()
        chain = [real_path for real_path, _ in self.stack]
        if real in chain:
            names = [d for _, d in self.stack[chain.index(real) :]] + [display]
            file, line, key = origin if origin else (display, None, "extends")
            raise PolicyError("extends cycle: " + " -> ".join(names), file=file, line=line, key=key)
        if real in self.done:
            return
        if origin is not None and not path.is_file():
            file, line, key = origin
            what = "directory, not a policy file" if path.is_dir() else "file not found"
            raise PolicyError(f"extended policy {display}: {what}", file=file, line=line, key=key)
        data, lines = _read_policy_file(path, display)
        validate_policy_data(data, display, lines)
        assert isinstance(data, Mapping)
        self.stack.append((real, display))
        try:
            for ref, ref_line, ref_key in _extends_refs(data, lines):
                self._visit_ref(ref, display, (display, ref_line, ref_key))
        finally:
            self.stack.pop()
        self.done.add(real)
        self.layers.append(_Layer(display, data, lines))

    def _visit_ref(self, ref: str, base: str, origin: tuple[str, int | None, str]) -> None:
        if _is_path_ref(ref):
            target = _display_join(base, ref)
            self.visit(Path(target), target, origin)
            return
        pack = _find_pack(ref, self.pack_dirs)
        if pack is None:
            packs = available_packs(self.pack_dirs)
            hint = suggest(ref, packs)
            listing = ", ".join(packs) if packs else "none"
            file, line, key = origin
            raise PolicyError(
                f"unknown policy pack {ref!r}{hint} (available packs: {listing}; "
                "a file path needs a / or a .yaml suffix)",
                file=file,
                line=line,
                key=key,
            )
        self.visit(pack, str(pack), origin)


def _extends_refs(data: Mapping[str, Any], lines: KeyLines) -> list[tuple[str, int | None, str]]:
    value = data.get("extends")
    if value is None:
        return []
    if isinstance(value, str):
        return [(value, lines.get(("extends",)), "extends")]
    return [
        (ref, lines.get(("extends", str(i)), lines.get(("extends",))), f"extends[{i}]")
        for i, ref in enumerate(value)
    ]


# --- merging -----------------------------------------------------------------------


def _register(layer: _Layer) -> str:
    """A layer's ``register:``: a path resolved against its file's directory, a URL as
    written, or (mapping form, or ``${VAR}`` to expand when opened) a RegisterLocation."""
    value = layer.data["register"]
    base = os.path.dirname(os.path.abspath(layer.display))
    if isinstance(value, str):
        if "${" in value:
            return RegisterLocation(value, None, base)
        return _resolve_path(layer.display, value)
    url = value.get("url", "${" + ENV_URL + "}")
    if "${" not in url:
        url = _resolve_path(layer.display, url)
    lines = {
        ".".join(key[1:]): line for key, line in layer.lines.items()
        if len(key) > 2 and key[0] == "register" and key[1] in ("tables", "columns")
    }
    mapping = RegisterMapping(
        tables=MappingProxyType(dict(value.get("tables", {}))),
        columns=MappingProxyType({table: MappingProxyType(dict(columns))
                                  for table, columns in value.get("columns", {}).items()}),
        file=layer.display,
        line=layer.lines.get(("register",)),
        lines=MappingProxyType(lines),
    )
    return RegisterLocation(url, mapping, base)


def _rule_and_code(item: Mapping[str, Any]) -> tuple[str, str | None]:
    """``rule: stale-address[previous-address]`` or ``rule`` plus ``code``."""
    rule = str(item["rule"]).strip()
    code = item.get("code")
    if rule.endswith("]") and "[" in rule:
        rule, _, bracketed = rule[:-1].partition("[")
        code = code or bracketed
    return rule, code


def _resolve_path(base_display: str, value: str) -> str:
    if "://" in value:
        return value  # a URL (e.g. an SQLAlchemy URL): left as written
    value = os.path.expanduser(value)
    if not os.path.isabs(value):
        value = os.path.join(os.path.dirname(os.path.abspath(base_display)), value)
    return os.path.normpath(value)


def _as_tuple(value: str | Sequence[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def _as_date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):  # pragma: no cover - rejected by the schema
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


class _RuleAcc:
    def __init__(self) -> None:
        self.enabled = True
        self.severity: Severity | None = None
        self.options: dict[str, Any] = {}
        self.origins: dict[str, tuple[str, int | None]] = {}
        self.file = ""
        self.line: int | None = None

    def apply(self, value: object, layer: _Layer, name: str) -> None:
        self.file = layer.display
        self.line = layer.lines.get(("rules", name))
        if isinstance(value, bool):
            self.enabled = value
        elif isinstance(value, str):
            self._severity(value)
        elif isinstance(value, Mapping):
            if "severity" in value:
                sev = value["severity"]
                self._severity("off" if sev is False else str(sev))
            for key, option in value.items():
                if key == "severity":
                    continue
                self.options[key] = option
                line = layer.lines.get(("rules", name, key), self.line)
                self.origins[key] = (layer.display, line)

    def _severity(self, value: str) -> None:
        if value == "off":
            self.enabled = False
        else:
            self.enabled = True
            self.severity = Severity.parse(value)

    def freeze(self) -> RuleSetting:
        return RuleSetting(
            enabled=self.enabled,
            severity=self.severity,
            options=MappingProxyType(dict(self.options)),
            file=self.file,
            line=self.line,
            option_origins=MappingProxyType(dict(self.origins)),
        )


def _merge(layers: Sequence[_Layer], source: str) -> Policy:
    register: str | None = None
    fingerprint_key: str | None = None
    show_ids = False
    record: str | None = None
    record_key_file: str | None = None
    fields: dict[str, tuple[str, ...]] = {}
    templates: list[TemplateSpec] = []
    suppressions: list[Suppression] = []
    rules: dict[str, _RuleAcc] = {}
    for layer in layers:
        data = layer.data
        if "register" in data:
            register = _register(layer)
        if "fingerprint_key" in data:
            fingerprint_key = data["fingerprint_key"]
        show_ids = bool(data.get("output", {}).get("show_ids", show_ids))
        if "record" in data:
            record = _resolve_path(layer.display, data["record"])
        if "record_key_file" in data:
            record_key_file = _resolve_path(layer.display, data["record_key_file"])
        for role, columns in data.get("fields", {}).items():
            fields[role] = _as_tuple(columns)
        for index, spec in enumerate(data.get("templates", [])):
            templates.append(
                TemplateSpec(
                    pattern=_resolve_path(layer.display, spec["path"]),
                    channel=spec.get("channel"),
                    audience=spec.get("audience"),
                    name=spec.get("name"),
                    scope=spec.get("scope"),
                    syntax=spec.get("syntax"),
                    file=layer.display,
                    line=layer.lines.get(("templates", str(index), "path")),
                )
            )
        for index, item in enumerate(data.get("suppressions", [])):
            suppressions.append(
                Suppression(
                    rule=_rule_and_code(item)[0],
                    code=_rule_and_code(item)[1],
                    reason=item["reason"].strip(),
                    expires=_as_date(item["expires"]),
                    recipient_id=item.get("recipient_id"),
                    template=item.get("template"),
                    file=layer.display,
                    line=layer.lines.get(("suppressions", str(index))),
                )
            )
        for name, value in data.get("rules", {}).items():
            rules.setdefault(name, _RuleAcc()).apply(value, layer, name)
    return Policy(
        source=source,
        register=register,
        fields=MappingProxyType(fields),
        templates=tuple(templates),
        rules=MappingProxyType({name: acc.freeze() for name, acc in rules.items()}),
        suppressions=tuple(suppressions),
        fingerprint_key=fingerprint_key,
        files=tuple(layer.display for layer in layers),
        show_ids=show_ids,
        record=record,
        record_key_file=record_key_file,
    )


def load_policy(path: Path, pack_dirs: Sequence[Path] = ()) -> Policy:
    """Load, validate and merge the policy at ``path`` with everything it extends.

    ``path`` may be a YAML file or a pyproject.toml (its ``[tool.policylint]``
    table). Bare names in ``extends:`` are packs, searched in ``pack_dirs`` and
    then :func:`builtin_pack_dir`. Raises :class:`PolicyError` for any problem.
    """
    display = str(path)
    collector = _Collector(pack_dirs)
    collector.visit(Path(path), display, None)
    return _merge(collector.layers, display)


# --- rule options --------------------------------------------------------------------


def _options_validator(schema: Mapping[str, Any]) -> jsonschema.protocols.Validator:
    full = dict(schema)
    full.setdefault("type", "object")
    if "additionalProperties" not in full and "unevaluatedProperties" not in full:
        full["additionalProperties"] = False
    cls = jsonschema.Draft202012Validator
    return cls(full, format_checker=cls.FORMAT_CHECKER)


def validate_rule_settings(policy: Policy, schemas: Mapping[str, Mapping[str, Any]]) -> None:
    """Check every configured rule exists and its options fit the rule's options schema.

    ``schemas`` maps each known rule name to its options JSON Schema. Unknown
    options are errors unless the schema sets ``additionalProperties`` itself.
    Suppressions naming an unknown rule are errors too.
    """
    known = sorted(schemas)
    for name, setting in policy.rules.items():
        if name not in schemas:
            raise PolicyError(
                f"unknown rule {name!r}{suggest(name, known)}",
                file=setting.file,
                line=setting.line,
                key=dotted(("rules", name)),
            )
        schema = schemas[name]
        properties = list(schema.get("properties", {}))
        open_ended = (
            schema.get("additionalProperties", False) is not False
            or "patternProperties" in schema
            or "unevaluatedProperties" in schema
        )
        for option in setting.options:
            if option in properties or open_ended:
                continue
            file, line = setting.option_origins.get(option, (setting.file, setting.line))
            if properties:
                hint = suggest(option, properties) or f" (options: {', '.join(properties)})"
            else:
                hint = "; this rule takes no options besides severity"
            raise PolicyError(
                f"unknown option {option!r} for rule {name!r}{hint}",
                file=file,
                line=line,
                key=dotted(("rules", name, option)),
            )
        found = first_error(_options_validator(schema), dict(setting.options))
        if found is not None:
            message, path = found
            file, line = setting.file, setting.line
            if path and isinstance(path[0], str) and path[0] in setting.option_origins:
                file, line = setting.option_origins[path[0]]
            raise PolicyError(message, file=file, line=line, key=dotted(("rules", name, *path)))
    per_file: dict[str, int] = {}
    for sup in policy.suppressions:
        index = per_file.get(sup.file, 0)
        per_file[sup.file] = index + 1
        if sup.rule not in schemas and sup.rule not in NOT_CHECKED_RULES:
            raise PolicyError(
                f"suppression names unknown rule {sup.rule!r}{suggest(sup.rule, known)}",
                file=sup.file,
                line=sup.line,
                key=f"suppressions[{index}].rule",
            )
