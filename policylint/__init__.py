"""policylint: check mail-merge batches and letter templates against privacy policies."""

__version__ = "0.1.0"
