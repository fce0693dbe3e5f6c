"""The one way a name from outside (an export's header, a mapping's column) enters SQL text,
and the one way a fixed text (a message's words from the catalog) is written as a SQL literal.

Values are never written into SQL: they are bound as parameters (`?`) or set as
DuckDB variables (`SET VARIABLE name = ?`, read with `getvariable('name')`).
Names cannot be bound, so they are quoted here by DuckDB's own rule for
identifiers: wrapped in double quotes, a double quote inside doubled. Nothing
else is special inside a quoted identifier (backslashes, semicolons, line
breaks, comment markers and single quotes are plain characters), except NUL,
which DuckDB cannot hold in a name and which no header needs: it is refused.
"""

from __future__ import annotations


class UnsafeName(ValueError):
    """A name that cannot be written as an identifier at all."""


def identifier(name: object) -> str:
    """`name` as a quoted SQL identifier, e.g. 报警"人 -> "报警""人"."""
    text = str(name)
    if "\x00" in text:
        raise UnsafeName(f"列名含有空字符 / a column name holds a NUL character: {text!r}")
    return '"' + text.replace('"', '""') + '"'


def literal(text: object) -> str:
    """`text` as a SQL string literal, e.g. 它's -> '它''s' (a single quote inside doubled).

    For the project's own fixed words (the message catalog), where a statement is built
    once and no parameter can reach it; a value from a file is bound, never written here.
    """
    text = str(text)
    if "\x00" in text:
        raise UnsafeName(f"文字含有空字符 / a text holds a NUL character: {text!r}")
    return "'" + text.replace("'", "''") + "'"


def insert_rows(con, table: str, rows: list[tuple]) -> None:
    """Insert `rows` (tuples in the order of `table`'s columns) in one statement, every value bound:
    executemany runs one statement per row, which made a load's settings tables a quarter of a second."""
    if rows:
        columns = [list(column) for column in zip(*rows)]
        con.execute(f"insert into {table} select {', '.join('unnest(?)' for _ in columns)}", columns)
