"""The audit trail in human terms: one describer per domain, registered with
:mod:`contest.audit` when the audit viewer is loaded. Lives with the organizer console, which
reads every domain; each module names only its own domain's objects."""

from __future__ import annotations

from contest import audit


def register_all() -> None:
    """Register the describer of every domain (idempotent)."""
    from contest.organizer.trail.accounts import AccountsDescriber
    from contest.organizer.trail.campaign import CampaignDescriber, OutboxDescriber
    from contest.organizer.trail.judging import JudgingDescriber
    from contest.organizer.trail.quiz import QuizDescriber
    from contest.organizer.trail.writing import WritingDescriber

    for describer in (AccountsDescriber(), QuizDescriber(), WritingDescriber(),
                      JudgingDescriber(), CampaignDescriber(), OutboxDescriber()):
        audit.register(describer)
