"""Streamed, formula-safe workbook writing on top of XlsxWriter. Knows nothing of risks or Flask.

Every string is written as a string cell, never through XlsxWriter's guessing ``write()``, so text
such as ``=HYPERLINK(...)`` can never become a formula. Text that Excel would turn into a formula
or a number once someone edits the cell (a leading ``=``, ``+``, ``-``, ``@``, tab or CR) also gets
the *quote prefix* style: Excel and LibreOffice then keep it text, and the cell's value stays
exactly what the register holds, so an export imports back unchanged.

Rows are streamed (XlsxWriter's ``constant_memory`` mode): each sheet keeps one row in memory, so
an export's memory does not grow with the number of risks. Rows of a sheet must be written in
order, top to bottom.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import xlsxwriter

# Characters that make a spreadsheet treat the rest of a cell as a formula (OWASP CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
FORMULA_START = frozenset(FORMULA_TRIGGERS)  # one-character test in the hot loop
INVALID_SHEET_CHARS = str.maketrans({c: "-" for c in "[]:*?/\\"})
HEADER_FILL = "#DCE6F1"
DATE_FORMAT = "dd-mm-yyyy"
DATETIME_FORMAT = "dd-mm-yyyy hh:mm"


def sheet_title(name: str) -> str:
    """A valid sheet name: no ``[]:*?/\\``, at most 31 characters."""
    return name.translate(INVALID_SHEET_CHARS).strip("'")[:31] or "Blad"


@dataclass(frozen=True)
class Column:
    header: str
    width: float = 14
    wrap: bool = False


class SafeWorkbook:
    """A workbook whose cells are written safely; use as a context manager or call ``close()``."""

    def __init__(self, target):
        # ``target`` is a path or a binary file object. XlsxWriter's conversions are all off: a
        # string is a string, whatever it looks like.
        self.book = xlsxwriter.Workbook(target, {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
            "remove_timezone": True,
            # Top-aligned by default (rows grow with wrapped text): plain cells then need no
            # format of their own, which keeps the hot loop and the XML small.
            "default_format_properties": {"font_name": "Calibri", "font_size": 11,
                                          "valign": "top"},
        })
        self._formats: dict[tuple, object] = {}

    def __enter__(self) -> "SafeWorkbook":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.book.close()

    def fmt(self, **props):
        """A cached cell format (XlsxWriter wants each distinct format made once)."""
        key = tuple(sorted(props.items()))
        found = self._formats.get(key)
        if found is None:
            found = self._formats[key] = self.book.add_format(props)
        return found

    def sheet(self, name: str, columns: Sequence[Column] | None = None, *, freeze: bool = True,
              autofilter: bool = True) -> "SheetWriter":
        worksheet = self.book.add_worksheet(sheet_title(name))
        return SheetWriter(self, worksheet, list(columns or []), freeze=freeze,
                           autofilter=autofilter)


def _cell_writers(worksheet) -> tuple:
    """XlsxWriter's per-type cell writers. The public ``write_*`` methods pass through a decorator
    that parses 'A1' references; with row and column numbers already in hand, the methods behind
    it (what XlsxWriter's own ``write_row`` calls) are a third faster in this loop. Falls back to
    the public ones should a later XlsxWriter rename them."""
    names = ("string", "number", "boolean", "datetime", "blank")
    private = [getattr(worksheet, f"_write_{n}", None) for n in names]
    if all(private):
        return tuple(private)
    return tuple(getattr(worksheet, f"write_{n}") for n in names)


class SheetWriter:
    """Writes one sheet row by row. With ``columns``, row 0 is a bold, frozen, filtered header."""

    def __init__(self, workbook: SafeWorkbook, worksheet, columns: list[Column], *, freeze: bool,
                 autofilter: bool):
        self.workbook = workbook
        self.ws = worksheet
        self.columns = columns
        self.row = 0
        (self._string, self._num, self._bool, self._datetime_cell,
         self._blank) = _cell_writers(worksheet)
        self._autofilter = autofilter and bool(columns)
        wb = workbook
        # Formats per column, made once: the hot loop only picks one. Cells beyond the declared
        # columns (sheets without a header) get the plain ones.
        plain = None  # the workbook's default format: top-aligned
        quoted = wb.fmt(valign="top", quote_prefix=True)
        self._text = defaultdict(lambda: plain, {
            i: wb.fmt(text_wrap=True, valign="top") for i, c in enumerate(columns) if c.wrap})
        self._quoted = defaultdict(lambda: quoted, {
            i: wb.fmt(text_wrap=True, valign="top", quote_prefix=True)
            for i, c in enumerate(columns) if c.wrap})
        self._date = wb.fmt(num_format=DATE_FORMAT, valign="top")
        self._datetime = wb.fmt(num_format=DATETIME_FORMAT, valign="top")
        self._number = None
        for index, column in enumerate(columns):
            worksheet.set_column(index, index, column.width)
        if columns:
            header = wb.fmt(bold=True, text_wrap=True, valign="top", bg_color=HEADER_FILL,
                            bottom=1)
            for index, column in enumerate(columns):
                worksheet.write_string(0, index, column.header, header)
            self.row = 1
            if freeze:
                worksheet.freeze_panes(1, 0)

    def write(self, values: Iterable, styles: dict[int, dict] | None = None) -> int:
        """Write one row; ``styles`` adds format properties to some columns (e.g. a level's
        colours: ``{5: {"bg_color": "#E53935", "font_color": "#FFFFFF"}}``). Returns the row."""
        row, cell = self.row, self._cell
        if styles:
            for col, value in enumerate(values):
                style = styles.get(col)
                if value is None or value == "":
                    if style:
                        self._blank(row, col, None, self.workbook.fmt(**{"valign": "top",
                                                                         **style}))
                    continue
                cell(row, col, value, style)
        else:
            for col, value in enumerate(values):
                if value is not None and value != "":
                    cell(row, col, value, None)
        self.row += 1
        return row

    def _cell(self, row: int, col: int, value, style: dict | None) -> None:
        kind = type(value)
        if kind is str:
            quoted = value[0] in FORMULA_START
            if style is None:
                fmt = self._quoted[col] if quoted else self._text[col]
            else:
                wrap = self.columns[col].wrap if col < len(self.columns) else False
                fmt = self.workbook.fmt(**{"valign": "top", "text_wrap": wrap,
                                           "quote_prefix": quoted, **style})
            self._string(row, col, value, fmt)
        elif kind is int or kind is float:
            self._num(row, col, value, self._number if style is None
                      else self._styled(self._number, style))
        elif kind is bool:
            self._bool(row, col, value, self._styled(self._number, style))
        elif isinstance(value, datetime):
            self._datetime_cell(row, col, value,
                                self._styled(self._datetime, style, num_format=DATETIME_FORMAT))
        elif isinstance(value, date):
            self._datetime_cell(row, col, datetime(value.year, value.month, value.day),
                                self._styled(self._date, style, num_format=DATE_FORMAT))
        elif isinstance(value, (int, float)):  # subclasses (an IntEnum, say)
            self._num(row, col, value, self._styled(self._number, style))
        else:  # anything else is shown as its text, and still never as a formula
            self._cell(row, col, str(value), style)

    def _styled(self, plain, style: dict | None, **base):
        return plain if style is None else self.workbook.fmt(**{"valign": "top", **base, **style})

    def skip(self, rows: int = 1) -> None:
        self.row += rows

    def finish(self) -> None:
        """Autofilter over the header and every written row (call after the last row)."""
        if self._autofilter:
            self.ws.autofilter(0, 0, max(self.row - 1, 0), len(self.columns) - 1)

    def validate_list(self, col: int, source, *, first_row: int = 1, last_row: int = 1_048_575,
                      title: str = "", message: str = "") -> None:
        """A drop-down on column ``col``: ``source`` is a list of values or a range formula."""
        self.ws.data_validation(first_row, col, last_row, col, {
            "validate": "list", "source": source, "error_title": title[:32],
            "error_message": message[:255], "ignore_blank": True})

    def validate_whole(self, col: int, minimum: int, maximum: int, *, first_row: int = 1,
                       last_row: int = 1_048_575, title: str = "", message: str = "") -> None:
        self.ws.data_validation(first_row, col, last_row, col, {
            "validate": "integer", "criteria": "between", "minimum": minimum,
            "maximum": maximum, "error_title": title[:32], "error_message": message[:255],
            "ignore_blank": True})
