"""Co-authors of entries linked to accounts with a confirmed e-mail address.

Only a confirmed e-mail address links: otherwise anyone could register with a co-author's
address and read an entry before its deadline. Links are made at every entry save and, through
mapper events, when an account confirms its e-mail (the accounts package needs no change).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, inspect, select, update

from contest.accounts.models import User
from contest.extensions import db
from contest.writing.models import (
    Coauthor,
    Entry,
)


def link_coauthor_accounts(user: User) -> int:
    """Link co-author rows naming the user's e-mail to the account; returns how many.

    Only a confirmed e-mail address links: otherwise anyone could register with a co-author's
    address and read an entry before its deadline. Called at every entry save, and on its own
    (see the mapper events at the end of this module) when an account confirms its e-mail.
    """
    if not user.email or user.email_verified_at is None or user.erased_at is not None:
        return 0
    rows = db.session.execute(
        select(Coauthor).where(Coauthor.email == user.email, Coauthor.user_id.is_(None))
    ).scalars().all()
    for row in rows:
        row.user_id = user.id
    return len(rows)


def link_entry_coauthors(entry: Entry) -> None:
    emails = [c.email for c in entry.coauthors if c.user_id is None]
    if not emails:
        return
    accounts = {
        u.email: u.id
        for u in db.session.execute(
            select(User).where(
                User.email.in_(emails),
                User.email_verified_at.is_not(None),
                User.erased_at.is_(None),
            )
        ).scalars()
    }
    for row in entry.coauthors:
        if row.user_id is None and row.email in accounts:
            row.user_id = accounts[row.email]


def _link_on_connection(connection: Any, user: User) -> None:
    if not user.email or user.email_verified_at is None or user.erased_at is not None:
        return
    table = Coauthor.__table__
    connection.execute(
        update(table)
        .where(table.c.email == user.email, table.c.user_id.is_(None))
        .values(user_id=user.id)
    )


@event.listens_for(User, "after_insert")
def _user_inserted(mapper: Any, connection: Any, target: User) -> None:
    _link_on_connection(connection, target)


@event.listens_for(User, "after_update")
def _user_updated(mapper: Any, connection: Any, target: User) -> None:
    attrs = inspect(target).attrs
    if attrs.email_verified_at.history.has_changes() or attrs.email.history.has_changes():
        _link_on_connection(connection, target)
