"""Demo quiz content: the starter bank and demo rounds."""

from collections.abc import Callable


def load(echo: Callable[[str], None]) -> None:
    """Load the demo quiz content; idempotent."""
