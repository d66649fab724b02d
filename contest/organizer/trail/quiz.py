"""How the events of the quiz (bank, rounds, results) read in the audit viewer."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import lazy_gettext as _l

from contest.audit import Describer, Subject, plain
from contest.organizer.trail import names


def _decisions(value: Any) -> str:
    if not isinstance(value, dict):
        return plain(value)
    return "; ".join(f"{names.person(user)}: {tier or '—'}" for user, tier in value.items())


class QuizDescriber(Describer):
    domain = "quiz"
    label = _l("Quiz")
    prefixes = ("round.", "results.", "question.", "topic.", "quiz.")
    actions = {
        "round.create": _l("Quiz round created"),
        "round.update": _l("Quiz round changed"),
        "round.clone": _l("Quiz round copied"),
        "round.open": _l("Quiz round opened"),
        "round.open_early": _l("Quiz round opened early"),
        "round.extend": _l("Quiz round extended"),
        "round.close": _l("Quiz round closed"),
        "results.exclude": _l("Entrant excluded from the results"),
        "results.reinstate": _l("Entrant reinstated in the results"),
        "results.rank": _l("Results ranked"),
        "results.publish": _l("Quiz results published"),
        "results.unpublish": _l("Quiz results withdrawn"),
        "results.resolve_tie": _l("Tie decided"),
        "results.add_places": _l("Places added to a prize tier"),
        "round.allow_exposed": _l("Questions with published keys allowed or refused"),
        "question.save": _l("Question saved"),
        "question.revise": _l("Question revised (new version)"),
        "question.activate": _l("Question activated"),
        "question.deactivate": _l("Question deactivated"),
        "question.import": _l("Questions imported"),
        "topic.save": _l("Topic saved"),
    }

    def keys(self) -> dict:
        return {
            "title": (_l("Title"), str),
            "source": (_l("Copied from"), names.quiz_round),
            "from": (_l("From"), plain),
            "to": (_l("To"), plain),
            "user_id": (_l("Entrant"), names.person),
            "score": (_l("Score"), plain),
            "perfect_count": (_l("Entrants with every answer right"), plain),
            "ranked": (_l("Entrants ranked"), plain),
            "forced": (_l("Ranked before every attempt was in"), plain),
            "finalized_at": (_l("Ranked at"), plain),
            "rank": (_l("Rank"), plain),
            "tier": (_l("Prize tier"), plain),
            "added": (_l("Places added"), plain),
            "places_before": (_l("Places before"), plain),
            "places_after": (_l("Places after"), plain),
            "allowed": (_l("Allowed"), plain),
            "decisions": (_l("Prizes given"), _decisions),
            "revision_of": (_l("New version of"),
                            lambda v: names.question(v) if v is not None else None),
            "path": (_l("Topic"), str),
            "filename": (_l("File"), str),
            "imported": (_l("Imported"), plain),
            "skipped": (_l("Skipped"), plain),
            "format": (_l("Format"), plain),
            "in_progress": (_l("Attempts in progress"), plain),
        }

    def subject(self, subject_type: str, subject_id: str) -> Subject:
        key = names.as_id(subject_id)
        if subject_type == "quiz_round":
            return Subject(str(_l("Quiz round")), names.quiz_round(subject_id),
                           url_for("quiz_rounds.round_detail", round_id=key) if key else None)
        if subject_type == "question":
            return Subject(str(_l("Question")), names.question(subject_id),
                           url_for("quiz_bank.question_preview", question_id=key)
                           if key else None)
        if subject_type == "topic":
            return Subject(str(_l("Topic")), names.topic(subject_id),
                           url_for("quiz_bank.question_topic_edit", topic_id=key)
                           if key else None)
        if subject_type == "question_file":
            return Subject(str(_l("Question file")), subject_id)
        return super().subject(subject_type, subject_id)
