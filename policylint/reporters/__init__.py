"""Built-in output formats, registered through the same hook as a plug-in's.

``BUILTIN_REPORTERS`` lists them; the plugin manager registers this module, and
:func:`policylint_reporters` hands them over.
"""

from __future__ import annotations

from collections.abc import Sequence

from policylint.hookspecs import hookimpl
from policylint.reporters.base import Reporter, RuleInfo
from policylint.reporters.csv_report import CsvReporter
from policylint.reporters.github import GithubReporter
from policylint.reporters.json_report import JsonReporter
from policylint.reporters.junit import JunitReporter
from policylint.reporters.sarif import SarifReporter
from policylint.reporters.text import TextReporter

BUILTIN_REPORTERS: tuple[type[Reporter], ...] = (
    TextReporter,
    JsonReporter,
    SarifReporter,
    JunitReporter,
    GithubReporter,
    CsvReporter,
)


@hookimpl
def policylint_reporters() -> Sequence[type[Reporter]]:
    """The built-in reporters: text, json, sarif, junit, github, csv."""
    return BUILTIN_REPORTERS


__all__ = [
    "BUILTIN_REPORTERS",
    "CsvReporter",
    "GithubReporter",
    "JsonReporter",
    "JunitReporter",
    "Reporter",
    "RuleInfo",
    "SarifReporter",
    "TextReporter",
    "policylint_reporters",
]
