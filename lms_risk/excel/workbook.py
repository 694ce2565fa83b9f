"""Workbooks made of sheets that features declare. Free of Flask and the database.

A feature declares :class:`SheetSpec` objects (in its ``feature.py``). An export opens every
declared sheet in workbook order, then fills them one by one, streaming (a later sheet may use
what an earlier one counted, through the shared ``context``). An import reads each importable
sheet that the file holds, lets its spec *plan* it (check every cell, compare with the database,
write nothing), shows one preview of all plans, and applies them all in one transaction, or
nothing when any plan has an error or a conflict.

Columns are built from field specifications (``lms_risk/core/fields.py``): a :class:`SheetColumn`
has a key, a Dutch header and an English alias, a width, a function that gives a record's cell
value and, for columns read back on import, a parser and the allowed values for a drop-down.
"""

import gc
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from .reader import Limits, Problem, Sheet, Upload, column_letters
from .writer import Column, SafeWorkbook


@dataclass(frozen=True)
class SheetColumn:
    key: str
    header: str  # Dutch, as exported
    alias: str = ""  # English, accepted on import
    width: int = 14
    wrap: bool = False
    editable: bool = False  # read back on import; other columns are computed and ignored
    value: Callable[[Any], Any] | None = None  # record -> cell value
    parser: Callable[[Any], Any] | None = None  # cell -> value (ValueError: message)
    allowed: Sequence[str] | None = None  # drop-down values

    def column(self) -> Column:
        return Column(self.header, self.width, self.wrap)


def normalise_header(header) -> str:
    return " ".join(str(header if header is not None else "").split()).casefold()


def match_columns(header: Sequence, columns: Sequence[SheetColumn]):
    """{index: column} for the header cells that name a column (Dutch or English, any case or
    spacing, any order), the indexes of unknown headers, and those of repeated ones."""
    names = {}
    for column in columns:
        names[normalise_header(column.header)] = column
        if column.alias:
            names.setdefault(normalise_header(column.alias), column)
    found, unknown, repeated, seen = {}, [], [], set()
    for index, cell in enumerate(header):
        if cell in (None, ""):
            continue
        column = names.get(normalise_header(cell))
        if column is None:
            unknown.append(index)
        elif column.key in seen:
            repeated.append(index)
        else:
            seen.add(column.key)
            found[index] = column
    return found, unknown, repeated


@dataclass
class Message:
    """A problem found in the file, with where it is: sheet, row, column letter and header."""

    message: str
    sheet: str
    row: int | None = None
    column: str | None = None
    header: str | None = None
    value: object = None
    where_words: Callable[["Message"], str] | None = field(default=None, repr=False)

    def where(self) -> str:
        if self.where_words is not None:
            return self.where_words(self)
        parts = [f"blad {self.sheet}"]
        if self.row:
            parts.append(f"rij {self.row}")
        if self.column:
            parts.append(f"kolom {self.column}" + (f" ({self.header})" if self.header else ""))
        elif self.header:
            parts.append(f"veld {self.header}")
        return ", ".join(parts)

    def __str__(self) -> str:
        value = f" [{self.value!s:.60}]" if self.value not in (None, "") else ""
        return f"{self.where()}: {self.message}{value}"


@dataclass
class Change:
    row: int
    code: str
    title: str
    fields: list[tuple[str, object, object]] = field(default_factory=list)  # header, old, new
    ident: object = None  # what finds the row's object beyond its code (a control's id)


@dataclass
class Conflict:
    row: int
    code: str
    file_version: object
    database_version: int


@dataclass
class SheetPlan:
    """What importing one sheet would do. ``apply`` writes it (flush, no commit)."""

    sheet: str
    new: list[Change] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)
    unchanged: int = 0
    conflicts: list[Conflict] = field(default_factory=list)
    errors: list[Message] = field(default_factory=list)
    warnings: list[Message] = field(default_factory=list)
    apply: Callable[[], None] | None = field(default=None, repr=False)
    key: str = ""  # the SheetSpec's key (set by plan_workbook)
    spec: "SheetSpec | None" = field(default=None, repr=False)  # set by plan_workbook

    @property
    def refused(self) -> bool:
        return bool(self.errors or self.conflicts)

    @property
    def label(self):
        """What the sheet's rows are, as its spec names them ("plannen"); None: not named."""
        return self.spec.label if self.spec is not None else None

    def row_url(self, item: "Change | Conflict") -> str | None:
        """The page of a changed or conflicting row's object, as its spec finds it."""
        return self.spec.row_url(item) if self.spec is not None else None


@dataclass
class WorkbookPlan:
    filename: str
    sheets: list[SheetPlan] = field(default_factory=list)
    errors: list[Message] = field(default_factory=list)  # about the file as a whole

    def _all(self, name: str) -> list:
        return [item for plan in self.sheets for item in getattr(plan, name)]

    @property
    def new(self) -> list[Change]:
        return self._all("new")

    @property
    def changed(self) -> list[Change]:
        return self._all("changed")

    @property
    def conflicts(self) -> list[Conflict]:
        return self._all("conflicts")

    @property
    def warnings(self) -> list[Message]:
        return self._all("warnings")

    @property
    def all_errors(self) -> list[Message]:
        return self.errors + self._all("errors")

    @property
    def unchanged(self) -> int:
        return sum(plan.unchanged for plan in self.sheets)

    @property
    def refused(self) -> bool:
        return bool(self.errors) or any(plan.refused for plan in self.sheets)

    def summary(self) -> str:
        return (f"new={len(self.new)} changed={len(self.changed)} unchanged={self.unchanged} "
                f"conflicts={len(self.conflicts)} errors={len(self.all_errors)}")


class SheetSpec:
    """One sheet (or a family of sheets, such as one per discipline) of the workbook.

    Export: :meth:`open` adds the sheet(s) to the book in workbook order and returns what
    :meth:`fill` later writes into. Import (when :attr:`names` is set): :meth:`plan` checks a
    read sheet and returns a :class:`SheetPlan`. Template: :meth:`template` writes the sheet of the
    blank import template (default: none).
    """

    key: str = ""
    names: tuple[str, ...] = ()  # titles accepted on import; empty: not importable
    label = None  # what its rows are, plural, as the import's preview heads them: _l("plannen")
    last: bool = False  # filled after every other sheet (it reports on them)

    def prepare(self, context: dict) -> None:
        """Before any sheet opens: put what other sheets need to know into ``context``."""

    def open(self, book: SafeWorkbook, context: dict) -> Any:
        raise NotImplementedError

    def fill(self, handle: Any, context: dict) -> None:
        raise NotImplementedError

    def template(self, book: SafeWorkbook, context: dict) -> bool:
        return False

    def plan(self, sheet: Sheet, context: dict) -> SheetPlan:
        raise NotImplementedError

    def row_url(self, item: Change | Conflict) -> str | None:
        """The page of the object that an imported row changes (``item.code``, ``item.ident``),
        for the preview's link; None: no page to link to. Called while a page is rendered."""
        return None

    def may_import(self, user) -> bool:
        """Whether ``user`` may change anything through this sheet at all (its plan still checks
        every row). The upload opens to whoever may import one sheet; a sheet that ``user`` may
        not import is refused as a whole when it holds a change."""
        return False


@contextmanager
def gc_paused():
    """No cyclic garbage collection while a sheet is read, planned or written: those build
    hundreds of thousands of small objects (cells, rows, dicts) that live to the end, and every
    collection would walk them all again; a quarter of a large import's time. What they leave
    is collected afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def write_workbook(target, specs: Iterable[SheetSpec], context: dict) -> list[str]:
    """Export: open every sheet in order, then fill them (``last`` ones at the end). Returns the
    sheet titles written."""
    specs = list(specs)
    for spec in specs:
        spec.prepare(context)
    with gc_paused(), SafeWorkbook(target) as book:
        handles = [(spec, spec.open(book, context)) for spec in specs]
        context["sheet_titles"] = [ws.name for ws in book.book.worksheets()]
        for spec, handle in sorted(handles, key=lambda pair: pair[0].last):
            if handle is not None:
                spec.fill(handle, context)
        return context["sheet_titles"]


def write_template(target, specs: Iterable[SheetSpec], context: dict) -> list[str]:
    specs = list(specs)
    for spec in specs:
        spec.prepare(context)
    with SafeWorkbook(target) as book:
        for spec in specs:
            spec.template(book, context)
        return [ws.name for ws in book.book.worksheets()]


def plan_workbook(data: bytes, filename: str, specs: Iterable[SheetSpec], limits: Limits,
                  context: dict, describe: Callable[[Problem], Message]) -> WorkbookPlan:
    """Read and plan every importable sheet that the file holds. Writes nothing.

    ``describe`` turns the reader's problems into messages (the caller translates them). A file
    that holds none of the importable sheets is refused, naming them."""
    with gc_paused():
        return _plan_workbook(data, filename, specs, limits, context, describe)


def _plan_workbook(data, filename, specs, limits, context, describe) -> WorkbookPlan:
    plan = WorkbookPlan(filename=filename)
    importable = [spec for spec in specs if spec.names]
    upload = Upload(data, limits)  # opened and checked once, whichever sheets it holds
    read_any = False
    for spec in importable:
        sheet = upload.sheet(list(spec.names))
        fatal = [p for p in sheet.problems if p.fatal]
        if any(p.code == "missing_sheet" for p in fatal):
            continue
        if fatal:
            plan.errors += [describe(p) for p in sheet.problems]
            return plan
        read_any = True
        sheet_plan = spec.plan(sheet, context)
        sheet_plan.key, sheet_plan.spec = spec.key, spec
        # One message per cell: the reader's (a formula, a number beyond Excel's dates) says
        # why, and the field's own message on that cell's value would only repeat it.
        found = [describe(p) for p in sheet.problems]
        named = {(m.row, m.column) for m in found if m.row and m.column}
        sheet_plan.errors[:] = found + [
            m for m in sheet_plan.errors if not (m.row and m.column and (m.row, m.column) in named)]
        plan.sheets.append(sheet_plan)
    if not read_any:
        plan.errors.append(describe(Problem("missing_sheet", fatal=True,
                                            params={"names": [s.names[0] for s in importable]})))
    return plan


def apply_workbook(plan: WorkbookPlan) -> None:
    """Write every sheet's plan; the caller's transaction holds them all (flush, no commit)."""
    if plan.refused:
        raise ValueError("a plan with errors or conflicts cannot be applied")
    with gc_paused():
        for sheet_plan in plan.sheets:
            if sheet_plan.apply is not None:
                sheet_plan.apply()


__all__ = ["Change", "Conflict", "Limits", "Message", "SheetColumn", "SheetPlan", "SheetSpec",
           "WorkbookPlan", "apply_workbook", "column_letters", "match_columns", "plan_workbook",
           "write_template", "write_workbook"]
