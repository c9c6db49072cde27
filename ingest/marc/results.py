"""What the MARC readers give out: a record or a failure, with the reasons in plain words."""
from __future__ import annotations

import dataclasses

import pymarc


@dataclasses.dataclass
class Problem:
    """A reason in words a librarian understands: an English template and its parameters."""

    template: str
    params: dict = dataclasses.field(default_factory=dict)

    @property
    def message(self) -> str:
        return self.template.format(**self.params)


@dataclasses.dataclass
class ReadResult:
    file_name: str
    ordinal: int
    offset: int
    raw: bytes
    record: pymarc.Record | None = None
    warnings: list[Problem] = dataclasses.field(default_factory=list)
    error: Problem | None = None
