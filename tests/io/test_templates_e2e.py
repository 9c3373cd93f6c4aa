"""The shipped example's mailing, its templates rewritten as GOV.UK Notify files and as
Word .docx letters: ``policylint check --format json`` finds the same things (rule,
code and row) as with the Jinja originals."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from policylint.io.templates import split_front_matter
from tests.io.wordbuild import complex_field, from_text, simple

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
TODAY = "2026-11-26"  # examples/generate.py REFERENCE_DATE

FIELD_RE = re.compile(r"\{\{\s*(\w+)\s*\}\}")


def _copy_example(tmp_path: Path) -> Path:
    project = tmp_path / "mailing"
    project.mkdir()
    shutil.copytree(EXAMPLES / "register", project / "register")
    shutil.copy(EXAMPLES / "batch.csv", project / "batch.csv")
    return project


def _jinja_templates() -> list[tuple[dict[str, str], str]]:
    """(front matter, body) of every example template."""
    import yaml

    out = []
    for path in sorted((EXAMPLES / "templates").glob("*.j2")):
        front, body, _ = split_front_matter(path.read_text(encoding="utf-8"))
        out.append(({str(k): str(v) for k, v in yaml.safe_load(front).items()}, body))
    return out


def _policy(project: Path, entries: list[str]) -> Path:
    text = (EXAMPLES / "policylint.yaml").read_text(encoding="utf-8")
    text = text.replace("  - {path: templates/*.j2}\n", "".join(f"  - {e}\n" for e in entries))
    (project / "policylint.yaml").write_text(text, encoding="utf-8")
    return project / "policylint.yaml"


def _check(project: Path) -> tuple[int, list[tuple[str, str, int | None, str | None]]]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "policylint", "check", "batch.csv", "--policy",
         "policylint.yaml", "--format", "json", "--today", TODAY],
        cwd=project, capture_output=True, text=True, env=env, timeout=120, check=False)
    assert done.returncode in (0, 1), done.stderr
    findings = json.loads(done.stdout)["findings"]
    return done.returncode, sorted((f["rule"], f["code"], f["row"], f["recipient_id"])
                                   for f in findings)


def _entry(path: str, front: dict[str, str], **extra: str) -> str:
    keys = {"path": path, "channel": front["channel"], "audience": front["audience"], **extra}
    return "{" + ", ".join(f"{k}: {v}" for k, v in keys.items()) + "}"


@pytest.fixture(scope="module")
def jinja_findings(tmp_path_factory: pytest.TempPathFactory
                   ) -> tuple[int, list[tuple[str, str, int | None, str | None]]]:
    project = _copy_example(tmp_path_factory.mktemp("jinja"))
    shutil.copytree(EXAMPLES / "templates", project / "templates")
    _policy(project, ["{path: templates/*.j2}"])
    return _check(project)


def test_notify_templates_find_what_jinja_finds(
        tmp_path: Path, jinja_findings: tuple[int, list[tuple[str, str, int | None, str | None]]],
) -> None:
    """Files as exported from Notify: no front matter, the policy says syntax: notify."""
    project = _copy_example(tmp_path)
    (project / "notify").mkdir()
    entries = []
    for front, body in _jinja_templates():
        # ((Title)) and ((last name)): Notify's names are case- and space-insensitive.
        notify = FIELD_RE.sub(lambda m: "((" + m.group(1).replace("_", " ").title() + "))",
                              body)
        (project / "notify" / f"{front['name']}.txt").write_text(notify, encoding="utf-8")
        entries.append(_entry(f"notify/{front['name']}.txt", front, syntax="notify"))
    _policy(project, entries)
    code, findings = _check(project)
    assert jinja_findings[1], "the example plants findings"
    assert (code, findings) == jinja_findings


def test_word_letters_find_what_jinja_letters_find(
        tmp_path: Path, jinja_findings: tuple[int, list[tuple[str, str, int | None, str | None]]],
) -> None:
    """Letters as Word mail-merge documents (simple and complex MERGEFIELDs and «field»
    text), the other channels still Jinja."""
    project = _copy_example(tmp_path)
    (project / "word").mkdir()
    (project / "templates").mkdir()
    kinds = [
        lambda name: simple(f" MERGEFIELD {name} \\* MERGEFORMAT ", f"«{name}»"),
        lambda name: complex_field(f' MERGEFIELD "{name.replace("_", " ").title()}" ', f"«{name}»",
                             split=3),
        lambda name: f"«{name}»",
    ]
    entries = ["{path: templates/*.j2}"]
    for index, (front, body) in enumerate(_jinja_templates()):
        if front["channel"] == "letter":
            from_text(project / "word" / f"{front['name']}.docx", body,
                      kinds[index % len(kinds)])
            entries.append(_entry(f"word/{front['name']}.docx", front))
        else:
            (project / "templates" / f"{front['name']}.j2").write_text(
                (EXAMPLES / "templates").joinpath(_file_of(front["name"])).read_text("utf-8"),
                encoding="utf-8")
    _policy(project, entries)
    assert sum(1 for _ in (project / "word").iterdir()) == 3
    code, findings = _check(project)
    assert (code, findings) == jinja_findings


def _file_of(name: str) -> str:
    for path in (EXAMPLES / "templates").glob("*.j2"):
        if f"name: {name}\n" in path.read_text(encoding="utf-8"):
            return path.name
    raise AssertionError(name)


def _check_args(project: Path, *args: str) -> tuple[int, list[tuple[str, str, int | None,
                                                                   str | None]]]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "policylint", "check", *args, "--policy", "policylint.yaml",
         "--format", "json", "--today", TODAY],
        cwd=project, capture_output=True, text=True, env=env, timeout=120, check=False)
    assert done.returncode in (0, 1), done.stderr
    findings = json.loads(done.stdout)["findings"]
    return done.returncode, sorted((f["rule"], f["code"], f["row"], f["recipient_id"])
                                   for f in findings)


def test_an_excel_batch_with_word_letters_finds_what_csv_and_jinja_find(
        tmp_path: Path, jinja_findings: tuple[int, list[tuple[str, str, int | None, str | None]]],
) -> None:
    """The council's usual pair: the batch exported to Excel, the letters in Word."""
    import csv

    openpyxl = pytest.importorskip("openpyxl", reason="the excel extra is in the test extra")
    project = _copy_example(tmp_path)
    book = openpyxl.Workbook()
    sheet = book.active
    with (project / "batch.csv").open(encoding="utf-8-sig", newline="") as stream:
        for row in csv.reader(stream):
            sheet.append(row)
    for cells in sheet.iter_rows():
        for cell in cells:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # the planted formula-like text stays text, as typed
    book.save(project / "batch.xlsx")
    (project / "word").mkdir()
    (project / "templates").mkdir()
    entries = ["{path: templates/*.j2}"]
    for front, body in _jinja_templates():
        if front["channel"] == "letter":
            from_text(project / "word" / f"{front['name']}.docx", body,
                      lambda name: simple(f" MERGEFIELD {name} ", f"«{name}»"))
            entries.append(_entry(f"word/{front['name']}.docx", front))
        else:
            shutil.copy(EXAMPLES / "templates" / _file_of(front["name"]),
                        project / "templates" / _file_of(front["name"]))
    _policy(project, entries)
    assert _check_args(project, "batch.xlsx") == jinja_findings


def test_a_register_behind_an_sqlalchemy_url_finds_what_the_csv_register_finds(
        tmp_path: Path, jinja_findings: tuple[int, list[tuple[str, str, int | None, str | None]]],
) -> None:
    pytest.importorskip("sqlalchemy", reason="the sql extra is in the test extra")
    project = _copy_example(tmp_path)
    shutil.copytree(EXAMPLES / "templates", project / "templates")
    _policy(project, ["{path: templates/*.j2}"])
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-m", "policylint", "register", "build", "register",
                    "-o", "register.db"], cwd=project, env=env, check=True,
                   capture_output=True, timeout=120)
    url = f"sqlite:///{project / 'register.db'}"
    assert _check_args(project, "batch.csv", "--register", url) == jinja_findings
