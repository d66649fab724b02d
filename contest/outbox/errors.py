"""How a transport says that a message can never be delivered (no retry helps)."""

from __future__ import annotations


class Undeliverable(Exception):
    """Raised by a mail or SMS transport for a refusal that retrying cannot cure (an invalid
    or blocked number, say): the message is marked failed at once. Any other exception is
    taken as passing trouble and the message is tried again later."""
