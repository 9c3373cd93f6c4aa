"""The policy's ``register:``: a plain string as before, or url + tables + columns."""

from __future__ import annotations

from pathlib import Path

import pytest

from policylint.config.policy import load_policy
from policylint.errors import PolicyError
from policylint.io.register.location import RegisterLocation, RegisterMapping, expand


def _policy(tmp_path: Path, text: str, name: str = "policylint.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_plain_string_forms_keep_working(tmp_path: Path) -> None:
    policy = load_policy(_policy(tmp_path, "version: 1\nregister: ./register\n"))
    assert policy.register == str(tmp_path / "register")
    assert not isinstance(policy.register, RegisterLocation)
    url = "postgresql://policylint_ro@db.internal/housing"
    assert load_policy(_policy(tmp_path, f"version: 1\nregister: {url}\n")).register == url


def test_mapping_form(tmp_path: Path) -> None:
    policy = load_policy(_policy(tmp_path, (
        "version: 1\n"
        "register:\n"
        "  url: postgresql://policylint_ro:${HOUSING_PASSWORD}@db.internal/housing\n"
        "  tables: {people: tenancy_party, addresses: housing.party_address}\n"
        "  columns:\n"
        "    people: {person_id: party_ref, family_name: surname}\n"
        "    addresses:\n"
        "      postcode: post_code\n")))
    location = policy.register
    assert isinstance(location, RegisterLocation)
    # Kept as written: the password is only read from the environment when opened.
    assert location == "postgresql://policylint_ro:${HOUSING_PASSWORD}@db.internal/housing"
    mapping = location.mapping
    assert isinstance(mapping, RegisterMapping)
    assert mapping.table("people") == "tenancy_party"
    assert mapping.table("contacts") == "contacts"
    assert mapping.column("people", "person_id") == "party_ref"
    assert mapping.column("people", "given_name") == "given_name"
    assert mapping.mapped("addresses", "postcode") and not mapping.mapped("contacts")
    assert (mapping.line, mapping.line_of("tables.people"),
            mapping.line_of("columns.people.family_name"),
            mapping.line_of("columns.addresses.postcode")) == (2, 4, 6, 8)


def test_pyproject_table_and_extends(tmp_path: Path) -> None:
    _policy(tmp_path, "version: 1\nregister: {url: 'sqlite:///base.db'}\n", "base.yaml")
    child = load_policy(_policy(tmp_path, (
        "version: 1\nextends: [./base.yaml]\n"
        "register: {url: 'sqlite:///child.db', tables: {people: party}}\n")))
    assert child.register == "sqlite:///child.db"
    toml = _policy(tmp_path, (
        "[tool.policylint]\nversion = 1\n"
        "[tool.policylint.register]\nurl = 'sqlite:///t.db'\n"
        "[tool.policylint.register.columns.people]\nperson_id = 'party_ref'\n"),
        "pyproject.toml")
    location = load_policy(toml).register
    assert isinstance(location, RegisterLocation) and location.mapping is not None
    assert location.mapping.column("people", "person_id") == "party_ref"


@pytest.mark.parametrize(("body", "line", "key", "message"), [
    ("register:\n  url: sqlite:///r.db\n  tabels: {people: party}\n", 4, "register.tabels",
     "did you mean 'tables'?"),
    ("register:\n  tables:\n    persons: party\n", 4, "register.tables.persons",
     "unknown key 'persons' in register.tables"),
    ("register:\n  columns:\n    people: {surname: family}\n", 4,
     "register.columns.people.surname", "(valid keys: person_id, title, given_name"),
    ("register:\n  columns:\n    people:\n      person_id: 17\n", 5,
     "register.columns.people.person_id", "expected a string, got 17"),
    ("register:\n  url: ''\n", 3, "register.url", "must not be empty"),
    ("register: [a, b]\n", 2, "register", "expected a directory, an SQLite file or a "
     "database URL, or a mapping"),
])
def test_mapping_errors_name_line_and_key(tmp_path: Path, body: str, line: int, key: str,
                                          message: str) -> None:
    path = _policy(tmp_path, "version: 1\n" + body)
    with pytest.raises(PolicyError) as err:
        load_policy(path)
    assert err.value.line == line
    assert err.value.key == key
    assert message in str(err.value)


def test_url_defaults_to_the_environment_variable(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    policy = load_policy(_policy(tmp_path, "version: 1\nregister:\n  tables: {people: p}\n"))
    assert policy.register == "${POLICYLINT_REGISTER_URL}"
    monkeypatch.setenv("POLICYLINT_REGISTER_URL", "postgresql://ro:pw@db/housing")
    assert policy.register is not None
    assert expand(policy.register) == "postgresql://ro:pw@db/housing"
