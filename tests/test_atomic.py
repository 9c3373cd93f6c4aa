"""Atomic writes: the target is either the old file or the complete new one."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from policylint.errors import InputError
from policylint.io.atomic import atomic_write_text, atomic_writer


def test_writes_new_file(tmp_path: Path) -> None:
    target = tmp_path / "report.sarif"
    atomic_write_text(target, "héllo\r\nworld\n")
    assert target.read_bytes() == "héllo\r\nworld\n".encode()  # no newline translation
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.sarif"]


def test_replaces_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    target.write_text("old")
    with atomic_writer(target) as stream:
        stream.write("new ")
        stream.write("content")
    assert target.read_text() == "new content"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]


def test_exception_leaves_old_file_and_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    target.write_text("old and complete")

    class Boom(Exception):
        pass

    with pytest.raises(Boom), atomic_writer(target) as stream:
        stream.write("half of the new")
        raise Boom
    assert target.read_text() == "old and complete"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]


def test_exception_without_old_file_creates_nothing(tmp_path: Path) -> None:
    target = tmp_path / "new.xml"
    with pytest.raises(KeyboardInterrupt), atomic_writer(target) as stream:
        stream.write("<partial")
        raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_os_error_from_the_block_is_not_relabelled(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    with pytest.raises(FileNotFoundError), atomic_writer(target):
        (tmp_path / "missing").read_text()
    assert list(tmp_path.iterdir()) == []


def test_unencodable_text_leaves_target(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old")
    with pytest.raises(UnicodeEncodeError):
        atomic_write_text(target, "lone \ud800 surrogate")
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]


def test_missing_directory_is_input_error(tmp_path: Path) -> None:
    target = tmp_path / "no-such-dir" / "out.json"
    with pytest.raises(InputError) as info:
        atomic_write_text(target, "x")
    assert info.value.file == str(target)
    assert info.value.message.startswith("cannot write output: ")
    assert str(target) in str(info.value)


def test_target_is_a_directory(tmp_path: Path) -> None:
    target = tmp_path / "adir"
    target.mkdir()
    with pytest.raises(InputError) as info:
        atomic_write_text(target, "x")
    assert info.value.file == str(target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["adir"]
    assert list(target.iterdir()) == []


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes")
def test_mode_is_kept_or_follows_umask(tmp_path: Path) -> None:
    existing = tmp_path / "kept.txt"
    existing.write_text("old")
    existing.chmod(0o640)
    atomic_write_text(existing, "new")
    assert stat.S_IMODE(existing.stat().st_mode) == 0o640

    umask = os.umask(0o022)
    try:
        fresh = tmp_path / "fresh.txt"
        atomic_write_text(fresh, "x")
    finally:
        os.umask(umask)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o644  # not mkstemp's 0600


def test_permission_denied_is_input_error(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    # Runs as root too: simulate the directory refusing a new file.
    def refuse(*args: object, **kwargs: object) -> tuple[int, str]:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("policylint.io.atomic.tempfile.mkstemp", refuse)
    target = tmp_path / "out.json"
    with pytest.raises(InputError) as info:
        atomic_write_text(target, "x")
    assert str(info.value) == f"{target}: cannot write output: Permission denied"
    assert not target.exists()


def test_failed_rename_keeps_old_file_and_removes_temp(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "out.json"
    target.write_text("old")

    def fail(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("policylint.io.atomic.os.replace", fail)
    with pytest.raises(InputError, match="No space left on device"):
        atomic_write_text(target, "new")
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]
