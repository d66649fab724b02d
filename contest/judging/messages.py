"""Messages for the problems of judging, in the reader's language.

Shared by the organizer console and the judge's pages: a problem's ``code`` picks the message
and its ``params`` fill it in. Also the labels of the codes the service returns (conflict
reasons, why an entry cannot get its judges).
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from contest.judging import assign

CONFLICT_LABELS = {
    "author": _l("is the author"),
    "coauthor": _l("is a co-author"),
    "outlet": _l("works for the entry's outlet"),
    "declared_entry": _l("declared a conflict with this entry"),
    "declared_author": _l("declared a conflict with the author"),
    "declared_outlet": _l("declared a conflict with the outlet"),
}

SHORTFALL_LABELS = {
    assign.REASON_CONFLICTS: _l("Too few judges of its panel are free of a conflict with it."),
    assign.REASON_TOTAL_CAPACITY: _l("The judges' limits add up to fewer places than the "
                                     "entries need."),
    assign.REASON_CAPACITY: _l("The judges free to take it have reached their limits with "
                               "other entries."),
    "no_judges": _l("Nobody sits on its panel."),
    "not_assigned_yet": _l("Not assigned yet: run the automatic assignment."),
}


def _number(value: Any) -> str:
    try:
        return f"{float(value):g}"
    except (TypeError, ValueError):
        return str(value)


def problem_message(problem: Any) -> str:
    """The sentence for a problem of contest.judging.service."""
    p = dict(problem.params or {})
    messages = {
        "already_assigned": lambda: _("This judge already has the entry."),
        "already_declared": lambda: _("This conflict is already recorded."),
        "already_invited": lambda: _("An invitation to this address is still waiting. Send it "
                                     "again from the list instead."),
        "already_juror": lambda: _("This person is already on the jury, with the judge role."),
        "bad_choice": lambda: _("Choose one of the options."),
        "close_in_past": lambda: _("The closing time must be in the future."),
        "closes_before_opens": lambda: _("Scoring must close after it opens."),
        "conflicted": lambda: _("This judge has a conflict of interest with the entry."),
        "contest_not_closed": lambda: _("The contest still takes entries: close it first."),
        "contest_published": lambda: _("The contest's results are published: judging can no "
                                       "longer change."),
        "criterion_name_taken": lambda: _("Another criterion has this name."),
        "email_invalid": lambda: _("Enter an e-mail address like name@example.org."),
        "email_mismatch": lambda: _("This invitation was sent to %(email)s. Log in with the "
                                    "account that has this address, or register one with it.",
                                    email=p.get("email", "")),
        "email_missing": lambda: _("Enter an e-mail address."),
        "entries_without_judges": lambda: _("%(count)d entries have no judge yet. Assign "
                                            "judges first.", count=p.get("count", 0)),
        "entry_not_judged": lambda: _("The entry is no longer judged (withdrawn or "
                                      "disqualified)."),
        "fixed_after_open": lambda: _("This can no longer change at this stage of the round."),
        "invitation_expired": lambda: _("The invitation has expired. Ask the organizers for a "
                                        "new one."),
        "invitation_invalid": lambda: _("This invitation link is not valid (it may have been "
                                        "replaced by a newer one)."),
        "invitation_used": lambda: _("This invitation has already been accepted."),
        "juror_has_entries": lambda: _("You have entered this contest, and jury members may "
                                       "not enter."),
        "k_out_of_range": lambda: _("Enter a whole number from 1 to %(max)d.",
                                    max=p.get("max", 20)),
        "level_out_of_range": lambda: _("Level %(points)s is not between 0 and the most "
                                        "points.", points=p.get("points", "")),
        "level_text": lambda: _("Describe level %(points)s in at most %(max)d characters.",
                                points=p.get("points", ""), max=p.get("max", 500)),
        "max_load_out_of_range": lambda: _("Enter a whole number from 0, or leave it empty."),
        "max_points_out_of_range": lambda: _("Enter a number above 0 and at most %(max)s.",
                                             max=_number(p.get("max"))),
        "name_missing": lambda: _("Enter the name."),
        "name_too_long": lambda: _("At most %(max)d characters.", max=p.get("max", 200)),
        "next_round_started": lambda: _("The next round has started: its entries can no "
                                        "longer change."),
        "no_criteria": lambda: _("A rubric needs at least one criterion."),
        "no_entries": lambda: _("The round has no entries."),
        "no_judge_available": lambda: _("No judge of the round is free to take this entry."),
        "no_next_round": lambda: _("Create the next round first; the shortlist becomes its "
                                   "entries."),
        "no_prizes": lambda: _("This round gives no prizes: set the numbers of prizes in its "
                               "settings."),
        "no_such_entry": lambda: _("There is no such entry in this contest or round."),
        "not_a_judge": lambda: _("This person is not a jury member with the judge role."),
        "not_a_template": lambda: _("Only a template can be removed."),
        "not_aggregated": lambda: _("Compute the results first."),
        "not_in_results": lambda: _("Only entries with a score in this round can advance."),
        "not_on_round": lambda: _("This judge does not sit on the round."),
        "not_scored": lambda: _("An entry without a score cannot get a prize."),
        "not_your_sheet": lambda: _("This score sheet is not yours."),
        "one_target": lambda: _("Give exactly one of: an entry, an author or an outlet."),
        "points_missing": lambda: _("Give points for “%(name)s”.", name=p.get("name", "")),
        "points_not_number": lambda: _("Points for “%(name)s” must be a number, e.g. 4 or "
                                       "4,5.", name=p.get("name", "")),
        "points_out_of_range": lambda: _("Points for “%(name)s” must be from 0 to %(max)s.",
                                         name=p.get("name", ""), max=_number(p.get("max"))),
        "previous_not_confirmed": lambda: _("Confirm the shortlist of the previous round "
                                            "first."),
        "prize_count_out_of_range": lambda: _("Enter a whole number from 0 to %(max)d.",
                                              max=p.get("max", 100)),
        "prizes_not_proposed": lambda: _("Propose the prizes first."),
        "reason_missing": lambda: _("Give the reason."),
        "reason_too_long": lambda: _("At most %(max)d characters.", max=p.get("max", 500)),
        "round_closed": lambda: _("The round is closed: assignments can no longer change."),
        "round_not_accepting": lambda: _("The round does not take scores now."),
        "round_not_closed": lambda: _("Close the round first."),
        "round_not_draft": lambda: _("Only a draft round can be opened."),
        "round_not_open": lambda: _("The round is not open."),
        "round_not_removable": lambda: _("Only a draft round that no later round follows can "
                                         "be removed."),
        "round_published": lambda: _("The round is published: nothing in it can change."),
        "rubric_locked": lambda: _("Score sheets with this rubric have been submitted: it can "
                                   "no longer change."),
        "same_judge": lambda: _("Choose another judge."),
        "scale_out_of_range": lambda: _("Enter a number above 0 and at most %(max)s.",
                                        max=_number(p.get("max"))),
        "sheet_not_submitted": lambda: _("The score sheet is not submitted."),
        "sheet_submitted": lambda: _("The score sheet is submitted. Reopen it first."),
        "shortlist_confirmed": lambda: _("The shortlist is confirmed: the results of this "
                                         "round can no longer change."),
        "shortlist_empty": lambda: _("Choose at least one entry."),
        "text_too_long": lambda: _("At most %(max)d characters.", max=p.get("max", 5000)),
        "threshold_negative": lambda: _("Enter a number from 0."),
        "ties_pending": lambda: _("%(count)d ties across prize tiers await a decision.",
                                  count=p.get("count", 0)),
        "too_many_criteria": lambda: _("At most %(max)d criteria.", max=p.get("max", 20)),
        "too_many_levels": lambda: _("At most %(max)d levels.", max=p.get("max", 10)),
        "top_n_positive": lambda: _("Enter a whole number from 1."),
        "unknown_criterion": lambda: _("The sheet has points for a criterion the rubric does "
                                       "not have. Reload the page."),
        "weight_out_of_range": lambda: _("Enter a number above 0 and at most %(max)s.",
                                         max=_number(p.get("max"))),
    }
    make = messages.get(problem.code)
    return make() if make else problem.code
