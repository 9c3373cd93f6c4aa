from __future__ import annotations

from pathlib import Path

import pytest

from tests.engine.chunked import write_spanning


@pytest.fixture
def spanning(tmp_path: Path) -> Path:
    """A batch with a column shift, a duplicate recipient and a duplicate reference that
    cross chunk boundaries (see write_spanning)."""
    return write_spanning(tmp_path / "spanning")
