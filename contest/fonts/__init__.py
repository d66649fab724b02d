"""Fonts shipped with the platform for text the server draws itself (PDFs, images).

Noto Sans (SIL Open Font License 1.1) has every Vietnamese letter and tone mark.
"""

from __future__ import annotations

from pathlib import Path

FOLDER = Path(__file__).resolve().parent
STYLES = {"regular": "NotoSans-Regular.ttf", "bold": "NotoSans-Bold.ttf",
          "italic": "NotoSans-Italic.ttf"}


def path(style: str = "regular") -> Path:
    """The file of one style: ``regular``, ``bold`` or ``italic``."""
    return FOLDER / STYLES[style]
