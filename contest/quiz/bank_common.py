"""What every part of the question bank shares: its refusals and the sizes of its columns.

The bank is split by concern: :mod:`contest.quiz.bank_topics` (the topic tree),
:mod:`contest.quiz.bank_questions` (search, editing by revision, conversion to the interchange
form), :mod:`contest.quiz.bank_import` (planning and writing an import) and
:mod:`contest.quiz.bank_export` (files in every format). Functions of all of them work on the ORM
session and never commit: the caller (a view, a CLI command, the demo loader) commits the unit of
work or rolls it back, so an import or an edit is written whole or not at all.

Refusals are the shared :class:`~contest.problems.Refused` carrying
:class:`~contest.problems.Problem` values; their codes and messages (English sources with a
Vietnamese translation) are in :mod:`contest.quiz.bank_messages`. A problem of an import carries
its line in ``params["line"]``.
"""

from __future__ import annotations

from contest.problems import Refused

# Column sizes of the models, checked before writing so that PostgreSQL never refuses a row
# that SQLite would have accepted.
MAX_TOPIC_NAME = 200
MAX_TITLE = 255
MAX_EXTERNAL_ID = 100
MAX_SOURCE = 500
MAX_TAGS_TEXT = 500


class BankError(Refused):
    """A change the bank refuses; each problem's ``field`` names the form field it concerns."""

    @property
    def field(self) -> str | None:
        return self.problems[0].field


class InvalidQuestion(BankError):
    """The question breaks the structural rules of :func:`validate_question`."""

