"""A person's scope, enforced on every named query: what goes in, and what comes out.

`queries.run(con, name, params, scope)` calls both. In: a query the role may not run is refused;
a `districts` parameter is narrowed to the scope's districts (an empty or outside choice becomes
all of them), a `stations` parameter to the scope's station, and a `station` parameter outside the
scope is refused. Out: rows of another district or station are dropped, whatever the query, so a
query that takes no district parameter (a station's neighbours, one incident's timeline, a
district table) still shows only the scope; rows without a district (the city's totals) are kept.
"""

from __future__ import annotations

import polars as pl

from emss.roles import Scope


class OutOfScope(PermissionError):
    """A query, or a parameter value, outside the signed-in person's scope."""


def narrow(name: str, declared: set[str], params: dict[str, object], scope: Scope | None,
           station_district: dict[str, str] | None = None) -> dict[str, object]:
    """The parameters a query runs with under `scope` (a copy); OutOfScope when it may not run.
    `station_district` maps station ids to districts, for a `station` parameter."""
    if scope is None or scope.city_wide:
        return params
    if not scope.may_run(name):
        raise OutOfScope(name)
    out = dict(params)
    if "districts" in declared:
        asked = [d for d in (out.get("districts") or []) if d in scope.districts]
        out["districts"] = asked or list(scope.districts)
    if "stations" in declared and scope.station:
        out["stations"] = [scope.station]
    if "station" in declared and out.get("station") is not None:
        station = str(out["station"])
        if scope.station and station != scope.station:
            raise OutOfScope(f"{name}: station")
        if not scope.station and (station_district or {}).get(station) not in scope.districts:
            raise OutOfScope(f"{name}: station")
    return out


def trim(frame: pl.DataFrame, scope: Scope | None) -> pl.DataFrame:
    """The rows of `frame` inside `scope`."""
    if scope is None or scope.city_wide:
        return frame
    allowed = list(scope.districts)
    if "district" in frame.columns:
        frame = frame.filter(pl.col("district").is_null() | pl.col("district").cast(pl.String).is_in(allowed))
    if {"dimension", "value"} <= set(frame.columns):  # meta/category_values: the filter's choices
        frame = frame.filter((pl.col("dimension") != "district") | pl.col("value").is_in(allowed))
    if scope.station and "station_id" in frame.columns:
        frame = frame.filter(pl.col("station_id").is_null() | (pl.col("station_id") == scope.station))
    return frame
