"""The Coverage page's model of the network as it is, for one view of the page.

What the page sets its what-if against does not move with the what-if: the demand grid, the
travel-time model and how arrivals spread around it, the stations in service and what they reach,
the trend, the model against measured arrivals, and the cells each candidate site would reach.
`network` works these out from the named queries (coverage/*) with emss.coverage, each piece kept
per data version, and is registered with `data.computed_ahead`: after a load, the views people had
open are worked out again before anyone opens the page. The page draws what it returns.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

import numpy as np
import polars as pl
import streamlit as st

from dashboard import data, filters, i18n
from emss import coverage
from emss.settings import Coverage, coverage as coverage_settings
from warehouse.connection import file_version


ALL_DAY = (0, 23)  # the call hours a view takes unless narrowed (first and last hour, inclusive)


@dataclass(frozen=True)
class Network:
    """The network as it is on the view's date, and all the page needs before the what-if."""

    settings: Coverage
    model_start: dt.date  # the travel-time model's first day (its last is the data's as-of date)
    stations: pl.DataFrame  # every station with a position (coverage/stations), for the view's station types
    live: pl.DataFrame  # those in service on the view's date
    city_turnout: float | None
    grid: pl.DataFrame  # the demand grid of the whole city
    incident_count: int  # the period's incidents with a position, as filtered
    off_land_population: float  # people of an uploaded grid in cells off the city's land
    model: pl.DataFrame  # the travel-time model (coverage.calibrate)
    spread: coverage.Spread
    scope: np.ndarray  # which cells of the grid lie in the view's districts
    scope_grid: pl.DataFrame
    sites: pl.DataFrame  # the stations in service as sites, with their reach
    counts: np.ndarray  # per cell of the grid: how many of them reach it
    chance: np.ndarray  # per cell: the chance of an arrival within the target
    kpis: pl.DataFrame  # coverage.coverage_kpis over the view's districts
    trend: pl.DataFrame  # coverage at each month's end (empty without stations)
    checked: dict[str, pl.DataFrame]  # the model against the period's measured arrivals (coverage.reconcile)
    candidates: pl.DataFrame  # the grid's candidate cells in the view's districts, with their reach
    reached: tuple[np.ndarray, np.ndarray]  # the cells each candidate cell would reach


@st.cache_data(show_spinner=i18n.SPINNER, max_entries=4)
def travel_model(start: dt.date, end: dt.date, settings_key: str, version: tuple, _settings: Coverage):
    return coverage.calibrate(data.run("coverage/travel_samples", start_date=start, end_date=end), _settings)


@st.cache_data(show_spinner=i18n.SPINNER, max_entries=8)
def arrival_spread(model_start: dt.date, end: dt.date, band: str, settings_key: str, version: tuple, _settings: Coverage,
                   _model: pl.DataFrame) -> coverage.Spread:
    """How measured arrivals of the recent weeks spread around the model, against every station of
    the network whatever the page's station-type filter: the spread belongs to the service."""
    every = data.run("coverage/stations", start_date=model_start, end_date=end)
    samples = data.run("coverage/arrival_samples", start_date=end - dt.timedelta(days=_settings.spread_days - 1),
                       end_date=end)
    turnout = every["city_turnout_p50_s"][0] if every.height else None
    return coverage.arrival_spread(samples, every, _model, band, _settings, turnout)


@st.cache_data(show_spinner=i18n.SPINNER, max_entries=8)
def demand(start: dt.date, end: dt.date, incident_types: tuple, hours: tuple, population_csv: bytes | None,
           version: tuple) -> tuple[pl.DataFrame, int, float]:
    """The demand grid; with the cells and people of an uploaded grid that lie off the city's land."""
    points = data.run("coverage/incident_points", start_date=start, end_date=end,
                      incident_types=list(incident_types), hour_from=hours[0], hour_to=hours[1])
    cells = coverage.land_cells()
    population = (coverage.read_population_grid(io.BytesIO(population_csv)) if population_csv
                  else coverage.census_population(cells))
    grid = coverage.demand_grid(cells, population, coverage.incident_counts(points))
    off_land = grid.filter(pl.col("land_km2") == 0)
    return grid, points.height, float(off_land["population"].sum())


@st.cache_data(show_spinner=i18n.SPINNER, max_entries=8)
def coverage_by_month(inputs: tuple, as_of: dt.date, band: str, _grid: pl.DataFrame, _stations: pl.DataFrame,
                      _model: pl.DataFrame, _spread: coverage.Spread, _settings: Coverage) -> pl.DataFrame:
    """The trend: coverage at each month's end by every station then in service, once per `inputs`
    (all that makes the grid, the stations, the model and the spread: the period, the incident
    filter, the population source, the districts, the station types, the settings and the data
    version), date and band."""
    every_site = coverage.reach(_stations, _model, band, _settings, _stations["city_turnout_p50_s"][0])
    first_opened = _stations["opened_on"].min()
    return coverage.coverage_trend(_grid, every_site, coverage.month_ends(min(first_opened, as_of), as_of), _spread,
                                   _settings.target_s)


@st.cache_data(show_spinner=i18n.SPINNER, max_entries=8)
def model_check(inputs: tuple, as_of: dt.date, band: str, _points: pl.DataFrame, _sites: pl.DataFrame,
                _spread: coverage.Spread, target_s: float) -> dict[str, pl.DataFrame]:
    """The model against the period's measured arrivals, for the stations as they are, once per
    `inputs`, date and band."""
    return coverage.reconcile(_points, _sites, _spread, target_s)


@st.cache_data(show_spinner=i18n.SPINNER, max_entries=8)
def stations_now(inputs: tuple, as_of: dt.date, band: str, _grid: pl.DataFrame, _live: pl.DataFrame,
                 _model: pl.DataFrame, _spread: coverage.Spread, _settings: Coverage, city_turnout: float | None
                 ) -> tuple[pl.DataFrame, np.ndarray, np.ndarray]:
    """The stations in service as they are (`coverage.situation`), once per `inputs`, date and band."""
    return coverage.situation(_live, _grid, _model, band, _settings, city_turnout, _spread)


@st.cache_data(show_spinner=i18n.SPINNER, max_entries=8)
def cells_reach(inputs: tuple, as_of: dt.date, band: str, _grid: pl.DataFrame, _candidates: pl.DataFrame
                ) -> tuple[np.ndarray, np.ndarray]:
    """The grid cells each candidate cell would reach, once per `inputs` (which hold the districts
    the candidates are chosen in), date and band."""
    return coverage.candidate_reach(_grid, _candidates)


def stations_of(station_types: tuple[str, ...]) -> pl.DataFrame:
    """Every station with a position of those types (all: none given), with its median turnout over
    the travel-time model's days (the settings' period, ending at the data's as-of date)."""
    data_as_of = data.data_range().as_of
    return data.run("coverage/stations", start_date=data_as_of - dt.timedelta(days=coverage_settings().period_days - 1),
                    end_date=data_as_of, station_types=list(station_types))


def network(*, start: dt.date, end: dt.date, incident_types: tuple[str, ...], hours: tuple[int, int],
            districts: tuple[str, ...], station_types: tuple[str, ...], as_of: dt.date, band: str,
            population_csv: bytes | None = None) -> Network:
    """The network as it is for a view of the page: the period and incident filter (`start`–`end`,
    `incident_types`, the call `hours`), the districts and station types, the date the stations are
    taken on (`as_of`) and the distance band. `population_csv`, an uploaded population grid, replaces
    the census (coverage.read_population_grid). Use `network_shown` for the views people open
    without one: it is this, remembered and computed again after each load."""
    settings = coverage_settings()
    version = file_version(data.warehouse())
    data_as_of = data.data_range().as_of
    model_start = data_as_of - dt.timedelta(days=settings.period_days - 1)
    stations = stations_of(station_types)
    grid, incident_count, off_land_population = demand(start, end, incident_types, hours, population_csv, version)
    model = travel_model(model_start, data_as_of, repr(settings), version, _settings=settings)
    city_turnout = stations["city_turnout_p50_s"][0] if stations.height else None
    spread = arrival_spread(model_start, data_as_of, band, repr(settings), version, _settings=settings, _model=model)
    # all that makes the grid, the stations as they are, the model and the spread: what the trend, the
    # model check and the candidate cells' reach are kept by
    inputs = (start, end, incident_types, hours, population_csv, districts, station_types, repr(settings), version)
    scope = grid["district"].is_in(list(districts)).to_numpy() if districts else np.ones(grid.height, dtype=bool)
    scope_grid = grid.filter(pl.Series(scope))
    live = coverage.in_service(stations, as_of)
    sites, counts, chance = stations_now(inputs, as_of, band, _grid=grid, _live=live, _model=model, _spread=spread,
                                         _settings=settings, city_turnout=city_turnout)
    trend = coverage_by_month(inputs, as_of, band, _grid=scope_grid, _stations=stations, _model=model,
                              _spread=spread, _settings=settings) if stations.height else pl.DataFrame()
    points = data.run("coverage/incident_points", start_date=start, end_date=end, districts=list(districts),
                      incident_types=list(incident_types), hour_from=hours[0], hour_to=hours[1])
    checked = model_check(inputs, as_of, band, _points=points, _sites=sites, _spread=spread,
                          target_s=settings.target_s)
    candidates = coverage.reach(coverage.candidate_cells(grid, districts), model, band, settings, city_turnout)
    reached = cells_reach(inputs, as_of, band, _grid=grid, _candidates=candidates)
    return Network(
        settings=settings, model_start=model_start, stations=stations, live=live, city_turnout=city_turnout,
        grid=grid, incident_count=incident_count, off_land_population=off_land_population, model=model,
        spread=spread, scope=scope, scope_grid=scope_grid, sites=sites, counts=counts, chance=chance,
        kpis=coverage.coverage_kpis(scope_grid, counts[scope], chance[scope]), trend=trend, checked=checked,
        candidates=candidates, reached=reached)


def default_view() -> dict:
    """The view the page opens on: the default period, every incident type and hour, the whole city,
    every station type, the stations as on the period's last day, the first distance band."""
    shown = filters.default(data.data_range())
    return {"start": shown.start, "end": shown.end, "incident_types": (), "hours": ALL_DAY, "districts": (),
            "station_types": (), "as_of": shown.end, "band": coverage_settings().band_names[0]}


# a view without an uploaded grid: remembered, and its four most recent computed ahead (the pieces'
# caches keep eight views each); the default view computed when a served dashboard starts
network_shown = data.computed_ahead(most=4, default=default_view)(network)
