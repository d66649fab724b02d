"""What every domain's console shares: the tiles on the organizer dashboard.

Each domain's console module registers its tile with :func:`console_link`; the dashboard in
contest.organizer lists them without importing the domains.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ConsoleLink:
    endpoint: str
    title: Any  # lazy string
    text: Any
    order: int = 100


CONSOLE_LINKS: list[ConsoleLink] = []


def console_link(endpoint: str, title: Any, text: Any, order: int = 100) -> None:
    """Show a tile linking to ``endpoint`` on the organizer dashboard."""
    if all(link.endpoint != endpoint for link in CONSOLE_LINKS):
        CONSOLE_LINKS.append(ConsoleLink(endpoint, title, text, order))
        CONSOLE_LINKS.sort(key=lambda link: link.order)
