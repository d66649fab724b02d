"""The messages of the question bank's problems: the bank, the importers (GIFT, Aiken,
CSV/XLSX, file decoding) and the structural checks of a question. They are part of the quiz
domain's one table, :data:`contest.quiz.messages.MESSAGES`, and live here so that the importers
and the command line read them without Flask.

Every problem these modules report is a :class:`~contest.problems.Problem` whose ``code`` is a
key of :data:`MESSAGES` and whose ``params`` fill the message in (an import problem also carries
its ``line``). The messages are English sources marked for translation: :func:`message` gives
the reader's language (web pages), :func:`english` the English text (the command line and logs).
Every template is filled with ``%`` formatting, so a literal percent sign is written ``%%``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from contest.problems import Problem

__all__ = ["MESSAGES", "english", "message"]


def N_(message: str) -> str:  # noqa: N802 - the usual name of the gettext no-op marker
    """Mark a message for translation without translating it here."""
    return message


MESSAGES: dict[str, str] = {
    # --- the file as a whole ----------------------------------------------------------------
    "file.not_utf8": N_(
        "The file is not UTF-8 text. Open it and save it again as UTF-8: in Word or Notepad "
        "choose Save As → Encoding: UTF-8; in Excel choose Save As → CSV UTF-8 (Comma "
        "delimited), or save an Excel workbook (.xlsx)."),
    "file.not_utf8_cp1258": N_(
        "The file is not UTF-8 text (it looks like Windows-1258, the old Vietnamese Windows "
        "encoding). Open it and save it again as UTF-8: in Word or Notepad choose Save As → "
        "Encoding: UTF-8; in Excel choose Save As → CSV UTF-8 (Comma delimited), or save an "
        "Excel workbook (.xlsx)."),
    "file.not_utf8_cp1252": N_(
        "The file is not UTF-8 text (it looks like Windows-1252, the Western European Windows "
        "encoding). Open it and save it again as UTF-8: in Word or Notepad choose Save As → "
        "Encoding: UTF-8; in Excel choose Save As → CSV UTF-8 (Comma delimited), or save an "
        "Excel workbook (.xlsx)."),
    "file.not_utf8_utf16": N_(
        "The file is not UTF-8 text (it looks like UTF-16 text without a byte-order mark). "
        "Open it and save it again as UTF-8: in Word or Notepad choose Save As → Encoding: "
        "UTF-8; in Excel choose Save As → CSV UTF-8 (Comma delimited), or save an Excel "
        "workbook (.xlsx)."),
    "file.utf16_damaged": N_(
        "The file is not UTF-8 text (it starts like UTF-16 but is damaged). Open it and save "
        "it again as UTF-8."),
    "file.unknown_format": N_("unknown format '%(fmt)s' (use %(formats)s)"),
    "file.unknown_extension": N_(
        "unknown file type '%(extension)s': use .gift, .txt, .aiken, .csv or .xlsx"),
    "file.no_extension": N_(
        "the file name has no extension: use .gift, .txt, .aiken, .csv or .xlsx, or choose "
        "the format"),
    "file.xls": N_("unknown file type '.xls' (save it as .xlsx): use .gift, .txt, .aiken, .csv "
                   "or .xlsx"),
    # --- GIFT ------------------------------------------------------------------------------
    "gift.title_unclosed": N_("the title opened with '::' is not closed with '::'"),
    "gift.close_without_open": N_(
        "'}' has no matching '{' (write \\} for a literal brace)"),
    "gift.block_unclosed": N_(
        "the answer block '{' is not closed with '}' (a blank line ends a question, so answers "
        "cannot contain blank lines)"),
    "gift.block_reopened": N_(
        "'{' appears again inside the answer block: is a '}' missing? (write \\{ for a literal "
        "brace)"),
    "gift.two_blocks": N_("more than one answer block: separate questions with a blank line"),
    "gift.no_text": N_("the question has no text"),
    "gift.answer_without_marker": N_(
        "answer '%(answer)s' does not start with '=' (correct) or '~' (wrong)"),
    "gift.weight_not_number": N_("weight '%%%(weight)s%%' is not a number"),
    "gift.weight_out_of_range": N_("weight %(weight)s%% is out of range (-100%% to 100%%)"),
    "gift.unknown_difficulty": N_("unknown difficulty '%(value)s' (use easy, medium or hard)"),
    "gift.metadata_repeated": N_("the question has two [%(key)s:...]"),
    "gift.metadata_alone": N_(
        "metadata comment is not followed by a question: remove the blank line between the "
        "comment and its question"),
    # --- Aiken -----------------------------------------------------------------------------
    "aiken.no_answer_line": N_("the question has no 'ANSWER: X' line"),
    "aiken.no_text": N_("the question has no text before its options"),
    "aiken.too_few_options": N_("an Aiken question needs at least 2 options, found %(count)d"),
    "aiken.answer_empty": N_("the ANSWER line gives no letter"),
    "aiken.answer_several": N_("Aiken allows only one answer letter, found '%(letter)s'"),
    "aiken.answer_not_an_option": N_("answer '%(letter)s' is not one of the options "
                                     "(%(letters)s)"),
    "aiken.option_repeated": N_("option %(letter)s appears twice"),
    "aiken.option_empty": N_("option %(letter)s has no text"),
    "aiken.stray_line": N_(
        "expected another option ('E. ...') or 'ANSWER: X' after the options"),
    # --- CSV and XLSX ----------------------------------------------------------------------
    "table.header_missing": N_("bad header row: missing column(s): %(columns)s. The header "
                               "must be: %(header)s (and optionally id)"),
    "table.header_unknown": N_("bad header row: unknown column(s): %(columns)s. The header "
                               "must be: %(header)s (and optionally id)"),
    "table.header_repeated": N_("bad header row: repeated column(s): %(columns)s. The header "
                                "must be: %(header)s (and optionally id)"),
    "table.empty": N_("the file is empty: the first row must be the header %(header)s"),
    "table.too_many_rows": N_("the file has more than %(max)s rows below the header; split it "
                              "into smaller files"),
    "table.stray_cell": N_("column %(column)d holds a value but has no header"),
    "table.unclosed_quote": N_(
        "a quoted cell opened in this record is never closed (missing \")"),
    "table.malformed_csv": N_("malformed CSV: %(detail)s"),
    "table.xlsx_unreadable": N_(
        "the file is not a readable .xlsx workbook (save it from Excel as 'Excel Workbook "
        "(.xlsx)')"),
    "table.sheet_damaged": N_("the sheet is damaged and cannot be read from this row on"),
    "table.unknown_kind": N_("unknown kind '%(kind)s' (use single, multiple or truefalse)"),
    "table.unknown_difficulty": N_("unknown difficulty '%(value)s' (use easy, medium or hard)"),
    "table.correct_empty": N_("the correct column is empty"),
    "table.not_a_letter": N_("'%(letter)s' in the correct column is not an option letter"),
    "table.letter_out_of_range": N_(
        "the correct column names option %(letter)s, but there are only %(count)d options"),
    "table.weight_repeated": N_("option %(letter)s is given two weights"),
    "table.weight_not_number": N_("weight '%(value)s' for option %(letter)s is not a number"),
    "table.weight_out_of_range": N_(
        "weight %(value)s for option %(letter)s is out of range (-100 to 100)"),
    "table.correct_not_letters": N_(
        "the correct column must hold option letters ('B' or 'A,C') or weights ('A=50;C=50')"),
    "table.letter_repeated": N_("option %(letter)s is named twice in the correct column"),
    "table.truefalse_options": N_(
        "a true/false question takes no options, or exactly '%(true)s | %(false)s'"),
    "table.truefalse_correct": N_(
        "the correct column of a true/false question must be '%(true)s' or '%(false)s'"),
    "table.single_several": N_(
        "a single-choice question takes one letter in the correct column, found %(letters)s "
        "(use kind multiple)"),
    # --- the structure of one question -----------------------------------------------------
    "question.text_empty": N_("question text is empty"),
    "question.unknown_kind": N_("unknown question kind '%(kind)s' (use single, multiple or "
                                "truefalse)"),
    "question.unknown_difficulty": N_(
        "unknown difficulty '%(value)s' (use easy, medium or hard)"),
    "question.unknown_text_format": N_(
        "unknown text format '%(value)s' (use plain, html, markdown or moodle)"),
    "question.option_empty": N_("option %(number)d has no text"),
    "question.options_same_text": N_("options %(first)d and %(number)d have the same text"),
    "question.weight_out_of_range": N_(
        "option %(number)d has weight %(weight)s%%, outside -100%%..100%%"),
    "question.truefalse_options": N_(
        "a true/false question needs exactly the options '%(true)s' and '%(false)s'"),
    "question.truefalse_weights": N_(
        "a true/false question needs one option at 100%% and the other at 0%%"),
    "question.single_too_few": N_(
        "a single-choice question needs at least 2 options, found %(count)d"),
    "question.single_correct_count": N_(
        "a single-choice question needs exactly one correct option (100%%), found %(count)d"),
    "question.multiple_too_few": N_(
        "a multiple-choice question needs at least 2 options, found %(count)d"),
    "question.multiple_no_positive": N_(
        "a multiple-choice question needs at least one option with a positive weight"),
    "question.multiple_sum": N_(
        "the positive weights of a multiple-choice question must add up to 100%%, they add up "
        "to %(sum)s%%"),
    # --- the bank --------------------------------------------------------------------------
    "bank.topic_missing": N_("Choose a topic."),
    "bank.topic_name_missing": N_("Enter the name of the topic."),
    "bank.topic_name_too_long": N_("A topic name can have at most %(max)d characters."),
    "bank.topic_exists": N_("There is already a topic with this name here."),
    "bank.topic_inside_itself": N_(
        "A topic cannot be placed inside itself or one of its sub-topics."),
    "bank.title_too_long": N_("The title can have at most %(max)d characters."),
    "bank.external_id_too_long": N_("The question ID can have at most %(max)d characters."),
    "bank.source_too_long": N_("The source can have at most %(max)d characters."),
    "bank.tags_too_long": N_("The tags can have at most %(max)d characters in all."),
    "bank.revision_not_editable": N_(
        "This is an earlier revision of a question; edit the current one."),
    "bank.revision_not_activable": N_(
        "This is an earlier revision of a question; it cannot be activated."),
    "bank.used_id_fixed": N_("The ID of a question that attempts have used cannot change."),
    "bank.id_taken": N_("Another question already has the ID %(id)s."),
    "bank.no_topic": N_(
        "%(count)d question(s) have no topic (the first on line %(line)d): choose a topic for "
        "the questions without one."),
    "bank.id_repeated": N_("the ID %(id)s is used again (first on line %(first)d)"),
    "bank.unknown_export_format": N_("Unknown format %(fmt)s."),
}


def _fill(template: str, params: Mapping[str, Any]) -> str:
    return template % dict(params)


def english(problem: Problem) -> str:
    """The problem's message in English (the source language)."""
    template = MESSAGES.get(problem.code)
    return _fill(template, problem.params) if template is not None else problem.code


def message(problem: Problem) -> str:
    """The problem's message in the reader's language (needs an application context)."""
    from flask_babel import gettext

    template = MESSAGES.get(problem.code)
    if template is None:
        return problem.code
    return _fill(gettext(template), problem.params)
