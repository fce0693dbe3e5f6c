"""The week's KPI tables, each the output of a named query, and the KPI values kept in history.

Nothing here computes a KPI: every figure is a named query run through
`queries.run` with the week's dates bound, so the pack, the dashboard and the
notebooks cannot disagree. A table run for this week and the week before
carries a `week` column first.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
import polars as pl

import queries
from emss import settings
from emss.roles import Scope
from emss.snapshot.week import Week

TREND_WEEKS = 12  # the trend in the report: the snapshot week and the eleven before it


@dataclass(frozen=True)
class TableSpec:
    stem: str          # file name in tables/ (no extension)
    query: str         # the named query
    both_weeks: bool   # run for the week and the week before, stacked with a `week` column

    def params(self, week: Week) -> dict[str, object]:
        """The query's parameters for one week."""
        return _params(self.query, week)


def _params(query: str, week: Week) -> dict[str, object]:
    declared = {p.name for p in queries.get(query).params}
    if query == "response/weekly_trend":
        return {"start_date": week.start - dt.timedelta(weeks=TREND_WEEKS - 1), "end_date": week.end}
    out: dict[str, object] = {}
    if "start_date" in declared:
        out["start_date"] = week.start
    if "end_date" in declared:
        out["end_date"] = week.end
    if "as_of" in declared:
        out["as_of"] = week.end  # stations are counted as they stood at the end of the week
    return out


# The order is the order of the workbook's sheets and the manifest's entries.
TABLES: tuple[TableSpec, ...] = (
    TableSpec("response_kpi", "response/kpi", both_weeks=True),
    TableSpec("response_by_district", "response/by_district", both_weeks=True),
    TableSpec("overview_week_compare", "overview/week_compare", both_weeks=False),
    TableSpec("response_weekly_trend", "response/weekly_trend", both_weeks=False),
    TableSpec("response_histogram", "response/histogram", both_weeks=False),
    TableSpec("stations_vs_target", "stations/vs_target", both_weeks=True),
    TableSpec("stations_by_district", "stations/by_district", both_weeks=False),
    # Readiness is a state judged at the data's as-of date (the query takes no date):
    # the report says so next to the figure.
    TableSpec("stations_readiness_summary", "stations/readiness_summary", both_weeks=False),
    # Prevention (事前预防): patrols against the standard, rectification on time, and the hazards
    # overdue at each week's end
    TableSpec("prevention_patrols", "prevention/patrols_per_station_week", both_weeks=True),
    TableSpec("prevention_rectification", "prevention/rectification_on_time", both_weeks=True),
    TableSpec("prevention_overdue", "prevention/overdue_hazards", both_weeks=True),
)


def run_tables(con: duckdb.DuckDBPyConnection, week: Week, scope: Scope | None = None) -> dict[str, pl.DataFrame]:
    """Every table of the pack for `week`, by file stem; with a scope (a district's pack), held to it
    where every query passes (queries.run)."""
    out: dict[str, pl.DataFrame] = {}
    for spec in TABLES:
        if spec.both_weeks:
            parts = [
                queries.run(con, spec.query, spec.params(w), scope).select(pl.lit(w.label).alias("week"), pl.all())
                for w in (week, week.previous())
            ]
            out[spec.stem] = pl.concat(parts, how="vertical")
        else:
            out[spec.stem] = queries.run(con, spec.query, spec.params(week), scope)
    return out


def response_rules(con: duckdb.DuckDBPyConnection) -> settings.ResponseRules:
    """The response-time rules the warehouse was built with (response/rules): the report's target
    line and small-sample marks come from these, as the dashboard's do."""
    return settings.stored_response_rules(queries.run(con, "response/rules").select("rule", "key", "value").rows())


def week_rows(frame: pl.DataFrame, week: Week) -> pl.DataFrame:
    return frame.filter(pl.col("week") == week.label).drop("week")


def _num(value: object) -> float | None:
    return None if value is None else float(value)


# (kpi, column) pairs taken from the one-row tables into history, city-wide.
_CITY_RESPONSE = ("incidents", "arrived", "without_arrival", "within_target", "within_target_rate",
                  "p50_response_s", "p90_response_s")
_DISTRICT_RESPONSE = ("incidents", "within_target_rate", "p90_response_s")
_TYPE_STATIONS = ("in_service", "opened_this_year", "target_count")


@dataclass(frozen=True)
class KpiValue:
    kpi: str
    dimension: str   # city | district | station_type
    code: str        # '' for the city
    value: float | None
    query: str

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.kpi, self.dimension, self.code)


def kpi_values(tables: dict[str, pl.DataFrame], week: Week) -> list[KpiValue]:
    """The week's KPIs as kept in meta.snapshots, read off the tables (no arithmetic beyond sums of counts)."""
    out: list[KpiValue] = []
    kpi = week_rows(tables["response_kpi"], week).row(0, named=True)
    out += [KpiValue(c, "city", "", _num(kpi[c]), "response/kpi") for c in _CITY_RESPONSE]

    for r in week_rows(tables["response_by_district"], week).iter_rows(named=True):
        out += [KpiValue(c, "district", r["district"] or "", _num(r[c]), "response/by_district")
                for c in _DISTRICT_RESPONSE]

    vs_target = week_rows(tables["stations_vs_target"], week)
    for r in vs_target.iter_rows(named=True):
        out += [KpiValue(c, "station_type", r["station_type"], _num(r[c]), "stations/vs_target")
                for c in _TYPE_STATIONS]
    has_target = vs_target["target_count"].is_not_null().any()
    out += [
        KpiValue("in_service", "city", "", _num(vs_target["in_service"].sum()), "stations/vs_target"),
        KpiValue("opened_this_year", "city", "", _num(vs_target["opened_this_year"].sum()), "stations/vs_target"),
        KpiValue("target_count", "city", "", _num(vs_target["target_count"].sum()) if has_target else None,
                 "stations/vs_target"),
    ]

    readiness = tables["stations_readiness_summary"].row(0, named=True)
    out += [KpiValue(c, "city", "", _num(readiness[c]), "stations/readiness_summary")
            for c in ("stations_in_service", "compliant", "compliant_rate")]
    return out


# ---- the headline rows shared by the workbook and the report --------------------

# How each KPI is labelled (a key of emss.messages.STRINGS) and written: int, pct or duration (seconds).
KPI_LABELS: dict[str, tuple[str, str]] = {
    "incidents": ("col_incidents", "int"),
    "arrived": ("col_arrived", "int"),
    "within_target": ("col_within", "int"),
    "within_target_rate": ("kpi_rate", "pct"),
    "p50_response_s": ("kpi_p50", "duration"),
    "p90_response_s": ("kpi_p90", "duration"),
    "without_arrival": ("kpi_without_arrival", "int"),
    "in_service": ("snap_kpi_in_service", "int"),
    "opened_this_year": ("col_opened_this_year", "int"),
    "target_count": ("col_target", "int"),
    "stations_in_service": ("snap_kpi_readiness_stations", "int"),
    "compliant": ("snap_kpi_compliant", "int"),
    "compliant_rate": ("kpi_compliant", "pct"),
    "patrol_standard_met_rate": ("snap_kpi_patrol_standard_met", "pct"),
    "hazard_on_time_rate": ("prevention_on_time_rate", "pct"),
    "hazards_overdue": ("prevention_overdue", "int"),
}


@dataclass(frozen=True)
class SummaryRow:
    kpi: str
    this_week: float | None
    last_week: float | None   # None also where the figure has no weekly past (readiness)

    @property
    def label_key(self) -> str:
        return KPI_LABELS[self.kpi][0]

    @property
    def kind(self) -> str:
        return KPI_LABELS[self.kpi][1]

    @property
    def change(self) -> float | None:
        if self.this_week is None or self.last_week is None:
            return None
        return self.this_week - self.last_week


def summary_rows(tables: dict[str, pl.DataFrame], week: Week) -> list[SummaryRow]:
    """本周 / 上周 for the headline KPIs, read off the tables."""
    def one(stem: str, w: Week) -> dict:
        return week_rows(tables[stem], w).row(0, named=True)

    this_kpi, last_kpi = one("response_kpi", week), one("response_kpi", week.previous())
    rows = [SummaryRow(c, _num(this_kpi[c]), _num(last_kpi[c]))
            for c in ("incidents", "arrived", "within_target", "within_target_rate",
                      "p50_response_s", "p90_response_s", "without_arrival")]

    def station_total(w: Week, column: str) -> float | None:
        frame = week_rows(tables["stations_vs_target"], w)
        return _num(frame[column].sum()) if frame[column].is_not_null().any() else None

    rows += [SummaryRow(c, station_total(week, c), station_total(week.previous(), c))
             for c in ("in_service", "opened_this_year", "target_count")]
    readiness = tables["stations_readiness_summary"].row(0, named=True)
    rows += [SummaryRow(c, _num(readiness[c]), None) for c in ("compliant_rate", "compliant", "stations_in_service")]
    rows += prevention_rows(tables, week)
    return rows


def prevention_rows(tables: dict[str, pl.DataFrame], week: Week) -> list[SummaryRow]:
    """本周 / 上周 for prevention: the share of stations meeting the patrol standard, the share of
    hazards due that were rectified on time, and the hazards overdue at the week's end."""
    def met(w: Week) -> float | None:
        frame = week_rows(tables["prevention_patrols"], w)
        return _num(frame["meets_standard"].mean()) if frame.height else None

    def on_time(w: Week) -> float | None:
        return _num(week_rows(tables["prevention_rectification"], w).filter(pl.col("is_total"))["on_time_rate"][0])

    def overdue(w: Week) -> float:
        return float(week_rows(tables["prevention_overdue"], w).height)

    return [SummaryRow("patrol_standard_met_rate", met(week), met(week.previous())),
            SummaryRow("hazard_on_time_rate", on_time(week), on_time(week.previous())),
            SummaryRow("hazards_overdue", overdue(week), overdue(week.previous()))]
