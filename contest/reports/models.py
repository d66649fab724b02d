"""Tables of the reporting side: the report settings and the unit coordinators.

The settings are one row (id 1) the console edits: the organizing body named on the cover of
the reports and on certificates, the legal basis, the age bands of the demographic tables, and
the certificates' signatory, place, number suffix and the optional participation certificates.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.accounts.models import Unit, User
from contest.dbtypes import UTCDateTime
from contest.extensions import db
from contest.timeutil import utcnow

# Lower bounds of the default age bands: 14–17, 18–24, 25–34, 35–44, 45–59, 60+.
DEFAULT_AGE_BANDS = [14, 18, 25, 35, 45, 60]


class ReportSettings(db.Model):
    """The one row of report and certificate settings (id 1)."""

    __tablename__ = "report_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Until the campaign site holds the organizing body, the reports keep their own copy.
    organizing_body: Mapped[str] = mapped_column(String(300), default="")
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    age_bands: Mapped[list[int]] = mapped_column(JSON, default=lambda: list(DEFAULT_AGE_BANDS))
    signatory_name: Mapped[str] = mapped_column(String(120), default="")
    signatory_title: Mapped[str] = mapped_column(String(200), default="")
    place: Mapped[str] = mapped_column(String(120), default="")
    number_suffix: Mapped[str] = mapped_column(String(30), default="GCN-BTC")
    # Participation certificates for entrants with a perfect score; off unless switched on.
    participation_certificates: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class UnitCoordinator(db.Model):
    """A unit coordinator (cán bộ đầu mối): sees the reports of one unit and the units under it."""

    __tablename__ = "unit_coordinators"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    unit: Mapped[Unit] = relationship()
