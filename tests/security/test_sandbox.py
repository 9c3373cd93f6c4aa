"""A letter template cannot reach Python internals, files or the environment, and
cannot exhaust memory or time: every hostile template ends as a RenderError (or a
template problem), and no output carries a planted secret.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from policylint.io.templates import (
    MAX_OUTPUT_CHARS,
    RenderError,
    Template,
    parse_template,
    render,
)
from tests.property.support import HEADER, assert_cli_contract, good_row, invoke, make_project

SECRET = "hunter2"
FILE_SECRET = "file-secret-8d1f"
ROW = {"title": "Mrs", "last_name": "Okafor", "account_ref": "CT-1", "x": "9"}

# (template, the RenderError codes that may end it)
HOSTILE: list[tuple[str, set[str]]] = [
    ("{{ ''.__class__.__mro__ }}", {"sandbox"}),
    ("{{ ''.__class__.__mro__[1].__subclasses__() }}", {"sandbox"}),
    ("{{ cycler.__init__.__globals__ }}", {"sandbox", "undefined-field"}),
    ("{{ joiner.__init__.__globals__.os.environ }}", {"sandbox", "undefined-field"}),
    ("{{ self._TemplateReference__context }}", {"sandbox"}),
    ("{{ self.__init__.__globals__ }}", {"sandbox"}),
    ("{{ lipsum.__globals__ }}", {"sandbox", "undefined-field"}),
    ("{{ lipsum.__globals__['os'].environ }}", {"sandbox", "undefined-field"}),
    ("{{ namespace }}", {"undefined-field"}),
    ("{{ config }}", {"undefined-field"}),
    ("{{ x.__class__.__base__.__subclasses__() }}", {"sandbox"}),
    ("{{ x|attr('__class__') }}", {"sandbox"}),
    ("{{ ('{0.__class__.__init__}'|attr('format'))(x) }}", {"sandbox"}),
    ("{{ '{0.__class__.__init__.__globals__}'.format(x) }}", {"sandbox"}),
    ("{% include '/etc/passwd' %}", {"render-failed"}),
    ("{% include '@FILE@' %}", {"render-failed"}),
    ("{% import 'os' as os %}{{ os.environ }}", {"render-failed"}),
    ("{% from 'os' import environ %}{{ environ }}", {"render-failed"}),
    ("{% extends '@FILE@' %}", {"render-failed"}),
    ("{{ range(10**9)|list }}", {"undefined-field", "sandbox"}),
    ("{{ 'a' * 10**9 }}", {"sandbox"}),
    ("{{ [1] * 10**9 }}", {"sandbox"}),
    ("{{ ((((((2**64)**64)**64)**64)**64)**64) }}", {"sandbox"}),
    ("{% set a = 2**60 %}" + "{% set a = a*a %}" * 20 + "{{ a % 7 }}", {"sandbox"}),
    ("{{ 9e9 ** 9e9 }}", {"render-failed"}),
    ("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}", {"render-failed"}),
    ("{% macro f(n) %}{% if n < 60 %}{{ f(n+1) }}{{ f(n+1) }}{% endif %}{% endmacro %}{{ f(0) }}",
     {"render-timeout", "output-too-large"}),
    ("{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}",
     {"undefined-field", "output-too-large", "render-timeout"}),
    ("{% set s = 'x' * 99999 %}{% for a in s %}{% for b in s %}x{% endfor %}{% endfor %}",
     {"output-too-large", "render-timeout"}),
    ("{% set s = 'x' * 99999 %}{% for a in s %}{% for b in s %}{% endfor %}{% endfor %}",
     {"render-timeout"}),
    ("{{ x|center(10**9) }}", {"sandbox"}),
    ("{{ x.center(10**9) }}", {"sandbox"}),
    ("{{ x.ljust(999999999) }}", {"sandbox"}),
    ("{{ x|indent(10**9) }}", {"sandbox"}),
    ("{{ ('a' * 50000)|replace('', 'x' * 50000) }}", {"sandbox"}),
    ("{{ ('a' * 50000).replace('', 'x' * 50000) }}", {"sandbox"}),
    ("{{ (['x' * 90000] * 90000)|join }}", {"sandbox"}),
    ("{{ ('x' * 90000).join(['a'] * 90000) }}", {"sandbox"}),
    ("{{ '%1000000000s' % x }}", {"sandbox"}),
    ("{{ '%*s' % (10**9, x) }}", {"sandbox"}),
    ("{{ '{:>1000000000}'.format(x) }}", {"sandbox"}),
    ("{{ '%1000000000s'|format(x) }}", {"sandbox"}),
    ("{{ x|batch(10**9, 'y')|list }}", {"sandbox"}),
    ("{{ [1]|slice(10**9)|list }}", {"sandbox"}),
    ("{% set a = 'x' * 90000 %}" + "{% set a = a ~ a %}" * 12 + "{{ a|length }}", {"sandbox"}),
    ("{% set a = 'x' * 90000 %}" + "{% set a = a + a %}" * 12 + "{{ a|length }}", {"sandbox"}),
    ("{% set l = [1] %}{% for i in 'x' * 40 %}{{ l.extend(l) }}{% endfor %}", {"sandbox"}),
    ("{% set d = {} %}{{ d.update({'a': 1}) }}", {"sandbox"}),
    ("{{ x|e|safe|tojson|urlize|wordwrap(10**9) }}", {"sandbox"}),
    ("{{ x|truncate(10**9) }}", {"sandbox"}),
]


@pytest.fixture(autouse=True)
def planted(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("POLICYLINT_SECRET", SECRET)
    secret_file = tmp_path / "secret.txt"
    secret_file.write_text(FILE_SECRET, encoding="utf-8")
    return secret_file


def _template(text: str, secret_file: Path) -> Template:
    return parse_template(text.replace("@FILE@", str(secret_file)), Path("hostile.j2"))


@pytest.mark.parametrize(("text", "codes"), HOSTILE, ids=[t for t, _ in HOSTILE])
def test_hostile_template_ends_as_render_error(text: str, codes: set[str], planted: Path
                                               ) -> None:
    template = _template(text, planted)
    if template.problem is not None:  # refused at parse time: also fine
        assert SECRET not in template.problem.message
        return
    with pytest.raises(RenderError) as err:
        render(template, ROW)
    assert err.value.code in codes, (err.value.code, str(err.value))
    assert SECRET not in str(err.value) and FILE_SECRET not in str(err.value)


def test_legitimate_templates_still_render() -> None:
    text = ("Dear {{ title }} {{ last_name }},\n{% for c in account_ref %}{{ c }}{% endfor %}"
            " {{ 'x' * 3 }} {{ 2 ** 10 }} {{ '%05.1f'|format(3.14159) }} {{ last_name|center(12) }}"
            " {{ [title, last_name]|join(' ') }} {{ title ~ '/' ~ last_name }}"
            " {{ 'a-b'.replace('-', '+') }} {{ '{} {}'.format(title, last_name) }}")
    template = parse_template(text, Path("ok.j2"))
    assert template.problem is None
    out = render(template, ROW).text
    assert out.startswith("Dear Mrs Okafor,\nCT-1 xxx 1024 003.1 ")
    assert out.endswith(" Mrs Okafor Mrs/Okafor a+b Mrs Okafor")


def test_power_tower_is_left_associative_and_small() -> None:
    """Jinja reads 9**9**9 as (9**9)**9, a 78-digit number, not Python's 9**(9**9):
    it renders (bounded and instant) rather than failing. Towers that would grow
    beyond MAX_INT_BITS are refused (see HOSTILE)."""
    out = render(parse_template("{{ 9**9**9 }}", Path("p.j2")), ROW).text
    assert out == str((9**9) ** 9)


def test_output_is_capped() -> None:
    template = parse_template("{% for i in 'x' * 99999 %}{{ 'y' * 99 }}{% endfor %}",
                              Path("big.j2"))
    with pytest.raises(RenderError) as err:
        render(template, ROW)
    assert err.value.code == "output-too-large"
    assert str(MAX_OUTPUT_CHARS) in str(err.value)


def test_hostile_templates_through_the_cli_leak_nothing(tmp_path: Path, planted: Path) -> None:
    project = make_project(tmp_path / "p")
    batch = project.root / "batch.csv"
    batch.write_text(HEADER + good_row(1) + good_row(2), encoding="utf-8")
    for text, _codes in HOSTILE[:20]:
        project.template.write_text(
            "---\nname: reminder\nchannel: letter\n---\n" + text.replace("@FILE@", str(planted)),
            encoding="utf-8")
        for fmt in ("text", "json"):
            result = invoke(project.check_args(batch, "--format", fmt))
            assert_cli_contract(result)
            assert result.exit_code in (1, 2), (text, result.output)  # never a clean pass
            assert SECRET not in result.output and FILE_SECRET not in result.output


def test_a_paused_process_does_not_time_a_good_row_out(monkeypatch: pytest.MonkeyPatch) -> None:
    """The deadline is CPU time: a loaded CI runner that pauses the process for longer
    than the limit must not turn a good row into "not checked" (exit 2)."""
    import itertools
    import time

    clock = itertools.count(start=0.0, step=10.0)  # every look at the wall clock: +10 s
    monkeypatch.setattr(time, "monotonic", lambda: next(clock))
    monkeypatch.setattr(time, "time", lambda: next(clock))
    template = parse_template("{% for i in [0, 1, 2, 3] * 20 %}{{ i }} {% endfor %}", Path("ok.j2"))
    assert render(template, ROW).text.startswith("0 1 2")
