"""Invitations to a contest's jury: a signed link e-mailed to an address (only a hash of its
random part is stored), sent again, withdrawn, and accepted by the account with that address.

Accepting asks contest.accounts.service to grant the judge role and contest.writing.contests to
add the juror: those rules have one owner each.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from flask_babel import force_locale, format_datetime
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, select

from contest.accounts import service as accounts
from contest.accounts.models import Role, User
from contest.extensions import db
from contest.judging.common import INVITATION_DAYS, actor_id_of, contest_event, refuse
from contest.judging.jury import may_judge
from contest.judging.models import Invitation
from contest.mail import send_mail
from contest.writing import contests as contest_rules
from contest.writing.models import ContestJuror, ContestStatus, WritingContest

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_INVITE_SALT = "contest.judge-invitation"


def _signer(secret: str) -> Any:
    return URLSafeSerializer(secret, salt=_INVITE_SALT)


def _token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _new_token(secret: str) -> tuple[str, str]:
    """(the signed token for the link, the hash stored in place of its random part)."""
    raw = secrets.token_urlsafe(32)
    return _signer(secret).dumps(raw), _token_hash(raw)


def invitation_status(inv: Invitation, now: datetime) -> str:
    """"accepted", "expired" (or withdrawn) or "pending"."""
    if inv.accepted_at is not None:
        return "accepted"
    return "expired" if inv.expires_at <= now else "pending"


def invitations(contest: WritingContest) -> list[Invitation]:
    return list(db.session.execute(
        select(Invitation).where(Invitation.contest_id == contest.id)
        .order_by(Invitation.created_at.desc(), Invitation.id.desc())
    ).scalars())


def _account_with(email: str) -> User | None:
    return db.session.execute(
        select(User).where(func.lower(User.email) == email, User.erased_at.is_(None))
    ).scalar_one_or_none()


def invite(contest: WritingContest, email: str, actor: Any, now: datetime, secret: str, *,
           link: Callable[[str], str], days: int = INVITATION_DAYS) -> tuple[Invitation, str]:
    """Invite ``email`` to the contest's jury and e-mail it the link that ``link`` makes of
    the token; returns the invitation and the token (only its hash is stored, so the link
    cannot be shown again: resend makes a new one).
    """
    if contest.status == ContestStatus.PUBLISHED:
        raise refuse("contest_published")
    address = (email or "").strip().lower()
    if not address:
        raise refuse("email_missing", "email")
    if len(address) > 254 or not _EMAIL.match(address):
        raise refuse("email_invalid", "email")
    user = _account_with(address)
    if user is not None and may_judge(user, contest.id):
        raise refuse("already_juror", "email")
    pending = db.session.execute(
        select(Invitation).where(Invitation.contest_id == contest.id,
                                 Invitation.email == address,
                                 Invitation.accepted_at.is_(None), Invitation.expires_at > now)
    ).first()
    if pending:
        raise refuse("already_invited", "email")
    token, digest = _new_token(secret)
    inv = Invitation(contest_id=contest.id, email=address, token_hash=digest,
                     invited_by_id=actor_id_of(actor), created_at=now,
                     expires_at=now + timedelta(days=days))
    db.session.add(inv)
    db.session.flush()
    contest_event(actor_id_of(actor), "judging.invitation.create", contest.id,
                  invitation=inv.id, email=address, expires_at=inv.expires_at.isoformat())
    _mail(inv, link(token), actor)
    return inv, token


def resend_invitation(inv: Invitation, actor: Any, now: datetime, secret: str, *,
                      link: Callable[[str], str], days: int = INVITATION_DAYS) -> str:
    """E-mail a new link for an invitation not yet accepted (the old link stops working);
    returns its token."""
    if inv.accepted_at is not None:
        raise refuse("invitation_used")
    contest = db.session.get(WritingContest, inv.contest_id)
    if contest.status == ContestStatus.PUBLISHED:
        raise refuse("contest_published")
    token, digest = _new_token(secret)
    inv.token_hash = digest
    inv.expires_at = now + timedelta(days=days)
    db.session.flush()
    contest_event(actor_id_of(actor), "judging.invitation.resend", inv.contest_id,
                  invitation=inv.id, email=inv.email, expires_at=inv.expires_at.isoformat())
    _mail(inv, link(token), actor)
    return token


def withdraw_invitation(inv: Invitation, actor: Any, now: datetime) -> None:
    """Make an invitation's link stop working."""
    if inv.accepted_at is not None:
        raise refuse("invitation_used")
    if inv.expires_at > now:
        inv.expires_at = now
    db.session.flush()
    contest_event(actor_id_of(actor), "judging.invitation.withdraw", inv.contest_id,
                  invitation=inv.id, email=inv.email)


def find_invitation(token: str, secret: str) -> Invitation | None:
    """The invitation a link's token names, or None for a forged or replaced token."""
    try:
        raw = _signer(secret).loads(token or "")
    except BadSignature:
        return None
    if not isinstance(raw, str):
        return None
    return db.session.execute(
        select(Invitation).where(Invitation.token_hash == _token_hash(raw))
    ).scalar_one_or_none()


def accept_invitation(token: str, user: User, now: datetime, secret: str) -> Invitation:
    """Accept an invitation as ``user``, whose account must have the invited e-mail address.

    Adds the user to the contest's jury (contest.writing.contests, which refuses an entrant
    where jury members may not enter) and grants the judge role unless held
    (contest.accounts.service), as decided by whoever sent the invitation.
    """
    inv = find_invitation(token, secret)
    if inv is None:
        raise refuse("invitation_invalid")
    if inv.accepted_at is not None:
        if inv.accepted_by_id == user.id:
            return inv
        raise refuse("invitation_used")
    if inv.expires_at <= now:
        raise refuse("invitation_expired")
    if not user.email or user.email.strip().lower() != inv.email or user.erased_at:
        raise refuse("email_mismatch", None, email=inv.email)
    contest = db.session.get(WritingContest, inv.contest_id)
    if contest.status == ContestStatus.PUBLISHED:
        raise refuse("contest_published")
    if db.session.get(ContestJuror, (contest.id, user.id)) is None:
        contest_rules.add_juror_account(contest, user, inv.invited_by_id)
    accounts.grant_role(user, Role.JUDGE, inv.invited_by_id, "invitation")
    inv.accepted_at, inv.accepted_by_id = now, user.id
    db.session.flush()
    contest_event(user.id, "judging.invitation.accept", contest.id, invitation=inv.id,
                  user=user.id, email=inv.email)
    return inv


def _mail(inv: Invitation, link: str, actor: Any) -> None:
    """E-mail the invitation's link in the language of the invitee's account if there is one,
    else in that of the organizer who sends it (Vietnamese when neither says)."""
    contest = db.session.get(WritingContest, inv.contest_id)
    invitee = _account_with(inv.email)
    locale = (invitee.locale if invitee else None) or getattr(actor, "locale", None) or "vi"
    with force_locale(locale):
        _send(inv, contest, link)


def _send(inv: Invitation, contest: WritingContest, link: str) -> None:
    send_mail(
        inv.email,
        _("Invitation to judge: %(contest)s", contest=contest.title),
        _("Hello,\n\nYou are invited to the jury of the contest “%(contest)s”.\n\n"
          "Open this link to accept, logged in with an account that has this e-mail address "
          "(or register one first):\n%(link)s\n\n"
          "The link works until %(expires)s. If you did not expect this invitation, ignore "
          "this message.",
          contest=contest.title, link=link, expires=format_datetime(inv.expires_at, "short")),
    )
