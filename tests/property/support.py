"""Shared helpers for the property, fuzz and security tests.

A small project on disk (template, policy, register), a CLI invoker, the
library-level oracle "can this batch be read completely?", the checks every
CLI result must pass, and a throwaway plugin whose rules probe the register
or crash on purpose.
"""

from __future__ import annotations

import contextlib
import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner, Result

from policylint.cli import cli
from policylint.engine.rule import Item, Rule
from policylint.errors import PolicylintError
from policylint.hookspecs import hookimpl
from policylint.io.batch import CsvBatchReader
from policylint.model import Violation
from policylint.plugins import get_plugin_manager

HEADER = ("recipient_id,title,first_name,last_name,address_line_1,address_line_2,"
          "address_line_3,postcode,email,phone,channel,account_ref\n")
COLUMNS = HEADER.strip().split(",")
# The two rules that need no register and are stable; CLI properties select them so a
# rule still being written elsewhere cannot make these tests slow or flaky.
STABLE_RULES = "merge-integrity,contact-validity"

TEMPLATE = ("---\nname: reminder\nchannel: letter\n---\n"
            "Dear {{ title }} {{ last_name }},\n\nYour council tax account {{ account_ref }} "
            "is overdue.\n")

REGISTER: dict[str, str] = {
    "people.csv": ("person_id,title,given_name,family_name,date_of_birth,status,flags\n"
                   "P-10001,Mrs,Siân,Okafor,1961-04-02,active,\n"
                   "P-10002,Mr,Tomasz,Nowak,1970-01-30,active,no_voicemail\n"),
    "addresses.csv": ("person_id,line_1,line_2,line_3,line_4,line_5,line_6,postcode,status,"
                      "valid_from,valid_to,verified_on\n"
                      "P-10001,1 Mill Lane,Kings Fenmarsh,,,,,PE30 4AB,current,2020-01-01,,"
                      "2026-01-01\n"),
    "contacts.csv": ("person_id,kind,value,status,verified_on\n"
                     "P-10001,email,s.okafor1@example.org,current,2026-01-01\n"),
    "restrictions.csv": "person_id,kind,other_person_id,note\n",
    "representatives.csv": "person_id,representative_id,scope,valid_to\n",
}


def good_row(n: int) -> str:
    return (f"P-{10000 + n},Mrs,Siân,Okafor,Mrs S Okafor,{n} Mill Lane,Kings Fenmarsh,"
            f"PE30 4AB,s.okafor{n}@example.org,,letter,CT-{40000000 + n}\n")


def good_batch(rows: int, start: int = 1) -> str:
    return HEADER + "".join(good_row(n) for n in range(start, start + rows))


@dataclass(frozen=True)
class Project:
    root: Path
    policy: Path
    register: Path
    template: Path

    def check_args(self, batch: Path, *extra: str, select: str | None = STABLE_RULES
                   ) -> list[str]:
        args = ["check", str(batch), "--policy", str(self.policy), "--register",
                str(self.register), "--today", "2026-11-26"]
        if select:
            args += ["--select", select]
        return [*args, *extra]


def make_project(root: Path) -> Project:
    """A template, a policy naming it, and a small CSV register, under ``root``."""
    (root / "templates").mkdir(parents=True, exist_ok=True)
    template = root / "templates" / "reminder.letter.j2"
    template.write_text(TEMPLATE, encoding="utf-8")
    policy = root / "policylint.yaml"
    policy.write_text("version: 1\ntemplates:\n  - {path: templates/*.j2}\n", encoding="utf-8")
    register = root / "register"
    register.mkdir(exist_ok=True)
    for name, text in REGISTER.items():
        (register / name).write_text(text, encoding="utf-8")
    return Project(root, policy, register, template)


def invoke(args: Sequence[str]) -> Result:
    """Run the CLI in-process; exceptions are caught so a crash is seen, not raised."""
    return CliRunner().invoke(cli, list(args), catch_exceptions=True)


def assert_cli_contract(result: Result) -> None:
    """What every run must satisfy: exit 0, 1 or 2; no traceback; an error is one line."""
    output = result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"uncaught {type(result.exception).__name__}: {result.exception!r}")
    assert result.exit_code in (0, 1, 2), (result.exit_code, output)
    assert "Traceback" not in output, output
    assert "internal error" not in output, output
    if result.exit_code == 2:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith(("policylint: error: ", "Error: ", "Usage: ")), lines[0]


def reads_completely(path: Path) -> bool:
    """The library oracle: can every row of this batch be read (no InputError)?"""
    try:
        with CsvBatchReader(path) as reader:
            for _ in reader.rows():
                pass
    except PolicylintError:
        return False
    return True


def csv_text(rows: Iterable[Sequence[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


# --------------------------------------------------------------------------- a test plugin


class RegisterProbe(Rule):
    """Asks the register every question a real rule would, for each row."""

    name = "zz-register-probe"
    summary = "test only: calls every register method"
    needs = frozenset({"row", "register"})

    def check_item(self, item: Item) -> Iterable[Violation]:
        register = self.context.register
        assert register is not None
        pid = item.recipient_id
        register.person(pid)
        register.addresses(pid)
        register.contacts(pid)
        register.restrictions_for(pid)
        register.representatives(pid)
        register.restrictions()
        register.contact_owners("email", item.role("email").lower())
        return ()


class Boom(Rule):
    """Raises on the row whose recipient_id is in ``BOOM_ON`` (all rows when empty)."""

    name = "zz-boom"
    summary = "test only: crashes"
    needs = frozenset({"row"})
    boom_on: frozenset[str] = frozenset()
    exception: type[BaseException] = ZeroDivisionError

    def check_item(self, item: Item) -> Iterable[Violation]:
        if not self.boom_on or item.recipient_id in self.boom_on:
            raise self.exception("secret detail: Siân Okafor, 1 Mill Lane")
        return ()


class _Plugin:
    def __init__(self, rules: Sequence[type[Rule]]) -> None:
        self.rules = tuple(rules)

    @hookimpl
    def policylint_rules(self) -> Sequence[type[Rule]]:
        return self.rules


@contextlib.contextmanager
def plugin_rules(*rules: type[Rule]) -> Iterator[None]:
    """Register ``rules`` through the plugin manager for the duration of the block."""
    pm = get_plugin_manager()
    plugin = _Plugin(rules)
    pm.register(plugin, name="policylint-test-plugin")
    try:
        yield
    finally:
        pm.unregister(plugin)
