"""Organizer screens of quiz rounds: create, edit, clone, open early, extend, close."""

from contest.organizer.views import bp  # noqa: F401
