"""The dispatch record (issue 12): what went to whom and where, as keyed hashes only."""

from __future__ import annotations

import csv
import json
import multiprocessing
import shutil
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from policylint.cli import cli
from policylint.record import append_lines, query_destinations

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
TODAY = "2026-11-26"


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def check(record: Path, *extra: str) -> Result:
    return run("check", str(EXAMPLES / "batch.csv"), "--policy",
               str(EXAMPLES / "policylint.yaml"), "--today", TODAY, "-q",
               "--record", str(record), *extra)


def batch_rows() -> list[dict[str, str]]:
    with (EXAMPLES / "batch.csv").open(encoding="utf-8-sig", newline="") as stream:
        return list(csv.DictReader(stream))


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A record written by two runs over the example (once for this module)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("POLICYLINT_RECORD_KEY", raising=False)
        path = tmp_path_factory.mktemp("record") / "dispatch.jsonl"
        assert check(path).exit_code == 1
        assert check(path).exit_code == 1  # a second run appends
    return path


@pytest.fixture
def record(written: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This test's own copy of the record and its key file."""
    monkeypatch.delenv("POLICYLINT_RECORD_KEY", raising=False)
    for source in (written, written.with_name(written.name + ".key")):
        target = tmp_path / source.name
        shutil.copy2(source, target)
    return tmp_path / written.name


def find(record: Path, *args: str) -> Result:
    return run("record", "find", "--record", str(record), *args)


def test_one_line_per_item_per_run_with_the_rules_results(record: Path) -> None:
    rows = batch_rows()
    lines = [json.loads(line) for line in record.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 2 * len(rows)
    assert [e["row"] for e in lines[: len(rows)]] == list(range(2, len(rows) + 2))
    statuses = {e["result"]["status"] for e in lines}
    assert statuses >= {"clear", "error"}
    flagged = [e for e in lines if e["result"]["status"] == "error"]
    assert any(f.startswith("stale-address/") for e in flagged for f in e["result"]["findings"])
    first = lines[0]
    assert len(first["batch"]) == 64 and len(first["policy_digest"]) == 64
    assert first["template"] and len(first["template_digest"]) == 64
    assert first["run_complete"] is True


def test_the_record_holds_no_personal_value_in_plain_text(record: Path) -> None:
    text = record.read_text(encoding="utf-8").lower()
    leaked = set()
    for row in batch_rows():
        for column in ("recipient_id", "first_name", "last_name", "address_line_2", "postcode",
                       "email", "phone", "account_ref", "subject_name"):
            value = row.get(column, "").strip().lower()
            if len(value) >= 4 and value in text:
                leaked.add((column, value))
    assert leaked == set()


def test_the_key_file_is_created_once_owner_only_and_reused(record: Path) -> None:
    key = record.with_name(record.name + ".key")
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert stat.S_IMODE(record.stat().st_mode) == 0o600
    lines = record.read_text(encoding="utf-8").splitlines()
    half = len(lines) // 2
    # The same recipient hashes the same in both runs: the key was reused.
    assert json.loads(lines[0])["recipient"] == json.loads(lines[half])["recipient"]


def test_find_by_recipient_lists_both_runs(record: Path) -> None:
    rows = batch_rows()
    wanted = rows[0]["recipient_id"]
    result = find(record, "--recipient", wanted)
    assert result.exit_code == 0
    assert "2 recorded item(s) match." in result.output
    assert wanted not in result.output and "*****" in result.output
    assert find(record, "--recipient", "P-00000").exit_code == 1


@pytest.mark.parametrize("channel", ["letter", "email", "voicemail"])
def test_find_by_destination(record: Path, channel: str) -> None:
    rows = [r for r in batch_rows() if r["channel"] == channel]
    row = rows[0]
    if channel == "letter":
        value = f"{row['address_line_2']}, {row['postcode']}"
    elif channel == "email":
        value = row["email"].upper()  # case does not matter in an address
    else:
        value = row["phone"].replace(" ", "")
    result = find(record, "--destination", value, "--format", "json")
    assert result.exit_code == 0
    matches = json.loads(result.output)
    assert row["recipient_id"][-2:] in {m["recipient_masked"][-2:] for m in matches}
    assert all(m["channel"] == channel for m in matches)


def test_a_different_house_number_is_a_different_destination(record: Path) -> None:
    row = next(r for r in batch_rows() if r["channel"] == "letter")
    number, _, street = row["address_line_2"].partition(" ")
    other = f"{int(number) + 1000} {street}, {row['postcode']}"
    assert find(record, "--destination", other).exit_code == 1
    everyone_there = find(record, "--destination", row["postcode"], "--format", "json")
    assert everyone_there.exit_code == 0 and len(json.loads(everyone_there.output)) >= 2


def test_find_without_the_key_is_an_error(record: Path) -> None:
    record.with_name(record.name + ".key").unlink()
    result = find(record, "--recipient", "P-10001")
    assert result.exit_code == 2 and "no key for this record" in result.output


def test_a_key_from_the_environment_needs_no_key_file(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLICYLINT_RECORD_KEY", "a-secret-from-the-ci-vault-0123456789")
    path = tmp_path / "r.jsonl"
    check(path)
    assert not path.with_name("r.jsonl.key").exists()
    assert find(path, "--recipient", batch_rows()[0]["recipient_id"]).exit_code == 0
    monkeypatch.setenv("POLICYLINT_RECORD_KEY", "another-key-entirely-0123456789abcdef")
    assert find(path, "--recipient", batch_rows()[0]["recipient_id"]).exit_code == 1


def test_policy_record_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("POLICYLINT_RECORD_KEY", raising=False)
    policy = tmp_path / "policylint.yaml"
    text = (EXAMPLES / "policylint.yaml").read_text(encoding="utf-8")
    text = text.replace("register: ./register", f"register: {EXAMPLES / 'register'}")
    text = text.replace("path: templates/", f"path: {EXAMPLES / 'templates'}/")
    policy.write_text(text + "record: ./sent.jsonl\n", encoding="utf-8")
    result = run("check", str(EXAMPLES / "batch.csv"), "--policy", str(policy),
                 "--today", TODAY, "-q")
    assert result.exit_code == 1, result.output
    assert len((tmp_path / "sent.jsonl").read_text(encoding="utf-8").splitlines()) == len(
        batch_rows())


def _append_many(args: tuple[str, int]) -> None:
    path, worker = args
    for n in range(50):
        append_lines(Path(path), [json.dumps({"worker": worker, "n": n, "pad": "x" * 5000})
                                  for _ in range(3)])


def test_concurrent_writers_never_interleave(tmp_path: Path) -> None:
    path = tmp_path / "shared.jsonl"
    with multiprocessing.get_context("fork").Pool(4) as pool:
        pool.map(_append_many, [(str(path), w) for w in range(4)])
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 4 * 50 * 3
    assert all(json.loads(line)["pad"] == "x" * 5000 for line in lines)


@pytest.mark.parametrize(("value", "kinds"), [
    ("s.okafor@Example.org", {"email"}),
    ("07700 900123", {"phone"}),
    ("+44 7700 900123", {"phone"}),
    ("17 Mill Lane, Kings Lynn, PE30 4AB", {"address"}),
    ("PE30 4AB", {"postcode"}),
    ("Flat 2, 10 High Street, PE30 4AB", {"address"}),
    ("somewhere without a postcode", set()),
])
def test_query_destinations(value: str, kinds: set[str]) -> None:
    assert set(query_destinations(value)) == kinds


def test_flat_and_house_are_told_apart() -> None:
    flat = query_destinations("Flat 2, 10 High Street, PE30 4AB")["address"]
    house = query_destinations("10 High Street, PE30 4AB")["address"]
    other = query_destinations("Flat 2, 10 High Road, Kings Lynn, PE30 4AB")["address"]
    assert flat != house
    assert flat == other  # street wording is not what decides where a letter lands


@pytest.mark.parametrize("split", [("--jobs", "2", "--chunk-rows", "7"), ("--chunk-rows", "1")])
def test_a_run_in_chunks_records_the_same_lines(tmp_path: Path, split: tuple[str, ...],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers compute each item's line; the parent appends them in row order."""
    monkeypatch.setenv("POLICYLINT_RECORD_KEY", "a-test-key-of-enough-length-0123456789")
    one, chunked = tmp_path / "one.jsonl", tmp_path / "chunked.jsonl"
    assert check(one).exit_code == 1
    assert check(chunked, *split).exit_code == 1

    def lines(path: Path) -> list[dict[str, object]]:
        entries = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        for entry in entries:
            entry.pop("time", None)  # when each run was made
        return entries

    assert lines(chunked) == lines(one)
    assert len(lines(one)) == len(batch_rows())
