"""Make the plugin module importable straight from its source directory, so its tests
run without installing it (from the repository root or from this directory)."""

from __future__ import annotations

import sys
from pathlib import Path

PLUGIN_DIR = str(Path(__file__).resolve().parent.parent)
if PLUGIN_DIR not in sys.path:
    sys.path.insert(0, PLUGIN_DIR)
