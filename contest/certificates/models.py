"""Certificates (giấy chứng nhận) for prize winners, verified by a random code.

A certificate keeps a copy of everything printed on it (recipient, achievement, signatory,
organizing body, place, date), so that a later edit of a round or a name does not change a
certificate already handed out; the PDF is drawn from these columns whenever it is downloaded.
``source_key`` names what it certifies (a quiz result, a writing entry's author) so that
generating twice adds nothing; a reissue is a new certificate with the same key and the next
``revision``.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from contest.dbtypes import UTCDateTime
from contest.extensions import db
from contest.timeutil import utcnow


class CertificateKind(enum.StrEnum):
    QUIZ_PRIZE = "quiz_prize"
    WRITING_PRIZE = "writing_prize"
    PARTICIPATION = "participation"


class Certificate(db.Model):
    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Random, unguessable; the QR code and /verify/<code> carry it.
    code: Mapped[str] = mapped_column(String(32), unique=True)
    # The running number printed as "15/GCN-BTC"; the suffix is copied at issue.
    number: Mapped[int] = mapped_column(Integer, unique=True)
    number_suffix: Mapped[str] = mapped_column(String(30))
    kind: Mapped[str] = mapped_column(String(16))
    source_key: Mapped[str] = mapped_column(String(80))
    revision: Mapped[int] = mapped_column(Integer, default=1)
    quiz_round_id: Mapped[int | None] = mapped_column(ForeignKey("quiz_rounds.id"), index=True)
    writing_contest_id: Mapped[int | None] = mapped_column(ForeignKey("writing_contests.id"),
                                                           index=True)
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("writing_entries.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    recipient_name: Mapped[str] = mapped_column(String(200))
    prize: Mapped[str] = mapped_column(String(20), default="")
    achievement: Mapped[str] = mapped_column(String(300))
    event_title: Mapped[str] = mapped_column(String(300))
    work_title: Mapped[str] = mapped_column(String(300), default="")
    organizing_body: Mapped[str] = mapped_column(String(300), default="")
    signatory_name: Mapped[str] = mapped_column(String(120), default="")
    signatory_title: Mapped[str] = mapped_column(String(200), default="")
    place: Mapped[str] = mapped_column(String(120), default="")
    issued_on: Mapped[date] = mapped_column(Date)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoke_reason: Mapped[str] = mapped_column(Text, default="")
    reissue_of_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id"))

    __table_args__ = (
        UniqueConstraint("source_key", "revision"),
        Index("ix_certificates_source_key", "source_key"),
    )

    @property
    def number_text(self) -> str:
        return f"{self.number}/{self.number_suffix}"

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None
