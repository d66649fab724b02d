"""E-mails about writing-contest entries, in the language of the request that causes them."""

from __future__ import annotations

from flask_babel import format_datetime
from flask_babel import gettext as _

from contest.accounts.models import User
from contest.extensions import db
from contest.mail import send_mail
from contest.writing.messages import describe_words
from contest.writing.models import Entry


def display_receipt(code: str | None) -> str:
    """A receipt code in two groups of five, easier to read out: ``7K2QM-XW4D9``."""
    if not code:
        return ""
    return f"{code[:5]}-{code[5:]}" if len(code) == 10 else code


def send_receipt(entry: Entry, link: str) -> None:
    """Confirm a submission to its author, with the receipt code and a link back to the entry."""
    author = db.session.get(User, entry.author_id)
    if author is None or not author.email:
        return
    send_mail(
        author.email,
        _("Entry received: %(title)s", title=entry.title),
        _(
            "Hello %(name)s,\n\n"
            "Your entry has been received.\n\n"
            "Contest: %(contest)s\n"
            "Category: %(category)s\n"
            "Title: %(title)s\n"
            "Words: %(words)s\n"
            "Submitted: %(submitted)s\n"
            "Receipt code: %(receipt)s\n\n"
            "You can change or withdraw the entry until the deadline, %(deadline)s:\n"
            "%(link)s\n\n"
            "Keep this message: the receipt code proves that the entry arrived in time.",
            name=author.full_name,
            contest=entry.contest.title,
            category=entry.category.name,
            title=entry.title,
            words=describe_words(entry),
            submitted=format_datetime(entry.submitted_at, "short"),
            receipt=display_receipt(entry.receipt_code),
            deadline=format_datetime(entry.contest.submission_closes_at, "short"),
            link=link,
        ),
    )
