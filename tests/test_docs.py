"""The documentation site builds with ``mkdocs build --strict``, and documents
every rule, engine check, command and policy key from the code itself."""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from policylint.docs_gen import builtin_rules, policy_keys
from policylint.explain import ENGINE_CHECKS, rule_codes
from policylint.reporting import DOCS_ROOT, docs_uri

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]),
        "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-4000:]
    return out


def text_of(page: Path) -> str:
    """The words of a built page's article, without tags."""
    body = page.read_text(encoding="utf-8")
    article = re.search(r"<article[^>]*>(.*)</article>", body, flags=re.DOTALL)
    assert article, page
    return html.unescape(re.sub(r"<[^>]+>", "", article.group(1)))


def test_every_rule_has_a_page_at_its_sarif_help_uri(site: Path) -> None:
    rules = builtin_rules()
    assert len(rules) >= 8
    for name, rule in rules.items():
        relative = docs_uri(name).removeprefix(DOCS_ROOT + "/")
        page = site / relative / "index.html"
        assert page.is_file(), f"no page for {name} at {relative}"
        words = text_of(page)
        assert rule.doc().split("\n")[0][:40] in " ".join(words.split())
        for code in rule_codes(rule):
            assert code in words, f"{name}: code {code} not on its page"
        if rule.examples:
            assert "Bad" in words and "Good" in words
        for option in rule.options_schema.get("properties", {}):
            assert option in words


def test_rule_pages_are_markdown_not_rest(site: Path) -> None:
    for name in builtin_rules():
        words = text_of(site / "rules" / name / "index.html")
        assert "``" not in words, name
        assert "**" not in words, name
        assert not re.search(r"::\s*$", words, flags=re.MULTILINE), name
        raw = (site / "rules" / name / "index.html").read_text(encoding="utf-8")
        assert "<pre" in raw, f"{name}: examples are not code blocks"


def test_codes_have_anchors(site: Path) -> None:
    raw = (site / "rules" / "stale-address" / "index.html").read_text(encoding="utf-8")
    assert 'id="previous-address"' in raw and 'href="#previous-address"' in raw
    raw = (site / "rules" / "render-error" / "index.html").read_text(encoding="utf-8")
    assert 'id="missing-field"' in raw


def test_every_engine_check_has_a_page(site: Path) -> None:
    for check in ENGINE_CHECKS:
        page = site / "rules" / check.name / "index.html"
        assert page.is_file(), check.name
        words = text_of(page)
        for code in check.codes:
            assert code in words
    assert (site / "engine-checks" / "index.html").is_file()


def test_cli_reference_is_generated_from_click(site: Path) -> None:
    words = text_of(site / "cli" / "index.html")
    for expected in ("policylint check", "policylint explain", "--fail-on", "--baseline",
                     "--output-format", "policylint register"):
        assert expected in words, expected
    # mkdocs-click's table style prints click 8.3's "no default" marker; plain does not
    assert "Sentinel" not in words


def test_policy_reference_lists_every_schema_key(site: Path) -> None:
    words = text_of(site / "policy" / "index.html")
    keys = policy_keys()
    assert {"version", "templates[].path", "suppressions[].expires",
            "output.show_ids"} <= {key for key, _, _ in keys}
    for key, kind, _description in keys:
        assert key in words, key
        assert kind.split(" ")[0].strip("`") in words
    # Every key has a description, not only a type.
    missing = [key for key, _, description in keys if not description]
    assert not missing, f"describe these keys in policylint.docs_gen.POLICY_KEYS: {missing}"


def test_hand_written_pages_are_there(site: Path) -> None:
    ci = text_of(site / "ci" / "index.html")
    for expected in ("upload-sarif", "if: always()", "gitlab", "show_ids", "--baseline",
                     "exit code"):
        assert expected.lower() in ci.lower(), expected
    assert "Getting started for a council" in text_of(site / "getting-started" / "index.html")
    assert "confidential_address" in text_of(site / "register" / "index.html")


def test_generated_pages_are_not_committed() -> None:
    # They are written on every build by the hook in mkdocs.yml; a committed copy goes stale.
    assert not (ROOT / "docs" / "rules").exists()
    assert not (ROOT / "docs" / "policy.md").exists()
    assert "policylint/docs_gen.py" in (ROOT / "mkdocs.yml").read_text(encoding="utf-8")


def test_readme_links_point_inside_the_repository() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    links = re.findall(r"\]\(([^)\s]+)\)", readme)
    for link in links:
        if re.match(r"[a-z]+:", link) or link.startswith("#"):
            continue
        target = (ROOT / link.split("#")[0]).resolve()
        assert target.is_relative_to(ROOT), f"README links outside the repository: {link}"
        assert target.exists(), f"README links to a missing file: {link}"


def test_license_matches_pyproject() -> None:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == "MIT"
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License") and "policylint contributors" in text
