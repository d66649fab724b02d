"""Who may see a writing entry, its files and its anonymised page.

The author, the co-authors linked to an account and the organizers see an entry with its
author's identity. The anonymised page is for organizers and, once judging assigns them, judges.
Everyone else is told the entry does not exist (views answer 404), so that entry ids reveal
nothing.
"""

from __future__ import annotations

from typing import Any

from flask import current_app

from contest.accounts.policy import can
from contest.writing.models import Entry


def _authenticated(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def is_organizer(user: Any) -> bool:
    return can(user, "writing.manage")


def is_author(user: Any, entry: Entry) -> bool:
    return _authenticated(user) and entry.author_id == user.id


def is_coauthor(user: Any, entry: Entry) -> bool:
    """A co-author whose row is linked to this account (service.link_coauthor_accounts)."""
    return _authenticated(user) and any(c.user_id == user.id for c in entry.coauthors)


def judge_may_view(user: Any, entry: Entry) -> bool:
    """Whether ``user`` judges ``entry`` in a judging round and has no conflict with it.

    Judging builds on writing, not the other way round: the application registers the
    judging rule in ``app.extensions["entry_judge_hooks"]`` and this asks each hook."""
    hooks = current_app.extensions.get("entry_judge_hooks", ())
    return any(hook(user, entry) for hook in hooks)


def may_view(user: Any, entry: Entry) -> bool:
    """May see the entry as it was entered, author and co-authors included."""
    return is_author(user, entry) or is_coauthor(user, entry) or is_organizer(user)


def may_view_file(user: Any, entry: Entry) -> bool:
    """May download the files as uploaded (with their original names and metadata)."""
    return may_view(user, entry)


def may_view_anonymised(user: Any, entry: Entry) -> bool:
    """May open the blind view of a submitted entry (code, text and cleaned files only)."""
    if entry.anon_code is None:
        return False
    return is_organizer(user) or judge_may_view(user, entry)


def may_edit(user: Any, entry: Entry) -> bool:
    """Who may ask to change the entry at all; service.py decides whether the change is allowed
    now (deadline, status). Co-authors read but do not edit: one person answers for an entry."""
    return is_author(user, entry) or is_organizer(user)
