"""Run each atheris harness's TestOneInput on a fixed corpus plus a few hundred
deterministic pseudo-random mutations of it (no atheris loop inside pytest).

A harness raises only for a bug, so every call here must simply return.
"""

from __future__ import annotations

import codecs
import random
from collections.abc import Callable

import pytest

from tests.fuzz import fuzz_batch, fuzz_policy, fuzz_template

HEADER = b"recipient_id,title,last_name,address_line_1,postcode,account_ref\r\n"
ROW = b"P-1,Mrs,Okafor,1 Mill Lane,PE30 4AB,CT-1\r\n"

BATCH_CORPUS = [
    b"", b"\n", b",", b'"', HEADER, HEADER + ROW, HEADER + ROW * 3,
    codecs.BOM_UTF8 + HEADER + ROW,
    codecs.BOM_UTF16_LE + (HEADER + ROW).decode().encode("utf-16-le"),
    (HEADER + ROW).decode().encode("utf-16-be"),
    HEADER + b'P-1,Mrs,"Oka\nfor",1 Mill Lane,PE30 4AB,CT-1\r\n',
    HEADER + b'P-1,Mrs,"Okafor,1 Mill Lane,PE30 4AB,CT-1\r\n',
    HEADER + b'P-1,Mrs,"Oka"for,1 Mill Lane,PE30 4AB,CT-1\r\n',
    HEADER + ROW + b"P-2,Mr\r\n", HEADER + ROW + b"P-2,Mr,N\x00,a,b,c\r\n",
    HEADER + b"P-1,Mrs,Ok\x81afor,1,PE30 4AB,CT-1\r\n",
    HEADER.replace(b",", b";") + ROW.replace(b",", b";"),
    HEADER.replace(b",", b"\t") + ROW.replace(b",", b"\t"),
    b"a" * 300 + b",b\r\n1,2\r\n", b"PK\x03\x04rest", b",".join([b"c"] * 40) + b"\r\n1\r\n",
    b"=cmd|' /C calc'!A0,b\r\n@SUM(1),+1\r\n",
]
POLICY_CORPUS = [
    b"", b"version: 1\n", b"version: 1\nrules:\n  merge-integrity: off\n",
    b"version: 1\nextends: [uk-local-gov]\n", b"version: 1\nextends: [./policylint.yaml]\n",
    b"a: &a [1]\nb: *a\n", b"a: " + b"[" * 200 + b"]" * 200 + b"\n",
    b"x: !!python/object/apply:os.system ['id']\n", b"<<: {a: 1}\n", b"1: a\n",
    b"version: 1\nrules:\n  stale-address: {max_age_days: -1, bogus: true}\n",
    b"version: 1\nsuppressions:\n  - {rule: x, reason: y, expires: 2027-02-30}\n",
    b"version: 1\ntemplates:\n  - {path: 'nothing/*.j2'}\n", b"\xff\xfe\x00", b"\x00",
    b"version: 1\nregister: ./nope\nfields: {recipient_id: [a, b]}\n",
    b"\n?\n '\n\r'",  # found by atheris: a key that is a line break broke the one-line error
    b'version: 1\nrules:\n  "a\\nb": off\n',
]
TEMPLATE_CORPUS = [
    b"", b"Dear {{ title }} {{ last_name }},", b"{{", b"{% if %}", b"{% for x in %}",
    b"---\nname: t\nchannel: letter\n---\nHi {{ x }}", b"---\n: :\n---\n",
    b"{{ ''.__class__.__mro__ }}", b"{{ cycler.__init__.__globals__ }}",
    b"{{ self._TemplateReference__context }}", b"{% include '/etc/passwd' %}",
    b"{{ 'a' * 10**9 }}", b"{{ 9**9**9 }}", b"{{ x|center(10**9) }}",
    b"{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}", b"{{ '%1000000000s' % x }}",
    b"{% raw %}{{ x }}{% endraw %}", b"{{ x|replace('', 'yy') }}", b"{{ x ~ x }}",
    # found by atheris: deep nesting made Jinja's parser raise RecursionError
    b"(( (((((((\x1e(((({{lb[:{" + b"(" * 3000, b"{{ a" + b"[a" * 3000 + b" }}",
]
TOKENS = [b"{{", b"}}", b"{%", b"%}", b",", b'"', b"\n", b"\r", b"\x00", b"\xff", b"&a",
          b"*a", b"- ", b": ", b"**", b"*", b"|", b"'", b"[", b"]", b"9" * 12]


def _mutate(rng: random.Random, seed: bytes) -> bytes:
    data = bytearray(seed)
    for _ in range(rng.randint(1, 6)):
        choice = rng.random()
        pos = rng.randint(0, len(data))
        if choice < 0.35:
            data[pos:pos] = rng.choice(TOKENS)
        elif choice < 0.6 and data:
            del data[pos:pos + rng.randint(1, 8)]
        elif choice < 0.85 and data:
            data[min(pos, len(data) - 1)] = rng.randrange(256)
        else:
            data[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
    return bytes(data)


def _inputs(corpus: list[bytes], seed: int, count: int) -> list[bytes]:
    rng = random.Random(seed)
    return [*corpus, *(_mutate(rng, rng.choice(corpus)) for _ in range(count))]


HARNESSES: list[tuple[str, Callable[[bytes], None], list[bytes], int]] = [
    ("batch", fuzz_batch.TestOneInput, BATCH_CORPUS, 300),
    ("policy", fuzz_policy.TestOneInput, POLICY_CORPUS, 300),
    ("template", fuzz_template.TestOneInput, TEMPLATE_CORPUS, 200),
]


@pytest.mark.parametrize(("name", "harness", "corpus", "count"), HARNESSES,
                         ids=[h[0] for h in HARNESSES])
def test_harness_survives_corpus_and_mutations(name: str, harness: Callable[[bytes], None],
                                               corpus: list[bytes], count: int) -> None:
    for data in _inputs(corpus, seed=20261126, count=count):
        harness(data)  # raises only on a bug


def test_harnesses_detect_a_planted_bug(monkeypatch: pytest.MonkeyPatch) -> None:
    """The harness is not vacuous: an unexpected exception from the reader escapes it."""
    def broken(*_args: object, **_kwargs: object) -> None:
        raise KeyError("planted")

    monkeypatch.setattr(fuzz_batch, "CsvBatchReader", broken)
    with pytest.raises(KeyError):
        fuzz_batch.TestOneInput(HEADER + ROW)
