"""The 5-minute rescue circle (5分钟救援圈): where the stations reach, where they do not, where to build next.

Demand sits on an H3 grid at resolution 9 (cells about 0.105 km², 350 m across).
Resolution 8, which the warehouse keeps for incidents, has cells about 0.9 km
across: as wide as a station's whole 5-minute radius on measured data (about
1.1 km), so judging a cell by its centre would misplace the circle's edge by up
to half a kilometre; resolution 9 keeps that error under 200 m, and the city's
21,000 land cells still recompute in milliseconds. A cell is covered by a
station when the cell's centre lies within the station's reach radius; every
resident and every past incident in the cell counts as covered.

Reach: a station's own typical turnout plus the fitted travel time must be
within the target (emss/response_rules.toml; the reach model in emss/coverage.toml). Travel time is fitted on the responses'
own departed -> arrived times against straight-line distance, per district and
time-of-day band where enough responses support it.

Everything here is frames in, frames out (Polars) with numpy inside: no
Streamlit, no warehouse access. The inputs come from the named queries
`coverage/stations`, `coverage/travel_samples`, `coverage/arrival_samples` and `coverage/incident_points`.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import h3
import numpy as np
import polars as pl
import polars_h3 as plh3

from emss.settings import ALL_HOURS, OTHER_HOURS, Coverage
from emss import messages, profiles
from emss.geo import EARTH_RADIUS_M, area_km2, haversine_m, load_districts, locate_district

RESOLUTION = 9
MAX_REACH_M = 15_000  # no site is measured against places farther than this
SPOT_RESOLUTION = 8  # hot spots gather uncovered cells by their resolution-8 parent (about 0.74 km²)


# ---- settings: emss.settings.Coverage (emss/coverage.toml) ---------------------------------

def band_of_hour(hours, settings: Coverage) -> np.ndarray:
    """The time-of-day band of each hour (0-23): a configured band, else 'day'."""
    hours = np.asarray(hours)
    out = np.full(hours.shape, OTHER_HOURS, dtype=object)
    for name, members in settings.bands:
        out[np.isin(hours, members)] = name
    return out


# ---- demand on the grid --------------------------------------------------------------

def land_cells(resolution: int = RESOLUTION) -> pl.DataFrame:
    """Every H3 cell whose centre lies inside one of the city's district boundaries (its profile's).

    Columns: h3, lat, lon (the cell centre, WGS-84), district, area_km2.
    """
    return _land_cells(resolution, profiles.current().fingerprint)


@lru_cache(maxsize=2)
def _land_cells(resolution: int, city: str) -> pl.DataFrame:
    rows: list[tuple[str, str]] = []
    for code, district in load_districts().items():
        rows.extend((cell, code) for cell in h3.geo_to_cells(district.geometry, resolution))
    rows.sort()
    cells = [r[0] for r in rows]
    centres = np.array([h3.cell_to_latlng(c) for c in cells]).reshape(-1, 2)
    return pl.DataFrame({
        "h3": cells,
        "lat": centres[:, 0],
        "lon": centres[:, 1],
        "district": [r[1] for r in rows],
        "area_km2": [h3.cell_area(c, unit="km^2") for c in cells],
    })


def census_population(cells: pl.DataFrame, population: dict[str, int] | None = None) -> pl.DataFrame:
    """District census population spread evenly over the district's land cells (by area).

    `population` defaults to the city profile's; a district the profile gives none gets the mean
    density of those it does (none at all: 0). Columns: h3, population.
    """
    if population is None:
        districts = load_districts()
        known = [d for d in districts.values() if d.population is not None]
        density = (sum(d.population for d in known) / sum(area_km2(d.geometry) for d in known)) if known else 0.0
        population = {code: d.population if d.population is not None else round(density * area_km2(d.geometry))
                      for code, d in districts.items()}
    per_district = cells.group_by("district").agg(pl.col("area_km2").sum().alias("district_km2"))
    return (
        cells.join(per_district, on="district")
        .with_columns(
            (pl.col("district").replace_strict(population, default=0, return_dtype=pl.Float64)
             * pl.col("area_km2") / pl.col("district_km2")).alias("population")
        )
        .select("h3", "population")
    )


def _uploaded_table(source) -> pl.DataFrame:
    """A CSV a person uploads, every column as text: UTF-8 (with or without a BOM) or GB18030, as
    Excel and WPS save CSV on a Chinese computer. A ValueError says, in both languages, what is wrong."""
    raw = source.read() if hasattr(source, "read") else Path(source).read_bytes()
    if isinstance(raw, bytes):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                raw = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ValueError(messages.both("upload_not_text"))
    try:
        return pl.read_csv(io.StringIO(raw), infer_schema_length=0)
    except pl.exceptions.PolarsError as error:
        raise ValueError(messages.both("upload_not_csv")) from error


def _shown_value(value: object) -> str:
    """A cell of an uploaded file as an error message quotes it: short, and never taken for markup."""
    text = "" if value is None else str(value)
    return repr(text if len(text) <= 40 else text[:40] + "…")


def read_population_grid(source) -> pl.DataFrame:
    """A population grid the user supplies: a CSV with an H3 cell column and a population column.

    Headers `h3,population` (or `h3_cell`/`cell`/`格网`, `人口`/`pop`); cells of any
    resolution: coarser cells are shared evenly among their resolution-9 children,
    finer cells are added to their resolution-9 parent. Returns h3, population.
    """
    frame = _uploaded_table(source)
    names = {c.strip().lower(): c for c in frame.columns}
    cell_col = next((names[k] for k in ("h3", "h3_cell", "cell", "格网", "h3编码") if k in names), None)
    pop_col = next((names[k] for k in ("population", "pop", "人口", "人口数") if k in names), None)
    if cell_col is None or pop_col is None:
        raise ValueError(messages.both("population_grid_columns"))
    cells, pops = [], []
    for line, (cell, pop) in enumerate(zip(frame[cell_col].to_list(), frame[pop_col].to_list()), start=2):
        cell = (cell or "").strip()
        if not cell or not h3.is_valid_cell(cell):
            raise ValueError(messages.both("population_grid_cell", line=line, value=_shown_value(cell)))
        try:
            value = float((pop or "0").replace(",", ""))
        except ValueError:
            value = float("nan")
        if not np.isfinite(value) or value < 0:
            raise ValueError(messages.both("population_grid_number", line=line, value=_shown_value(pop)))
        res = h3.get_resolution(cell)
        if res < RESOLUTION:
            children = h3.cell_to_children(cell, RESOLUTION)
            cells.extend(children)
            pops.extend([value / len(children)] * len(children))
        else:
            cells.append(h3.cell_to_parent(cell, RESOLUTION) if res > RESOLUTION else cell)
            pops.append(value)
    return (pl.DataFrame({"h3": cells, "population": pops}, schema={"h3": pl.String, "population": pl.Float64})
            .group_by("h3").agg(pl.col("population").sum()).sort("h3"))


def incident_counts(points: pl.DataFrame, resolution: int = RESOLUTION) -> pl.DataFrame:
    """Incidents per H3 cell from positions (rows of coverage/incident_points).

    Columns: h3, incidents, district (the district most of the cell's incidents were recorded in).
    """
    if points.height == 0:
        return pl.DataFrame(schema={"h3": pl.String, "incidents": pl.Int64, "district": pl.String})
    return (
        # vectorised: a Python call per point took 0.9 s for a period of 385,000 incidents
        points.select(plh3.latlng_to_cell("lat", "lon", resolution, return_dtype=pl.Utf8).alias("h3"), pl.col("district"))
        .group_by("h3")
        .agg(pl.len().cast(pl.Int64).alias("incidents"), pl.col("district").drop_nulls().mode().first())
        .sort("h3")
    )


def demand_grid(cells: pl.DataFrame, population: pl.DataFrame | None, incidents: pl.DataFrame | None) -> pl.DataFrame:
    """Land cells with their population and past incidents, plus any off-land cell that holds demand.

    Columns: h3, lat, lon, district, land_km2 (0 off land), population, incidents, spot
    (the resolution-8 parent, which gathers neighbouring cells into a hot spot).
    Off-land cells (a pier, a cell whose centre is at sea) take the district of their
    incidents, else the one their centre lies in.
    """
    grid = cells.select("h3", "lat", "lon", "district", pl.col("area_km2").alias("land_km2"))
    demand = [f for f in (population, incidents) if f is not None and f.height]
    extra = set()
    for f in demand:
        extra |= set(f["h3"].to_list())
    extra -= set(grid["h3"].to_list())
    if extra:
        extra_cells = sorted(extra)
        centres = np.array([h3.cell_to_latlng(c) for c in extra_cells]).reshape(-1, 2)
        own = dict(zip(incidents["h3"].to_list(), incidents["district"].to_list())) if incidents is not None else {}
        located = locate_district(centres[:, 1], centres[:, 0])
        grid = pl.concat([grid, pl.DataFrame({
            "h3": extra_cells, "lat": centres[:, 0], "lon": centres[:, 1],
            "district": [own.get(c) or (d or None) for c, d in zip(extra_cells, located)],
            "land_km2": np.zeros(len(extra_cells)),
        })])
    pop = population if population is not None else pl.DataFrame(schema={"h3": pl.String, "population": pl.Float64})
    inc = incidents if incidents is not None else pl.DataFrame(schema={"h3": pl.String, "incidents": pl.Int64})
    return (
        grid.join(pop.select("h3", pl.col("population").cast(pl.Float64)), on="h3", how="left")
        .join(inc.select("h3", pl.col("incidents").cast(pl.Int64)), on="h3", how="left")
        .with_columns(pl.col("population").fill_null(0.0), pl.col("incidents").fill_null(0),
                      pl.col("h3").map_elements(lambda c: h3.cell_to_parent(c, SPOT_RESOLUTION),
                                                return_dtype=pl.String).alias("spot"))
    )


# ---- travel-time model ---------------------------------------------------------------

@dataclass(frozen=True)
class TravelFit:
    """travel_s = intercept_s + distance_m / speed_ms, at one quantile of travel times."""
    intercept_s: float
    speed_ms: float
    n: int
    median_abs_error_s: float
    r1: float  # Koenker-Machado pseudo-R²: 1 - (check loss of the fit) / (check loss of a constant)


def _check_loss(residual: np.ndarray, q: float) -> float:
    return float(np.sum(residual * (q - (residual < 0))))


def fit_travel(distance_m, travel_s, quantile: float = 0.5, iterations: int = 200) -> TravelFit:
    """Quantile regression of travel time on straight-line distance.

    Solved by iteratively reweighted least squares on the check loss, so a long
    tail of delayed responses (address hard to find, crew held up) moves the
    line no more than its share of rows. Needs at least two distinct distances.
    """
    x = np.asarray(distance_m, dtype=float)
    y = np.asarray(travel_s, dtype=float)
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    if len(x) < 2 or np.ptp(x) == 0:
        raise ValueError("a travel fit needs at least two responses at different distances")
    # start from least squares, then reweight: each step solves the 2x2 weighted normal equations
    slope = np.cov(x, y, bias=True)[0, 1] / np.var(x)
    intercept = y.mean() - slope * x.mean()
    eps = 1e-3
    for _ in range(iterations):
        r = y - intercept - slope * x
        w = np.where(r >= 0, quantile, 1 - quantile) / np.maximum(np.abs(r), eps)
        wx = w * x  # the weighted sums as dot products: no array made for each of them
        sw, swx, swy = w.sum(), wx.sum(), w @ y
        swxx, swxy = wx @ x, wx @ y
        det = sw * swxx - swx * swx
        new_slope = (sw * swxy - swx * swy) / det
        new_intercept = (swy - new_slope * swx) / sw
        # a speed good to 1 in 100,000 is far finer than the data can say
        done = abs(new_slope - slope) <= 1e-5 * abs(slope) and abs(new_intercept - intercept) <= 1e-3
        intercept, slope = new_intercept, new_slope
        if done:
            break
    residual = y - intercept - slope * x
    constant = np.quantile(y, quantile)
    base = _check_loss(y - constant, quantile)
    r1 = 1 - _check_loss(residual, quantile) / base if base > 0 else 0.0
    return TravelFit(
        intercept_s=float(intercept),
        speed_ms=float(1 / slope) if slope > 0 else float("nan"),
        n=int(len(x)),
        median_abs_error_s=float(np.median(np.abs(residual))),
        r1=float(r1),
    )


def travel_distances(samples: pl.DataFrame) -> pl.DataFrame:
    """Adds distance_m (haversine, station to incident) and band to rows of coverage/travel_samples."""
    d = haversine_m(samples["station_lon"].to_numpy(), samples["station_lat"].to_numpy(),
                    samples["lon"].to_numpy(), samples["lat"].to_numpy())
    return samples.with_columns(pl.Series("distance_m", np.atleast_1d(d), dtype=pl.Float64))


def _plausible(fit: TravelFit) -> bool:
    # a slope of zero or less, or a car faster than 150 km/h in a city, is no model of travel
    return np.isfinite(fit.speed_ms) and 0 < fit.speed_ms < 150 / 3.6 and np.isfinite(fit.intercept_s)


def calibrate(samples: pl.DataFrame, settings: Coverage) -> pl.DataFrame:
    """The travel model for every district and time band, each from the best data that supports it.

    `samples`: rows of coverage/travel_samples, less the incident types that are not road travel
    (`off_road_types`: forest fires). Each (district, band) gets its own fit
    when it has `min_responses` responses and the fit is plausible, else the city-wide
    fit for the band, else the configured fallback. Columns: district (null = city-wide),
    band, source ('district' | 'city' | 'default'), n, intercept_s, speed_ms, speed_kmh,
    median_abs_error_s, r1. `n` and the fit figures describe the model used.
    """
    samples = travel_distances(samples).filter(pl.col("distance_m") <= settings.max_distance_m)
    if "incident_type" in samples.columns and settings.off_road_types:
        samples = samples.filter(~pl.col("incident_type").is_in(list(settings.off_road_types)))
    band = band_of_hour(samples["depart_hour"].to_numpy(), settings)
    dist = samples["distance_m"].to_numpy()
    travel = samples["travel_s"].to_numpy().astype(float)
    district = np.asarray(samples["station_district"].to_list(), dtype=object)

    def fit_where(mask: np.ndarray) -> TravelFit | None:
        if mask.sum() < settings.min_responses:
            return None
        try:
            fit = fit_travel(dist[mask], travel[mask], settings.quantile)
        except ValueError:
            return None
        return fit if _plausible(fit) else None

    rows = []
    for b in settings.band_names:
        in_band = np.ones(len(dist), dtype=bool) if b == ALL_HOURS else band == b
        city = fit_where(in_band)
        if city is not None:
            city_row = {"source": "city", **city.__dict__}
        else:
            city_row = {"source": "default", "intercept_s": settings.fallback_intercept_s,
                        "speed_ms": settings.fallback_speed_ms(b), "n": int(in_band.sum()),
                        "median_abs_error_s": None, "r1": None}
        rows.append({"district": None, "band": b, **city_row})
        for code in profiles.current().districts:
            own = fit_where(in_band & (district == code))
            rows.append({"district": code, "band": b,
                         **({"source": "district", **own.__dict__} if own is not None else city_row)})
    return (
        pl.DataFrame(rows, schema={"district": pl.String, "band": pl.String, "source": pl.String, "n": pl.Int64,
                                   "intercept_s": pl.Float64, "speed_ms": pl.Float64,
                                   "median_abs_error_s": pl.Float64, "r1": pl.Float64})
        .with_columns((pl.col("speed_ms") * 3.6).alias("speed_kmh"))
        .select("district", "band", "source", "n", "intercept_s", "speed_ms", "speed_kmh", "median_abs_error_s", "r1")
    )


def reach(sites: pl.DataFrame, calibration: pl.DataFrame, band: str, settings: Coverage,
          city_turnout_s: float | None) -> pl.DataFrame:
    """Each site's reach radius: how far it gets within the target after its turnout.

    `sites` needs district, lat, lon, and turnout_p50_s / turnout_n (the station's own
    median turnout and how many it is measured on; null for a site not yet built).
    Adds turnout_s (the one used), travel_budget_s, intercept_s, speed_ms and radius_m:
    radius = (target - turnout - intercept) x speed, never below zero.
    """
    turnout_fallback = city_turnout_s if city_turnout_s is not None else settings.fallback_turnout_s
    model = calibration.filter(pl.col("band") == band)
    city = model.filter(pl.col("district").is_null()).row(0, named=True)
    own = model.filter(pl.col("district").is_not_null()).select("district", "intercept_s", "speed_ms")
    for col in ("turnout_p50_s", "turnout_n"):
        if col not in sites.columns:
            sites = sites.with_columns(pl.lit(None, dtype=pl.Float64).alias(col))
    has_own_turnout = ((pl.col("turnout_n").fill_null(0) >= settings.min_station_responses)
                       & pl.col("turnout_p50_s").is_not_null())
    derived = ("turnout_s", "travel_budget_s", "intercept_s", "speed_ms", "radius_m")
    return (
        sites.drop([c for c in derived if c in sites.columns])
        .join(own, on="district", how="left")
        .with_columns(
            pl.col("intercept_s").fill_null(city["intercept_s"]),
            pl.col("speed_ms").fill_null(city["speed_ms"]),
            pl.when(has_own_turnout).then(pl.col("turnout_p50_s")).otherwise(turnout_fallback)
            .cast(pl.Float64).alias("turnout_s"),
        )
        .with_columns((settings.target_s - pl.col("turnout_s")).alias("travel_budget_s"))
        .with_columns(((pl.col("travel_budget_s") - pl.col("intercept_s")).clip(lower_bound=0)
                       * pl.col("speed_ms")).alias("radius_m"))
    )


def arrival_s(site: dict, distance_m) -> np.ndarray:
    """Estimated time on scene (turnout + travel) from one reached site at the given distances."""
    return site["turnout_s"] + site["intercept_s"] + np.asarray(distance_m, dtype=float) / site["speed_ms"]


# ---- the spread of real arrivals around the model -------------------------------------

@dataclass(frozen=True)
class Spread:
    """How measured response times (clock start to first arrival) spread around the model's earliest
    arrival, for one time band: the sorted residuals, measured minus modelled seconds, of each district
    that has enough incidents, and of the whole city (key None).

    The reach model is a median turnout plus a median travel time: half the incidents at the circle's
    edge arrive late, and call handling, delays and a busy nearest station come on top. The residuals
    carry all of that, so `chance` turns a modelled arrival into the share of such incidents that
    were reached within the target, as measured."""
    band: str
    residuals: dict[str | None, np.ndarray]
    source: dict[str | None, str]  # 'district' | 'city' | 'default' (no sample at all: the bare circle)

    def of(self, district: str | None) -> np.ndarray:
        return self.residuals.get(district, self.residuals[None])

    def chance(self, districts, arrival_s, target_s: float) -> np.ndarray:
        """For each place (its district, its modelled earliest arrival in seconds, inf where no site
        reaches): the chance of an arrival within target_s."""
        arrival = np.asarray(arrival_s, dtype=float)
        places = pl.Series("district", districts, dtype=pl.String).to_frame().with_row_index("i")
        out = np.zeros(len(arrival))
        for code, here in places.group_by("district").agg("i").iter_rows():
            here = np.asarray(here)
            r = self.of(code)
            out[here] = np.searchsorted(r, target_s - arrival[here], side="right") / len(r)
        return np.where(np.isfinite(arrival), out, 0.0)

    def floor_s(self) -> float:
        """The earliest any residual runs ahead of the model (negative: faster than modelled), past the
        fastest 0.1 %: a site farther than its target plus this cannot reach in time."""
        return float(min(np.quantile(r, 0.001) for r in self.residuals.values()))

    def table(self) -> pl.DataFrame:
        """One row for the city (district null), then one per district: the spread it uses, where that
        comes from, how many incidents it rests on, and its residuals' P10/P50/P90 in seconds."""
        rows = []
        for code in (None, *profiles.current().districts):
            r, source = self.of(code), self.source.get(code, "city")
            rows.append({"district": code, "source": source, "n": 0 if source == "default" else len(r),
                         **{f"p{q}_s": float(np.quantile(r, q / 100)) for q in (10, 50, 90)}})
        return pl.DataFrame(rows, schema={"district": pl.String, "source": pl.String, "n": pl.Int64,
                                          "p10_s": pl.Float64, "p50_s": pl.Float64, "p90_s": pl.Float64})


def earliest_arrival_s(lon, lat, sites: pl.DataFrame, on=None, chunk: int = 1024) -> tuple[np.ndarray, np.ndarray]:
    """For each point: the earliest modelled arrival (turnout + travel, `reach`'s model) from any site,
    and the distance to the nearest site (metres); inf where there is none. With `on` (a date per
    point), only the sites in service that day count (sites need opened_on and closed_on).

    The sites are picked on the flat projection `pairs_within` buckets with (good to well under 1 %
    across a city), then their distances are measured on the sphere as everywhere else. Many points
    (a period's incidents at 10 M) are picked tile by tile among the sites that could win there
    (`_candidates`), with the same result as measuring every site."""
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    best = np.full(len(lon), np.inf)
    distance = np.full(len(lon), np.inf)
    if sites.height == 0 or len(lon) == 0:
        return best, distance
    s_lon, s_lat = sites["lon"].to_numpy().astype(float), sites["lat"].to_numpy().astype(float)
    fixed = (sites["turnout_s"] + sites["intercept_s"]).to_numpy().astype(float)
    speed = sites["speed_ms"].to_numpy().astype(float)
    lat0 = float(np.nanmean(lat))
    x, y = _project(lon, lat, lat0)
    s_x, s_y = _project(s_lon, s_lat, lat0)
    # single precision for the pick: a metre in 10 km, and half the time of double
    px, py, sx, sy = (v.astype(np.float32) for v in (x, y, s_x, s_y))
    fixed32, pace32 = fixed.astype(np.float32), (1 / speed).astype(np.float32)
    if on is None:
        day_of = np.zeros(len(lon), dtype=np.int64)
        live = np.ones((1, sites.height), dtype=bool)  # [day, site]: in service
    else:
        days, day_of = np.unique(np.asarray(on, dtype="datetime64[D]"), return_inverse=True)
        opened = sites["opened_on"].to_numpy().astype("datetime64[D]")[None]
        closed = sites["closed_on"].to_numpy().astype("datetime64[D]")[None]
        live = (np.isnat(opened) | (opened <= days[:, None])) & (np.isnat(closed) | (days[:, None] < closed))

    def pick(part: np.ndarray, among: np.ndarray) -> None:
        serving = live[day_of[part]][:, among]
        flat = np.hypot(px[part, None] - sx[None, among], py[part, None] - sy[None, among])
        found = serving.any(axis=1)
        part, serving, flat = part[found], serving[found], flat[found]
        chosen = among[np.where(serving, fixed32[None, among] + flat * pace32[None, among], np.inf).argmin(axis=1)]
        best[part] = fixed[chosen] + haversine_m(s_lon[chosen], s_lat[chosen], lon[part], lat[part]) / speed[chosen]
        near = among[np.where(serving, flat, np.inf).argmin(axis=1)]
        distance[part] = haversine_m(s_lon[near], s_lat[near], lon[part], lat[part])

    usable = np.flatnonzero(live.any(axis=0))
    if len(lon) * len(usable) <= _TILED_ABOVE:
        for start in range(0, len(lon), chunk):
            pick(np.arange(start, min(start + chunk, len(lon))), usable)
    else:
        for part, among in _candidates(x, y, s_x[usable], s_y[usable], fixed[usable], 1 / speed[usable],
                                       live[:, usable].all(axis=0)):
            pick(part, usable[among])
    return best, distance


_TILED_ABOVE = 4_000_000  # point x site pairs: below this, measuring every pair is as quick
_TILE_M = 2000.0  # measured on a period of 385,000 incidents and 1,000 stations: 1 km 0.97 s, 2 km 0.60 s, 5 km 0.98 s
# what the single-precision pick may differ by from these double-precision bounds: a few metres, well
# under a second; a site is left out only when it is farther than this beyond the bound
_SLACK_M, _SLACK_S = 10.0, 5.0


def _candidates(x, y, s_x, s_y, fixed, pace, always):
    """(points, sites) index pairs: the points of each square tile, with the sites that could be the
    earliest or the nearest for some point in it. A site is left out when even its best case (its
    fixed time plus its pace over its distance to the tile's nearest edge) comes after the worst case
    of a site in service on every point's day (`always`; over its distance to the tile's farthest
    corner); likewise for the nearest."""
    tx, ty = np.floor((x - x.min()) / _TILE_M), np.floor((y - y.min()) / _TILE_M)
    key = tx * (ty.max() + 1) + ty
    order = np.argsort(key, kind="stable")
    tiles, starts = np.unique(key[order], return_index=True)
    ends = np.append(starts[1:], len(order))
    first = order[starts]
    left, bottom = x.min() + tx[first] * _TILE_M, y.min() + ty[first] * _TILE_M
    for lo in range(0, len(tiles), 256):
        sl = slice(lo, lo + 256)
        x0, y0 = left[sl, None], bottom[sl, None]
        x1, y1 = x0 + _TILE_M, y0 + _TILE_M
        near_x = np.maximum(np.maximum(x0 - s_x[None], s_x[None] - x1), 0)
        near_y = np.maximum(np.maximum(y0 - s_y[None], s_y[None] - y1), 0)
        closest = np.hypot(near_x, near_y)
        farthest = np.hypot(np.maximum(np.abs(s_x[None] - x0), np.abs(s_x[None] - x1)),
                            np.maximum(np.abs(s_y[None] - y0), np.abs(s_y[None] - y1)))
        soonest = fixed[None] + closest * pace[None]
        latest = np.where(always[None], fixed[None] + farthest * pace[None], np.inf).min(axis=1, keepdims=True)
        farthest_nearest = np.where(always[None], farthest, np.inf).min(axis=1, keepdims=True)
        could = (soonest <= latest + _SLACK_S) | (closest <= farthest_nearest + _SLACK_M)
        for i, row in enumerate(could, start=lo):
            yield order[starts[i]:ends[i]], np.flatnonzero(row)


def arrival_spread(samples: pl.DataFrame, stations: pl.DataFrame, calibration: pl.DataFrame, band: str,
                   settings: Coverage, city_turnout_s: float | None) -> Spread:
    """The spread of measured arrivals around the model, from rows of coverage/arrival_samples.

    `stations`: every station of coverage/stations (opened_on, closed_on): each incident is set against
    the stations in service on its call date. A band other than 'all' keeps the incidents called in its
    hours and models them with the band's travel fit. A district with `min_responses` incidents gets its
    own spread, the others the city's; with no incident at all the spread is a single zero (the circle)."""
    if band != ALL_HOURS and samples.height:
        samples = samples.filter(pl.Series(band_of_hour(samples["call_hour"].to_numpy(), settings) == band))
    sites = reach(stations, calibration, band, settings, city_turnout_s)
    arrival, _ = earliest_arrival_s(samples["lon"], samples["lat"], sites, on=samples["call_date"])
    residual = samples["response_s"].to_numpy().astype(float) - arrival
    ok = np.isfinite(residual)
    residual, district = residual[ok], np.asarray(samples["district"].to_list(), dtype=object)[ok]
    if len(residual) == 0:
        return Spread(band, {None: np.zeros(1)}, {None: "default"})
    residuals: dict[str | None, np.ndarray] = {None: np.sort(residual)}
    source: dict[str | None, str] = {None: "city"}
    for code in profiles.current().districts:
        own = residual[district == code]
        if len(own) >= settings.min_responses:
            residuals[code], source[code] = np.sort(own), "district"
    return Spread(band, residuals, source)


def arrival_pairs(lon, lat, sites: pl.DataFrame, spread: Spread, target_s: float
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(point, site, modelled arrival in seconds) for every site near enough to matter to a point: one
    whose turnout, travel and the spread's fastest residual already run past the target cannot be the
    one that arrives in time, so it is never measured (sites as `reach` returns them)."""
    if sites.height == 0 or len(lon) == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0)
    fixed = (sites["turnout_s"] + sites["intercept_s"]).to_numpy().astype(float)
    speed = sites["speed_ms"].to_numpy().astype(float)
    radius = np.clip((target_s - spread.floor_s() - fixed) * speed, 0, MAX_REACH_M)
    point, site, d = pairs_within(lon, lat, sites["lon"].to_numpy(), sites["lat"].to_numpy(), radius)
    return point, site, fixed[site] + d / speed[site]


def reach_chance(lon, lat, districts, sites: pl.DataFrame, spread: Spread, target_s: float) -> np.ndarray:
    """Each point's chance of an arrival within target_s from the sites (sites as `reach` returns them)."""
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    point, _, arrival = arrival_pairs(lon, lat, sites, spread, target_s)
    earliest = np.full(len(lon), np.inf)
    np.minimum.at(earliest, point, arrival)
    return spread.chance(districts, earliest, target_s)


# ---- cover ---------------------------------------------------------------------------

def _project(lon: np.ndarray, lat: np.ndarray, lat0: float) -> tuple[np.ndarray, np.ndarray]:
    # Equirectangular around the middle latitude: used only to bucket, distances are haversine.
    x = np.radians(lon) * EARTH_RADIUS_M * np.cos(np.radians(lat0))
    y = np.radians(lat) * EARTH_RADIUS_M
    return x, y


def pairs_within(point_lon, point_lat, centre_lon, centre_lat, radius_m) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every (point, centre) pair with the point within the centre's radius (haversine metres).

    Points and centres are dropped into square buckets as wide as the largest radius,
    so each centre only measures the points of its own and the eight neighbouring
    buckets: work grows with the pairs found, not with points x centres.
    Returns (point index, centre index, distance in metres).
    """
    p_lon, p_lat = np.asarray(point_lon, dtype=float), np.asarray(point_lat, dtype=float)
    c_lon, c_lat = np.asarray(centre_lon, dtype=float), np.asarray(centre_lat, dtype=float)
    radius = np.broadcast_to(np.asarray(radius_m, dtype=float), c_lon.shape)
    empty = (np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0))
    live = np.flatnonzero((radius > 0) & np.isfinite(radius) & np.isfinite(c_lon) & np.isfinite(c_lat))
    if len(p_lon) == 0 or len(live) == 0:
        return empty
    lat0 = float(np.nanmean(p_lat))
    # the projection stretches east-west distances by well under 1 % across a city
    size = float(radius[live].max()) * 1.02
    px, py = _project(p_lon, p_lat, lat0)
    cx, cy = _project(c_lon[live], c_lat[live], lat0)
    x0, y0 = min(np.nanmin(px), cx.min()), min(np.nanmin(py), cy.min())
    pbx, pby = np.floor((px - x0) / size).astype(np.int64), np.floor((py - y0) / size).astype(np.int64)
    cbx, cby = np.floor((cx - x0) / size).astype(np.int64), np.floor((cy - y0) / size).astype(np.int64)
    width = int(max(pby.max(initial=0), cby.max())) + 3
    point_key = pbx * width + pby
    order = np.argsort(point_key, kind="stable")
    sorted_key = point_key[order]

    lo_parts, hi_parts, owner_parts = [], [], []
    for dx in (-1, 0, 1):
        for dy in (-1, 0, 1):
            key = (cbx + dx) * width + (cby + dy)
            lo_parts.append(np.searchsorted(sorted_key, key, "left"))
            hi_parts.append(np.searchsorted(sorted_key, key, "right"))
            owner_parts.append(live)
    lo, hi, owner = np.concatenate(lo_parts), np.concatenate(hi_parts), np.concatenate(owner_parts)
    count = hi - lo
    total = int(count.sum())
    if total == 0:
        return empty
    centre_idx = np.repeat(owner, count)
    # positions lo..hi-1 of each range, laid end to end
    offsets = np.repeat(lo - np.concatenate([[0], np.cumsum(count)[:-1]]), count)
    point_idx = order[offsets + np.arange(total)]
    # a cheap planar test first (the projection is good to well under 1 % here), then haversine on the few left
    cx_all, cy_all = np.empty(len(c_lon)), np.empty(len(c_lon))
    cx_all[live], cy_all[live] = cx, cy
    near = ((px[point_idx] - cx_all[centre_idx]) ** 2 + (py[point_idx] - cy_all[centre_idx]) ** 2
            <= (radius[centre_idx] * 1.02) ** 2)
    point_idx, centre_idx = point_idx[near], centre_idx[near]
    d = np.atleast_1d(haversine_m(c_lon[centre_idx], c_lat[centre_idx], p_lon[point_idx], p_lat[point_idx]))
    keep = d <= radius[centre_idx]
    return point_idx[keep], centre_idx[keep], d[keep]


# ---- the model against what was measured ---------------------------------------------

DISTANCE_BANDS_M = (500, 1000, 1500, 2000, 3000)  # upper bounds; beyond the last: "3 km and more"
_RECONCILE_SCHEMA = {"group": pl.String, "timed": pl.Int64, "measured": pl.Float64, "modelled": pl.Float64,
                     "gap_pp": pl.Float64, "circle": pl.Float64}


def distance_band(distance_m: np.ndarray) -> np.ndarray:
    """'0–500 m', '500–1000 m', … '3000+ m' of each distance."""
    edges = (0, *DISTANCE_BANDS_M)
    labels = [f"{a}–{b} m" for a, b in zip(edges, edges[1:])] + [f"{DISTANCE_BANDS_M[-1]}+ m"]
    return np.array(labels, dtype=object)[np.searchsorted(np.asarray(DISTANCE_BANDS_M), distance_m, side="left")]


def reconcile(points: pl.DataFrame, sites: pl.DataFrame, spread: Spread, target_s: float) -> dict[str, pl.DataFrame]:
    """The reach model against what was measured, over the period's incidents that have an arrival.

    measured: the share that arrived within the target (the 5-minute rate, clock from the alarm).
    modelled: the share the model expects within the target (each incident's chance, `Spread.chance`).
    circle: the share inside the circle the map draws (median turnout and travel within the target).
    gap_pp: modelled minus measured, in percentage points. By 'city' (one row), 'district' and
    'band' (straight-line distance to the nearest site)."""
    timed = points.filter(pl.col("response_s").is_not_null())
    arrival, nearest = earliest_arrival_s(timed["lon"], timed["lat"], sites)
    frame = timed.select(
        pl.col("district"),
        (pl.col("response_s") <= target_s).alias("measured"),
        pl.Series("modelled", spread.chance(timed["district"].to_list(), arrival, target_s)),
        pl.Series("circle", arrival <= target_s),
        pl.Series("band", distance_band(nearest), dtype=pl.String),
    )

    def summary(by: str | None) -> pl.DataFrame:
        shares = [pl.len().cast(pl.Int64).alias("timed"),
                  *(pl.col(c).cast(pl.Float64).mean().alias(c) for c in ("measured", "modelled", "circle"))]
        out = (frame.group_by(by).agg(*shares).rename({by: "group"}) if by
               else frame.select(pl.lit("city").alias("group"), *shares))
        return (out.with_columns(((pl.col("modelled") - pl.col("measured")) * 100).alias("gap_pp"))
                .select(list(_RECONCILE_SCHEMA)).cast(_RECONCILE_SCHEMA))

    order = {code: i for i, code in enumerate(profiles.current().districts)}
    bands = {label: i for i, label in enumerate(distance_band(np.array([*DISTANCE_BANDS_M, np.inf]) - 1))}
    return {
        "city": summary(None),
        "district": summary("district").sort(pl.col("group").replace_strict(order, default=len(order),
                                                                            return_dtype=pl.Int64), pl.col("group")),
        "band": summary("band").sort(pl.col("group").replace_strict(bands, default=len(bands), return_dtype=pl.Int64)),
    }


def in_service(stations: pl.DataFrame, on: dt.date) -> pl.DataFrame:
    """Stations that count on a date: opened on or before it and not closed by then."""
    return stations.filter(
        (pl.col("opened_on") <= on) & (pl.col("closed_on").is_null() | (pl.col("closed_on") > on))
    )


def situation(sites: pl.DataFrame, grid: pl.DataFrame, calibration: pl.DataFrame, band: str, settings: Coverage,
              city_turnout_s: float | None, spread: Spread) -> tuple[pl.DataFrame, np.ndarray, np.ndarray]:
    """A network on the grid: its sites with their reach (`reach`), how many of them reach each cell
    (`cover_counts`) and each cell's chance of an arrival within the target (`reach_chance`). The
    Coverage page computes it for the stations as they are and for the what-if network alike."""
    reached = reach(sites, calibration, band, settings, city_turnout_s)
    return (reached, cover_counts(grid, reached),
            reach_chance(grid["lon"].to_numpy(), grid["lat"].to_numpy(), grid["district"].to_list(), reached, spread,
                         settings.target_s))


def cover_counts(grid: pl.DataFrame, sites: pl.DataFrame) -> np.ndarray:
    """How many sites reach each cell of the grid (sites need lat, lon, radius_m)."""
    cell, _, _ = pairs_within(grid["lon"].to_numpy(), grid["lat"].to_numpy(), sites["lon"].to_numpy(),
                              sites["lat"].to_numpy(), sites["radius_m"].to_numpy())
    return np.bincount(cell, minlength=grid.height)


_KPI_SCHEMA = {
    "district": pl.String, "cells": pl.Int64, "uncovered_cells": pl.Int64,
    "population": pl.Float64, "population_covered": pl.Float64, "population_backup": pl.Float64,
    "area_km2": pl.Float64, "area_covered_km2": pl.Float64, "area_backup_km2": pl.Float64,
    "incidents": pl.Int64, "incidents_covered": pl.Int64, "incidents_backup": pl.Int64,
    "incidents_expected": pl.Float64, "population_expected": pl.Float64,
}


def coverage_kpis(grid: pl.DataFrame, counts: np.ndarray, chance: np.ndarray | None = None,
                  by_district: bool = True) -> pl.DataFrame:
    """Shares of population, land area and past incidents within reach of one station, and of two or more.

    With `chance` (each cell's chance of an arrival within the target, `reach_chance`), also the
    incidents and residents expected to be reached in time, each counted by its cell's chance:
    incident_expected_share is the model's 5-minute rate, to set against the measured one.
    One row for all the grid's cells together (district null), then, with `by_district`, one per district.
    Area counts land cells only. Shares are null where the denominator is zero.
    """
    counts = np.asarray(counts)
    frame = grid.select(
        pl.col("district"),
        pl.col("population"), pl.col("land_km2"), pl.col("incidents"),
        pl.Series("once", counts >= 1), pl.Series("twice", counts >= 2),
        pl.Series("chance", chance, dtype=pl.Float64) if chance is not None
        else pl.lit(None, dtype=pl.Float64).alias("chance"),
    )
    sums = [
        pl.len().cast(pl.Int64).alias("cells"),
        (~pl.col("once")).sum().cast(pl.Int64).alias("uncovered_cells"),
        pl.col("population").sum().alias("population"),
        pl.col("population").filter(pl.col("once")).sum().alias("population_covered"),
        pl.col("population").filter(pl.col("twice")).sum().alias("population_backup"),
        pl.col("land_km2").sum().alias("area_km2"),
        pl.col("land_km2").filter(pl.col("once")).sum().alias("area_covered_km2"),
        pl.col("land_km2").filter(pl.col("twice")).sum().alias("area_backup_km2"),
        pl.col("incidents").sum().cast(pl.Int64).alias("incidents"),
        pl.col("incidents").filter(pl.col("once")).sum().cast(pl.Int64).alias("incidents_covered"),
        pl.col("incidents").filter(pl.col("twice")).sum().cast(pl.Int64).alias("incidents_backup"),
        (pl.col("incidents") * pl.col("chance")).sum().alias("incidents_expected"),
        (pl.col("population") * pl.col("chance")).sum().alias("population_expected"),
    ]
    out = frame.select(pl.lit(None, dtype=pl.String).alias("district"), *sums).cast(_KPI_SCHEMA)
    if by_district:
        order = {code: i for i, code in enumerate(profiles.current().districts)}
        districts = (frame.group_by("district").agg(*sums)
                     .sort(pl.col("district").replace_strict(order, default=len(order), return_dtype=pl.Int64)))
        out = pl.concat([out, districts.select(list(_KPI_SCHEMA)).cast(_KPI_SCHEMA)])

    def share(num: str, den: str) -> pl.Expr:
        return pl.when(pl.col(den) > 0).then(pl.col(num) / pl.col(den)).otherwise(None)

    return out.with_columns(
        share("population_covered", "population").alias("population_share"),
        share("population_backup", "population").alias("population_backup_share"),
        share("area_covered_km2", "area_km2").alias("area_share"),
        share("area_backup_km2", "area_km2").alias("area_backup_share"),
        share("incidents_covered", "incidents").alias("incident_share"),
        share("incidents_backup", "incidents").alias("incident_backup_share"),
        *((share("incidents_expected", "incidents").alias("incident_expected_share"),
           share("population_expected", "population").alias("population_expected_share"))
          if chance is not None else (pl.lit(None, dtype=pl.Float64).alias("incident_expected_share"),
                                      pl.lit(None, dtype=pl.Float64).alias("population_expected_share"))),
    )


def month_ends(first: dt.date, last: dt.date) -> list[dt.date]:
    """The last day of every month from `first`'s month to `last`'s, with `last` itself at the end."""
    out = []
    year, month = first.year, first.month
    while True:
        nxt = dt.date(year + month // 12, month % 12 + 1, 1)
        end = nxt - dt.timedelta(days=1)
        if end >= last:
            break
        out.append(end)
        year, month = nxt.year, nxt.month
    return out + [last]


def coverage_trend(grid: pl.DataFrame, sites: pl.DataFrame, dates: list[dt.date], spread: Spread | None = None,
                   target_s: float | None = None) -> pl.DataFrame:
    """City-wide coverage on each date, counting the sites in service then.

    `sites`: every station ever, with opened_on, closed_on and radius_m (and the reach model's
    turnout_s, intercept_s, speed_ms when a `spread` is given, for the expected shares). The
    station-cell pairs are found once; each date only masks them.
    Columns: date, stations, then the whole-grid columns of coverage_kpis.
    """
    lon, lat = grid["lon"].to_numpy(), grid["lat"].to_numpy()
    cell, centre, _ = pairs_within(lon, lat, sites["lon"].to_numpy(), sites["lat"].to_numpy(),
                                   sites["radius_m"].to_numpy())
    if spread is not None:
        near_cell, near_site, arrival = arrival_pairs(lon, lat, sites, spread, target_s)
        districts = grid["district"]
    opened = sites["opened_on"].to_numpy()
    closed = sites["closed_on"].to_numpy()
    rows = []
    for day in dates:
        d = np.datetime64(day)
        open_now = (opened <= d) & (np.isnat(closed) | (closed > d))
        counts = np.bincount(cell[open_now[centre]], minlength=grid.height)
        chance = None
        if spread is not None:
            earliest = np.full(grid.height, np.inf)
            live = open_now[near_site]
            np.minimum.at(earliest, near_cell[live], arrival[live])
            chance = spread.chance(districts, earliest, target_s)
        rows.append(coverage_kpis(grid, counts, chance, by_district=False).with_columns(
            pl.lit(day).alias("date"), pl.lit(int(open_now.sum())).alias("stations")))
    if not rows:
        return pl.DataFrame()
    frame = pl.concat(rows)
    return frame.select("date", "stations", *[c for c in frame.columns if c not in ("date", "stations", "district")])


# ---- what-if -------------------------------------------------------------------------

WHAT_IF_SCHEMA = {"action": pl.String, "station_id": pl.String, "station_name": pl.String,
                  "station_type": pl.String, "lon": pl.Float64, "lat": pl.Float64}


def apply_changes(stations: pl.DataFrame, changes: pl.DataFrame) -> pl.DataFrame:
    """Stations in service after the changes a planner tries: 'add', 'move' or 'close'.

    `changes`: action, station_id, station_name, station_type, lon, lat (WHAT_IF_SCHEMA).
    A moved station keeps its own turnout and takes the district of its new place;
    an added one has no turnout of its own yet (the city's is used). Changes apply
    in order, so a station added and then closed is gone.
    """
    out = stations
    for change in changes.iter_rows(named=True):
        action, sid = change["action"], change["station_id"]
        if action == "close":
            out = out.filter(pl.col("station_id") != sid)
        elif action == "move":
            moved = {"lon": change["lon"], "lat": change["lat"],
                     "district": locate_district(change["lon"], change["lat"])[()] or None}
            out = out.with_columns(
                pl.when(pl.col("station_id") == sid).then(pl.lit(value)).otherwise(pl.col(name)).alias(name)
                for name, value in moved.items()
            )
        elif action == "add":
            district = locate_district(change["lon"], change["lat"])[()] or None
            row = {c: None for c in out.columns}
            row.update(station_id=sid, station_name=change["station_name"], station_type=change["station_type"],
                       district=district, lon=change["lon"], lat=change["lat"], turnout_n=0)
            out = pl.concat([out, pl.DataFrame([row], schema=out.schema)])
        else:
            raise ValueError(f"unknown what-if action {action!r}")
    return out


# ---- hot spots and siting ------------------------------------------------------------

def demand_weight(grid: pl.DataFrame, population_share: float) -> np.ndarray:
    """A cell's demand: its share of the grid's population and of its incidents, mixed.

    population_share 1 = residents only, 0 = past incidents only, 0.5 = each counts half.
    """
    pop = grid["population"].to_numpy().astype(float)
    inc = grid["incidents"].to_numpy().astype(float)
    weight = np.zeros(grid.height)
    if population_share > 0 and pop.sum() > 0:
        weight += population_share * pop / pop.sum()
    if population_share < 1 and inc.sum() > 0:
        weight += (1 - population_share) * inc / inc.sum()
    return weight


def nearest_sites(lon, lat, sites: pl.DataFrame, chunk: int = 256) -> tuple[np.ndarray, np.ndarray]:
    """For each point, the index of the nearest site and the distance to it (metres)."""
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    s_lon, s_lat = sites["lon"].to_numpy(), sites["lat"].to_numpy()
    best = np.full(len(lon), -1, dtype=np.int64)
    dist = np.full(len(lon), np.inf)
    if sites.height == 0:
        return best, dist
    for start in range(0, len(lon), chunk):
        part = slice(start, start + chunk)
        d = haversine_m(lon[part, None], lat[part, None], s_lon[None, :], s_lat[None, :])
        d = np.atleast_2d(d)
        best[part] = d.argmin(axis=1)
        dist[part] = d.min(axis=1)
    return best, dist


def hot_spots(grid: pl.DataFrame, counts: np.ndarray, sites: pl.DataFrame, weight: np.ndarray,
              top: int = 20) -> pl.DataFrame:
    """The places with the most demand outside every station's reach.

    Uncovered cells are gathered by `spot` (their resolution-8 parent, when the grid
    has one), ranked by demand weight. For each spot: its district, uncovered
    population and incidents, the nearest station in service and its estimated
    arrival time (its turnout plus travel) at the spot's most demanding cell.
    """
    spot = grid["spot"] if "spot" in grid.columns else grid["h3"]
    uncovered = grid.with_columns(pl.Series("weight", weight), spot.alias("spot_id")).filter(
        pl.Series(np.asarray(counts) == 0) & (pl.col("weight") > 0))
    if uncovered.height == 0:
        return pl.DataFrame()
    spots = (
        uncovered.sort("weight", descending=True)
        .group_by("spot_id", maintain_order=True)
        .agg(
            pl.col("weight").sum(),
            pl.col("population").sum(),
            pl.col("incidents").sum(),
            pl.col("land_km2").sum().alias("area_km2"),
            pl.len().alias("cells"),
            pl.col("district").drop_nulls().first(),
            pl.col("lat").first(), pl.col("lon").first(),
        )
        .sort("weight", descending=True)
        .head(top)
        .with_row_index("rank", offset=1)
    )
    idx, dist = nearest_sites(spots["lon"].to_numpy(), spots["lat"].to_numpy(), sites)
    found = idx >= 0
    rows = [sites.row(int(i), named=True) if ok else None for i, ok in zip(idx, found)]
    arrival = [float(arrival_s(r, d)) if r is not None else None for r, d in zip(rows, dist)]
    return spots.with_columns(
        pl.Series("nearest_station_id", [r["station_id"] if r else None for r in rows], dtype=pl.String),
        pl.Series("nearest_station_name", [r.get("station_name") if r else None for r in rows], dtype=pl.String),
        pl.Series("nearest_distance_m", np.where(found, dist, np.nan)),
        pl.Series("nearest_arrival_s", arrival, dtype=pl.Float64),
    ).rename({"spot_id": "spot"})


COMPASS_ZH = ("北", "东北", "东", "东南", "南", "西南", "西", "西北")
COMPASS_EN = ("north", "north-east", "east", "south-east", "south", "south-west", "west", "north-west")


def place_names(points: pl.DataFrame, stations: pl.DataFrame, lang: str = "zh") -> pl.DataFrame:
    """Where each point (lon, lat, district) is, in words a planner can find on the ground: its
    district, the 街道 of the nearest station, and that station with the direction and distance to
    the point ("福田区华强北街道，华强北社区应急管理服务站东北 820 米"). Columns place, near_station_id,
    near_station_name, near_street, near_distance_m, bearing (0-7: N, NE, E ... NW)."""
    schema = {"place": pl.String, "near_station_id": pl.String, "near_station_name": pl.String,
              "near_street": pl.String, "near_distance_m": pl.Float64, "bearing": pl.Int64}
    if points.height == 0:
        return pl.DataFrame(schema=schema)
    lon, lat = points["lon"].to_numpy().astype(float), points["lat"].to_numpy().astype(float)
    idx, dist = nearest_sites(lon, lat, stations)
    rows = []
    for k, (i, d) in enumerate(zip(idx, dist)):
        district = points["district"][k] if "district" in points.columns else None
        where = profiles.current().label("district", district, lang) or ""
        if i < 0:
            rows.append((where or None, None, None, None, None, None))
            continue
        s = stations.row(int(i), named=True)
        north = (lat[k] - s["lat"]) * 111_320.0
        east = (lon[k] - s["lon"]) * 111_320.0 * np.cos(np.radians(lat[k]))
        bearing = int(np.round(np.degrees(np.arctan2(east, north)) / 45.0)) % 8
        street = s.get("street")
        metres = int(round(d / 10.0) * 10)
        name = s.get("station_name") or s["station_id"]
        if lang == "zh":
            area = where + (street + "街道" if street and not street.endswith("街道") else street or "")
            place = (f"{area}，" if area else "") + f"{name}{COMPASS_ZH[bearing]} {metres} 米"
        else:
            area = ", ".join(x for x in (where, street) if x)
            place = (f"{area}: " if area else "") + f"{metres} m {COMPASS_EN[bearing]} of {name}"
        rows.append((place, s["station_id"], s.get("station_name"), street, float(d), bearing))
    return pl.DataFrame(rows, schema=schema, orient="row")


def geojson(frame: pl.DataFrame, properties: list[str]) -> dict:
    """Points (lon, lat) as a GeoJSON FeatureCollection a GIS opens, with the named columns as properties."""
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [round(r["lon"], 6), round(r["lat"], 6)]},
         "properties": {p: r[p] for p in properties if p in r}}
        for r in frame.iter_rows(named=True)]}


def maximal_cover(cell_idx: np.ndarray, site_idx: np.ndarray, weight: np.ndarray, covered: np.ndarray,
                  k: int, n_sites: int, rounds: int = 10) -> list[int]:
    """Choose up to k sites that bring the most not-yet-covered demand within reach.

    The maximal covering location problem, on the pairs (cell, site) where the site
    reaches the cell. Greedy first (each pick adds the most new demand; within
    1 - 1/e of the optimum), then exchange rounds: each chosen site in turn is
    replaced by the best site of all when that adds demand, until no exchange helps.
    Each step is one weighted count over all pairs, so thousands of candidate
    sites stay interactive. Returns site indices in the order a planner should
    build them (each the one adding most to those before it).
    """
    if n_sites == 0 or len(site_idx) == 0 or k <= 0:
        return []
    weight = np.where(np.asarray(covered, dtype=bool), 0.0, np.asarray(weight, dtype=float))
    order = np.argsort(site_idx, kind="stable")
    cells_sorted = cell_idx[order]
    bounds = np.searchsorted(site_idx[order], np.arange(n_sites + 1))

    def cells_of(s: int) -> np.ndarray:
        return cells_sorted[bounds[s]:bounds[s + 1]]

    def gains(free: np.ndarray, exclude: list[int]) -> np.ndarray:
        g = np.bincount(site_idx, weights=free[cell_idx], minlength=n_sites)
        g[exclude] = -np.inf
        return g

    chosen: list[int] = []
    remaining = weight.copy()
    for _ in range(min(k, n_sites)):
        g = gains(remaining, chosen)
        best = int(g.argmax())
        if not g[best] > 0:
            break
        chosen.append(best)
        remaining[cells_of(best)] = 0.0

    hits = np.zeros(len(weight), dtype=np.int64)  # how many chosen sites reach each cell
    for s in chosen:
        np.add.at(hits, cells_of(s), 1)
    current = float(weight[hits > 0].sum())
    for _ in range(rounds):
        improved = False
        for i in range(len(chosen)):
            np.add.at(hits, cells_of(chosen[i]), -1)
            without = float(weight[hits > 0].sum())
            g = gains(np.where(hits == 0, weight, 0.0), chosen[:i] + chosen[i + 1:])
            best = int(g.argmax())
            if without + g[best] > current + 1e-12 * max(current, 1.0):
                chosen[i], current, improved = best, without + float(g[best]), True
            np.add.at(hits, cells_of(chosen[i]), 1)
        if not improved:
            break

    ordered, left = [], list(chosen)
    remaining = weight.copy()
    while left:
        s = left.pop(int(np.argmax([remaining[cells_of(s)].sum() for s in left])))
        ordered.append(s)
        remaining[cells_of(s)] = 0.0
    return ordered


def candidate_cells(grid: pl.DataFrame, districts: tuple[str, ...] = ()) -> pl.DataFrame:
    """Land cells as candidate sites (optionally only in some districts): candidate_id, name, district, lat, lon."""
    land = grid.filter(pl.col("land_km2") > 0)
    if districts:
        land = land.filter(pl.col("district").is_in(list(districts)))
    return land.select(pl.col("h3").alias("candidate_id"), pl.col("h3").alias("name"), "district", "lat", "lon")


def read_candidates(source) -> pl.DataFrame:
    """A candidate list the user supplies: CSV with name, lon, lat (WGS-84) headers, Chinese or English.

    Accepted headers: 名称/name, 经度/lon/lng/longitude, 纬度/lat/latitude. Returns
    candidate_id, name, district (where the point lies), lat, lon.
    """
    frame = _uploaded_table(source)
    names = {c.strip().lower(): c for c in frame.columns}

    def pick(*options: str) -> str | None:
        return next((names[o] for o in options if o in names), None)

    name_col = pick("名称", "name", "场所", "site")
    lon_col, lat_col = pick("经度", "lon", "lng", "longitude"), pick("纬度", "lat", "latitude")
    if lon_col is None or lat_col is None:
        raise ValueError(messages.both("candidates_columns"))
    lon = frame[lon_col].str.strip_chars().cast(pl.Float64, strict=False).to_numpy()
    lat = frame[lat_col].str.strip_chars().cast(pl.Float64, strict=False).to_numpy()
    bad = np.flatnonzero(~(np.isfinite(lon) & np.isfinite(lat)))
    if bad.size:  # the first unreadable row, as the file numbers its lines (the header is line 1)
        row = int(bad[0])
        raise ValueError(messages.both("candidates_position", line=row + 2, lon=_shown_value(frame[lon_col][row]),
                                       lat=_shown_value(frame[lat_col][row])))
    ids = [f"C{i + 1:03d}" for i in range(frame.height)]
    return pl.DataFrame({
        "candidate_id": ids,
        "name": frame[name_col].to_list() if name_col else ids,
        "district": [d or None for d in locate_district(lon, lat)],
        "lat": lat, "lon": lon,
    }, schema={"candidate_id": pl.String, "name": pl.String, "district": pl.String,
               "lat": pl.Float64, "lon": pl.Float64})


def candidate_reach(grid: pl.DataFrame, candidates: pl.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(cell, candidate) index pairs: the grid cells each candidate (with radius_m) would reach."""
    cell, site, _ = pairs_within(grid["lon"].to_numpy(), grid["lat"].to_numpy(), candidates["lon"].to_numpy(),
                                 candidates["lat"].to_numpy(), candidates["radius_m"].to_numpy())
    return cell, site


def suggest_sites(grid: pl.DataFrame, counts: np.ndarray, candidates: pl.DataFrame, weight: np.ndarray,
                  k: int, reached: tuple[np.ndarray, np.ndarray] | None = None) -> pl.DataFrame:
    """The next k sites among the candidates (with radius_m) that bring most uncovered demand within reach.
    `reached`: the candidates' `candidate_reach`, when already known (it does not change with the sites).

    Columns: rank, the candidate's columns, new_population, new_incidents, new_area_km2
    (what this site adds to the sites ranked before it) and the running totals.
    """
    cell, site = reached if reached is not None else candidate_reach(grid, candidates)
    picked = maximal_cover(cell, site, weight, np.asarray(counts) > 0, k, candidates.height)
    if not picked:
        return candidates.head(0).with_columns(
            pl.lit(0, dtype=pl.UInt32).alias("rank"), *(pl.lit(0.0).alias(c) for c in
            ("new_population", "new_incidents", "new_area_km2", "total_population", "total_incidents")))
    covered = np.asarray(counts) > 0
    pop, inc, land = (grid[c].to_numpy().astype(float) for c in ("population", "incidents", "land_km2"))
    rows = []
    for s in picked:
        mine = np.unique(cell[site == s])
        new = mine[~covered[mine]]
        covered[new] = True
        rows.append((pop[new].sum(), inc[new].sum(), land[new].sum()))
    gains = np.array(rows).reshape(-1, 3)
    return (
        candidates[picked]
        .with_columns(
            pl.Series("new_population", gains[:, 0]),
            pl.Series("new_incidents", gains[:, 1]),
            pl.Series("new_area_km2", gains[:, 2]),
        )
        .with_columns(pl.col("new_population").cum_sum().alias("total_population"),
                      pl.col("new_incidents").cum_sum().alias("total_incidents"))
        .with_row_index("rank", offset=1)
    )
