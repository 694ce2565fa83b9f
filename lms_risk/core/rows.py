"""Reading many rows at once, without an object per row."""

from collections.abc import Collection

from sqlalchemy import ColumnElement, Select
from sqlalchemy.engine import Connection

CHUNK = 900  # values per IN list: below SQLite's bound-parameter limit


def plain_rows(conn: Connection, statement: Select) -> list[tuple]:
    """The rows of a Core ``statement`` as the driver's tuples, each column converted by its type
    as a Result would (a boolean from SQLite's 0/1, a date from its text). No Row object per
    row: for the tens of thousands of rows that an import compares, building those cost more
    than the query."""
    result = conn.execute(statement)
    try:
        rows = result.cursor.fetchall()
    finally:
        result.close()
    dialect = conn.dialect
    convert = [(index, processor) for index, column in enumerate(statement.selected_columns)
               if (processor := column.type.dialect_impl(dialect).result_processor(
                   dialect, None)) is not None]
    if not convert or not rows:
        return rows
    columns = list(zip(*rows))  # converted a column at a time, in C
    for index, processor in convert:
        columns[index] = map(processor, columns[index])
    return list(zip(*columns))


def rows_among(conn: Connection, statement: Select, column: ColumnElement, wanted: Collection,
               *, at: int, whole: bool) -> list[tuple]:
    """The :func:`plain_rows` of ``statement`` whose ``column`` (the ``at``-th selected one) is
    one of ``wanted``. ``whole``: read the whole statement once and keep those rows here, which
    for most of a table costs less than many IN lists of :data:`CHUNK` values (each a statement
    compiled anew); else a query per chunk with an IN list, for a few among many."""
    if whole:
        keep = wanted if isinstance(wanted, (set, frozenset, dict)) else set(wanted)
        return [row for row in plain_rows(conn, statement) if row[at] in keep]
    values, rows = list(wanted), []
    for start in range(0, len(values), CHUNK):
        rows += plain_rows(conn, statement.where(column.in_(values[start:start + CHUNK])))
    return rows
