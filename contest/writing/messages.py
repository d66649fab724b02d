"""The writing domain's one message table: the problems of writing contests, their categories
and jury (contest.writing.contests) and of entries, in the reader's language.

Shared by the journalist's pages and the organizer console: a problem's ``code`` picks the
message and its ``params`` fill it in (dates and times shown in the campaign's time zone).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

from flask_babel import format_date, format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from contest.problems import Problem
from contest.writing import files

UPLOAD_DETECTED = {
    "executable": _l("It is a program, not a document or a media file."),
    "legacy_office": _l("It is an old Word or Excel file: save it as DOCX or PDF first."),
    "zip": _l("It is a ZIP archive: upload the files inside it instead."),
}

ZIP_BOMB_REASONS = {
    "entries": _l("it contains far too many parts"),
    "size": _l("it would unpack to far more than any document needs"),
    "ratio": _l("it is compressed far more than a real document can be"),
    "work": _l("checking it and removing its metadata would take far longer than any "
               "document needs"),
}

# The warnings of contest.writing.files, written out so that the catalogue extraction sees them.
CLEAN_WARNINGS = {
    files.WARN_AUDIO_VIDEO: _l("Metadata of audio and video files is not checked."),
    files.WARN_DAMAGED: _l(
        "The file could not be read to remove its metadata; it may be damaged. "
        "Judges will not get a cleaned copy."
    ),
    files.WARN_ENCRYPTED: _l(
        "The PDF is encrypted, so its metadata could not be removed. "
        "Judges will not get a cleaned copy."
    ),
    files.WARN_DOCX_REVIEW: _l(
        "The document contains comments or tracked changes, which may show their authors' "
        "names; they were not removed."
    ),
    files.WARN_DOCX_HELD: _l(
        "The document contains embedded objects or pictures whose metadata could not be "
        "removed. Judges get it only after an organizer has checked it."
    ),
    files.WARN_MEDIA_HELD: _l(
        "Some metadata of this audio or video file could not be removed. "
        "Judges get it only after an organizer has checked it."
    ),
}

STATUS_LABELS = {
    "draft": _l("Draft"),
    "submitted": _l("Submitted"),
    "withdrawn": _l("Withdrawn"),
    "disqualified": _l("Disqualified"),
}

PHASE_LABELS = {
    "upcoming": _l("Not open yet"),
    "open": _l("Open for entries"),
    "closed": _l("Closed"),
}

MEDIUM_LABELS = {
    "print": _l("Print"),
    "online": _l("Online"),
    "radio": _l("Radio"),
    "tv": _l("Television"),
    "photo": _l("Press photo"),
    "other": _l("Other"),
}

# Labels of the problem fields, for the summary at the top of a form.
FIELD_LABELS = {
    "category_id": _l("Category"),
    "title": _l("Title"),
    "outlet": _l("Published by"),
    "published_on": _l("Publication date"),
    "url": _l("Link"),
    "pen_name": _l("Pen name"),
    "summary": _l("Summary"),
    "body": _l("Text"),
    "word_count": _l("Text"),
    "parts": _l("Series"),
    "coauthors": _l("Co-authors"),
    "prior_award": _l("Other awards"),
    "files": _l("Files"),
    "reason": _l("Reason for the change"),
    "words": _l("Words"),
}


def word_range(low: int | None, high: int | None) -> str:
    """A category's word range in words: "20 to 200 words", "at least 20 words"…"""
    if low and high:
        return _("%(min)s to %(max)s words", min=low, max=high)
    if low:
        return _("at least %(min)s words", min=low)
    return _("at most %(max)s words", max=high)


def _words_outside(p: dict[str, Any]) -> str:
    """An entry's count outside its category's range, saying where the count came from."""
    allowed = word_range(p.get("min"), p.get("max"))
    source = p.get("source")
    if source == "override":
        return _("The word count set by the organizers is %(words)s; this category takes "
                 "%(range)s.", words=p["words"], range=allowed)
    if source == "files":
        return _("%(files)s: %(words)s words; this category takes %(range)s.",
                 files=p.get("files", ""), words=p["words"], range=allowed)
    return _("The typed text has %(words)s words; this category takes %(range)s.",
             words=p["words"], range=allowed)


def describe_words(entry: Any) -> str:
    """An entry's word count with where it came from, for its pages and its receipt."""
    if entry.word_override is not None:
        return _("%(words)s, set by the organizers: %(reason)s", words=entry.word_override,
                 reason=entry.word_override_reason)
    if entry.word_source == "unknown":
        return _("Not counted: the text of %(files)s could not be read (a scanned "
                 "document?). The entry can be submitted; an organizer checks its length.",
                 files=entry.word_uncounted)
    if entry.word_count is None:
        return "—"
    if entry.word_source == "text":
        return _("%(words)s, from the typed text", words=entry.word_count)
    names = ", ".join(f.original_name for f in entry.files if f.kind in ("pdf", "docx"))
    return _("%(words)s, from %(files)s", words=entry.word_count, files=names)


def _fmt(value: Any) -> Any:
    if isinstance(value, datetime):
        return format_datetime(value, "short")
    if isinstance(value, date):
        return format_date(value, "short")
    return value


def _messages() -> dict[str, Callable[[dict[str, Any]], str]]:
    return {
        # contests, categories and the jury (contest.writing.contests)
        "contest_title_missing": lambda p: _("Enter a title."),
        "title_too_long": lambda p: _("The title can have at most %(max)d characters.",
                                      max=p["max"]),
        "closes_before_opens": lambda p: _("Entries must close after they open."),
        "publication_order": lambda p: _("The end of the publication period must not be before "
                                         "its start."),
        "publication_after_close": lambda p: _("The publication period must start before entries "
                                               "close."),
        "cap_out_of_range": lambda p: _("Allow from 1 to %(max)d entries per author.",
                                        max=p["max"]),
        "bad_code_prefix": lambda p: _("Use 1 to 8 capital letters or digits, e.g. BC."),
        "vote_opens_missing": lambda p: _("Enter when the readers' vote opens, e.g. "
                                          "2026-06-01T08:00."),
        "vote_closes_missing": lambda p: _("Enter when the readers' vote closes, e.g. "
                                           "2026-06-15T17:00."),
        "vote_closes_before_opens": lambda p: _("The readers' vote must close after it opens."),
        "vote_started": lambda p: _("The readers' vote has opened: it stays on and its opening "
                                    "time can no longer change."),
        "vote_close_fixed": lambda p: _("The end of the readers' vote can move only while it is "
                                        "still ahead, and not into the past."),
        "locked_after_close": lambda p: _("The contest is closed: only its title, rules text and "
                                          "(until judging starts) blind judging can change."),
        "blind_locked": lambda p: _("Judging has started: blind judging can no longer be "
                                    "switched."),
        "close_in_past": lambda p: _("The closing time has passed. Use “Close now” to close the "
                                     "contest."),
        "window_shortened": lambda p: _("Journalists have entered already: entries may open "
                                        "earlier or close later, but not open later or close "
                                        "earlier."),
        "publication_narrowed": lambda p: _("Journalists have entered already: the publication "
                                            "period may only grow."),
        "prefix_fixed": lambda p: _("Entries already have codes with this prefix: it can no "
                                    "longer change."),
        "jurors_have_entries": lambda p: _("Some jury members have entered this contest. Remove "
                                           "them from the jury, or their entries, first."),
        "not_draft": lambda p: _("Only a draft can be opened."),
        "not_open": lambda p: _("The contest is not open."),
        "not_closed": lambda p: _("Close the contest before judging starts."),
        "not_judging": lambda p: _("Only a contest being judged can be published."),
        "no_categories": lambda p: _("Add at least one category before opening the contest."),
        "close_passed": lambda p: _("The closing time has passed. Move it later before opening "
                                    "the contest."),
        "entries_exist": lambda p: _("Journalists have entered already: the contest cannot go "
                                     "back to draft."),
        "not_started": lambda p: _("Entries have not opened yet. Take the contest back to draft "
                                   "instead of closing it."),
        "no_entries": lambda p: _("No entry was submitted: there is nothing to judge."),
        "name_missing": lambda p: _("Enter the name."),
        "name_too_long": lambda p: _("The name can have at most %(max)d characters.",
                                     max=p["max"]),
        "name_taken": lambda p: _("Another category of this contest has this name."),
        "bad_medium": lambda p: _("Choose a medium."),
        "words_not_positive": lambda p: _("Enter a number from 1, or leave it empty for no "
                                          "limit."),
        "words_order": lambda p: _("The most words must not be fewer than the fewest."),
        "parts_out_of_range": lambda p: _("Allow from 1 to %(max)d parts.", max=p["max"]),
        "bad_kinds": lambda p: _("Unknown kinds of file: %(kinds)s.", kinds=p["kinds"]),
        "file_mb_out_of_range": lambda p: _("Enter 1 to %(max)d MB.", max=p["max"]),
        "files_out_of_range": lambda p: _("Allow from 0 to %(max)d files.", max=p["max"]),
        "file_required_without_kinds": lambda p: _("A file is required: tick at least one kind "
                                                   "of file."),
        "file_required_without_files": lambda p: _("A file is required: allow at least one file "
                                                   "per entry."),
        "categories_locked": lambda p: _("The contest is closed: its categories can no longer "
                                         "change."),
        "category_has_entries": lambda p: _("This category has %(count)d entries: it cannot be "
                                            "removed.", count=p["count"]),
        "last_category": lambda p: _("An open contest keeps at least one category."),
        "jury_locked": lambda p: _("The results are published: the jury can no longer change."),
        "no_such_user": lambda p: _("No account has this e-mail address."),
        "already_juror": lambda p: _("This person is already on the jury."),
        "juror_has_entries": lambda p: _("This person has entered the contest, and jury members "
                                         "may not enter."),
        "not_juror": lambda p: _("This person is not on the jury."),
        "not_disqualified": lambda p: _("The entry is not disqualified."),
        # the submission window
        "not_open_yet": lambda p: _("Entries are accepted from %(opens_at)s.", **p),
        "closed": lambda p: _("The deadline has passed (%(closes_at)s); entries can no longer "
                              "be submitted or changed.", **p),
        "deadline_passed": lambda p: _("The deadline has passed (%(closes_at)s). Only the "
                                       "organizers can change the entry now.", **p),
        # who enters
        "cap_reached": lambda p: _("%(name)s already has %(count)s submitted entries in this "
                                   "contest; the limit is %(cap)s per author, co-authored "
                                   "entries included.", **p),
        "jury_member": lambda p: _("A member of the jury is among the authors; jury members "
                                   "may not enter this contest."),
        # publication and series
        "publication_missing": lambda p: _("Enter the date the work was published."),
        "publication_outside": lambda p: _("The work was published on %(published_on)s; it must "
                                           "have been published between %(from_date)s and "
                                           "%(to_date)s.", **p),
        "series_not_allowed": lambda p: _("This category does not accept series."),
        "too_few_parts": lambda p: _("A series has at least %(min)s parts; this one has "
                                     "%(count)s.", **p),
        "too_many_parts": lambda p: _("A series has at most %(max)s parts in this category; "
                                      "this one has %(count)s.", **p),
        "series_outside_window": lambda p: _("At least two thirds of the parts of a series must "
                                              "have been published between %(from_date)s and "
                                              "%(to_date)s: %(needed)s of %(count)s, but only "
                                              "%(inside)s were.", **p),
        # the category's requirements
        "words_too_few": _words_outside,
        "words_too_many": _words_outside,
        "file_required": lambda p: _("This category needs a file of the work."),
        "link_required": lambda p: _("This category needs a link to the published work."),
        "text_missing": lambda p: _("Paste the text of the work or upload it as a file."),
        "files_not_accepted": lambda p: _("This category does not accept %(kinds)s files; "
                                          "remove them or choose another category.", **p),
        "too_many_files": lambda p: _("This category takes at most %(max)s files; the entry "
                                      "has %(count)s.", **p),
        "prior_award_not_allowed": lambda p: _("This contest does not accept works that have "
                                               "already won another award."),
        "prior_award_unnamed": lambda p: _("Say which award the work won, who gave it and "
                                           "when."),
        # single fields
        "unreadable": lambda p: _("This could not be read; check what you entered."),
        "category_missing": lambda p: _("Choose a category of this contest."),
        "too_long": lambda p: _("This is too long: at most %(max)s characters.", **p),
        "url_invalid": lambda p: _("Enter a full web address starting with http:// or "
                                   "https://."),
        "body_format_invalid": lambda p: _("Choose the format of the text."),
        "title_missing": lambda p: _("Enter the title of the work."),
        "outlet_missing": lambda p: _("Enter where the work was published."),
        "part_title_missing": lambda p: _("Part %(number)s: enter its title.", **p),
        "part_date_missing": lambda p: _("Part %(number)s: enter its publication date.", **p),
        "part_url_invalid": lambda p: _("Part %(number)s: enter a full web address starting "
                                        "with http:// or https://.", **p),
        "coauthor_name_missing": lambda p: _("Co-author %(number)s: enter the name.", **p),
        "coauthor_email_missing": lambda p: _("Co-author %(number)s: enter the e-mail "
                                              "address.", **p),
        "coauthor_email_invalid": lambda p: _("Co-author %(number)s: this is not an e-mail "
                                              "address.", **p),
        "coauthor_is_author": lambda p: _("Co-author %(number)s: that is your own e-mail "
                                          "address; list only the other authors.", **p),
        "coauthor_repeated": lambda p: _("Co-author %(number)s is listed twice.", **p),
        # actions
        "entry_closed": lambda p: _("This entry has been withdrawn or disqualified and cannot "
                                    "be changed."),
        "not_allowed": lambda p: _("You may not do this with this entry."),
        "reason_required": lambda p: _("The deadline has passed: say why the entry is "
                                       "changed."),
        "not_a_draft": lambda p: _("Only a draft can be submitted; this entry is already "
                                   "submitted or withdrawn."),
        "not_submitted": lambda p: _("Only a submitted entry can be disqualified."),
        "file_missing": lambda p: _("This file is not part of the entry."),
        "file_not_held": lambda p: _("This file is not held back from judges."),
        "word_override_invalid": lambda p: _("Enter the number of words, a whole number from "
                                             "0 to %(max)s.", **p),
        "word_override_reason": lambda p: _("Say why the word count is set by hand, e.g. "
                                            "\"scanned PDF, counted on paper\"."),
        # uploads
        "upload_empty": lambda p: _("%(name)s is empty.", **p),
        "upload_too_large": lambda p: _("%(name)s is larger than %(limit_mb)s MB, the limit of "
                                        "this category.", **p),
        "upload_unknown_kind": lambda p: " ".join(filter(None, [
            _("%(name)s is not a file this category accepts (%(accepted)s).", **p),
            str(UPLOAD_DETECTED.get(p.get("detected", ""), "")),
        ])),
        "upload_name_mismatch": lambda p: _("%(name)s is a %(kind_label)s file; its name must "
                                            "end in %(extensions)s.", **p),
        "upload_kind_not_accepted": lambda p: _("%(name)s is a %(kind_label)s file; this "
                                                "category accepts %(accepted)s.", **p),
        "upload_zip_bomb": lambda p: _("%(name)s was refused: %(reason)s.", name=p["name"],
                                       reason=ZIP_BOMB_REASONS.get(p.get("reason", ""),
                                                                   ZIP_BOMB_REASONS["size"])),
        "upload_too_many_files": lambda p: _("%(name)s was not added: an entry of this category "
                                             "has at most %(max_files)s files.", **p),
        # the resumable uploader (contest.writing.uploads_api)
        "upload_request_invalid": lambda p: _("The upload could not be understood. Reload the "
                                              "page and choose the file again."),
        "upload_offset": lambda p: _("The server has %(offset)s bytes of this file; the upload "
                                     "goes on from there.", **p),
        "upload_overrun": lambda p: _("More of %(name)s arrived than its size of %(size)s "
                                      "bytes. Choose the file again.", **p),
    }


def problem_message(problem: Problem) -> str:
    """The problem said in the reader's language."""
    params = {key: _fmt(value) for key, value in problem.params.items()}
    params.setdefault("name", "")
    make = _messages().get(problem.code)
    if make is None:
        return _("This entry cannot be accepted as it is (%(code)s).", code=problem.code)
    try:
        return make(params)
    except (KeyError, TypeError, ValueError):
        return _("This entry cannot be accepted as it is (%(code)s).", code=problem.code)


def field_messages(problems: Iterable[Problem]) -> dict[str | None, list[str]]:
    """Messages grouped by the field they belong to (``None``: the entry as a whole)."""
    grouped: dict[str | None, list[str]] = {}
    for problem in problems:
        field = "body" if problem.field == "word_count" else problem.field
        message = problem_message(problem)
        if message not in grouped.setdefault(field, []):
            grouped[field].append(message)
    return grouped
