"""Reading many rows at once, without an object per row."""

from sqlalchemy import Select
from sqlalchemy.engine import Connection


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
