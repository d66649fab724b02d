"""The committee's campaign summary and a unit's report as PDF, drawn on the server with fpdf2
in Noto Sans (shipped in contest/fonts, every Vietnamese letter), so the text is real,
extractable text. Imported only when a PDF is asked for: workers do not load fpdf2 at start.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from flask_babel import format_date
from flask_babel import gettext as _
from fpdf import FPDF

from contest import fonts
from contest.reports.figures import Report, Row, shown

# fontTools logs every subsetting step at INFO; one PDF would fill the log.
logging.getLogger("fontTools").setLevel(logging.WARNING)

BRAND = (107, 63, 160)
PALE = (201, 194, 214)
Table = tuple[str, str, list[str], list[list[Any]]]


class ReportPDF(FPDF):
    def __init__(self, footer_text: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.footer_text = footer_text
        self.add_font("Noto", "", str(fonts.path("regular")))
        self.add_font("Noto", "B", str(fonts.path("bold")))
        self.add_font("Noto", "I", str(fonts.path("italic")))
        self.set_font("Noto", size=10)
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(18, 18, 18)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Noto", "I", 8)
        self.cell(0, 6, f"{self.footer_text} · {self.page_no()}", align="C")

    def heading(self, text: str, size: int = 14) -> None:
        if self.get_y() > self.h - 50:
            self.add_page()
        self.ln(3)
        self.set_font("Noto", "B", size)
        self.set_text_color(*BRAND)
        self.multi_cell(0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(0, 0, 0)
        self.set_font("Noto", size=10)
        self.ln(1)

    def paragraph(self, text: str, size: int = 10, style: str = "") -> None:
        self.set_font("Noto", style, size)
        self.multi_cell(0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")
        self.set_font("Noto", size=10)

    def table_of(self, header: Sequence[str], rows: Sequence[Sequence[Any]],
                 widths: Sequence[float] | None = None) -> None:
        """A table of one-line cells; a text too long for its column is shortened with "…".

        Drawn cell by cell (fpdf2's table() lays out every cell as a paragraph, far too slow
        for the hundreds of rows of a unit list)."""
        if not rows:
            self.paragraph(_("No data."), 9, "I")
            return
        usable = self.w - self.l_margin - self.r_margin
        weights = list(widths or ([3.0] + [1.0] * (len(header) - 1)))
        cols = [usable * wgt / sum(weights) for wgt in weights]

        def line(values: Sequence[Any], bold: bool) -> None:
            if self.get_y() > self.h - 22:
                self.add_page()
            self.set_font("Noto", "B" if bold else "", 8.5)
            if bold:
                self.set_fill_color(238, 233, 245)
            for i, (width, value) in enumerate(zip(cols, values, strict=False)):
                text = "" if value is None else str(value)
                if self.get_string_width(text) > width - 2:
                    while text and self.get_string_width(text + "…") > width - 2:
                        text = text[:-1]
                    text += "…"
                numeric = isinstance(value, int | float) and not bold
                self.cell(width, 5.5, text, border="B", fill=bold,
                          align="R" if numeric or (i and not bold and text[:1].isdigit())
                          else "L")
            self.ln(5.5)

        line(header, True)
        for row in rows:
            line(row, False)
        self.set_font("Noto", size=10)
        self.ln(2)

    def bars(self, title: str, rows: Sequence[tuple[str, int]], description: str) -> None:
        """A bar chart drawn with rectangles, its title and a text description under it."""
        self.heading(title, 11)
        top = max((n for _l, n in rows), default=0) or 1
        label_w, span = 55.0, self.w - self.l_margin - self.r_margin - 55.0 - 20
        self.set_font("Noto", size=8.5)
        for label, count in rows:
            if self.get_y() > self.h - 25:
                self.add_page()
            y = self.get_y()
            printed = shown(count, True)
            self.set_xy(self.l_margin, y)
            self.cell(label_w - 2, 5, label[:38], align="R")
            small = printed.startswith("<")
            length = 3.0 if small else span * count / top
            self.set_fill_color(*(PALE if small else BRAND))
            if length > 0:
                self.rect(self.l_margin + label_w, y + 0.8, length, 3.6, style="F")
            self.set_xy(self.l_margin + label_w + length + 1.5, y)
            self.cell(18, 5, printed)
            self.set_y(y + 5.5)
        self.set_font("Noto", "I", 8)
        self.multi_cell(0, 4, description, new_x="LMARGIN", new_y="NEXT")
        self.set_font("Noto", size=10)
        self.ln(2)


def _describe(rows: Sequence[tuple[str, int]]) -> str:
    return "; ".join(f"{label}: {shown(n, True)}" for label, n in rows) or _("no data")


def _cover(doc: ReportPDF, report: Report, settings: Any, title: str) -> None:
    doc.add_page()
    doc.set_font("Noto", "B", 12)
    doc.multi_cell(0, 6, (settings.organizing_body or _("Organizing committee")).upper(),
                   align="C", new_x="LMARGIN", new_y="NEXT")
    doc.ln(25)
    doc.set_font("Noto", "B", 20)
    doc.set_text_color(*BRAND)
    doc.multi_cell(0, 10, title, align="C", new_x="LMARGIN", new_y="NEXT")
    doc.set_text_color(0, 0, 0)
    doc.ln(4)
    doc.set_font("Noto", size=12)
    doc.multi_cell(0, 6, _("From %(start)s to %(end)s", start=format_date(report.start, "short"),
                           end=format_date(report.end, "short")), align="C",
                   new_x="LMARGIN", new_y="NEXT")
    if report.unit_label:
        doc.multi_cell(0, 6, report.unit_label, align="C", new_x="LMARGIN", new_y="NEXT")
    if settings.legal_basis:
        doc.ln(18)
        doc.set_font("Noto", "B", 10)
        doc.cell(0, 6, _("Legal basis"), new_x="LMARGIN", new_y="NEXT")
        doc.paragraph(settings.legal_basis, 10, "I")
    doc.ln(10)
    doc.paragraph(_("Groups of fewer than 5 people are shown as \"<5\" so that no one can be "
                    "identified."), 9, "I")


def _key_figures(doc: ReportPDF, report: Report) -> None:
    doc.heading(_("Key figures"))
    rows = [[_("Quiz participants"), shown(report.participants, True)],
            [_("Quiz rounds"), len(report.rounds)],
            [_("Attempts"), sum(r.attempts for r in report.rounds)],
            [_("Perfect scores"), shown(sum(r.perfect for r in report.rounds), True)],
            [_("Writing entries"), shown(report.entries, True)],
            [_("Registrations"), shown(sum(r.count for r in report.registrations), True)]]
    doc.table_of([_("Figure"), _("Value")], rows, widths=(3, 1))


def _charts(doc: ReportPDF, report: Report, label_of: Callable[[str, Any], str]) -> None:
    def pairs(rows: list[Row], kind: str) -> list[tuple[str, int]]:
        return [(label_of(kind, r.label if kind == "plain" else r.key), r.count) for r in rows]

    for title, rows in (
        (_("Registrations by week"), [(r.label, r.count) for r in report.registrations]),
        (_("Entrants per round"), [(r.title, r.entrants) for r in report.rounds]),
        (_("Participants by gender"), pairs(report.gender, "gender")),
        (_("Participants by age band"), pairs(report.age, "plain")),
        (_("Participants by ethnicity"), pairs(report.ethnicity[:12], "plain")),
        (_("Writing entries by medium"), pairs(report.entries_by_medium, "medium")),
    ):
        doc.bars(title, rows, _describe(rows))


def _tables(doc: ReportPDF, tables: Sequence[Table], keys: Sequence[str]) -> None:
    by_key = {t[0]: t for t in tables}
    for key in keys:
        _key, title, header, rows = by_key[key]
        doc.heading(title, 12)
        doc.table_of(header, rows)


def summary(report: Report, settings: Any, tables: Sequence[Table],
            label_of: Callable[[str, Any], str]) -> bytes:
    """The committee's summary: cover, key figures, charts, units, demographics, winners,
    then every table as an annex."""
    doc = ReportPDF(_("Campaign summary"))
    doc.set_title(_("Campaign summary"))
    _cover(doc, report, settings, _("CAMPAIGN SUMMARY REPORT"))
    doc.add_page()
    _key_figures(doc, report)
    _charts(doc, report, label_of)
    doc.add_page()
    main = ["units", "gender", "age", "ethnicity", "quiz_winners", "writing_winners"]
    _tables(doc, tables, main)
    doc.add_page()
    doc.heading(_("Annex: tables"), 16)
    _tables(doc, tables, [t[0] for t in tables if t[0] not in main])
    return bytes(doc.output())


def unit_report(report: Report, people: list[dict[str, Any]], settings: Any,
                tables: Sequence[Table], label_of: Callable[[str, Any], str]) -> bytes:
    """One unit's report in the form a unit sends upward: its figures, the units under it,
    demographics and its participants with masked names."""
    doc = ReportPDF(report.unit_label)
    doc.set_title(report.unit_label)
    doc.add_page()
    doc.set_font("Noto", "B", 11)
    doc.multi_cell(0, 6, report.unit_label.upper(), new_x="LMARGIN", new_y="NEXT")
    doc.ln(4)
    doc.set_font("Noto", "B", 15)
    doc.multi_cell(0, 8, _("REPORT ON PARTICIPATION IN THE CAMPAIGN"), align="C",
                   new_x="LMARGIN", new_y="NEXT")
    doc.paragraph(_("To: %(body)s", body=settings.organizing_body or
                    _("Organizing committee")), 10)
    doc.paragraph(_("From %(start)s to %(end)s", start=format_date(report.start, "short"),
                    end=format_date(report.end, "short")), 10)
    _key_figures(doc, report)
    _charts(doc, report, label_of)
    _tables(doc, tables, ["rounds", "units", "gender", "age", "ethnicity", "quiz_winners"])
    doc.heading(_("Participants"), 12)
    doc.table_of([_("Name"), _("Unit"), _("Rounds"), _("Best score")],
                 [[p["name"], p["unit"], p["rounds"], f"{p['best']:g}"] for p in people],
                 widths=(3, 3, 1, 1))
    return bytes(doc.output())
