"""Unit tests of the sheets of the Excel registers (no database): layout, types, totals."""

from datetime import date
from pathlib import Path

import openpyxl
import pytest
from engine.xlsx_sheets import (
    Column,
    TooManyRows,
    make_formats,
    open_workbook,
    write_sheet,
    write_summary,
)

COLUMNS = [
    Column("Customer", "text", 30),
    Column("Score", "int", 8),
    Column("Limit", "money", 12),
    Column("Receivable", "money", 12, True),
    Column("Due", "date", 11),
    Column("Blacklisted", "bool", 10),
]
ROWS = [
    ("=HYPERLINK(1)", 70, 1000.0, 250.5, date(2026, 1, 31), False),
    ("Beta", None, None, 100, None, True),
]


def build(rows, **kwargs):
    with open_workbook() as (workbook, path):
        written = write_sheet(
            workbook, make_formats(workbook), "Risk", "Title", COLUMNS, iter(rows), **kwargs
        )
    try:
        return written, openpyxl.load_workbook(path)["Risk"]
    finally:
        Path(path).unlink()


def test_layout_header_frozen_autofilter_widths():
    written, sheet = build(ROWS)
    assert written == 2
    assert sheet["A1"].value == "Title"
    assert [cell.value for cell in sheet[3]] == [column.title for column in COLUMNS]
    assert sheet["A3"].font.b and sheet["A3"].fill.fgColor.rgb == "FFD9E1F2"
    assert sheet.freeze_panes == "B4"
    assert sheet.auto_filter.ref == "A3:F5"
    assert sheet.column_dimensions["A"].width > 25


def test_values_typed_and_formulas_left_as_text():
    _written, sheet = build(ROWS)
    first = [cell.value for cell in sheet[4]]
    assert first[0] == "=HYPERLINK(1)" and sheet["A4"].data_type == "s"
    assert first[1:4] == [70, 1000, 250.5]
    assert first[4].date() == date(2026, 1, 31)
    assert first[5] is False
    assert sheet["C4"].number_format.startswith("#,##0.00")
    second = [cell.value for cell in sheet[5]]
    assert second == ["Beta", None, None, 100, None, True]


def test_totals_row_sums_only_summed_columns():
    _written, sheet = build(ROWS, total_label="Total")
    totals = [cell.value for cell in sheet[6]]
    assert totals[0] == "Total"
    assert totals[3] == pytest.approx(350.5)
    assert totals[1] is None and totals[2] is None


def test_convert_and_on_row():
    seen = []
    _written, sheet = build(ROWS, convert={0: str.upper}, on_row=seen.append)
    assert sheet["A5"].value == "BETA"
    assert seen == ROWS


def test_file_removed_when_writing_fails():
    paths = []

    def rows():
        yield ROWS[0]
        raise RuntimeError("query failed")

    with pytest.raises(RuntimeError), open_workbook() as (workbook, path):
        paths.append(path)
        write_sheet(workbook, make_formats(workbook), "Risk", "Title", COLUMNS, rows())
    assert not Path(paths[0]).exists()


def test_too_many_rows_refused(monkeypatch):
    from xlsxwriter.worksheet import Worksheet

    init = Worksheet.__init__

    def small_init(self, *args, **kwargs):
        init(self, *args, **kwargs)
        self.xls_rowmax = 6

    monkeypatch.setattr(Worksheet, "__init__", small_init)
    with pytest.raises(TooManyRows) as error, open_workbook() as (workbook, _path):
        write_sheet(workbook, make_formats(workbook), "Risk", "Title", COLUMNS, iter(ROWS * 3))
    assert error.value.limit == 6


def test_summary_one_typed_measure_per_row():
    """A summary sheet lists its measures under a header, each value typed by its kind."""
    items = [
        ("First Month-End", "date", date(2025, 4, 30)),
        ("Customer-Months", "int", 120),
        ("AUC", "ratio", 0.8125),
        ("Capped by Limits", "money", 1500.5),
        ("Capped Share", "percent", 0.25),
        ("Not Measured", "ratio", None),
    ]
    with open_workbook() as (workbook, path):
        written = write_summary(workbook, make_formats(workbook), "Summary", "Backtest", items)
    try:
        sheet = openpyxl.load_workbook(path)["Summary"]
    finally:
        Path(path).unlink()
    assert written == 6
    assert sheet["A1"].value == "Backtest"
    assert [sheet["A3"].value, sheet["B3"].value] == ["Measure", "Value"]
    assert sheet["B4"].value.date() == date(2025, 4, 30)
    assert sheet["B5"].value == 120
    assert sheet["B6"].value == 0.8125 and sheet["B6"].number_format == "0.000"
    assert sheet["B7"].value == 1500.5
    assert sheet["B8"].number_format == "0.0%"
    assert sheet["A9"].value == "Not Measured" and sheet["B9"].value is None
