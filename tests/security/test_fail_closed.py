"""Fail closed: whatever breaks during a run, the run fails (never exit 0), says so
in one line without a traceback or personal data, and leaves no output file that
looks complete.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from click.testing import Result

from policylint.engine.rule import Item, Rule
from policylint.io.register.build import build_sqlite
from policylint.io.register.sqlite import SqliteRegister
from policylint.model import Violation
from policylint.rules.merge_integrity import MergeIntegrity
from tests.property.support import (
    HEADER,
    Boom,
    Project,
    RegisterProbe,
    assert_cli_contract,
    good_batch,
    good_row,
    invoke,
    make_project,
    plugin_rules,
)

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def project(tmp_path: Path) -> Project:
    proj = make_project(tmp_path)
    (proj.root / "batch.csv").write_text(good_batch(5), encoding="utf-8")
    return proj


def _one_error_line(result: Result) -> str:
    assert_cli_contract(result)
    assert result.exit_code == 2, result.output
    lines = [x for x in result.stderr.splitlines() if x.strip()]
    assert len(lines) == 1
    assert "Okafor" not in result.output and "Mill Lane" not in result.output
    return str(lines[0])


# --------------------------------------------------------------------------- crashing rules


def test_plugin_rule_that_raises_fails_the_run_naming_rule_and_row(project: Project,
                                                                   monkeypatch: pytest.MonkeyPatch
                                                                   ) -> None:
    monkeypatch.setattr(Boom, "boom_on", frozenset({"P-10002"}))
    out = project.root / "report.txt"
    with plugin_rules(Boom):
        result = invoke(project.check_args(project.root / "batch.csv", "-o", str(out),
                                           select=f"{Boom.name},merge-integrity"))
    line = _one_error_line(result)
    assert "zz-boom" in line and "row 3" in line and "ZeroDivisionError" in line
    assert "secret detail" not in result.output
    # The report says the gate failed (a CI upload `if: always()` finds it), and
    # never looks like a complete run.
    report = out.read_text(encoding="utf-8")
    assert "Not checked:" in report and "zz-boom" in report
    assert "secret detail" not in report and "All clear" not in report


def test_builtin_rule_that_raises_fails_the_run(project: Project,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(self: Rule, item: Item) -> Iterable[Violation]:
        raise RuntimeError(f"cannot handle {item.row.values}")

    monkeypatch.setattr(MergeIntegrity, "check_item", broken)
    line = _one_error_line(invoke(project.check_args(project.root / "batch.csv")))
    assert "merge-integrity" in line and "row 2" in line


@pytest.mark.parametrize("where", ["begin_batch", "observe", "finish"])
def test_rule_crash_outside_check_item_also_fails(project: Project, where: str) -> None:
    class Crash(Rule):
        name = "zz-crash-elsewhere"
        summary = "test only"
        needs = frozenset({"row", "batch"})

    def raise_(self: Rule, *args: object) -> Iterator[Violation]:
        raise ValueError("x")

    setattr(Crash, where, raise_)
    with plugin_rules(Crash):
        line = _one_error_line(invoke(project.check_args(project.root / "batch.csv",
                                                         select=Crash.name)))
    assert Crash.name in line


def test_interrupt_inside_a_rule_is_an_interrupt_not_a_crash(project: Project,
                                                             monkeypatch: pytest.MonkeyPatch
                                                             ) -> None:
    """SIGTERM arriving while a rule runs must stop the run (not be swallowed by the rule
    guard or the renderer's ``except Exception``)."""

    class Terminated(Rule):
        name = "zz-sigterm"
        summary = "test only"

        def check_item(self, item: Item) -> Iterable[Violation]:
            os.kill(os.getpid(), signal.SIGTERM)
            return ()

    out = project.root / "report.txt"
    out.write_text("previous report\n", encoding="utf-8")
    with plugin_rules(Terminated):
        result = invoke(project.check_args(project.root / "batch.csv", "-o", str(out),
                                           select=Terminated.name))
    assert result.exit_code == 128 + signal.SIGTERM, result.output
    assert "interrupted" in result.stderr and "crashed" not in result.stderr
    assert out.read_text(encoding="utf-8") == "previous report\n"


# --------------------------------------------------------------------------- registers


@pytest.fixture
def sqlite_register(project: Project) -> Path:
    db = project.root / "register.sqlite"
    build_sqlite(project.register, db)
    return db


def _register_args(project: Project, db: Path) -> list[str]:
    args = project.check_args(project.root / "batch.csv", select=RegisterProbe.name)
    args[args.index("--register") + 1] = str(db)
    return args


def test_register_method_raising_operational_error(project: Project, sqlite_register: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    def locked(self: SqliteRegister, person_id: str) -> None:
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(SqliteRegister, "person", locked)
    with plugin_rules(RegisterProbe):
        line = _one_error_line(invoke(_register_args(project, sqlite_register)))
    assert "register" in line and str(sqlite_register) in line


@pytest.mark.parametrize("damage", ["garbage", "truncate"])
def test_register_damaged_mid_run(project: Project, sqlite_register: Path, damage: str) -> None:
    class DamageAfterFirstRow(RegisterProbe):
        name = "zz-damage-register"
        seen = 0

        def check_item(self, item: Item) -> Iterable[Violation]:
            type(self).seen += 1
            if type(self).seen == 2:
                with open(sqlite_register, "r+b") as f:
                    if damage == "garbage":
                        f.write(b"\xde\xad\xbe\xef" * 4096)
                    else:
                        f.truncate(0)
            return super().check_item(item)

    args = _register_args(project, sqlite_register)
    args[args.index("--select") + 1] = DamageAfterFirstRow.name
    with plugin_rules(DamageAfterFirstRow):
        result = invoke(args)
    line = _one_error_line(result)
    assert str(sqlite_register) in line


def test_register_deleted_mid_run_is_still_read_consistently(project: Project,
                                                             sqlite_register: Path) -> None:
    """On POSIX an unlinked file stays readable through the open handle, so the run sees
    one consistent register: it may finish, but must keep the contract."""
    class DeleteAfterFirstRow(RegisterProbe):
        name = "zz-delete-register"

        def check_item(self, item: Item) -> Iterable[Violation]:
            if sqlite_register.exists():
                sqlite_register.unlink()
            return super().check_item(item)

    args = _register_args(project, sqlite_register)
    args[args.index("--select") + 1] = DeleteAfterFirstRow.name
    with plugin_rules(DeleteAfterFirstRow):
        result = invoke(args)
    assert_cli_contract(result)


def test_unreadable_register_at_start(project: Project) -> None:
    bad = project.root / "bad.sqlite"
    bad.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    with plugin_rules(RegisterProbe):
        line = _one_error_line(invoke(_register_args(project, bad)))
    assert str(bad) in line


# --------------------------------------------------------------------------- output files


def test_output_into_missing_directory(project: Project) -> None:
    out = project.root / "missing" / "report.sarif"
    line = _one_error_line(invoke(project.check_args(project.root / "batch.csv", "--format",
                                                     "sarif", "-o", str(out))))
    assert "cannot write output" in line
    assert not out.parent.exists()


def test_output_is_a_directory(project: Project) -> None:
    result = invoke(project.check_args(project.root / "batch.csv", "-o", str(project.root)))
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert project.root.is_dir()


def test_output_is_a_fifo_is_refused_not_replaced(project: Project) -> None:
    fifo = project.root / "pipe"
    os.mkfifo(fifo)
    line = _one_error_line(invoke(project.check_args(project.root / "batch.csv", "-o",
                                                     str(fifo))))
    assert "not a regular file" in line
    assert fifo.is_fifo()


def test_failed_write_keeps_previous_report(project: Project,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    out = project.root / "report.json"
    out.write_text("previous\n", encoding="utf-8")

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    line = _one_error_line(invoke(project.check_args(project.root / "batch.csv", "--format",
                                                     "json", "-o", str(out))))
    assert "No space left" in line
    assert out.read_text(encoding="utf-8") == "previous\n"
    assert sorted(p.name for p in project.root.iterdir() if p.name.startswith(".report")) == []


# --------------------------------------------------------------------------- interrupts


def _wait_until_reading(proc: subprocess.Popen[bytes], batch: Path) -> None:
    """Block until the child has the batch open (it is inside the check)."""
    fd_dir = Path(f"/proc/{proc.pid}/fd")
    while proc.poll() is None:
        try:
            if any(os.readlink(fd) == str(batch) for fd in fd_dir.iterdir()):
                return
        except OSError:
            pass
        time.sleep(0.02)
    pytest.fail(f"policylint ended before it was interrupted (exit {proc.returncode})")


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc")
@pytest.mark.parametrize(("sig", "ignore_sigint"), [
    (signal.SIGINT, False), (signal.SIGTERM, False),
    (signal.SIGINT, True),  # started as a shell background job: SIGINT inherited as ignored
])
@pytest.mark.parametrize("previous", [False, True])
def test_interrupted_run_leaves_no_complete_looking_output(
        tmp_path: Path, sig: signal.Signals, ignore_sigint: bool, previous: bool) -> None:
    project = make_project(tmp_path)
    batch = (project.root / "big.csv").resolve()
    with open(batch, "w", encoding="utf-8") as f:
        f.write(HEADER)
        for n in range(1, 60_001):
            f.write(good_row(n))
    out = project.root / "report.sarif"
    if previous:
        out.write_text("previous report\n", encoding="utf-8")

    def child_setup() -> None:
        if ignore_sigint:
            signal.signal(signal.SIGINT, signal.SIG_IGN)

    proc = subprocess.Popen(
        [sys.executable, "-m", "policylint", *project.check_args(
            batch, "--format", "sarif", "-o", str(out))],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=child_setup)
    try:
        _wait_until_reading(proc, batch)
        proc.send_signal(sig)
        stdout, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 128 + sig, (proc.returncode, stderr)
    assert b"Traceback" not in stderr + stdout
    assert b"interrupted" in stderr
    if previous:
        assert out.read_text(encoding="utf-8") == "previous report\n"
    else:
        assert not out.exists()
    assert [p.name for p in project.root.iterdir() if p.name.endswith(".tmp")] == []
