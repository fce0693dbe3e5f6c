"""The named queries: every KPI defined once, in `queries/<topic>/<name>.sql`.

Each file starts with a header of `-- key: value` lines:

    -- title: 5分钟到场率与90分位
    -- title_en: 5-minute arrival rate and 90th percentile
    -- description: ...                (English)
    -- description_zh: ...             (the same in Chinese)
    -- grain: one row
    -- grain_zh: 一行
    -- param: start_date date        (optional unless marked `required`)
    -- param_zh: start_date 首个接警日期 (its description in Chinese)
    -- param: districts text[]
    -- param_zh: districts 行政区代码

Parameters are written `$name` in the SQL and always bound, never pasted in.
An omitted parameter is bound as null (an empty list for `text[]`), and the SQL
decides what null means (usually: no filter, or the data's as-of date).
The dashboard, the CLI, the notebooks and the snapshot all run queries through
`run`, so they cannot disagree.
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import duckdb
import polars as pl

from emss import messages
from emss.roles import Scope
from queries.scope import OutOfScope, narrow, trim

__all__ = ["OutOfScope", "run", "run_on_spark", "get", "catalogue", "bind"]

QUERIES_DIR = Path(__file__).resolve().parent
PARAM_TYPES = ("date", "int", "float", "text", "text[]")
_HEADER = re.compile(r"^--\s*(\w+)\s*:\s*(.*)$")


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    required: bool
    description: str
    description_zh: str = ""

    def describe(self, lang: str) -> str:
        """Its description in `lang` (Chinese, or English)."""
        return self.description_zh if lang == "zh" else self.description


@dataclass(frozen=True)
class NamedQuery:
    name: str          # "<topic>/<file stem>"
    title: str
    title_en: str
    description: str
    grain: str
    params: tuple[Param, ...]
    sql: str
    description_zh: str = ""
    grain_zh: str = ""

    @property
    def topic(self) -> str:
        return self.name.split("/")[0]

    def titled(self, lang: str) -> str:
        return self.title if lang == "zh" else self.title_en

    def describe(self, lang: str) -> str:
        """What it computes, in `lang` (Chinese, or English)."""
        return self.description_zh if lang == "zh" else self.description

    def grain_in(self, lang: str) -> str:
        return self.grain_zh if lang == "zh" else self.grain


def _parse(path: Path) -> NamedQuery:
    text = path.read_text(encoding="utf-8")
    meta: dict[str, str] = {}
    params: list[tuple[str, str, bool, str]] = []
    params_zh: dict[str, str] = {}
    for line in text.splitlines():
        m = _HEADER.match(line)
        if not m:
            if line.strip() and not line.startswith("--"):
                break
            continue
        key, value = m.group(1), m.group(2).strip()
        if key == "param":
            name, ptype, *rest = value.split(maxsplit=2)
            desc = rest[0] if rest else ""
            required = desc.startswith("required")
            if ptype not in PARAM_TYPES:
                raise ValueError(f"{path}: parameter {name} has unknown type {ptype}")
            params.append((name, ptype, required, desc))
        elif key == "param_zh":
            pname, *rest = value.split(maxsplit=1)
            params_zh[pname] = rest[0] if rest else ""
        else:
            meta[key] = value
    name = f"{path.parent.name}/{path.stem}"
    declared = {p[0] for p in params}
    used = set(re.findall(r"\$(\w+)", text))
    if used != declared:
        raise ValueError(f"{name}: parameters used {sorted(used)} but declared {sorted(declared)}")
    for key in ("title", "title_en", "grain", "grain_zh", "description", "description_zh"):
        if key not in meta:
            raise ValueError(f"{name}: header lacks `-- {key}:`")
    if set(params_zh) != declared:
        raise ValueError(f"{name}: `-- param_zh:` lines for {sorted(params_zh)} but parameters {sorted(declared)}")
    return NamedQuery(name, meta["title"], meta["title_en"], meta["description"], meta["grain"],
                      tuple(Param(*p, params_zh[p[0]]) for p in params), text,
                      meta["description_zh"], meta["grain_zh"])


@cache
def catalogue() -> dict[str, NamedQuery]:
    """Every named query, by name, read once per process."""
    return {q.name: q for q in (_parse(p) for p in sorted(QUERIES_DIR.glob("*/*.sql")))}


def get(name: str) -> NamedQuery:
    try:
        return catalogue()[name]
    except KeyError:
        raise KeyError(f"no query named {name!r}; `emss query --list` lists them") from None


def coerce(param: Param, value: object) -> object:
    """Turn a CLI string (or a Python value) into what DuckDB should bind."""
    if value is None or value == "":
        return [] if param.type == "text[]" else None
    if param.type == "text[]":
        if isinstance(value, str):
            return [v.strip() for v in value.split(",") if v.strip()]
        return list(value)
    if isinstance(value, str):
        parse = {"date": dt.date.fromisoformat, "int": int, "float": float}.get(param.type)
        if parse is not None:
            try:
                return parse(value)
            except ValueError:
                raise ValueError(messages.BOTH_SEP.join(
                    messages.text("query_bad_value", lang, param=param.name, value=repr(value),
                                  kind=messages.text(f"value_kind_{param.type}", lang))
                    for lang in messages.LANGS)) from None
    return value


def bind(query: NamedQuery, params: dict[str, object] | None = None) -> dict[str, object]:
    params = dict(params or {})
    unknown = set(params) - {p.name for p in query.params}
    if unknown:
        raise ValueError(f"{query.name} has no parameter(s) {sorted(unknown)}")
    bound = {}
    for p in query.params:
        value = coerce(p, params.get(p.name))
        if p.required and value in (None, []):
            raise ValueError(f"{query.name} needs parameter {p.name}")
        bound[p.name] = value
    return bound


# DuckDB's words for a column a query names and its tables lack
_MISSING_COLUMN = re.compile(r"Referenced column .* not found", re.IGNORECASE)


class WarehouseOutdated(duckdb.CatalogException, ValueError):
    """A named query names a table, view, macro or column the warehouse lacks: it was built by an earlier
    version of emss, which its next load or `emss rebuild` brings up to date. A ValueError too, so
    the command line says it in one line like any refusal."""

    def __init__(self, query: str):
        super().__init__(messages.both("warehouse_outdated", query=query))
        self.query = query


def run(con: duckdb.DuckDBPyConnection, name: str, params: dict[str, object] | None = None,
        scope: Scope | None = None) -> pl.DataFrame:
    """Run a named query with its parameters bound; returns a Polars frame. With a signed-in
    person's `scope`, the query runs only if the role may run it, on parameters narrowed to the
    scope, and returns only the scope's rows (queries/scope.py); OutOfScope otherwise."""
    query = get(name)
    if scope is not None and not scope.city_wide:
        declared = {p.name for p in query.params}
        station_district = None
        station = (params or {}).get("station")
        if "station" in declared and station is not None and not scope.station:
            found = con.execute("select district from stations where station_id = ?", [str(station)]).fetchall()
            station_district = {str(station): found[0][0]} if found else {}
        params = narrow(name, declared, dict(params or {}), scope, station_district)
    bound = bind(query, params)
    try:
        frame = _frame(con, query.sql, bound)
    except duckdb.CatalogException as e:  # the queries name only what the derived SQL defines
        raise WarehouseOutdated(name) from e
    except duckdb.BinderException as e:  # a column this version's tables have and the warehouse's lack
        if _MISSING_COLUMN.search(str(e)):
            raise WarehouseOutdated(name) from e
        raise
    return trim(frame, scope)


# A result read as Arrow from the statement's own run: `con.sql(...).pl()` binds the query once to
# describe it and again to run it, which cost 2-18 ms a query (9 % over all the pages' queries at
# 10 M incidents); the copy DuckDB warns of costs less than that below some 100,000 rows, and the
# pages' results are smaller but for the coverage page's points.
warnings.filterwarnings("ignore", message="Arrow output on a DB-API result makes an extra copy",
                        category=UserWarning, module=__name__)


def _frame(con: duckdb.DuckDBPyConnection, sql: str, bound: object) -> pl.DataFrame:
    result = con.execute(sql, bound) if bound else con.execute(sql)
    return pl.from_arrow(result.to_arrow_table())


def run_on_spark(spark, name: str, params: dict[str, object] | None = None) -> pl.DataFrame:
    """Run a named query on a Spark session holding a lake (warehouse/spark.py), the same SQL
    translated, its parameters bound as on DuckDB; returns a Polars frame. No role scope: the lake
    is an analyst's, on a cluster the dashboard never reads."""
    from warehouse import spark as engine  # needs the `spark` extra

    return engine.run_sql(spark, get(name).sql, bind(get(name), params))
