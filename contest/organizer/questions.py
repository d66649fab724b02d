"""Organizer screens of the question bank: list, search, edit, preview, import and export."""

from contest.organizer.views import bp  # noqa: F401
