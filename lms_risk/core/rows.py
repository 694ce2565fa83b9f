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


def execute_many(conn: Connection, statement, rows: list[dict]) -> int:
    """``conn.execute(statement, rows)`` for thousands of parameter sets with the keys of the
    first: the statement compiled once and each parameter converted by its type's own bind
    processor (a datetime as SQLite's text, a JSON document as text) a column at a time, a
    value shared by every row (the same timestamp, the same user) once. SQLAlchemy's own
    per-row parameter processing costs more than the database's work at that size. Returns the
    rowcount (-1 where the driver does not tell). A statement that needs more than that (a
    default computed per row, an expanding IN list, an escaped name) goes the usual way."""
    if not rows:
        return 0
    dialect = conn.dialect
    keys = list(rows[0])
    compiled = statement.compile(dialect=dialect, column_keys=keys)
    if (compiled.insert_prefetch or compiled.update_prefetch or compiled.literal_execute_params
            or compiled.post_compile_params or compiled.escaped_bind_names):
        return conn.execute(statement, rows).rowcount
    names = list(compiled.positiontup) if compiled.positional else list(compiled.binds)
    columns = []
    for name in names:
        bind = compiled.binds[name]
        if name in keys:
            values = [row[name] for row in rows]
        elif bind.callable is None and bind.value is not None:
            values = [bind.value] * len(rows)  # a value in the statement itself
        else:
            return conn.execute(statement, rows).rowcount
        process = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            first = values[0]
            if all(value is first for value in values):
                values = [process(first)] * len(values)
            else:
                values = list(map(process, values))
        columns.append(values)
    if compiled.positional:
        parameters = list(zip(*columns))
    else:
        parameters = [dict(zip(names, values)) for values in zip(*columns)]
    return conn.exec_driver_sql(compiled.string, parameters).rowcount
