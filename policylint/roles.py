"""Batch column roles and the map from role to header (DESIGN §1, "Batch columns").

These sit below both the readers (:mod:`policylint.io.fields` resolves a
batch's headers into a :class:`FieldMap`) and the engine and rules (an
:class:`~policylint.engine.rule.Item` looks its roles up through one), so
neither layer has to import the other. :mod:`policylint.engine.rule`
re-exports both names, so ``from policylint.engine.rule import FieldMap``
keeps working.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["ADDRESS_ROLES", "FieldMap"]

# Address roles in order; a role absent from the batch is simply not present.
ADDRESS_ROLES = tuple(f"address_line_{i}" for i in range(1, 8))


@dataclass(frozen=True)
class FieldMap:
    """Which normalised batch header plays which role (DESIGN §1).

    ``roles`` maps a role (``recipient_id``, ``email``...) to the normalised
    header that holds it; ``reference`` may map to several headers.
    """

    roles: Mapping[str, str] = field(default_factory=dict)
    references: tuple[str, ...] = ()

    def header(self, role: str) -> str | None:
        return self.roles.get(role)
