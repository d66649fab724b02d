"""Messages for the problems of the quiz domain, in the reader's language.

One table for every refusal of rounds, attempts, answers and results
(:class:`~contest.problems.Problem` codes), shared by the entrant's pages, the JSON save
endpoint, the organizer console and the CLI. A problem's ``code`` picks the English template
and its ``params`` fill it in; times, dates and profile field names are put in the reader's
words here. The messages of the question bank and its importers (dotted codes such as
``gift.no_text``) are written in :mod:`contest.quiz.bank_messages`, which the importers and the
command line read without an application; :data:`MESSAGES` takes them in, so this is the one
table of the domain and :func:`problem_message` says every quiz problem.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from flask_babel import format_date, format_datetime
from flask_babel import gettext as _

from contest.problems import Problem
from contest.quiz import bank_messages
from contest.quiz.forms import PROFILE_FIELD_LABELS


def N_(message: str) -> str:  # noqa: N802 - the usual name of the gettext no-op marker
    """Mark ``message`` for translation; it is translated when shown."""
    return message


MESSAGES: dict[str, str] = {
    # rounds: the organizer's rules (contest.quiz.rounds)
    "title_missing": N_("Enter a title."),
    "closes_before_opens": N_("The close time must be after the open time."),
    "time_limit_too_short": N_("The time limit must be at least one minute."),
    "attempts_out_of_range": N_("Allow from 1 to %(max)d attempts."),
    "unknown_scoring": N_("Choose how multiple-answer questions are scored."),
    "min_age_out_of_range": N_("The minimum age must be from 0 to 120."),
    "unknown_field": N_("Unknown profile details: %(fields)s."),
    "bad_prize_tiers": N_("Each prize needs its own short name and 0 or more places."),
    "no_questions": N_("Set at least one topic quota, or list the questions of the fixed list."),
    "fixed_repeats": N_("The fixed list names a question more than once."),
    "too_many_questions": N_("A round can have at most %(max)d questions."),
    "unknown_topic": N_("A chosen topic no longer exists."),
    "questions_unavailable": N_(
        "These questions are not in the bank, or are inactive or retired: %(ids)s."),
    "quota_short": N_(
        "Topic “%(topic)s”: %(wanted)d questions per attempt, but only %(available)d active "
        "questions are available."),
    "quota_exposed": N_(
        "Topic “%(topic)s”: %(wanted)d questions per attempt, but only %(unexposed)d of its "
        "%(available)d questions have keys that no round has published. Lower the quota, add "
        "questions, or allow exposed questions."),
    "questions_exposed": N_(
        "Earlier rounds published the keys of these questions: %(ids)s. Replace them or allow "
        "exposed questions."),
    "locked": N_("Entrants have started this round: its rules can no longer change. Only the "
                 "close time can be extended."),
    "round_closed": N_("This round is closed."),
    "close_passed": N_("The close time has passed. Extend the round first."),
    "already_open": N_("This round is already open."),
    "not_later": N_("The new close time must be later than the current one."),
    "draft_round": N_("This round is a draft: there is nothing to close."),
    # attempts: who may start (contest.quiz.rounds.eligibility, contest.quiz.attempts)
    "not_open": N_("This round has not opened yet. It opens on %(when)s."),
    "closed": N_("This round is closed: no more attempts can be started."),
    "missing_fields": N_("Before you start, complete these details in your profile: "
                         "%(fields)s."),
    "under_age": N_("This round is for entrants aged %(age)d or over on %(day)s."),
    "no_attempts_left": N_("You have used all %(n)d attempts allowed in this round. Your best "
                           "attempt counts."),
    "draw_failed": N_("The questions of this round cannot be drawn at the moment. Nothing was "
                      "started. Please try again later or tell the organizers."),
    "already_started": N_("Your attempt has already started in another window: continue it "
                          "from here."),
    "review_later": N_("The correct answers are shown after the round closes, on %(when)s."),
    "keys_settling": N_("The correct answers are shown once every answer of the round is in: "
                        "a few seconds after the close, when the last attempts have been "
                        "scored. Please come back in a minute."),
    "no_attempt": N_("You did not take part in this round."),
    # answers (contest.quiz.attempts)
    "submitted": N_("This attempt has already been submitted; nothing more can change."),
    "too_late": N_("Time is up: answers sent after the time limit were not accepted. The "
                   "attempt was scored on the answers saved in time."),
    "invalid": N_("An answer did not match the questions of this attempt. Nothing was saved. "
                  "Reload the page and try again."),
    "prediction_required": N_("Enter your prediction (a whole number) before submitting."),
    "bad_prediction": N_("Enter the prediction as a whole number, 0 or more."),
    "no_prediction": N_("This round has no prediction question: a prediction cannot be sent."),
    "login": N_("You are logged out. Log in again: the answers saved so far are kept."),
    # results (contest.quiz.finalise, exclusions, prizes, publication)
    "not_closed": N_("The round has not closed yet."),
    "settling": N_("The round has just closed; answers sent in the last seconds are still "
                   "arriving. Try again in a minute."),
    "not_finalised": N_("The round has not been ranked yet."),
    "published": N_("The results are published and can no longer be changed."),
    "undecided": N_("Decide every tie across a prize boundary before publishing."),
    "no_result": N_("This person has no result in the round."),
    "reason_required": N_("Give the reason for the exclusion; the entrant will see it."),
    "not_excluded": N_("This entrant is not excluded."),
    "no_conflict": N_("There is no tie to decide at this rank any more."),
    "bad_decision": N_("Choose a prize, or no prize, for every tied entrant."),
    "unconfirmed": N_("Tick the box to confirm the publication."),
    "unconfirmed_change": N_("Tick the box to confirm that you have read what this changes."),
    "already_excluded": N_("This entrant is already excluded."),
    "reinstate_reason_required": N_("Give the reason for the reinstatement; it is kept in "
                                    "the audit trail."),
    "tier_overfilled": N_("The prize “%(tier)s” would have %(winners)d winners for "
                          "%(places)d places. Add places to it with a reason first, or give "
                          "some of the tied entrants another prize."),
    "bad_tier": N_("Choose one of the round's prizes."),
    "bad_places": N_("Add from 1 to %(max)d places."),
    "places_reason_required": N_("Give the reason for adding places; it is published with "
                                 "the results."),
    # drawing an attempt's questions (contest.quiz.draw): logged when a start fails
    "draw_overlap": N_("Question %(question)d is in two topics of the draw (%(first)d and "
                       "%(second)d)."),
    "draw_quota_negative": N_("Topic %(topic)d: the quota %(quota)d is negative."),
    "draw_quota_short": N_("Topic %(topic)d: the quota %(quota)d is more than the "
                           "%(available)d questions available."),
    "draw_nothing": N_("The quotas draw no question at all."),
    "draw_no_quota": N_("No topic quota is set."),
    "draw_fixed_empty": N_("The fixed question list is empty."),
    "draw_fixed_repeats": N_("The fixed question list repeats a question."),
    "draw_fixed_unavailable": N_("A question of the fixed list is no longer available."),
    "draw_option_repeats": N_("Question %(question)d repeats an option."),
    # the question bank and its importers
    **bank_messages.MESSAGES,
}

UNKNOWN = N_("This change cannot be made (%(code)s).")


def _shown(key: str, value: Any) -> Any:
    """A parameter as the reader should see it."""
    if isinstance(value, datetime):
        return format_datetime(value, "short")
    if isinstance(value, date):
        return format_date(value, "short")
    if key == "fields" and not isinstance(value, str):
        return ", ".join(str(PROFILE_FIELD_LABELS.get(f, f)) for f in value)
    if isinstance(value, list | tuple):
        return ", ".join(map(str, value))
    return value


def params_of(problem: Problem) -> Mapping[str, Any]:
    return {key: _shown(key, value) for key, value in problem.params.items()}


def problem_message(problem: Problem) -> str:
    """The problem said in the reader's language."""
    if problem.code in bank_messages.MESSAGES:
        return bank_messages.message(problem)
    template = MESSAGES.get(problem.code)
    if template is None:
        return _(UNKNOWN, code=problem.code)
    try:
        return _(template, **params_of(problem))
    except (KeyError, TypeError, ValueError):
        return _(UNKNOWN, code=problem.code)


def message(code: str, **params: Any) -> str:
    """The message of a problem with no field: ``message("too_late")``."""
    return problem_message(Problem(code, params=params))
