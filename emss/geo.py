"""Coordinates and district boundaries.

Exports carry WGS-84 (GPS), GCJ-02 (Amap, Tencent) or BD-09 (Baidu)
coordinates; the warehouse keeps WGS-84. The conversions use the published
offset formulas; GCJ-02 has no closed-form inverse, so the way back is solved
by fixed-point iteration. All functions take scalars or numpy arrays.
"""

from __future__ import annotations

import numpy as np
import shapely

from emss import profiles

# The GCJ-02 offset is defined on the Krasovsky 1940 ellipsoid.
_A = 6378245.0
_EE = 0.00669342162296594323
_X_PI = np.pi * 3000.0 / 180.0
EARTH_RADIUS_M = 6371008.8


def _as_arrays(lon, lat):
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)


def _unwrap(a: np.ndarray):
    # 0-d arrays back to numpy scalars, so scalar in gives scalar out
    return a[()]


def out_of_china(lon, lat) -> np.ndarray:
    """True where the offset does not apply (the formulas' own bounding box)."""
    lon, lat = _as_arrays(lon, lat)
    return (lon < 72.004) | (lon > 137.8347) | (lat < 0.8293) | (lat > 55.8271)


def _offset(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The GCJ-02 shift (degrees) at a WGS-84 position."""
    x = lon - 105.0
    y = lat - 35.0
    root_x = np.sqrt(np.abs(x))
    wave_x = (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0  # in both
    d_lat = (-100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * root_x
             + wave_x
             + (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
             + (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0)
    d_lon = (300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * root_x
             + wave_x
             + (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
             + (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0)
    rad_lat = lat / 180.0 * np.pi
    magic = 1.0 - _EE * np.sin(rad_lat) ** 2
    sqrt_magic = np.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * np.pi)
    d_lon = (d_lon * 180.0) / (_A / sqrt_magic * np.cos(rad_lat) * np.pi)
    outside = out_of_china(lon, lat)
    return np.where(outside, 0.0, d_lon), np.where(outside, 0.0, d_lat)


def wgs84_to_gcj02(lon, lat):
    lon, lat = _as_arrays(lon, lat)
    d_lon, d_lat = _offset(lon, lat)
    return _unwrap(lon + d_lon), _unwrap(lat + d_lat)


def gcj02_to_wgs84(lon, lat, steps: int = 6):
    """Inverse of wgs84_to_gcj02, solving wgs = gcj - offset(wgs): to within 7 mm after
    2 steps, 0.02 mm after 3 and far below that after the default 6 (measured in Shenzhen)."""
    g_lon, g_lat = _as_arrays(lon, lat)
    w_lon, w_lat = g_lon, g_lat
    # The offset changes slowly with position, so each step cuts the error by
    # about three orders of magnitude. A fixed number of steps (no early exit)
    # makes each point's result independent of the others in the array, so a
    # vertex shared by two polygons converts to the very same coordinates.
    for _ in range(steps):
        d_lon, d_lat = _offset(w_lon, w_lat)
        w_lon, w_lat = g_lon - d_lon, g_lat - d_lat
    return _unwrap(w_lon), _unwrap(w_lat)


def _gcj02_to_bd09_arrays(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    z = np.sqrt(lon * lon + lat * lat) + 0.00002 * np.sin(lat * _X_PI)
    theta = np.arctan2(lat, lon) + 0.000003 * np.cos(lon * _X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def gcj02_to_bd09(lon, lat):
    b_lon, b_lat = _gcj02_to_bd09_arrays(*_as_arrays(lon, lat))
    return _unwrap(b_lon), _unwrap(b_lat)


def bd09_to_gcj02(lon, lat):
    b_lon, b_lat = _as_arrays(lon, lat)
    x = b_lon - 0.0065
    y = b_lat - 0.006
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    g_lon, g_lat = z * np.cos(theta), z * np.sin(theta)
    # The published inverse is approximate (off by up to a metre or so);
    # a few corrective steps make the round trip exact.
    for _ in range(3):
        f_lon, f_lat = _gcj02_to_bd09_arrays(g_lon, g_lat)
        g_lon = g_lon - (f_lon - b_lon)
        g_lat = g_lat - (f_lat - b_lat)
    return _unwrap(g_lon), _unwrap(g_lat)


def wgs84_to_bd09(lon, lat):
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def bd09_to_wgs84(lon, lat, steps: int = 6):
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat), steps=steps)


def haversine_m(lon1, lat1, lon2, lat2):
    """Great-circle distance in metres."""
    lon1, lat1 = np.radians(np.asarray(lon1, dtype=float)), np.radians(np.asarray(lat1, dtype=float))
    lon2, lat2 = np.radians(np.asarray(lon2, dtype=float)), np.radians(np.asarray(lat2, dtype=float))
    h = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return _unwrap(2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.minimum(h, 1.0))))


def area_km2(geometry) -> float:
    """Area of a lon/lat geometry, via an equal-area (sinusoidal) projection."""
    lon0 = (geometry.bounds[0] + geometry.bounds[2]) / 2

    def project(coords: np.ndarray) -> np.ndarray:
        lon = np.radians(coords[:, 0] - lon0)
        lat = np.radians(coords[:, 1])
        return np.column_stack([EARTH_RADIUS_M * lon * np.cos(lat), EARTH_RADIUS_M * lat])

    return shapely.transform(geometry, project).area / 1e6


def load_districts() -> dict[str, profiles.District]:
    """The current city's districts that have a boundary, keyed by district code, WGS-84."""
    return {code: d for code, d in profiles.current().districts.items() if d.geometry is not None}


def locate_district(lon, lat) -> np.ndarray:
    """The district code of each WGS-84 point; empty string outside every district."""
    lon, lat = _as_arrays(lon, lat)
    codes = np.full(lon.shape, "", dtype=object)
    for district in load_districts().values():
        inside = shapely.contains_xy(district.geometry, lon, lat) & (codes == "")
        codes[inside] = district.code
    return codes
