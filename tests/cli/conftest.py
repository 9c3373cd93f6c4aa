from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from policylint.cli import cli
from tests.cli.mailing import HEADER, Invoke, good_row, write_register


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A small mailing: a register, a template, a policy and a clean 40-row batch."""
    write_register(tmp_path / "register", 40)
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "reminder.letter.j2").write_text(
        "---\nname: reminder\nchannel: letter\n---\n"
        "Dear {{ title }} {{ last_name }},\n\nYour council tax account {{ account_ref }} "
        "is overdue.\n", encoding="utf-8")
    (tmp_path / "policylint.yaml").write_text(
        "version: 1\nregister: ./register\ntemplates:\n  - {path: templates/*.j2}\n",
        encoding="utf-8")
    (tmp_path / "batch.csv").write_text(HEADER + "".join(good_row(n) for n in range(1, 41)),
                                        encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def invoke() -> Invoke:
    def run(*args: str) -> Result:
        return CliRunner().invoke(cli, list(args), catch_exceptions=False)

    return run
