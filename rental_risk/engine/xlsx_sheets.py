"""Excel sheets of the registers, in plain Python (xlsxwriter, no Odoo import).

A register is a workbook streamed to a temporary file in xlsxwriter's constant memory mode:
each row goes to disk as soon as the next one starts, so a sheet of 100,000 customers never
sits in memory. Every sheet has the same layout: a title line, a bold header on a fill
(frozen, with an autofilter, columns sized), typed and formatted cells and a totals row for
the columns that sum.
"""

import contextlib
import os
import tempfile
from collections import namedtuple

import xlsxwriter

#: A column of a register: its title, its kind (text, int, float, ratio, money, percent, date,
#: datetime, bool), its width in characters and whether the totals row sums it.
Column = namedtuple("Column", "title kind width total", defaults=(14, False))

#: Row of the header; the title is on the first row, the data starts under the header.
HEADER_ROW = 2
HEADER_FILL = "#D9E1F2"


class TooManyRows(Exception):
    """A sheet would have more rows than Excel holds (``limit``)."""

    def __init__(self, sheet, limit):
        super().__init__(sheet, limit)
        self.sheet = sheet
        self.limit = limit


@contextlib.contextmanager
def open_workbook(prefix="register_"):
    """A workbook streamed to a temporary file: yields ``(workbook, path)``, closes the
    workbook on leaving; the caller removes the file (removed here on an error)."""
    handle, path = tempfile.mkstemp(prefix=prefix, suffix=".xlsx")
    os.close(handle)
    workbook = xlsxwriter.Workbook(
        path,
        {
            "constant_memory": True,
            "in_memory": False,
            "tmpdir": tempfile.gettempdir(),
            # Customer names are data: never turn "=..." into a formula or text into links.
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    try:
        yield workbook, path
        workbook.close()
    except BaseException:
        with contextlib.suppress(Exception):
            workbook.close()
        os.unlink(path)
        raise


def make_formats(workbook, money_digits=2):
    """Cell formats of ``workbook`` by kind ({kind: format}), made once per workbook."""
    zeros = "0" * money_digits
    money = f"#,##0.{zeros};-#,##0.{zeros}" if money_digits else "#,##0;-#,##0"

    def total(**props):
        return workbook.add_format({"bold": True, "top": 1, **props})

    return {
        "title": workbook.add_format({"bold": True, "font_size": 13}),
        "header": workbook.add_format(
            {"bold": True, "bg_color": HEADER_FILL, "bottom": 1, "text_wrap": True, "valign": "top"}
        ),
        "text": None,
        "bool": None,
        "int": workbook.add_format({"num_format": "#,##0"}),
        "float": workbook.add_format({"num_format": "#,##0.0"}),
        # Measures between -1 and 1 (AUC, Gini) read to the third decimal.
        "ratio": workbook.add_format({"num_format": "0.000"}),
        "money": workbook.add_format({"num_format": money}),
        "percent": workbook.add_format({"num_format": "0.0%"}),
        "date": workbook.add_format({"num_format": "yyyy-mm-dd"}),
        "datetime": workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"}),
        "total": total(),
        "total_money": total(num_format=money),
        "total_int": total(num_format="#,##0"),
        "total_number": total(num_format="#,##0.0"),
    }


def cell_writer(sheet, kind, formats):
    """The typed write of a cell of ``kind`` (xlsxwriter wants one per type)."""
    cell_format = formats[kind]
    if kind == "text":
        return lambda row, col, value: sheet.write_string(row, col, str(value))
    if kind == "bool":
        return lambda row, col, value: sheet.write_boolean(row, col, bool(value))
    if kind in ("date", "datetime"):
        return lambda row, col, value: sheet.write_datetime(row, col, value, cell_format)
    return lambda row, col, value: sheet.write_number(row, col, float(value), cell_format)


def write_sheet(
    workbook,
    formats,
    name,
    title,
    columns,
    rows,
    total_label="Total",
    convert=None,
    on_row=None,
):
    """Write a sheet named ``name``: ``title`` on the first row, the header of ``columns``
    (frozen with the first column, with an autofilter), ``rows`` (any iterable of tuples,
    consumed once) and a totals row labelled ``total_label`` when a column sums.

    ``convert`` maps a column index to a function of its value (labels of selections);
    ``on_row`` sees every row as read. Empty values (None, and False but in bool columns)
    leave the cell empty. Returns the number of data rows; raises ``TooManyRows`` rather than
    let xlsxwriter drop the rows past Excel's limit without a word.
    """
    sheet = workbook.add_worksheet(name[:31])
    for index, column in enumerate(columns):
        sheet.set_column(index, index, column.width)
    sheet.write_string(0, 0, title, formats["title"])
    sheet.set_row(HEADER_ROW, 30)
    for index, column in enumerate(columns):
        sheet.write_string(HEADER_ROW, index, column.title, formats["header"])
    sheet.freeze_panes(HEADER_ROW + 1, 1)
    convert = convert or {}
    totals = [0.0 if column.total else None for column in columns]
    writers = [cell_writer(sheet, column.kind, formats) for column in columns]
    row_index = HEADER_ROW
    for row in rows:
        row_index += 1
        if row_index >= sheet.xls_rowmax - 1:
            raise TooManyRows(name, sheet.xls_rowmax)
        if on_row:
            on_row(row)
        for index, value in enumerate(row):
            if index in convert:
                value = convert[index](value)
            if value is None or (value is False and columns[index].kind != "bool"):
                continue
            writers[index](row_index, index, value)
            if totals[index] is not None:
                totals[index] += float(value)
    count = row_index - HEADER_ROW
    sheet.autofilter(HEADER_ROW, 0, max(row_index, HEADER_ROW + 1), len(columns) - 1)
    if any(total is not None for total in totals):
        row_index += 1
        sheet.write_string(row_index, 0, total_label, formats["total"])
        for index, (column, total) in enumerate(zip(columns, totals, strict=True)):
            if index == 0:
                continue
            if total is None:
                sheet.write_blank(row_index, index, None, formats["total"])
            else:
                style = {"money": "total_money", "int": "total_int"}.get(
                    column.kind, "total_number"
                )
                sheet.write_number(row_index, index, total, formats[style])
    return count


def write_summary(workbook, formats, name, title, items, headers=("Measure", "Value")):
    """Write a sheet named ``name`` of one measure per row: ``title`` on the first row, the
    ``headers`` on a fill, then ``items``, (label, kind, value) tuples, each value typed and
    formatted by its kind as in a column (empty values leave the cell empty). Returns the
    number of rows written."""
    sheet = workbook.add_worksheet(name[:31])
    sheet.set_column(0, 0, max([len(label) for label, _kind, _value in items] + [24]) + 2)
    sheet.set_column(1, 1, 18)
    sheet.write_string(0, 0, title, formats["title"])
    for index, header in enumerate(headers):
        sheet.write_string(HEADER_ROW, index, header, formats["header"])
    row_index = HEADER_ROW
    for label, kind, value in items:
        row_index += 1
        sheet.write_string(row_index, 0, label)
        if value is None or (value is False and kind != "bool"):
            continue
        cell_writer(sheet, kind, formats)(row_index, 1, value)
    return row_index - HEADER_ROW
