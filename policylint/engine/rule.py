"""The Rule base class every rule (built-in or plug-in) derives from.

A rule declares what it is (name, summary, default severity), what it can be
told (an options JSON Schema, validated centrally), what it needs (row,
rendered item, template, register, whole batch) and examples of bad and good
input. ``policylint explain`` prints the examples and the test suite runs them,
so the docs cannot drift from the behaviour.
"""

from __future__ import annotations

import datetime as dt
import functools
import inspect
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from policylint.io.attachments import Attachment
from policylint.io.register.base import Register
from policylint.io.templates import Rendered, Template
from policylint.model import Row, Severity, Violation

# Defined below the engine and the readers; re-exported here for existing imports.
from policylint.roles import ADDRESS_ROLES as ADDRESS_ROLES
from policylint.roles import FieldMap as FieldMap

Need = Literal["row", "rendered", "template", "register", "batch"]


@dataclass(frozen=True)
class Item:
    """One outgoing item as rules see it: the row, its roles, its template, its text."""

    row: Row
    fields: FieldMap
    channel: str | None
    template: Template | None = None
    rendered: Rendered | None = None
    # The files named in the row's attachments column, read (DESIGN §1). An item
    # whose attachments could not be read never reaches the rules unflagged: the
    # engine reports it as not checked.
    attachments: tuple[Attachment, ...] = ()

    # What rules ask of an item is worked out once per item (several rules ask the
    # same) and kept in ``_memo``, which is not a field: it takes no part in
    # comparing or printing items.
    _memo: dict[str, Any] = field(default_factory=dict, init=False, repr=False,
                                  compare=False, hash=False)

    def role(self, role: str) -> str:
        """The cell value for ``role`` (stripped), or ``""`` when absent."""
        memo = self._memo
        value: str | None = memo.get(role)
        if value is None:
            header = self.fields.roles.get(role)
            value = self.row.values.get(header, "").strip() if header else ""
            memo[role] = value
        return value

    def searchable_texts(self) -> Iterator[tuple[str, str]]:
        """(where, text) for everything the recipient receives: the rendered text,
        then each part of each attachment (``attachment 1 page 2``). ``where`` names
        a position, never a file name (which may itself be personal data)."""
        if self.rendered is not None:
            yield "in the text", self.rendered.text
        yield from self.attachment_texts()

    def sent_text(self) -> str:
        """Everything :meth:`searchable_texts` gives, one part after another, a newline
        between them (an item without attachments: its rendered text as it is)."""
        if not self.attachments:
            return self.rendered.text if self.rendered is not None else ""
        return "\n".join(part for _where, part in self.searchable_texts())

    def attachment_texts(self) -> Iterator[tuple[str, str]]:
        """(where, text) for each part of each attachment: ``searchable_texts`` without
        the rendered text, for rules that already search that their own way."""
        for attachment in self.attachments:
            for part in attachment.parts:
                yield f"in attachment {attachment.index} ({part.where})", part.text

    def has_role(self, role: str) -> bool:
        return self.fields.header(role) is not None

    # Asked for by every rule, some several times a row: kept on the item once known.
    @functools.cached_property
    def recipient_id(self) -> str:
        return self.role("recipient_id")

    @functools.cached_property
    def subject_id(self) -> str:
        return self.role("subject_id") or self.recipient_id

    @property
    def address_lines(self) -> tuple[str, ...]:
        """Non-empty address lines in order, with a separate postcode column appended."""
        lines: tuple[str, ...] | None = self._memo.get(" address_lines")
        if lines is None:
            found = [line for r in ADDRESS_ROLES if (line := self.role(r))]
            postcode = self.role("postcode")
            if postcode and (not found or found[-1].replace(" ", "").upper()
                             != postcode.replace(" ", "").upper()):
                found.append(postcode)
            lines = self._memo[" address_lines"] = tuple(found)
        return lines

    @property
    def references(self) -> tuple[tuple[str, str], ...]:
        """(header, value) for each non-empty reference column."""
        references: tuple[tuple[str, str], ...] | None = self._memo.get(" references")
        if references is None:
            out = []
            for header in self.fields.references:
                value = self.row.values.get(header, "").strip()
                if value:
                    out.append((header, value))
            references = self._memo[" references"] = tuple(out)
        return references


@dataclass(frozen=True)
class Case:
    """One example input: a few batch rows, optionally a template, register and options.

    ``register`` maps a table name to its rows (dicts of column -> text).
    ``expect`` lists the violation codes a bad case must produce (in any
    order); a good case must produce none.
    """

    rows: Sequence[Mapping[str, str]] = ()
    template: str | None = None
    register: Mapping[str, Sequence[Mapping[str, str]]] | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    expect: Sequence[str] = ()
    note: str = ""


@dataclass(frozen=True)
class Example:
    title: str
    bad: Case
    good: Case


@dataclass(frozen=True)
class BatchInfo:
    """What a rule learns about a batch before its rows: headers, roles, templates."""

    file: str
    names: tuple[str, ...]
    fields: FieldMap
    templates: Mapping[str, Template]
    default_template: Template | None = None


@dataclass
class RunContext:
    """What every rule may read for the whole run. Rules must not mutate it."""

    register: Register | None
    today: dt.date
    show_values: bool = False
    policy_options: Mapping[str, Any] = field(default_factory=dict)


class Rule:
    """Base class for rules. Subclass, set the class attributes, override the checks."""

    name: ClassVar[str] = ""
    summary: ClassVar[str] = ""
    default_severity: ClassVar[Severity] = Severity.ERROR
    # JSON Schema for this rule's options ("type": "object", "properties": ...).
    # ``severity`` is handled centrally and never appears here.
    options_schema: ClassVar[Mapping[str, Any]] = {"type": "object", "properties": {}}
    needs: ClassVar[frozenset[Need]] = frozenset({"row"})
    # Channels this rule applies to; None means every channel (and rows with no channel).
    channels: ClassVar[frozenset[str] | None] = None
    examples: ClassVar[Sequence[Example]] = ()
    # True when check_item depends only on the item, the register and the options:
    # no state carried from row to row, nothing from finish(). --jobs then splits
    # the rows of such rules across processes; other rules see every row in order.
    row_independent: ClassVar[bool] = False

    def __init__(self, options: Mapping[str, Any], context: RunContext) -> None:
        self.options: dict[str, Any] = {**self.default_options(), **options}
        self.context = context

    @classmethod
    def default_options(cls) -> dict[str, Any]:
        props = cls.options_schema.get("properties", {})
        return {k: v["default"] for k, v in props.items() if "default" in v}

    @classmethod
    def doc(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or cls.summary)

    def applies_to(self, item: Item) -> bool:
        return self.channels is None or item.channel in self.channels

    # --- checks: each returns violations; the defaults find nothing -------------

    def check_template(self, template: Template) -> Iterable[Violation]:
        """Static checks of one template (what ``policylint lint`` runs)."""
        return ()

    def begin_batch(self, batch: BatchInfo) -> Iterable[Violation]:
        """Called once per batch file before any row (header-level checks)."""
        return ()

    def observe(self, item: Item) -> None:
        """First pass over the batch; only called when ``"batch"`` is in ``needs``.

        Build per-batch indexes here (once), then search them in ``check_item``.
        """

    def check_item(self, item: Item) -> Iterable[Violation]:
        """Check one row (with its rendered text when the rule needs it)."""
        return ()

    def finish(self) -> Iterable[Violation]:
        """Whole-batch findings once every row was checked; set ``row`` on each."""
        return ()

    # --- chunks (DESIGN §5) ---------------------------------------------------------
    # With --jobs N (or --engine dask) a batch is checked in chunks of rows, each on a
    # rule instance of its own, perhaps in another process. A rule that is not
    # row_independent says here how its state splits and merges, and sets
    # ``chunked = True``; one that does not runs with every row in one process.
    # Everything these methods return is plain, picklable data.
    chunked: ClassVar[bool] = False

    def observed(self) -> object:
        """What ``observe`` learnt, as data (of one chunk, or merged: the whole batch)."""
        return None

    def absorb_observed(self, parts: Sequence[object]) -> None:
        """Merge ``observed()`` of chunks, in row order, into this instance: called
        again for later chunks as they come back (each call continues the last)."""

    def prepare_register(self) -> None:
        """Build what depends on the register alone, once, before the batch is read
        (the first pass included): the memory a large register's indexes take while
        they are built is then not on top of the batch's first-pass state."""

    def prepare(self) -> None:
        """Build the run's indexes now, before rows arrive (and before workers fork,
        so they inherit them rather than each building its own)."""

    def chunk_summary(self) -> object:
        """What ``check_item`` gathered for ``finish`` since the last call, emptied."""
        return None

    def absorb_summaries(self, parts: Sequence[object]) -> None:
        """Merge ``chunk_summary()`` of every chunk, in row order, before ``finish``."""

    def carry_out(self) -> object:
        """State the row after the last one checked needs (None: nothing)."""
        return None

    def carry_in(self, state: object) -> None:
        """Start a chunk as if the row before it left ``state`` (None: nothing). A chunk
        whose predecessor leaves something is checked again with it, so findings never
        depend on where chunks split."""
