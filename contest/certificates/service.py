"""Certificate rules: generate for every published prize in one action (idempotent), revoke with
a reason, reissue, and look one up by its code. Every change is audited; the caller commits."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from contest import audit
from contest.accounts.models import User
from contest.certificates.models import Certificate, CertificateKind
from contest.extensions import db
from contest.judging.models import EntryResult, JudgingRound, JudgingRoundStatus
from contest.problems import Problem, Refused
from contest.quiz.models import Result, Round, RoundStatus
from contest.reports import service as reports
from contest.timeutil import local_today, utcnow
from contest.writing.models import Entry, EntryStatus, WritingContest

CODE_BYTES = 15  # 120 random bits
CODE_LENGTH = 20  # URL-safe characters of CODE_BYTES
UNDECIDED = "?"  # a quiz prize left for the organizers' tie decision


def prize_label(prize: str) -> str:
    """The prize in the reader's words (quiz tiers and the press-award tiers A/B/C/KK)."""
    return {
        "first": _("First prize"), "second": _("Second prize"), "third": _("Third prize"),
        "consolation": _("Consolation prize"), "A": _("Prize A"), "B": _("Prize B"),
        "C": _("Prize C"), "KK": _("Encouragement prize"),
        "participation": _("Participation with a perfect score"),
    }.get(prize, prize)


@dataclass
class Generated:
    created: int = 0
    existing: int = 0


def _next_number() -> int:
    return int(db.session.execute(select(func.coalesce(func.max(Certificate.number), 0)))
               .scalar_one()) + 1


def _new(kind: str, source_key: str, revision: int, recipient: str, prize: str,
         event_title: str, actor_id: int | None, today: date, **links: object) -> Certificate:
    settings = reports.settings()
    with force_locale("vi"):
        achievement = prize_label(prize)
    cert = Certificate(
        code=secrets.token_urlsafe(CODE_BYTES), number=_next_number(),
        number_suffix=settings.number_suffix or "GCN-BTC", kind=kind, source_key=source_key,
        revision=revision, recipient_name=recipient, prize=prize, achievement=achievement,
        event_title=event_title, organizing_body=settings.organizing_body,
        signatory_name=settings.signatory_name, signatory_title=settings.signatory_title,
        place=settings.place, issued_on=today, issued_by_id=actor_id, revoke_reason="",
        **links,
    )
    db.session.add(cert)
    db.session.flush()
    return cert


def _exists(source_key: str) -> bool:
    return db.session.execute(select(Certificate.id).where(Certificate.source_key == source_key)
                              .limit(1)).first() is not None


def generate(actor_id: int | None, today: date | None = None) -> Generated:
    """A certificate for every published prize that has none yet; running it again adds none.

    Quiz: every prize of a published round. Writing: every prize of a contest's published final
    round, one certificate for each author and co-author. With participation certificates
    switched on in the settings, also everyone with a perfect score in a published round.
    A revoked certificate is not replaced here (that is a reissue).
    """
    today = today or local_today()
    done = Generated()
    quiz = db.session.execute(
        select(Result, Round, User).join(Round, Round.id == Result.round_id)
        .join(User, User.id == Result.user_id)
        .where(Round.status == RoundStatus.PUBLISHED, Result.prize.is_not(None),
               Result.prize != UNDECIDED, Result.excluded.is_(False))
        .order_by(Round.opens_at, Result.final_rank, Result.id)).all()
    for result, rnd, user in quiz:
        key = f"quiz:{rnd.id}:{user.id}"
        if _exists(key):
            done.existing += 1
            continue
        _new(CertificateKind.QUIZ_PRIZE, key, 1, user.full_name, result.prize or "",
             rnd.title, actor_id, today, quiz_round_id=rnd.id, user_id=user.id)
        done.created += 1
    writing = db.session.execute(
        select(EntryResult, JudgingRound, Entry, WritingContest)
        .join(JudgingRound, JudgingRound.id == EntryResult.round_id)
        .join(Entry, Entry.id == EntryResult.entry_id)
        .join(WritingContest, WritingContest.id == Entry.contest_id)
        .where(JudgingRound.status == JudgingRoundStatus.PUBLISHED,
               EntryResult.prize.is_not(None), Entry.status == EntryStatus.SUBMITTED)
        .order_by(WritingContest.id, EntryResult.rank, Entry.id)).all()
    for result, rnd, entry, contest in writing:
        author = db.session.get(User, entry.author_id)
        people = [(author.full_name if author else "", entry.author_id)] + \
            [(c.name, c.user_id) for c in entry.coauthors]
        for index, (name, user_id) in enumerate(people):
            key = f"writing:{rnd.id}:{entry.id}:{index}"
            if not name or _exists(key):
                done.existing += bool(name)
                continue
            cert = _new(CertificateKind.WRITING_PRIZE, key, 1, name, result.prize or "",
                        contest.title, actor_id, today, writing_contest_id=contest.id,
                        entry_id=entry.id, user_id=user_id)
            cert.work_title = entry.title
            done.created += 1
    if reports.settings().participation_certificates:
        perfect = db.session.execute(
            select(Round, User).join(Result, Result.round_id == Round.id)
            .join(User, User.id == Result.user_id)
            .where(Round.status == RoundStatus.PUBLISHED, Result.perfect.is_(True),
                   Result.excluded.is_(False), User.erased_at.is_(None))
            .order_by(Round.opens_at, Result.id)).all()
        for rnd, user in perfect:
            key = f"participation:{rnd.id}:{user.id}"
            if _exists(key):
                done.existing += 1
                continue
            _new(CertificateKind.PARTICIPATION, key, 1, user.full_name, "participation",
                 rnd.title, actor_id, today, quiz_round_id=rnd.id, user_id=user.id)
            done.created += 1
    audit.record(actor_id, "certificates.generate", "certificate", None,
                 created=done.created, existing=done.existing)
    return done


def by_code(code: str) -> Certificate | None:
    if not code or len(code) > 32:
        return None
    return db.session.execute(select(Certificate).where(Certificate.code == code)) \
        .scalar_one_or_none()


def revoke(actor_id: int, cert: Certificate, reason: str) -> bool:
    """Revoke with a reason; revoking a revoked certificate changes nothing (and says so in the
    audit trail). Returns True when it was revoked now."""
    reason = (reason or "").strip()
    if not reason:
        raise Refused(Problem("reason_missing", "reason"))
    if cert.revoked:
        audit.record(actor_id, "certificate.revoke_repeated", "certificate", cert.id, reason)
        return False
    cert.revoked_at = utcnow()
    cert.revoke_reason = reason
    audit.record(actor_id, "certificate.revoke", "certificate", cert.id, reason,
                 number=cert.number_text)
    return True


def reissue(actor_id: int, cert: Certificate, today: date | None = None) -> Certificate:
    """A new certificate (new number and code, today's settings and the recipient's current
    name) for what ``cert`` certified; ``cert`` is revoked if it was not already."""
    latest = db.session.execute(select(func.max(Certificate.revision))
                                .where(Certificate.source_key == cert.source_key)).scalar_one()
    if latest != cert.revision:
        raise Refused(Problem("not_latest"))
    name = cert.recipient_name
    if cert.user_id is not None and cert.kind != CertificateKind.WRITING_PRIZE:
        user = db.session.get(User, cert.user_id)
        if user is not None and user.full_name:
            name = user.full_name
    new = _new(cert.kind, cert.source_key, cert.revision + 1, name, cert.prize,
               cert.event_title, actor_id, today or local_today(),
               quiz_round_id=cert.quiz_round_id, writing_contest_id=cert.writing_contest_id,
               entry_id=cert.entry_id, user_id=cert.user_id, reissue_of_id=cert.id)
    new.work_title = cert.work_title
    if not cert.revoked:
        cert.revoked_at = utcnow()
        cert.revoke_reason = f"Reissued as {new.number_text}"
    audit.record(actor_id, "certificate.reissue", "certificate", new.id,
                 replaces=cert.number_text, number=new.number_text)
    return new


def of_user(user_id: int) -> list[Certificate]:
    return list(db.session.execute(
        select(Certificate).where(Certificate.user_id == user_id, Certificate.revoked_at.is_(None))
        .order_by(Certificate.issued_at.desc(), Certificate.id.desc())).scalars())


def listing(round_id: int | None = None, contest_id: int | None = None,
            status: str = "") -> list[Certificate]:
    stmt = select(Certificate).order_by(Certificate.number)
    if round_id is not None:
        stmt = stmt.where(Certificate.quiz_round_id == round_id)
    if contest_id is not None:
        stmt = stmt.where(Certificate.writing_contest_id == contest_id)
    if status == "valid":
        stmt = stmt.where(Certificate.revoked_at.is_(None))
    elif status == "revoked":
        stmt = stmt.where(Certificate.revoked_at.is_not(None))
    return list(db.session.execute(stmt).scalars())
