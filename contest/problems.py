"""How a rule says no: a refused change carries its problems, each a code for the view's message
table, the form field it concerns, and the values its message needs.

Shared by every domain so that views render refusals the same way.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any


@dataclasses.dataclass(frozen=True)
class Problem:
    """One broken rule. ``field`` is None when it concerns the change as a whole."""

    code: str
    field: str | None = None
    params: Mapping[str, Any] = dataclasses.field(default_factory=dict)


class Refused(Exception):
    """A change the rules refuse; nothing has been changed. ``problems`` say why."""

    def __init__(self, *problems: Problem) -> None:
        super().__init__(", ".join(p.code for p in problems))
        self.problems = list(problems)

    @property
    def code(self) -> str:
        return self.problems[0].code
