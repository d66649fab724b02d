"""Messages for the problems of judging, in the reader's language.

The one message table of the judging domain, shared by the organizer console, the judge's pages
and the readers' vote: a problem's ``code`` picks the message and its ``params`` fill it in.
Also the labels of the codes the rules return (conflict reasons, why an entry cannot get its
judges). tests/unit/judging/test_messages.py fails when a code raised in contest.judging has no
message here in English and Vietnamese.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from contest.judging import assign
from contest.problems import Problem

CONFLICT_LABELS = {
    "author": _l("is the author"),
    "coauthor": _l("is a co-author"),
    "outlet": _l("works for the entry's outlet"),
    "declared_entry": _l("declared a conflict with this entry"),
    "declared_author": _l("declared a conflict with the author"),
    "declared_outlet": _l("declared a conflict with the outlet"),
}

CONFLICT_STATUS_LABELS = {
    "pending": _l("waiting for an organizer"),
    "confirmed": _l("confirmed"),
    "dismissed": _l("dismissed"),
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


# Every code a judging refusal may carry, and its sentence; ``p`` holds the problem's params.
MESSAGES: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "already_assigned": lambda p: _("This judge already has the entry."),
    "already_declared": lambda p: _("This conflict is already recorded."),
    "already_invited": lambda p: _("An invitation to this address is still waiting. Send it "
                                   "again from the list instead."),
    "already_juror": lambda p: _("This person is already on the jury, with the judge role."),
    "bad_choice": lambda p: _("Choose one of the options."),
    "close_in_past": lambda p: _("The closing time must be in the future."),
    "closes_before_opens": lambda p: _("Scoring must close after it opens."),
    "conflict_decided": lambda p: _("This declaration has already been decided."),
    "conflicted": lambda p: _("This judge has a conflict of interest with the entry."),
    "contest_not_closed": lambda p: _("The contest still takes entries: close it first."),
    "contest_published": lambda p: _("The contest's results are published: judging can no "
                                     "longer change."),
    "criterion_name_taken": lambda p: _("Another criterion has this name."),
    "email_invalid": lambda p: _("Enter an e-mail address like name@example.org."),
    "email_mismatch": lambda p: _("This invitation was sent to %(email)s. Log in with the "
                                  "account that has this address, or register one with it.",
                                  email=p.get("email", "")),
    "email_missing": lambda p: _("Enter an e-mail address."),
    "entries_without_judges": lambda p: _("%(count)d entries have no judge yet. Assign "
                                          "judges first.", count=p.get("count", 0)),
    "entry_not_judged": lambda p: _("The entry is no longer judged (withdrawn or "
                                    "disqualified)."),
    "fixed_after_open": lambda p: _("This can no longer change at this stage of the round."),
    "invitation_expired": lambda p: _("The invitation has expired. Ask the organizers for a "
                                      "new one."),
    "invitation_invalid": lambda p: _("This invitation link is not valid (it may have been "
                                      "replaced by a newer one)."),
    "invitation_used": lambda p: _("This invitation has already been accepted."),
    "juror_has_entries": lambda p: _("You have entered this contest, and jury members may "
                                     "not enter."),
    "k_out_of_range": lambda p: _("Enter a whole number from 1 to %(max)d.",
                                  max=p.get("max", 20)),
    "level_out_of_range": lambda p: _("Level %(points)s is not between 0 and the most "
                                      "points.", points=p.get("points", "")),
    "level_text": lambda p: _("Describe level %(points)s in at most %(max)d characters.",
                              points=p.get("points", ""), max=p.get("max", 500)),
    "max_load_out_of_range": lambda p: _("Enter a whole number from 0, or leave it empty."),
    "max_points_out_of_range": lambda p: _("Enter a number above 0 and at most %(max)s.",
                                           max=_number(p.get("max"))),
    "name_missing": lambda p: _("Enter the name."),
    "name_too_long": lambda p: _("At most %(max)d characters.", max=p.get("max", 200)),
    "next_round_started": lambda p: _("The next round has started: its entries can no "
                                      "longer change."),
    "no_criteria": lambda p: _("A rubric needs at least one criterion."),
    "no_entries": lambda p: _("The round has no entries."),
    "no_judge_available": lambda p: _("No judge of the round is free to take this entry."),
    "no_next_round": lambda p: _("Create the next round first; the shortlist becomes its "
                                 "entries."),
    "no_prizes": lambda p: _("This round gives no prizes: set the numbers of prizes in its "
                             "settings."),
    "no_such_entry": lambda p: _("There is no such entry in this contest or round."),
    "not_a_judge": lambda p: _("This person is not a jury member with the judge role."),
    "not_a_template": lambda p: _("Only a template can be removed."),
    "not_aggregated": lambda p: _("Compute the results first."),
    "not_in_results": lambda p: _("Only entries with a score in this round can advance."),
    "not_on_round": lambda p: _("This judge does not sit on the round."),
    "not_scored": lambda p: _("An entry without a score cannot get a prize."),
    "not_your_sheet": lambda p: _("This score sheet is not yours."),
    "one_target": lambda p: _("Give exactly one of: an entry, an author or an outlet."),
    "points_missing": lambda p: _("Give points for “%(name)s”.", name=p.get("name", "")),
    "points_not_number": lambda p: _("Points for “%(name)s” must be a number, e.g. 4 or "
                                     "4,5.", name=p.get("name", "")),
    "points_out_of_range": lambda p: _("Points for “%(name)s” must be from 0 to %(max)s.",
                                       name=p.get("name", ""), max=_number(p.get("max"))),
    "previous_not_confirmed": lambda p: _("Confirm the shortlist of the previous round "
                                          "first."),
    "prize_count_out_of_range": lambda p: _("Enter a whole number from 0 to %(max)d.",
                                            max=p.get("max", 100)),
    "prizes_not_proposed": lambda p: _("Propose the prizes first."),
    "reason_missing": lambda p: _("Give the reason."),
    "reason_too_long": lambda p: _("At most %(max)d characters.", max=p.get("max", 500)),
    "round_closed": lambda p: _("The round is closed: assignments can no longer change."),
    "round_not_accepting": lambda p: _("The round does not take scores now."),
    "round_not_closed": lambda p: _("Close the round first."),
    "round_not_draft": lambda p: _("Only a draft round can be opened."),
    "round_not_open": lambda p: _("The round is not open."),
    "round_not_removable": lambda p: _("Only a draft round that no later round follows can "
                                       "be removed."),
    "round_published": lambda p: _("The round is published: nothing in it can change."),
    "rubric_locked": lambda p: _("Score sheets with this rubric have been submitted: it can "
                                 "no longer change."),
    "same_judge": lambda p: _("Choose another judge."),
    "scale_out_of_range": lambda p: _("Enter a number above 0 and at most %(max)s.",
                                      max=_number(p.get("max"))),
    "sheet_not_submitted": lambda p: _("The score sheet is not submitted."),
    "sheet_submitted": lambda p: _("The score sheet is submitted. Reopen it first."),
    "shortlist_confirmed": lambda p: _("The shortlist is confirmed: the results of this "
                                       "round can no longer change."),
    "shortlist_empty": lambda p: _("Choose at least one entry."),
    "text_too_long": lambda p: _("At most %(max)d characters.", max=p.get("max", 5000)),
    "threshold_negative": lambda p: _("Enter a number from 0."),
    "tier_overfilled": lambda p: _(
        "Prize %(tier)s would have %(winners)d entries for %(places)d places in this category. "
        "Add places to it with a reason first.", **p),
    "bad_places": lambda p: _("Add from 1 to %(max)d places.", **p),
    "ties_pending": lambda p: _("%(count)d ties across prize tiers await a decision.",
                                count=p.get("count", 0)),
    "too_many_criteria": lambda p: _("At most %(max)d criteria.", max=p.get("max", 20)),
    "too_many_levels": lambda p: _("At most %(max)d levels.", max=p.get("max", 10)),
    "top_n_positive": lambda p: _("Enter a whole number from 1."),
    "unknown_criterion": lambda p: _("The sheet has points for a criterion the rubric does "
                                     "not have. Reload the page."),
    "weight_out_of_range": lambda p: _("Enter a number above 0 and at most %(max)s.",
                                       max=_number(p.get("max"))),
    # What the console and the judge's pages read from a form before asking the rules.
    "author_name_missing": lambda p: _("Enter the author's full name."),
    "entry_missing": lambda p: _("Choose the entry."),
    "no_such_entry_code": lambda p: _("No entry of this contest has this code."),
    "no_template": lambda p: _("Choose a rubric template."),
    "outlet_missing": lambda p: _("Enter the outlet."),
    # The readers' vote (contest.judging.votes).
    "vote_none": lambda p: _("This contest has no readers' vote."),
    "vote_not_open_yet": lambda p: _("The readers' vote has not opened yet."),
    "vote_closed": lambda p: _("The readers' vote has closed."),
    "vote_paused": lambda p: _("The works are being judged anonymously: the readers' vote is "
                               "not shown until judging is over."),
    "vote_login": lambda p: _("Log in to vote."),
    "vote_inactive": lambda p: _("This account cannot vote."),
    "vote_email_unconfirmed": lambda p: _("Only accounts with a confirmed e-mail address can "
                                          "vote. Add or confirm your e-mail address in My "
                                          "account."),
    "vote_jury": lambda p: _("Members of the contest's jury do not vote."),
    "vote_no_choice": lambda p: _("Choose a work to vote for."),
    "vote_not_on_ballot": lambda p: _("That work is not on the ballot. Reload the page and "
                                      "choose again."),
    "vote_own_entry": lambda p: _("You cannot vote for your own work."),
    "vote_already_cast": lambda p: _("You have already voted in this category. A vote cannot "
                                     "be changed."),
}


def problem_message(problem: Problem) -> str:
    """The sentence for a problem of judging, in the reader's language."""
    make = MESSAGES.get(problem.code)
    return make(dict(problem.params or {})) if make else problem.code


# What each judging audit action is called, in the round's history on the console and in the
# audit viewer (contest.organizer.trail.judging) alike.
ACTION_LABELS = {
    "judging.round.create": _l("Judging round created"),
    "judging.round.update": _l("Judging round settings changed"),
    "judging.round.rubric": _l("Rubric of the round replaced"),
    "judging.round.open": _l("Judging round opened"),
    "judging.round.close": _l("Judging round closed"),
    "judging.round.reopen": _l("Judging round opened again"),
    "judging.round.publish": _l("Judging round published"),
    "judging.round.entries": _l("Entries received from the previous round"),
    "judging.round.delete": _l("Judging round removed"),
    "judging.judge.set": _l("Judge seated or changed"),
    "judging.judge.remove": _l("Judge removed from the round"),
    "judging.assign.auto": _l("Automatic assignment"),
    "judging.assignment.reassign": _l("Assignment given to another judge"),
    "judging.assignment.add": _l("Judge added to an entry"),
    "judging.assignment.remove": _l("Assignment removed"),
    "judging.assignment.conflict": _l("Assignment withdrawn for a conflict"),
    "judging.sheet.save": _l("Score sheet saved as a draft"),
    "judging.sheet.submit": _l("Score sheet submitted"),
    "judging.sheet.reopen": _l("Score sheet reopened"),
    "judging.reminders": _l("Reminders sent"),
    "judging.aggregate": _l("Results computed"),
    "judging.shortlist.confirm": _l("Shortlist confirmed"),
    "judging.prizes.propose": _l("Prizes proposed"),
    "judging.prize.set": _l("Prize decided"),
    "judging.invitation.create": _l("Invitation sent"),
    "judging.invitation.resend": _l("Invitation sent again"),
    "judging.invitation.withdraw": _l("Invitation withdrawn"),
    "judging.invitation.accept": _l("Invitation accepted"),
    "judging.conflict.declare": _l("Conflict recorded"),
    "judging.conflict.remove": _l("Conflict removed"),
    "judging.conflict.confirm": _l("Declared conflict confirmed"),
    "judging.conflict.dismiss": _l("Declared conflict dismissed"),
    "judging.rubric.create": _l("Rubric created"),
    "judging.rubric.update": _l("Rubric changed"),
    "judging.rubric.copy": _l("Rubric copied"),
    "judging.rubric.delete": _l("Rubric removed"),
    "judging.rubric.seed": _l("Rubric template installed"),
}
