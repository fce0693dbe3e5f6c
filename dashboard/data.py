"""The only way pages get data: named queries, run on a cached read-only connection.

The connection is cached per (warehouse path, file version). A load replaces
the warehouse file atomically; the next query sees a new file version, opens a
fresh reader on the new file and closes the old one. Query results are cached
by query name, parameters and file version, so they go stale exactly when the
data does.

When a load lands, the views shown lately (which named queries, with which filters, and which of
the computations registered with `computed_ahead`, such as the Coverage page's model of the network)
are computed again on the new data in the background, a few seconds after it lands: whoever opens
them next, say the weekly meeting after Monday's load, finds them ready instead of waiting.
A load that moves the data's as-of date moves the default period with it, so each view is also
computed with its dates moved as far: the same view of the latest weeks. What was shown is held in
this process's memory only, never written anywhere.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib
import logging
import os
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import duckdb
import polars as pl
import streamlit as st

import queries
from dashboard import i18n
from dashboard.filters import DataRange
from emss import config, profiles, settings
from emss.roles import Scope
from warehouse.connection import file_version, open_reader


def warehouse() -> Path:
    """The warehouse file the dashboard reads (EMSS_WAREHOUSE, set by `emss serve`)."""
    return config.warehouse_path()


def _close(con: duckdb.DuckDBPyConnection) -> None:
    try:
        con.close()
    except duckdb.Error:
        pass


# max_entries=1: when a load replaced the file, the reader on the old file is
# evicted and closed, so it stops pinning the replaced file.
@st.cache_resource(max_entries=1, on_release=_close, show_spinner=False)
def _reader(path: str, version: tuple[int, int]) -> duckdb.DuckDBPyConnection:
    return open_reader(path)


SCOPE_KEY = "_scope"  # the signed-in person's emss.roles.Scope (dashboard/signin.py sets it); absent: sign-in off


_warming = threading.local()  # .scope: the scope of the view being computed ahead, in the thread doing it


def scope() -> Scope | None:
    """The scope every query of this session is held to (None: city-wide, sign-in off); while a view
    is computed ahead after a load, that view's."""
    if hasattr(_warming, "scope"):
        return _warming.scope
    return st.session_state.get(SCOPE_KEY)


@st.cache_data(show_spinner=i18n.SPINNER, max_entries=512)
def _run(name: str, params: tuple[tuple[str, object], ...], path: str, version: tuple[int, int],
         scope: Scope | None = None) -> pl.DataFrame:
    con = _reader(path, version)
    # A cursor per query: a DuckDB connection is not safe to share between the
    # threads that serve different browser sessions. A cursor does not inherit
    # the reader's `USE wh`, so it is said again.
    cur = con.cursor()
    try:
        cur.execute("USE wh")
        return queries.run(cur, name, dict(params), scope)
    finally:
        cur.close()


def _rows_scope() -> Scope | None:
    """The scope that decides which rows this session's queries return: None for anyone who sees the
    whole city (sign-in off, or a city-wide role: queries.run narrows nothing for them), so that the
    leader, the analysts and the administrators share one cached result, and one computed ahead."""
    held = scope()
    return None if held is None or held.city_wide else held


def _hashable(value: object) -> object:
    # list parameters are sets of codes: the order they were picked in is no new query
    return tuple(sorted(value)) if isinstance(value, (list, tuple, set, frozenset)) else value


def _key(name: str, params: dict[str, object]) -> tuple[tuple[str, object], ...]:
    """The parameters as the query binds them (every one it declares, an omitted one as its default):
    two calls asking the same thing in different words (`station_types=[]` or none) share one result."""
    return tuple(sorted((k, _hashable(v)) for k, v in queries.bind(queries.get(name), params).items()))


def run(name: str, **params: object) -> pl.DataFrame:
    """Run the named query `name` (e.g. "response/kpi") with its parameters bound.

    List parameters take lists of codes (empty = all); dates take `datetime.date`.
    """
    path = warehouse()
    version = file_version(path)
    key = _key(name, params)
    held = _rows_scope()
    _remember(str(path), name, key, held)
    _watcher(str(path))
    return _run(name, key, str(path), version, held)


# --- ready before it is asked for ---------------------------------------------------------------

# name -> (a computation registered with computed_ahead, how many of its views to compute ahead, its default view)
_COMPUTED: dict[str, tuple[Callable[..., object], int, Callable[[], dict] | None]] = {}
# set by `emss serve`: the dashboard computes each registered computation's default view as soon as its
# first session has started, so that the first person to open that page after a start finds it ready
COMPUTE_DEFAULTS_ENV = "EMSS_COMPUTE_DEFAULTS"
# the modules that register computations: imported then, off any page's way, since a page imports its
# own only when it is first opened
COMPUTATIONS = ("dashboard.coverage_model",)
Result = TypeVar("Result")


def computed_ahead(most: int, default: Callable[[], dict] | None = None
                   ) -> Callable[[Callable[..., Result]], Callable[..., Result]]:
    """Register a computation from named queries that keeps its own results per data version (its
    pieces cached by the file version) as a view: each call (keyword arguments only, all of them
    parameters such as dates and codes, never data) is remembered as shown, like a named query, and
    computed again when a load lands, with its dates moved as the as-of date moved, so that its
    pieces are ready for the next opening. Only its `most` most recent views are computed ahead:
    as many as its pieces' caches keep with room to spare, since computing more would push the
    latest out. `default` gives the parameters of the view a page opens on (city-wide), which a
    served dashboard computes at its start (COMPUTE_DEFAULTS_ENV). Lists of codes are passed as
    sorted tuples: the parameters are kept as given (an hour range such as (22, 5) is no set)."""
    def register(compute: Callable[..., Result]) -> Callable[..., Result]:
        name = f"{compute.__module__}.{compute.__qualname__}"
        _COMPUTED[name] = (compute, most, default)

        @functools.wraps(compute)
        def shown(**params: object) -> Result:
            path = str(warehouse())
            _remember(path, name, tuple(sorted(params.items())), _rows_scope())
            _watcher(path)
            return compute(**params)

        return shown

    return register


def _compute(name: str, key: tuple, path: str, version: tuple[int, int], held: Scope | None) -> None:
    """Compute one remembered view on `version`: a named query into the query cache, or a registered
    computation (which fills its own caches), held to the scope it was shown in."""
    if name not in _COMPUTED:
        _run(name, key, path, version, held)
        return
    _held_to(held, lambda: _COMPUTED[name][0](**dict(key)))


def _held_to(held: Scope | None, work: Callable[[], Result]) -> Result:
    """`work()` in this thread (not a session's script thread) held to scope `held`."""
    _warming.scope = held
    try:
        return work()
    finally:
        del _warming.scope


WARM_VIEWS = 256  # the most views (query or computation, parameters, scope) remembered and computed again on new data
WATCH_INTERVAL_S = 2.0  # how often the warehouse file is checked for a new version
WARM_THREAD = "emss-warm"
_LOG = logging.getLogger(__name__)

_shown: OrderedDict[tuple, None] = OrderedDict()  # (warehouse, query, parameters, scope), least recent first
_shown_lock = threading.Lock()


def _remember(path: str, name: str, key: tuple, held: Scope | None) -> None:
    with _shown_lock:
        view = (path, name, key, held)
        _shown.pop(view, None)
        _shown[view] = None
        while len(_shown) > WARM_VIEWS:
            _shown.popitem(last=False)


def recently_shown(path: str) -> list[tuple[str, tuple, Scope | None]]:
    """The views of warehouse `path` shown lately, the most recent first: (query name, parameters, scope)."""
    with _shown_lock:
        return [view[1:] for view in reversed(_shown) if view[0] == path]


def moved(key: tuple, days: int) -> tuple:
    """Parameters with every date `days` later: the same view of a period that follows the as-of date."""
    return tuple((k, v + dt.timedelta(days=days) if type(v) is dt.date else v) for k, v in key)


def compute_defaults(path: str) -> int:
    """Compute each registered computation's default view on the warehouse as it is now, city-wide,
    and remember it as shown (so that each load computes it again). Returns how many were computed."""
    for module in COMPUTATIONS:
        importlib.import_module(module)
    done = 0
    for name, (compute, _, default) in list(_COMPUTED.items()):
        if default is None:
            continue
        try:
            params = _held_to(None, default)
            _remember(path, name, tuple(sorted(params.items())), None)
            _held_to(None, lambda: compute(**params))
            done += 1
        except Exception as e:  # the page says why when it is opened
            _LOG.info("default view not computed: %s (%s)", name, e)
    return done


def _most_recent_computations(views: list[tuple]) -> list[tuple]:
    """`views` (in the order they are to be computed) without a computation's views beyond its
    `most`: computing more would push the first, the most recent, out of its caches."""
    kept, counted = [], Counter()
    for view in views:
        if view[0] in _COMPUTED:
            counted[view[0]] += 1
            if counted[view[0]] > _COMPUTED[view[0]][1]:
                continue
        kept.append(view)
    return kept


def warm(path: str, version: tuple[int, int], moved_days: int = 0) -> int:
    """Compute the views shown lately on `version` of the warehouse into the query cache: first, when
    the as-of date moved by `moved_days`, each view with its dates moved as far (remembered as shown,
    so that the next load moves them on), then each as it was shown; the most recent first. Stops as
    soon as a newer version lands. Returns how many were computed."""
    started, done = time.perf_counter(), 0
    views = recently_shown(path)
    if moved_days:
        following = [(name, later, held) for name, key, held in views if (later := moved(key, moved_days)) != key]
        for view in reversed(following):
            _remember(path, *view)
        views = list(dict.fromkeys(following + views))
    for name, key, held in _most_recent_computations(views):
        try:
            if file_version(path) != version:
                break
            _compute(name, key, path, version, held)
            done += 1
        except Exception as e:  # a view that no longer runs fails again, and says why, when it is opened
            _LOG.info("not computed ahead: %s (%s)", name, e)
    _LOG.info("%d views computed ahead on the new data in %.1f s", done, time.perf_counter() - started)
    return done


class Watcher(threading.Thread):
    """Checks the warehouse file every WATCH_INTERVAL_S; when a load has replaced it, warms the new version."""

    def __init__(self, path: str) -> None:
        super().__init__(name=WARM_THREAD, daemon=True)
        self.path = path
        self.version = file_version(path)
        self.as_of = _as_of(path, self.version)
        self.warmed: list[tuple[tuple[int, int], int]] = []  # (version, views computed), in order
        self.defaults: int | None = None  # default views computed at the start (None: not asked to)

    def run(self) -> None:
        if os.environ.get(COMPUTE_DEFAULTS_ENV):
            time.sleep(WATCH_INTERVAL_S)  # after the first session's page, which started this watcher
            self.defaults = compute_defaults(self.path)
        while True:
            time.sleep(WATCH_INTERVAL_S)
            try:
                version = file_version(self.path)
            except OSError:  # the file is being replaced, or is gone
                continue
            if version != self.version:
                as_of = _as_of(self.path, version)
                days = (as_of - self.as_of).days if as_of and self.as_of else 0
                self.version, self.as_of = version, as_of
                self.warmed.append((version, warm(self.path, version, days)))


def _as_of(path: str, version: tuple[int, int]) -> dt.date | None:
    """The data's as-of date in `version` of the warehouse (None when it cannot be read)."""
    try:
        frame = _run("meta/data_range", (), path, version, None)
    except Exception:  # e.g. replaced again meanwhile: the next check reads it
        return None
    return as_date(frame["as_of_date"][0]) if frame.height else None


class _QuietWarmThread(logging.Filter):
    # Streamlit warns when its cache runs outside a browser session's script; here that is the point.
    def filter(self, record: logging.LogRecord) -> bool:
        return record.threadName != WARM_THREAD


logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(_QuietWarmThread())


@st.cache_resource(show_spinner=False)
def _watcher(path: str) -> Watcher:
    watcher = Watcher(path)
    watcher.start()
    return watcher


def run_unscoped(name: str, **params: object) -> pl.DataFrame:
    """A named query outside any scope: only for signing in (a station account's district)."""
    path = warehouse()
    return _run(name, _key(name, params), str(path), file_version(path))


def available() -> bool:
    return warehouse().exists()


def one(name: str, **params: object) -> dict[str, object]:
    """The single row of a one-row query, as a dict (empty dict when no row)."""
    frame = run(name, **params)
    return frame.row(0, named=True) if frame.height else {}


def response_rules() -> settings.ResponseRules:
    """The response-time rules the warehouse was built with (response/rules): the target line and
    the smallest sample worth judging come from here, so they agree with what the bars counted."""
    return settings.stored_response_rules(run("response/rules").select("rule", "key", "value").rows())


def as_date(value: object) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    return value  # type: ignore[return-value]


@st.cache_resource(max_entries=2, show_spinner=False)
def _city(path: str, version: tuple[int, int]) -> profiles.Profile | None:
    try:
        rows = _run("meta/city", (), path, version)
    except duckdb.Error:  # a warehouse built before it recorded its city
        return None
    return profiles.from_record(rows["record"][0]) if rows.height else None


def use_city() -> profiles.Profile:
    """Work for the city the warehouse records (its profile), else the default one."""
    path = warehouse()
    city = _city(str(path), file_version(path)) or profiles.load(profiles.chosen())
    profiles.use(city)
    return city


def choices(dimension: str) -> list[str]:
    """A filter's choices for a district, incident type or channel: the city's codes, then any other
    value the data holds (shown as written)."""
    found = run("meta/category_values").filter((pl.col("dimension") == dimension) & ~pl.col("in_profile"))
    listed = list(profiles.current().dimensions[dimension])
    held = scope()
    if dimension == "district" and held is not None and not held.city_wide:
        return list(held.districts)  # a person held to districts is offered only theirs
    return listed + [v for v in found["value"].to_list() if v not in listed]


def data_range() -> DataRange:
    """What the warehouse holds (meta/data_range): first call date, as-of date, counts."""
    row = one("meta/data_range")
    as_of = as_date(row.get("as_of_date")) or dt.date.today()
    return DataRange(
        first_call_date=as_date(row.get("first_call_date")),
        as_of=as_of,
        default_start=as_date(row.get("default_start_date")) or as_of,
        incidents=int(row.get("incidents") or 0),
        stations=int(row.get("stations") or 0),
        incidents_in_default_period=int(row.get("incidents_in_default_period") or 0),
        last_call_date=as_date(row.get("last_call_date")),
        districts=tuple(choices("district")),
    )
