"""Property tests: random Jinja-ish templates.

Invariants: parsing never raises (a broken template is a TemplateProblem);
rendering raises nothing but RenderError and stays within MAX_OUTPUT_CHARS;
no output ever carries the process environment; through ``lint`` and
``check`` every template keeps the exit-code contract.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policylint.io.templates import MAX_OUTPUT_CHARS, RenderError, parse_template, render
from tests.property.support import (
    HEADER,
    Project,
    assert_cli_contract,
    good_row,
    invoke,
    make_project,
)

SECRET = "hunter2-property"
SETTINGS = settings(max_examples=200, deadline=timedelta(seconds=5),
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])

TOKENS = [
    "{{ ", " }}", "{% ", " %}", "{# ", " #}", "{%- ", " -%}", "title", "last_name", "x",
    "account_ref", "if ", "endif", "for ", " in ", "endfor", "else", "set ", "macro ",
    "endmacro", "call", "endcall", "raw", "endraw", "filter ", "endfilter", "include ",
    "import ", "extends ", "block ", "endblock", "with", "endwith", "|upper", "|length",
    "|center(", "|replace(", "|join", "|format(", "|indent(", "|batch(", "|list", "|int",
    "|default(", "|e", "|safe", "|attr(", "|map(", "|select", "|sum", "|tojson", "~", "*",
    "**", "+", "%", "(", ")", "[", "]", ".", ",", "=", "==", "'", '"', "9", "99999", "1e308",
    "10**9", "2**64", "'x'", "'x'*99999", "__class__", "__globals__", "__init__",
    "mro()", "self", "loop", "caller()", "range(", "lipsum", "cycler", "joiner",
    "namespace", "config", "request", "os", "environ", "\n", " ", "---\n", "name: t\n",
]
templates = st.one_of(
    st.lists(st.sampled_from(TOKENS), max_size=30).map("".join),
    st.text(max_size=80),
)


def _check_render(text: str) -> None:
    template = parse_template(text, Path("t.j2"))
    if template.problem is not None:
        assert "\n" not in template.problem.message
        return
    try:
        rendered = render(template, {"title": "Mrs", "last_name": "Okafor", "x": "9",
                                     "account_ref": "CT-1"})
    except RenderError as err:
        assert err.code
        return
    assert len(rendered.text) <= MAX_OUTPUT_CHARS
    assert SECRET not in rendered.text


@pytest.fixture(autouse=True)
def planted_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLICYLINT_SECRET", SECRET)


@SETTINGS
@given(text=templates)
def test_any_template_parses_and_renders_or_fails_cleanly(text: str) -> None:
    _check_render(text)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    proj = make_project(tmp_path_factory.mktemp("tplprop"))
    (proj.root / "batch.csv").write_text(HEADER + good_row(1) + good_row(2), encoding="utf-8")
    invoke(proj.check_args(proj.root / "batch.csv"))
    return proj


@settings(max_examples=40, deadline=timedelta(seconds=8),
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(text=templates)
def test_cli_lint_and_check_keep_the_contract(project: Project, text: str) -> None:
    project.template.write_text("---\nname: reminder\nchannel: letter\n---\n" + text,
                                encoding="utf-8")
    for args in (["lint", str(project.template), "--policy", str(project.policy)],
                 project.check_args(project.root / "batch.csv")):
        result = invoke(args)
        assert_cli_contract(result)
        assert SECRET not in result.output
