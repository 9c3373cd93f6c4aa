"""Errors that end a run with exit 2 and one clear line.

These are for problems with what the user gave us (a batch, a policy, a
register, a template, a command line). Bugs stay ordinary exceptions; the CLI
turns those into one line too, naming the rule and row when a rule raised.
"""

from __future__ import annotations


class PolicylintError(Exception):
    """Base class: ``str(err)`` is the single line shown to the user."""

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        line: int | None = None,
        key: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.row = row
        self.line = line
        self.key = key
        super().__init__(self.render())

    def __reduce__(self) -> tuple[object, ...]:
        """Pickle as the base class with the rendered line: an error raised in a --jobs or
        Dask worker reaches the parent as the same one line (subclasses with their own
        constructor arguments included)."""
        return (_rebuild, (type(self), self.message, self.file, self.row, self.line,
                           self.key))

    def render(self) -> str:
        where = []
        if self.file:
            where.append(self.file)
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.key:
            where.append(f"key '{self.key}'")
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message


class InputError(PolicylintError):
    """A batch, template or register that cannot be read completely."""


class PolicyError(PolicylintError):
    """A policy file that is not valid YAML, fails the schema, or names unknown rules."""


class RegisterError(InputError):
    """A register that is missing, malformed, or missing a required table or column."""


class RegisterErrors(RegisterError):
    """Several register rows could not be read: every one is kept, the first is shown.

    ``problems`` holds each row's own error (file, row, key), so ``register check``
    can list them all while ``check`` still prints one line.
    """

    def __init__(self, problems: list[RegisterError], *, stopped: bool = False) -> None:
        self.problems = problems
        first = problems[0]
        more = len(problems) - 1
        suffix = ""
        if more:
            suffix = (f" (and {more}{'+' if stopped else ''} more unreadable register "
                      f"row{'s' if more > 1 else ''}: `policylint register check` lists them)")
        super().__init__(first.message + suffix, file=first.file, row=first.row,
                         key=first.key)


class LimitError(InputError):
    """An input beyond a documented limit (cell size, column count)."""


class RuleCrash(PolicylintError):
    """A rule raised: the run fails (never passes silently)."""


def _rebuild(kind: type[PolicylintError], message: str, file: str | None, row: int | None,
             line: int | None, key: str | None) -> PolicylintError:
    error = PolicylintError.__new__(kind)
    PolicylintError.__init__(error, message, file=file, row=row, line=line, key=key)
    return error
