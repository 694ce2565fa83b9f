"""Workbook mechanics for the register's Excel exchange, free of Flask and the database.

``reader`` reads one sheet of an uploaded .xlsx defensively and reports problems as codes.
"""

from .reader import Limits, Problem, Sheet, column_letters, read_sheet

__all__ = ["Limits", "Problem", "Sheet", "column_letters", "read_sheet"]
