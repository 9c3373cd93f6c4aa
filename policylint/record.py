"""The dispatch record: what went to whom, and where, without a word of personal data.

The ICO's decision letter asks councils to keep a log of what they send, and a
breach must be triaged within 72 hours: "did anything else go to that address?"
``policylint check --record record.jsonl`` appends one JSON line per checked item:
when, which batch (a SHA-256 digest of the file), which row, the template and
policy digests, what the rules found, and keyed hashes (HMAC-SHA-256) of the
recipient_id and of the destination (the address a letter goes to, the email or
phone a message goes to). ``policylint record find`` hashes a recipient id or a
destination with the same key and lists the lines that match.

The key comes from ``POLICYLINT_RECORD_KEY``, else from a key file: the one the
policy names (``record_key_file:``), else ``<record>.key`` beside the record,
created on first use with owner-only permissions and reused. Without the key the
hashes cannot be tested against guesses (a bare SHA-256 of a phone number can be
brute-forced in seconds; an HMAC cannot).

Appends are atomic and safe with several writers: each run's lines are written
with one ``write`` on a descriptor opened with ``O_APPEND``, under an exclusive
``flock``, so concurrent runs never interleave half lines.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import hmac
import json
import os
import secrets
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from policylint.engine.rule import Item
from policylint.errors import InputError
from policylint.masking import mask_identifier
from policylint.model import Finding
from policylint.normalise.address import address_key
from policylint.normalise.contact import email_key, phone_key

KEY_ENV = "POLICYLINT_RECORD_KEY"
RECORD_VERSION = 1
_KEY_BYTES = 32


def record_key(record: Path, key_file: Path | None = None) -> bytes:
    """The HMAC key: the environment, else the key file (created on first use)."""
    from_env = os.environ.get(KEY_ENV)
    if from_env:
        return from_env.encode("utf-8")
    path = key_file or record.with_name(record.name + ".key")
    try:
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        if key_file is not None:
            raise InputError("record key file not found", file=str(path)) from None
        return _create_key(path)
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the record key ({type(exc).__name__})",
                         file=str(path)) from None
    if len(text) < 32:
        raise InputError("record key file holds no usable key (64 hex characters expected)",
                         file=str(path))
    return text.encode("ascii")


def _create_key(path: Path) -> bytes:
    key = secrets.token_hex(_KEY_BYTES)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another writer created it first: use theirs
        return record_key(path.with_name(path.name[: -len(".key")]), path)
    except OSError as exc:
        raise InputError(f"cannot create the record key: {exc.strerror}",
                         file=str(path)) from None
    with os.fdopen(descriptor, "w", encoding="ascii") as out:
        out.write(key + "\n")
    return key.encode("ascii")


def keyed_hash(key: bytes, kind: str, value: str) -> str:
    """HMAC-SHA-256 of a normalised value, tagged with its kind (never the value)."""
    return hmac.new(key, f"{kind}\x1f{value}".encode(), hashlib.sha256).hexdigest()


# --- what a destination is --------------------------------------------------------------


def _address_parts(lines: Sequence[str], names: Sequence[str] = ()) -> tuple[str, str] | None:
    """(postcode, exact premise) of an address: what decides where a letter lands.

    Street and town wording is left out (it is compared fuzzily everywhere else),
    so "17 Wispering Gdns, PE99 7ZZ" finds the letter sent to "17 Wispering
    Gardens, Lowmarsh, PE99 7ZZ"; a different flat or house number does not.
    """
    key = address_key(lines, "", names)
    if not key.postcode:
        return None
    premise = "|".join((" ".join(key.numbers), " ".join(key.units), key.premise))
    return key.postcode, premise


def item_destinations(item: Item) -> dict[str, str]:
    """Normalised destinations of an item, by kind: what its channel sends to."""
    channel = item.channel or "letter"
    found: dict[str, str] = {}
    if channel == "email":
        if value := email_key(item.role("email")):
            found["email"] = value
    elif channel in ("sms", "voicemail"):
        if value := phone_key(item.role("phone")):
            found["phone"] = value
    else:
        names = tuple(n for n in (item.role("name"), " ".join(
            p for p in (item.role("title"), item.role("first_name"), item.role("last_name"))
            if p)) if n)
        parts = _address_parts(item.address_lines, names)
        if parts is not None:
            found["postcode"] = parts[0]
            found["address"] = "/".join(parts)
    return found


def query_destinations(value: str) -> dict[str, str]:
    """Every way a value typed by an investigator may name a destination."""
    text = value.strip()
    found: dict[str, str] = {}
    if "@" in text:
        if email := email_key(text):
            found["email"] = email
        return found
    if phone := phone_key(text):
        found["phone"] = phone
    lines = [line for line in text.replace("\n", ",").split(",") if line.strip()]
    parts = _address_parts(lines)
    if parts is not None:
        postcode, premise = parts
        if premise.strip("|"):
            found["address"] = "/".join(parts)
        else:  # a bare postcode: everything sent into it
            found["postcode"] = postcode
    return found


# --- writing ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RunInfo:
    """What every line of one run shares."""

    time: str
    policy_digest: str


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def policy_digest(files: Iterable[str]) -> str:
    digest = hashlib.sha256()
    for name in files:
        with contextlib.suppress(OSError):
            digest.update(Path(name).read_bytes())
    return digest.hexdigest()


class Recorder:
    """Collects one line per checked item while the batch streams, appends at the end.

    Lines go to a temporary file during the run (memory stays flat however long
    the batch); the rules' results are joined in when the run is over, and the
    whole run is appended to the record in one locked write.
    """

    def __init__(self, record: Path, key: bytes, run: RunInfo) -> None:
        self.record = record
        self.key = key
        self.run = run
        # Closed by finish() or close(), which the engine calls in a finally.
        self._pending: IO[str] = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115
        self._batch: dict[str, str] = {}

    def add_item(self, item: Item, batch_path: Path | None) -> None:
        self.add_line(self.item_line(item, batch_path))

    def note_batch(self, display: str, batch_path: Path | None) -> None:
        """Hash the batch file now (before --jobs workers fork, so none hashes it again)."""
        if display not in self._batch:
            self._batch[display] = file_digest(batch_path) if batch_path else ""

    def known_batch(self, display: str, digest: str) -> None:
        """The batch's digest, computed elsewhere (a Dask worker is told it)."""
        self._batch[display] = digest

    def batch_digest(self, display: str) -> str:
        return self._batch.get(display, "")

    def item_line(self, item: Item, batch_path: Path | None) -> str:
        """The pending line for one item (a --jobs worker computes it, the parent writes it)."""
        display = item.row.file
        self.note_batch(display, batch_path)
        template = item.template
        entry = {
            "file": display,
            "batch": self._batch[display],
            "row": item.row.number,
            "recipient": keyed_hash(self.key, "recipient", item.recipient_id.strip())
            if item.recipient_id.strip() else "",
            "recipient_masked": mask_identifier(item.recipient_id)
            if item.recipient_id.strip() else "",
            "channel": item.channel or "",
            "destination": {kind: keyed_hash(self.key, kind, value)
                            for kind, value in item_destinations(item).items()},
            "template": template.name if template else "",
            "template_digest": hashlib.sha256(template.source.encode()).hexdigest()
            if template else "",
        }
        return json.dumps(entry, separators=(",", ":")) + "\n"

    def add_line(self, line: str) -> None:
        self._pending.write(line)

    def finish(self, findings: Sequence[Finding], complete: bool) -> int:
        """Append every pending line, with what the rules found for its row."""
        results: dict[tuple[str, int], list[Finding]] = {}
        for finding in findings:
            if finding.row is not None:
                results.setdefault((finding.file, finding.row), []).append(finding)
        lines = []
        self._pending.seek(0)
        for text in self._pending:
            entry: dict[str, Any] = json.loads(text)
            found = results.get((entry["file"], entry["row"]), [])
            lines.append(json.dumps({
                "version": RECORD_VERSION,
                "time": self.run.time,
                **entry,
                "policy_digest": self.run.policy_digest,
                "run_complete": complete,
                "result": _result(found),
            }, separators=(",", ":"), ensure_ascii=True))
        self._pending.close()
        append_lines(self.record, lines)
        return len(lines)

    def close(self) -> None:
        self._pending.close()


def _result(findings: Sequence[Finding]) -> dict[str, object]:
    if not findings:
        return {"status": "clear", "findings": []}
    worst = max(findings, key=lambda f: f.severity.rank).severity.value
    return {"status": worst,
            "findings": sorted({f"{f.rule}/{f.code}" if f.code else f.rule for f in findings})}


def append_lines(record: Path, lines: Sequence[str]) -> None:
    """Append ``lines`` in one locked O_APPEND write: no interleaving between writers."""
    if not lines:
        return
    data = ("\n".join(lines) + "\n").encode("utf-8")
    try:
        descriptor = os.open(record, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    except OSError as exc:
        raise InputError(f"cannot open the record: {exc.strerror}", file=str(record)) from None
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        view = memoryview(data)
        while view:
            written = os.write(descriptor, view)
            view = view[written:]
        os.fsync(descriptor)
    except OSError as exc:
        raise InputError(f"cannot write the record: {exc.strerror}", file=str(record)) from None
    finally:
        os.close(descriptor)  # closing releases the lock


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


# --- finding ----------------------------------------------------------------------------


def read_record(record: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, entry) for every line; a damaged line is an error naming it."""
    try:
        stream = record.open(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read the record: {exc.strerror}", file=str(record)) from None
    with stream:
        for number, text in enumerate(stream, start=1):
            if not text.strip():
                continue
            try:
                entry = json.loads(text)
            except json.JSONDecodeError:
                raise InputError("not a record line (invalid JSON)", file=str(record),
                                 line=number) from None
            if not isinstance(entry, dict):
                raise InputError("not a record line", file=str(record), line=number)
            yield number, entry


def find(record: Path, key: bytes, *, recipient: str | None = None,
         destination: str | None = None) -> list[dict[str, Any]]:
    """Record entries for a recipient id and/or a destination (both must match)."""
    recipient_hash = keyed_hash(key, "recipient", recipient.strip()) if recipient else None
    wanted: Mapping[str, str] = {}
    if destination is not None:
        kinds = query_destinations(destination)
        if not kinds:
            raise InputError("--destination is not an email, a phone number, an address with "
                             "a postcode or a postcode")
        wanted = {kind: keyed_hash(key, kind, value) for kind, value in kinds.items()}
    matches = []
    for _number, entry in read_record(record):
        if recipient_hash is not None and entry.get("recipient") != recipient_hash:
            continue
        if wanted:
            sent_to = entry.get("destination") or {}
            if not any(sent_to.get(kind) == digest for kind, digest in wanted.items()):
                continue
        matches.append(entry)
    return matches
