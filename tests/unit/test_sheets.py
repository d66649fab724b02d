"""The one tabular writer: formula-like text never reaches a spreadsheet as a formula."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import openpyxl

from contest.sheets import Sheet, csv_text, xlsx_bytes

HOSTILE = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx", "=HYPERLINK(\"http://x\")"]


def test_csv_text_neutralises_every_formula_start_and_keeps_numbers():
    text = csv_text([["name", "n"], *[[h, -3] for h in HOSTILE]])
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert [r[0] for r in rows[1:]] == ["'" + h for h in HOSTILE]
    assert {r[1] for r in rows[1:]} == {"-3"}


def test_xlsx_cells_are_text_never_formulas_and_dates_keep_types():
    data = xlsx_bytes([Sheet("Kết quả: vòng 1/2", ["Tên", "Ngày"],
                             [[h, date(2026, 3, 8)] for h in HOSTILE]
                             + [["Nguyễn Thị Ánh\x07", datetime(2026, 3, 8, 9, 30)]])])
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book.worksheets[0]
    assert sheet.title == "Kết quả  vòng 1 2"
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert all(c.data_type == "s" for c in cells)
    # XML reads a carriage return back as a line feed; the text is otherwise unchanged.
    assert [c.value for c in cells] == [*(h.replace("\r", "\n") for h in HOSTILE),
                                        "Nguyễn Thị Ánh"]
    assert sheet.cell(row=2, column=2).value == datetime(2026, 3, 8)


def test_xlsx_sheet_titles_are_unique_after_shortening():
    data = xlsx_bytes([Sheet("A" * 40, ["x"], []), Sheet("A" * 40, ["x"], [])])
    titles = openpyxl.load_workbook(io.BytesIO(data)).sheetnames
    assert len(set(titles)) == 2 and all(len(t) <= 31 for t in titles)


def test_csv_plain_reads_back_what_csv_cell_guarded():
    from contest.sheets import csv_cell, csv_plain

    for text in [*HOSTILE, "'quoted", "plain", "'", ""]:
        assert csv_plain(csv_cell(text)) == text


def test_wrapped_sheets_wrap_text_cells_only():
    data = xlsx_bytes([Sheet("q", ["text", "n"], [["a\nb", 3]], wrap=True)])
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet["A2"].alignment.wrap_text and sheet["A2"].data_type == "s"
    assert sheet["B2"].value == 3 and not sheet["B2"].alignment.wrap_text
