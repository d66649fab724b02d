"""Names of the campaign site's choices, in the reader's language (lazy, so they follow the
locale of the request that shows them)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

KIND_LABELS = {
    "news": _l("News"),
    "announcement": _l("Announcement"),
    "guidance": _l("Guidance"),
}

STATUS_LABELS = {
    "draft": _l("Draft"),
    "scheduled": _l("Scheduled"),
    "published": _l("Published"),
    "unpublished": _l("Unpublished"),
}

CATEGORY_LABELS = {
    "leaflet": _l("Leaflets"),
    "poster": _l("Posters"),
    "infographic": _l("Infographics"),
    "legal": _l("Legal texts"),
    "slides": _l("Slide decks"),
    "audio": _l("Audio clips"),
    "video": _l("Video clips"),
}

AUDIENCE_LABELS = {
    "public": _l("Everyone"),
    "officials": _l("Officials and Party members"),
    "schools": _l("Schools"),
    "minority": _l("In ethnic-minority languages"),
}

PRIZE_LABELS = {
    "A": _l("A prize"),
    "B": _l("B prize"),
    "C": _l("C prize"),
    "KK": _l("Consolation prize"),
}
