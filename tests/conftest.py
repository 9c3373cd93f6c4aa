"""Every test starts from the same environment, whatever the machine running it sets.

CI runs this suite with CI=true; --show-values is refused there (a CI log must never
become the breach), and the tests that exercise --show-values mean a person's own
terminal. Tests of the CI behaviour set these variables themselves.
"""

from __future__ import annotations

import pytest

_RUNNER_VARIABLES = ("CI", "GITHUB_STEP_SUMMARY", "NO_COLOR", "FORCE_COLOR",
                     "POLICYLINT_RECORD_KEY", "POLICYLINT_FINGERPRINT_KEY")


@pytest.fixture(autouse=True)
def _plain_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in _RUNNER_VARIABLES:
        monkeypatch.delenv(name, raising=False)
