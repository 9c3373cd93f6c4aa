"""Baselines: accept today's findings, fail only on new ones (``--baseline``).

A baseline file holds fingerprints, never messages or values, so committing it
leaks no personal data (the detect-secrets habit)::

    {
      "version": 1,
      "tool": "policylint",
      "findings": [
        {"fingerprint": "3f1c...", "rule": "stale-address", "code": "previous-address"}
      ]
    }

Entries are sorted (rule, code, fingerprint) and unique by fingerprint, so
rewriting a baseline for the same findings gives the same bytes and diffs stay
small. Only ``fingerprint`` decides whether a finding is baselined; ``rule`` and
``code`` are there for a person reading the file.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from pathlib import Path

from policylint.errors import InputError
from policylint.io.atomic import atomic_write_text
from policylint.model import Finding

BASELINE_VERSION = 1


def baseline_entries(findings: Iterable[Finding]) -> list[dict[str, str]]:
    """The baseline's ``findings`` list: sorted, one entry per fingerprint.

    Findings without a fingerprint cannot be recognised again and are left out.
    """
    seen: dict[str, tuple[str, str, str]] = {}
    for f in findings:
        if f.fingerprint and f.fingerprint not in seen:
            seen[f.fingerprint] = (f.rule, f.code, f.fingerprint)
    return [
        {"fingerprint": fingerprint, "rule": rule, "code": code}
        for rule, code, fingerprint in sorted(seen.values())
    ]


def write_baseline(path: Path, findings: Sequence[Finding], *, reason: str = "",
                   written: str = "") -> int:
    """Write a baseline of ``findings`` to ``path`` atomically; return how many entries.

    Like detect-secrets' ``generated_at``, the file says when it was written, by which
    policylint, and why (``--baseline-reason``): a reviewer of the commit that adds it
    sees what was accepted and on what grounds.
    """
    from policylint import __version__

    entries = baseline_entries(findings)
    document: dict[str, object] = {
        "version": BASELINE_VERSION, "tool": "policylint", "policylint_version": __version__,
        "written": written or dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "reason": reason, "findings": entries}
    atomic_write_text(Path(path), json.dumps(document, indent=2, ensure_ascii=True) + "\n")
    return len(entries)


def load_baseline(path: Path) -> frozenset[str]:
    """The fingerprints in the baseline at ``path``.

    A missing or unreadable file, invalid JSON (the error names the line) or a
    document of the wrong shape raises :class:`~policylint.errors.InputError`.
    """
    where = str(path)
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError as err:
        raise InputError("baseline file not found", file=where) from err
    except OSError as err:
        raise InputError(f"cannot read baseline: {err.strerror or err}", file=where) from err
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError("baseline is not UTF-8 text", file=where) from err
    try:
        document = json.loads(text)
    except json.JSONDecodeError as err:
        raise InputError(
            f"baseline is not valid JSON: {err.msg} (column {err.colno})",
            file=where,
            line=err.lineno,
        ) from err
    except RecursionError as err:
        raise InputError("baseline is not valid JSON: nested too deeply", file=where) from err
    return _fingerprints(document, where)


def _fingerprints(document: object, where: str) -> frozenset[str]:
    if not isinstance(document, dict):
        raise InputError("baseline must be a JSON object with 'version' and 'findings'",
                         file=where)
    version = document.get("version")
    if version != BASELINE_VERSION or isinstance(version, bool):
        raise InputError(
            f"unsupported baseline version {version!r} (expected {BASELINE_VERSION})",
            file=where,
            key="version",
        )
    entries = document.get("findings")
    if not isinstance(entries, list):
        raise InputError("baseline 'findings' must be a list", file=where, key="findings")
    fingerprints = set()
    for i, entry in enumerate(entries):
        fingerprint = entry.get("fingerprint") if isinstance(entry, dict) else None
        if not isinstance(fingerprint, str) or not fingerprint:
            raise InputError(
                "each baseline entry needs a non-empty string 'fingerprint'",
                file=where,
                key=f"findings[{i}].fingerprint",
            )
        fingerprints.add(fingerprint)
    return frozenset(fingerprints)


def filter_baseline(
    findings: Iterable[Finding], fingerprints: AbstractSet[str]
) -> tuple[list[Finding], int]:
    """Split off findings whose fingerprint is in the baseline: ``(kept, hidden count)``.

    Order is kept. A finding without a fingerprint is never hidden.
    """
    kept: list[Finding] = []
    hidden = 0
    for f in findings:
        if f.fingerprint and f.fingerprint in fingerprints:
            hidden += 1
        else:
            kept.append(f)
    return kept, hidden
