"""The report as files: every table of the dashboard as its own XLSX sheet (through the one safe
writer, contest.sheets), and the PDFs of contest.reports.pdf. Small groups are "<5" in both."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response
from flask_babel import gettext as _

from contest.accounts.identity import mask_name
from contest.reports.figures import Report, share_text, shown
from contest.sheets import Sheet, xlsx_bytes
from contest.writing.exports import attachment_header

Label = Callable[[str, Any], str]


def download(data: bytes, filename: str, mimetype: str) -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = attachment_header(filename)
    return response


Table = tuple[str, str, list[str], list[list[Any]]]


def tables(report: Report, label_of: Label, shared: bool = True) -> list[Table]:
    """Every table of the report: (key, title, header, rows); with ``shared`` small groups are
    hidden ("<5"), as in everything that leaves the console."""
    people = _("People")
    share = _("Share")

    def _count(n: int) -> Any:
        # A number stays a number in the sheet unless it must be hidden.
        printed = shown(n, shared)
        return printed if printed.startswith("<") else n

    out: list[Table] = [
        ("key", _("Key figures"), [_("Figure"), _("Value")], [
            [_("From"), report.start], [_("To"), report.end],
            [_("Units"), report.unit_label or _("All units")],
            [_("Quiz participants"), _count(report.participants)],
            [_("Writing entries"), _count(report.entries)],
        ]),
        ("weeks", _("Registrations by week"), [_("Week from"), _("Registrations")],
         [[r.key, _count(r.count)] for r in report.registrations]),
        ("rounds", _("Quiz rounds"),
         [_("Round"), _("Entrants"), _("Attempts"), _("Perfect scores")],
         [[r.title, _count(r.entrants), r.attempts, _count(r.perfect)] for r in report.rounds]),
        ("units", _("Participation by unit"),
         [_("Unit"), _("Level"), _("Own participants"), _("With units under it"),
          _("Known population"), _("Rate")],
         [[u.unit.name, u.depth, _count(u.own), _count(u.total), u.size,
           share_text(u.total, u.size or 0, shared)] for u in report.units]),
    ]
    for key, title, kind, rows in (("gender", _("Gender"), "gender", report.gender),
                                   ("age", _("Age bands"), "plain", report.age),
                                   ("ethnicity", _("Ethnicity"), "plain", report.ethnicity)):
        out.append((key, title, [title, people, share],
                    [[label_of(kind, r.label if kind == "plain" else r.key), _count(r.count),
                      share_text(r.count, report.participants, shared)] for r in rows]))
    out += [
        ("contests", _("Entries by contest"), [_("Contest"), _("Entries")],
         [[r.label, r.count] for r in report.entries_by_contest]),
        ("categories", _("Entries by category"), [_("Category"), _("Entries")],
         [[r.label, r.count] for r in report.entries_by_category]),
        ("media", _("Entries by medium"), [_("Medium"), _("Entries")],
         [[label_of("medium", r.key), r.count] for r in report.entries_by_medium]),
        ("outlets", _("Entries by outlet"), [_("Outlet"), _("Entries")],
         [[label_of("plain", r.label), r.count] for r in report.entries_by_outlet]),
        ("judging", _("Judging progress"), [_("Contest"), _("Judging round"), _("Score sheets due"),
                                 _("Submitted")],
         [[j.contest, j.round, j.assigned, j.submitted] for j in report.judging]),
        ("prizes", _("Prizes by category"), [_("Category and prize"), _("Prizes")],
         [[r.label, r.count] for r in report.prizes_by_category]),
        ("quiz_winners", _("Quiz winners"), [_("Round"), _("Prize"), _("Name"), _("Unit")],
         # Quiz winners are shown masked in public; so they are in what leaves the console.
         [[w.event, w.prize, mask_name(w.name) if shared else w.name, w.unit]
          for w in report.quiz_winners]),
        ("writing_winners", _("Writing winners"),
         [_("Contest and category"), _("Prize"), _("Name"), _("Work")],
         [[w.event, w.prize, w.name, w.work] for w in report.writing_winners]),
    ]
    return out


def report_xlsx(report: Report, label_of: Label) -> bytes:
    return xlsx_bytes([Sheet(title, header, rows, widths=[36] + [16] * (len(header) - 1))
                       for _key, title, header, rows in tables(report, label_of)])


def summary_pdf(report: Report, settings: Any, label_of: Label) -> bytes:
    from contest.reports import pdf

    return pdf.summary(report, settings, tables(report, label_of), label_of)


def unit_pdf(report: Report, people: list[dict[str, Any]], settings: Any,
             label_of: Label) -> bytes:
    from contest.reports import pdf

    return pdf.unit_report(report, people, settings, tables(report, label_of), label_of)
