"""The warehouse's DuckDB SQL as Spark SQL: the derived layer and the named queries are written
once, for DuckDB, and run on a Spark cluster through this translation (warehouse/spark.py).

SQLGlot does most of it (`read="duckdb"`, `write="spark"`). What it cannot know is ours:

- **Macros.** DuckDB keeps `main.period_start(...)` and the table macro `incidents_in(...)` in the
  warehouse; Spark has no macros. Every `create macro` of the warehouse's SQL files is read into
  `Macros`, and each call is replaced by the macro's body with the call's arguments put in place of
  its parameters (a table macro becomes a subquery).
- **Names.** A table `core.responses` is the Spark view `core__responses`, and an unqualified name
  that is not a CTE is the analyst view of that name in `main` (`incidents` -> `main__incidents`),
  as DuckDB's search path reads it.
- **Parameters.** `$start_date` becomes Spark's named parameter `:start_date`; values are always
  bound, never pasted in.
- **Constructs SQLGlot renders wrongly for Spark** are rewritten here, once, below (`_FIXES`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import sqlglot
from sqlglot import exp

READ, WRITE = "duckdb", "spark"
SCHEMAS = ("main", "meta", "raw", "core", "marts", "province")


class Untranslatable(ValueError):
    """SQL using a DuckDB construct that has no Spark form here."""


def spark_name(schema: str, table: str) -> str:
    """The Spark view that holds the warehouse's `schema.table`."""
    return f"{schema}__{table}"


@dataclass
class Macros:
    """The warehouse's macros by name: (parameter names, body, is a table macro)."""
    defined: dict[str, tuple[list[str], exp.Expression, bool]] = field(default_factory=dict)

    def read(self, sql: str) -> str:
        """Take the `create macro` statements out of `sql`; returns the other statements."""
        rest = []
        for statement in split(sql):
            tree = sqlglot.parse_one(statement, read=READ)
            if isinstance(tree, exp.Create) and (tree.args.get("kind") or "").upper() == "MACRO":
                udf = tree.this
                params = [p.name for p in udf.expressions]
                body = tree.expression
                is_table = isinstance(body, (exp.Select, exp.Union)) or any(
                    isinstance(p, exp.ReturnsProperty) and p.args.get("is_table")
                    for p in (tree.args.get("properties") or exp.Properties(expressions=[])).expressions)
                self.defined[udf.this.name.lower()] = (params, body, is_table)
            else:
                rest.append(statement)
        return ";\n".join(rest)

    @classmethod
    def of_files(cls, files: list[Path]) -> Macros:
        macros = cls()
        for f in files:
            macros.read(f.read_text(encoding="utf-8"))
        return macros


def split(sql: str) -> list[str]:
    """The statements of a SQL text, without comments-only remainders."""
    return [e.sql(READ) for e in sqlglot.parse(sql, read=READ) if e is not None]


def _called(node: exp.Expression) -> tuple[str, list[exp.Expression]] | None:
    """(name, arguments) when `node` calls a function SQLGlot does not know (a macro is one), maybe
    `main.`-qualified."""
    if isinstance(node, exp.Dot) and isinstance(node.expression, exp.Anonymous):
        node = node.expression
    if isinstance(node, exp.Anonymous):
        return node.name.lower(), list(node.expressions)
    return None


def _substitute(body: exp.Expression, params: list[str], args: list[exp.Expression]) -> exp.Expression:
    """The macro's body with each parameter replaced by its argument, in parentheses where it is
    an expression (`x * 2` called with `a + 1` is `(a + 1) * 2`)."""
    simple = (exp.Column, exp.Literal, exp.Placeholder, exp.Parameter, exp.Null, exp.Boolean, exp.Paren)
    values = {p: a if isinstance(a, simple) else exp.Paren(this=a) for p, a in zip(params, args)}
    for p in params[len(args):]:
        values[p] = exp.Null()

    def put(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Column) and not node.table and node.name in values:
            return values[node.name].copy()
        if isinstance(node, exp.Column) and not node.db and node.table in values:  # a struct parameter's field
            return exp.Dot(this=values[node.table].copy(), expression=node.this.copy())
        return node

    return body.copy().transform(put)


def expand_macros(tree: exp.Expression, macros: Macros) -> exp.Expression:
    """Replace every macro call (scalar or table) by its body, until none is left."""
    for _ in range(10):  # macros call macros; ten levels is more than the warehouse uses
        changed = False

        def expand(node: exp.Expression) -> exp.Expression:
            nonlocal changed
            if isinstance(node, exp.Table) and isinstance(node.this, exp.Anonymous):
                name = node.this.name.lower()
                if name in macros.defined:
                    params, body, _ = macros.defined[name]
                    changed = True
                    alias = node.args.get("alias") or exp.TableAlias(this=exp.to_identifier(name))
                    return exp.Subquery(this=_substitute(body, params, list(node.this.expressions)), alias=alias.copy())
                return node
            called = _called(node)
            if called and called[0] in macros.defined:
                params, body, is_table = macros.defined[called[0]]
                if not is_table:
                    changed = True
                    return exp.Paren(this=_substitute(body, params, called[1]))
            return node

        tree = tree.transform(expand)
        if not changed:
            return tree
    raise Untranslatable("macros nest too deeply")


def _cte_names(tree: exp.Expression) -> set[str]:
    return {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}


def rename_tables(tree: exp.Expression) -> exp.Expression:
    """`schema.table` -> `schema__table`; an unqualified name that is no CTE -> `main__name`."""
    ctes = _cte_names(tree)

    def rename(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Table) and isinstance(node.this, exp.Identifier):
            schema, name = node.db.lower(), node.name
            if not schema and name.lower() in ctes:
                return node
            if schema and schema not in SCHEMAS:
                return node
            renamed = node.copy()
            renamed.set("this", exp.to_identifier(spark_name(schema or "main", name)))
            renamed.set("db", None)
            renamed.set("catalog", None)
            return renamed
        return node

    return tree.transform(rename)


def _parameters(tree: exp.Expression) -> exp.Expression:
    """`$name` (DuckDB) -> `:name` (Spark's named parameter markers)."""
    def mark(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Parameter):
            return exp.Placeholder(this=node.name)
        return node
    return tree.transform(mark)


def _epoch(node: exp.Expression) -> exp.Expression:
    """DuckDB's epoch(a - b) of two timestamps: seconds between them, with fractions."""
    if isinstance(node, exp.TimeToUnix):
        inner = node.this.unnest() if isinstance(node.this, exp.Paren) else node.this
        if isinstance(inner, exp.Sub):
            return sqlglot.parse_one(
                f"(timestampdiff(MICROSECOND, {inner.expression.sql(WRITE)}, {inner.this.sql(WRITE)}) / 1000000.0)",
                read=WRITE)
        return sqlglot.parse_one(f"(unix_micros(cast({inner.sql(WRITE)} as timestamp)) / 1000000.0)", read=WRITE)
    return node


def _percentile(node: exp.Expression) -> exp.Expression:
    """quantile_cont(x, p) -> percentile(x, p): both interpolate linearly between the two nearest values."""
    if isinstance(node, exp.PercentileCont) and node.expression is not None:
        return exp.Anonymous(this="percentile", expressions=[node.this.copy(), node.expression.copy()])
    if isinstance(node, exp.Median):
        return exp.Anonymous(this="percentile", expressions=[node.this.copy(), exp.Literal.number("0.5")])
    return node


def _strptime(node: exp.Expression) -> exp.Expression:
    """try_strptime(x, [format, ...]): the first format that reads, else null."""
    if isinstance(node, exp.Anonymous) and node.name.lower() in ("try_strptime", "strptime"):
        value, formats = node.expressions
        formats = formats.expressions if isinstance(formats, exp.Array) else [formats]
        tries = [exp.StrToTime(this=value.copy(), format=f.copy(), safe=True) for f in formats]
        return tries[0] if len(tries) == 1 else exp.Coalesce(this=tries[0], expressions=tries[1:])
    return node


def _list_length(node: exp.Expression) -> exp.Expression:
    """len(list) -> size(list). The warehouse's SQL takes len() of lists only (of text, it would be
    length()), and SQLGlot reads both as one Length."""
    if isinstance(node, exp.Length):
        return exp.Anonymous(this="size", expressions=[node.this.copy()])
    return node


def _iso_weekday(node: exp.Expression) -> exp.Expression:
    """isodow(x): Monday 1 .. Sunday 7."""
    if isinstance(node, exp.DayOfWeekIso):
        return sqlglot.parse_one(f"extract(dow_iso from {node.this.sql(WRITE)})", read=WRITE)
    return node


def _sorted_values(value: exp.Expression, keys: list[exp.Expression], condition: str, distinct: bool) -> str:
    """Spark SQL for the array of `value` over a group's rows (those meeting `condition`), in the
    order of `keys` (Ordered nodes): collected with the keys, sorted, and taken out again. Keys sort
    ascending (or all descending); a null key sorts first on Spark, last on DuckDB, so the
    warehouse orders lists by keys never null."""
    directions = {bool(k.args.get("desc")) for k in keys}
    if len(directions) > 1:
        raise Untranslatable("a list ordered by keys in both directions")
    if distinct:
        if [k.this for k in keys] != [value]:
            raise Untranslatable("distinct values ordered by something else than themselves")
        sort = f"array_sort(collect_set({value.sql(WRITE)}){condition})"
    else:
        fields = [f"{k.this.sql(WRITE)} as k{i}" for i, k in enumerate(keys)] + [f"{value.sql(WRITE)} as v"]
        sort = f"transform(array_sort(collect_list(struct({', '.join(fields)})){condition}), e -> e.v)"
    return f"reverse({sort})" if directions == {True} else sort


def _ordered_list(node: exp.Expression) -> exp.Expression:
    """list(x order by k) and string_agg([distinct] x, sep order by k): Spark's collect_list keeps no
    order, and its listagg fails on distinct values ordered by an expression; both are built from
    an explicitly sorted array (_sorted_values)."""
    aggregate, condition = node, ""
    if isinstance(node, exp.Filter) and isinstance(node.this, (exp.ArrayAgg, exp.GroupConcat)):  # the filter goes inside
        aggregate, condition = node.this, f" filter (where {node.expression.this.sql(WRITE)})"
    if not (isinstance(aggregate, (exp.ArrayAgg, exp.GroupConcat)) and isinstance(aggregate.this, exp.Order)):
        return node
    value, keys = aggregate.this.this, aggregate.this.expressions
    distinct = isinstance(value, exp.Distinct)
    if distinct:
        (value,) = value.expressions
    values = _sorted_values(value, keys, condition, distinct)
    if isinstance(aggregate, exp.ArrayAgg):
        return sqlglot.parse_one(values, read=WRITE)
    separator = (aggregate.args.get("separator") or exp.Literal.string(",")).sql(WRITE)
    return sqlglot.parse_one(f"nullif(array_join({values}, {separator}), '')", read=WRITE)


def _plain_cte(node: exp.Expression) -> exp.Expression:
    """A CTE's `[not] materialized` is a hint for DuckDB's planner; Spark decides by itself."""
    if isinstance(node, exp.CTE) and node.args.get("materialized") is not None:
        node = node.copy()
        node.set("materialized", None)
    return node


def _any_value(node: exp.Expression) -> exp.Expression:
    """DuckDB's any_value skips nulls; Spark's does so when asked: any_value(x, true)."""
    if isinstance(node, exp.IgnoreNulls) and isinstance(node.this, exp.AnyValue):
        return exp.Anonymous(this="any_value", expressions=[node.this.this.copy(), exp.true()])
    return node


def _unsigned(node: exp.Expression) -> exp.Expression:
    """Spark has no unsigned integers: UBIGINT -> BIGINT (the warehouse's values fit)."""
    if isinstance(node, exp.DataType) and node.this == exp.DataType.Type.UBIGINT:
        return exp.DataType.build("BIGINT")
    return node


def _hash_sample(node: exp.Expression) -> exp.Expression:
    """hash(...) % n, a sample of every n-th row: Spark's hash is signed, so its remainder is taken
    with pmod. Each engine hashes its own way: the rows sampled are the same on every run of one
    engine, not the same on both."""
    if isinstance(node, exp.Mod) and isinstance(node.this, exp.Anonymous) and node.this.name.lower() == "hash":
        return exp.Anonymous(this="pmod", expressions=[node.this.copy(), node.expression.copy()])
    return node


def _list_item(node: exp.Expression) -> exp.Expression:
    """list[i] past the list's end is null on DuckDB, an error on Spark's x[i]: get(x, i) is null.
    (A number in brackets is a list index; maps are read with text keys, which stay as they are.)"""
    if isinstance(node, exp.Bracket) and len(node.expressions) == 1 and isinstance(node.expressions[0], exp.Literal) \
            and not node.expressions[0].is_string:
        return exp.Anonymous(this="get", expressions=[node.this.copy(), node.expressions[0].copy()])
    return node


_FIXES = (_unsigned, _list_item, _hash_sample, _plain_cte, _any_value, _epoch, _percentile, _strptime, _list_length, _iso_weekday, _ordered_list)


def to_spark(sql: str, macros: Macros) -> str:
    """One DuckDB statement of the warehouse's SQL as a Spark SQL statement."""
    tree = sqlglot.parse_one(sql, read=READ)
    tree = expand_macros(tree, macros)
    tree = rename_tables(tree)
    tree = _parameters(tree)
    for fix in _FIXES:
        tree = tree.transform(fix)
    text = tree.sql(WRITE, comments=False)
    if re.search(r"\bMACRO\b", text):
        raise Untranslatable("a macro definition is left")
    return text
