"""Organizer screens of round results: ranking review, exclusions, prizes, publication, statistics."""

from contest.organizer.views import bp  # noqa: F401
